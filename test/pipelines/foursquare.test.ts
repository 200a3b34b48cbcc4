import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foursquare } from "../../pipelines/networks/foursquare.ts";
import type { Emitted, EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { runBuild } from "../../src/runner/build.ts";
import { compileTests, runTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => foursquare.entities.find((e) => e.entity === entity)!;
const row = (entity: string, record: unknown) => {
  const v = validateRecord(spec(entity), record);
  if (!v.ok) throw new Error(`unexpected reject: ${v.reason}`);
  return Object.fromEntries(spec(entity).columns.map((c, i) => [c.name, v.row[i]]));
};
const reason = (entity: string, record: unknown) => {
  const v = validateRecord(spec(entity), record);
  return v.ok ? "(accepted)" : v.reason;
};

// Shapes copied from the v2 API reference's Checkin and Tip responses.
const venue = {
  id: "408c5100f964a520c6f01ee3",
  name: "Habana Outpost",
  location: { address: "757 Fulton St", lat: 40.68, lng: -73.97, cc: "US", city: "Brooklyn", state: "NY", country: "United States" },
  categories: [
    {
      id: "4bf58dd8d48988d153941735",
      name: "Burrito Place",
      pluralName: "Burrito Places",
      shortName: "Burritos",
      icon: { prefix: "https://ss3.4sqi.net/img/categories_v2/food/burrito_", suffix: ".png" },
      primary: true,
    },
    { id: "4bf58dd8d48988d1c1941735", name: "Mexican Restaurant", pluralName: "Mexican Restaurants", shortName: "Mexican" },
  ],
  verified: true,
  stats: { checkinsCount: 12931, usersCount: 6200, tipCount: 84 },
};
const apiCheckin = {
  id: "4d627f6814963704dc28ff94",
  createdAt: 1298300776,
  type: "checkin",
  shout: "Another one of these days. #snow #Tacos",
  timeZoneOffset: -300,
  user: { id: "32", firstName: "Dens", lastName: "Crowley", gender: "male", relationship: "self", photo: { prefix: "https://irs0.4sqi.net/img/user/", suffix: "/32.jpg" } },
  venue,
  with: [{ id: "1234", firstName: "Naveen", relationship: "friend" }, { id: 5678, firstName: "Tristan" }],
  likes: { count: 2, groups: [] },
  like: false,
  photos: { count: 0, items: [] },
  comments: { count: 1, items: [] },
  source: { name: "foursquare for iPhone", url: "https://foursquare.com/download/#/iphone" },
};
const apiTip = {
  id: "4e5b969ab61c4aaa3e183ef6",
  createdAt: 1314625178,
  text: "Get the frozen hot chocolate! #dessert",
  type: "user",
  canonicalUrl: "https://foursquare.com/item/4e5b969ab61c4aaa3e183ef6",
  likes: { count: 12, groups: [], summary: "12 likes" },
  logView: true,
  agreeCount: 12,
  disagreeCount: 0,
  todo: { count: 3 },
  user: { id: "32", firstName: "Dens" },
  venue,
};
const like = { id: "5f0c1a2b3c4d5e6f7a8b9c0d", createdAt: 1764000000, type: "like", user: { id: "99", firstName: "Ann" }, target: { type: "checkin", object: { id: apiCheckin.id } } };
const friend = { user: { id: "32" }, friend: { id: "1234", firstName: "Naveen", relationship: "friend", homeCity: "New York, NY" }, createdAt: 1764000000 };

describe("foursquare schemas", () => {
  it("land a v2 check-in: epoch seconds, venue categories, with[] friends, shout hashtags", () => {
    const r = row("checkins", apiCheckin);
    expect(r.createdAt).toBe(1298300776_000);
    expect([r.user__id, r.venue__id, r.venue__name]).toEqual(["32", "408c5100f964a520c6f01ee3", "Habana Outpost"]);
    expect(r.venue__categories__name).toEqual(["Burrito Place", "Mexican Restaurant"]);
    expect(r.with__id).toEqual(["1234", "5678"]);
    expect(r.shout__hashtags).toEqual(["snow", "tacos"]);
    expect([r.timeZoneOffset, r.likes__count, r.comments__count]).toEqual([-300, 2, 1]);
  });

  it("land a check-in without shout or with, a tip, a like and a friend", () => {
    const { shout: _s, with: _w, ...bare } = apiCheckin;
    const c = row("checkins", bare);
    expect([c.shout, c.shout__hashtags, c.with__id]).toEqual([null, [], []]);
    const t = row("tips", apiTip);
    expect([t.id, t.user__id, t.text, t.agreeCount, t.likes__count]).toEqual([apiTip.id, "32", apiTip.text, 12, 12]);
    expect(t.text__hashtags).toEqual(["dessert"]);
    expect(row("likes", like)).toEqual({ id: like.id, createdAt: 1764000000_000, type: "like", user__id: "99", target__type: "checkin", target__object__id: apiCheckin.id });
    expect(row("friends", friend)).toEqual({ user__id: "32", friend__id: "1234", friend__firstName: "Naveen", friend__relationship: "friend", createdAt: 1764000000_000 });
  });

  it("tolerate unknown extra fields, a missing target type and keep huge ids exact", () => {
    expect(row("checkins", { ...apiCheckin, id: "18446744073709551616", brandNewField: [1] }).id).toBe("18446744073709551616");
    expect(row("checkins", { ...apiCheckin, user: { id: "18446744073709551616" } }).user__id).toBe("18446744073709551616");
    expect(row("likes", { ...like, target: { object: { id: "t1" } } }).target__type).toBeNull();
  });

  it("reject missing required fields with the field named", () => {
    const { venue: _v, ...noVenue } = apiCheckin;
    expect(reason("checkins", noVenue)).toMatch(/^venue: .*expected object/);
    const { createdAt: _c, ...noTime } = apiTip;
    expect(reason("tips", noTime)).toMatch(/^createdAt: /);
    expect(reason("likes", { ...like, target: {} })).toMatch(/^target\.object: /);
    expect(reason("friends", { friend: friend.friend, createdAt: 1764000000 })).toMatch(/^user: /);
  });

  it("reject wrong types", () => {
    expect(reason("checkins", { ...apiCheckin, user: { id: "" } })).toBe("user.id: empty id");
    expect(reason("checkins", { ...apiCheckin, with: "1234" })).toMatch(/^with: .*expected array/);
    expect(reason("tips", { ...apiTip, agreeCount: -1 })).toMatch(/^agreeCount: /);
    expect(reason("likes", { ...like, type: "love" })).toMatch(/^type: Invalid option/);
    expect(reason("checkins", { ...apiCheckin, venue: { ...venue, categories: [{ name: "" }] } })).toBe("venue.categories.0.name: empty category name");
  });

  it("reject impossible times: milliseconds where seconds belong, before 2000, not a number", () => {
    expect(reason("checkins", { ...apiCheckin, createdAt: 1298300776000 })).toBe("createdAt: time 1298300776000 is outside 2000–2099");
    expect(reason("tips", { ...apiTip, createdAt: 900000000 })).toBe("createdAt: time 900000000 is outside 2000–2099");
    expect(reason("likes", { ...like, createdAt: "yesterday" })).toBe('createdAt: epoch seconds "yesterday" is not a number');
  });
});

// ---- round trip -----------------------------------------------------------------------------------------

const T = Date.UTC(2026, 10, 23, 18, 45, 30, 999);
const S = Math.floor(T / 1000) * 1000; // what epoch seconds keep of T
const ann = { accountId: "101", handle: "ann" };
const ben = { accountId: "202", handle: "ben" };
const cat = { accountId: "303", handle: "cat" };
const base = { network: "foursquare" as const, hashtags: [], mentions: [] };
const CHECKIN = "5f1a2b3c4d5e6f7a8b9c0d1e";
const TIP = "18446744073709551616";

const events: WorldEvent[] = [
  { ...base, kind: "content", contentId: CHECKIN, accountId: ann.accountId, handle: ann.handle, createdAtMs: T, contentType: "checkin", text: "Tacos with the crew #tuesday", hashtags: ["tuesday"], mentions: [ben, cat], topicHints: ["taco place", "mexican restaurant"] },
  { ...base, kind: "content", contentId: "c2", accountId: ben.accountId, handle: ben.handle, createdAtMs: T + 1000, contentType: "checkin", text: "", topicHints: ["gym"], title: "Iron Works" },
  { ...base, kind: "content", contentId: TIP, accountId: cat.accountId, handle: cat.handle, createdAtMs: T + 2000, contentType: "tip", text: "Try the al pastor #tacos", hashtags: ["tacos"], topicHints: ["taco place"] },
  { network: "foursquare", kind: "interaction", interactionId: "like1", actorAccountId: ben.accountId, actorHandle: ben.handle, targetAccountId: ann.accountId, targetHandle: ann.handle, targetContentId: CHECKIN, action: "reaction", reactionType: "like", occurredAtMs: T + 3000 },
  { network: "foursquare", kind: "interaction", interactionId: "agree1", actorAccountId: ann.accountId, actorHandle: ann.handle, targetAccountId: cat.accountId, targetHandle: cat.handle, targetContentId: TIP, action: "reaction", reactionType: "agree", occurredAtMs: T + 4000 },
  { network: "foursquare", kind: "interaction", interactionId: "like2", actorAccountId: cat.accountId, actorHandle: cat.handle, targetAccountId: "404", targetHandle: "gone", targetContentId: "never-landed", action: "reaction", reactionType: "like", occurredAtMs: T + 5000 },
  { network: "foursquare", kind: "interaction", interactionId: "f1", actorAccountId: ann.accountId, actorHandle: ann.handle, targetAccountId: ben.accountId, targetHandle: ben.handle, action: "follow", occurredAtMs: T },
  { network: "foursquare", kind: "interaction", interactionId: "f2", actorAccountId: ben.accountId, actorHandle: ben.handle, targetAccountId: ann.accountId, targetHandle: ann.handle, action: "follow", occurredAtMs: T + 7000 },
];

/**
 * Build only this network's staging models with the real runner: a project trimmed to them, so models
 * other networks have in progress cannot break this test.
 */
async function buildOwn(wh: Warehouse, prefix: string) {
  const project = loadProject(INSTALL_DIR);
  for (const name of [...project.models.keys()]) if (!name.startsWith(prefix)) project.models.delete(name);
  project.sqlTests = [];
  const graph = await buildGraph(project, wh);
  await runBuild(wh, graph, { runId: "test-foursquare", runDate: "2026-11-24", selected: graph.order });
  return { graph, names: graph.order };
}

describe("foursquare round trip: events → emit → land → staging", () => {
  let wh: Warehouse;
  let emitted: Emitted[];
  let names: string[];
  let testResults: Awaited<ReturnType<typeof runTests>>;

  beforeAll(async () => {
    wh = await memoryWarehouse();
    emitted = events.flatMap((e) => foursquare.emit!(e));
    for (const entity of foursquare.entities) {
      const records = emitted.filter((x) => x.entity === entity.entity).map((x) => x.record);
      const first = await loadRaw(wh, entity, records, { dt: "2026-11-23" });
      expect(first.rejects).toEqual([]);
      expect(first.accepted).toBe(records.length);
      // The same records delivered again the next night.
      expect((await loadRaw(wh, entity, records, { dt: "2026-11-24" })).rejects).toEqual([]);
    }
    const built = await buildOwn(wh, "stg_foursquare__");
    names = built.names;
    testResults = await runTests(wh, compileTests(built.graph), { runId: "test-foursquare" });
  });
  afterAll(() => wh?.close());

  it("emits nothing for what Foursquare cannot carry, and check-in-with only inside a check-in", () => {
    expect(foursquare.emit!({ ...events[0]!, network: "linkedin" } as WorldEvent)).toEqual([]);
    expect(foursquare.emit!({ ...base, kind: "content", contentId: "p", accountId: "1", handle: "a", createdAtMs: T, contentType: "post", text: "x", topicHints: [] })).toEqual([]);
    expect(foursquare.emit!({ network: "foursquare", kind: "interaction", interactionId: "w", actorAccountId: "1", actorHandle: "a", targetAccountId: "2", targetHandle: "b", targetContentId: CHECKIN, action: "checkin_with", occurredAtMs: T })).toEqual([]);
    expect(foursquare.supports).toEqual({ contentTypes: ["checkin", "tip"], actions: ["reaction", "checkin_with", "follow"], accounts: false, deletes: false });
  });

  it("writes check-ins as the v2 API does: epoch seconds, venue with categories, with[] users", () => {
    const c = emitted.find((x) => x.entity === "checkins")!.record as any;
    expect(c.createdAt).toBe(S / 1000);
    expect(c.with).toEqual([{ id: "202", firstName: "ben" }, { id: "303", firstName: "cat" }]);
    expect(c.venue.categories.map((x: { name: string }) => x.name)).toEqual(["Taco Place", "Mexican Restaurant"]);
    expect(c.venue.id).toMatch(/^[0-9a-f]{24}$/);
    expect(foursquare.emit!(events[0]!)).toEqual(foursquare.emit!(events[0]!));
    const c2 = emitted.filter((x) => x.entity === "checkins")[1]!.record as any;
    expect([c2.venue.name, "shout" in c2, "with" in c2]).toEqual(["Iron Works", false, false]);
  });

  it("builds every staging model with the canonical columns first", async () => {
    expect(names).toEqual(["stg_foursquare__checkins", "stg_foursquare__checkins_with", "stg_foursquare__friends", "stg_foursquare__likes", "stg_foursquare__tips"]);
    const content = ["network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints"];
    const interactions = ["network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at"];
    const cols = async (t: string) =>
      (await wh.all<{ column_name: string; data_type: string }>(`select column_name, data_type from information_schema.columns where table_schema = 'staging' and table_name = '${t}' order by ordinal_position`)).map((x) => `${x.column_name} ${x.data_type}`);
    for (const t of ["stg_foursquare__checkins", "stg_foursquare__tips"]) {
      expect((await cols(t)).slice(0, content.length)).toEqual(
        content.map((c) => `${c} ${c === "created_at" ? "TIMESTAMP WITH TIME ZONE" : ["hashtags", "mentioned_account_ids", "topic_hints"].includes(c) ? "VARCHAR[]" : "VARCHAR"}`),
      );
    }
    for (const t of ["stg_foursquare__checkins_with", "stg_foursquare__likes", "stg_foursquare__friends"]) {
      expect((await cols(t)).slice(0, interactions.length).map((c) => c.split(" ")[0])).toEqual(interactions);
    }
  });

  it("stages check-ins and tips once each, venue categories as topic hints", async () => {
    const rows = await wh.all(
      `select content_id, account_id, epoch_ms(created_at) as t, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints, venue_name
       from staging.stg_foursquare__checkins union all by name
       select content_id, account_id, epoch_ms(created_at) as t, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints, venue_name
       from staging.stg_foursquare__tips order by t`,
    );
    const none = { mentioned_account_ids: [], parent_content_id: null, parent_account_id: null };
    expect(rows).toEqual([
      { content_id: CHECKIN, account_id: "101", t: S, content_type: "checkin", text: "Tacos with the crew #tuesday", hashtags: ["tuesday"], ...none, topic_hints: ["taco place", "mexican restaurant"], venue_name: "The Taco Place" },
      { content_id: "c2", account_id: "202", t: S + 1000, content_type: "checkin", text: null, hashtags: [], ...none, topic_hints: ["gym"], venue_name: "Iron Works" },
      { content_id: TIP, account_id: "303", t: S + 2000, content_type: "tip", text: "Try the al pastor #tacos", hashtags: ["tacos"], ...none, topic_hints: ["taco place"], venue_name: "The Taco Place" },
    ]);
  });

  it("stages each friend checked in with as a checkin_with interaction", async () => {
    const rows = await wh.all(
      "select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, epoch_ms(occurred_at) as t from staging.stg_foursquare__checkins_with order by interaction_id",
    );
    const w = (friendId: string) => ({ interaction_id: `${CHECKIN}:${friendId}`, actor_account_id: "101", target_account_id: friendId, target_content_id: CHECKIN, action: "checkin_with", reaction_type: null, t: S });
    expect(rows).toEqual([w("202"), w("303")]);
  });

  it("stages likes and tip agrees as reactions, the liked item's author resolved (null when never landed)", async () => {
    const rows = await wh.all(
      "select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, epoch_ms(occurred_at) as t, target_content_type from staging.stg_foursquare__likes order by occurred_at",
    );
    expect(rows).toEqual([
      { interaction_id: "like1", actor_account_id: "202", target_account_id: "101", target_content_id: CHECKIN, action: "reaction", reaction_type: "like", t: S + 3000, target_content_type: "checkin" },
      { interaction_id: "agree1", actor_account_id: "101", target_account_id: "303", target_content_id: TIP, action: "reaction", reaction_type: "agree", t: S + 4000, target_content_type: "tip" },
      { interaction_id: "like2", actor_account_id: "303", target_account_id: null, target_content_id: "never-landed", action: "reaction", reaction_type: "like", t: S + 5000, target_content_type: null },
    ]);
  });

  it("stages each friendship as a follow in both directions, once per direction", async () => {
    const rows = await wh.all(
      "select interaction_id, actor_account_id, target_account_id, target_content_id, action, epoch_ms(occurred_at) as t, is_mirrored from staging.stg_foursquare__friends order by interaction_id",
    );
    // Both lists name each other: each direction comes from its actor's own list.
    expect(rows).toEqual([
      { interaction_id: "101->202", actor_account_id: "101", target_account_id: "202", target_content_id: null, action: "follow", t: S, is_mirrored: false },
      { interaction_id: "202->101", actor_account_id: "202", target_account_id: "101", target_content_id: null, action: "follow", t: S + 7000, is_mirrored: false },
    ]);
  });

  it("passes its declared data tests", () => {
    expect(testResults.length).toBeGreaterThan(20);
    expect(testResults.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.status} ${r.message ?? ""}`)).toEqual([]);
  });
});
