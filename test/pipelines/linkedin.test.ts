import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONNECTION_HEADERS,
  connectedOnToMs,
  fromLittleText,
  linkedin,
  toLittleText,
} from "../../pipelines/networks/linkedin.ts";
import type { Emitted, EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { runBuild } from "../../src/runner/build.ts";
import { compileTests, runTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => linkedin.entities.find((e) => e.entity === entity)!;
const row = (entity: string, record: unknown) => {
  const v = validateRecord(spec(entity), record);
  if (!v.ok) throw new Error(`unexpected reject: ${v.reason}`);
  return Object.fromEntries(spec(entity).columns.map((c, i) => [c.name, v.row[i]]));
};
const reason = (entity: string, record: unknown) => {
  const v = validateRecord(spec(entity), record);
  return v.ok ? "(accepted)" : v.reason;
};

// Shapes copied from the Posts, Comments and Reactions API reference examples.
const apiPost = {
  isReshareDisabledByAuthor: false,
  createdAt: 1657516003727,
  lifecycleState: "PUBLISHED",
  lastModifiedAt: 1657516003778,
  visibility: "PUBLIC",
  publishedAt: 1657516003727,
  author: "urn:li:organization:5515715",
  id: "urn:li:ugcPost:6951254185011236864",
  distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
  content: { media: { altText: "testing for alt tags", id: "urn:li:image:C5F10AQGKQg_6y2a4sQ" } },
  commentary: "Hello @[Eddy](urn:li:person:1234) \\(and team\\) {hashtag|\\#|LinkedIn} 100\\_percent",
  lifecycleStateInfo: { isEditedByAuthor: false },
};
const apiComment = {
  actor: "urn:li:person:Ylpq-RobP9",
  created: { actor: "urn:li:person:Ylpq-RobP9", time: 1558381270695 },
  lastModified: { actor: "urn:li:person:Ylpq-RobP9", time: 1558381270695 },
  id: "6636062862760562688",
  commentUrn: "urn:li:comment:(urn:li:activity:6636062734515687424,6636062862760562688)",
  message: {
    attributes: [{ length: 5, start: 0, value: { "com.linkedin.common.MemberAttributedEntity": { member: "urn:li:person:Eddy1234" } } }],
    text: "@Eddy what a lovely #event!",
  },
  object: "urn:li:activity:6636062734515687424",
  likesSummary: { selectedLikes: [], aggregatedTotalLikes: 0, likedByCurrentUser: false, totalLikes: 0 },
};
const apiReaction = {
  created: { actor: "urn:li:person:VVXQ5Ir2Cz", impersonator: "urn:li:person:VVXQ5Ir2Cz", time: 1620230716489 },
  id: "urn:li:reaction:(urn:li:person:VVXQ5Ir2Cz,urn:li:activity:6793315281823109120)",
  lastModified: { actor: "urn:li:person:VVXQ5Ir2Cz", time: 1620230716489 },
  reactionType: "PRAISE",
  root: "urn:li:activity:6793315281823109120",
};
const csvConnection = {
  "Member URN": "urn:li:person:abc123",
  "Connection URN": "urn:li:person:def456",
  "First Name": "Jane",
  "Last Name": "Doe",
  URL: "https://www.linkedin.com/in/janedoe",
  "Email Address": "",
  Company: "Acme",
  Position: "",
  "Connected On": "05 Dec 2022",
};

describe("linkedin schemas", () => {
  it("land a Posts API post, turning little text into plain text, hashtags and mentions", () => {
    const r = row("posts", apiPost);
    expect(r.id).toBe("urn:li:ugcPost:6951254185011236864");
    expect(r.author).toBe("urn:li:organization:5515715");
    expect(r.commentary__text).toBe("Hello @Eddy (and team) #LinkedIn 100_percent");
    expect(r.commentary__hashtags).toEqual(["linkedin"]);
    expect(r.commentary__mentions).toEqual(["urn:li:person:1234"]);
    expect(r.createdAt).toBe(1657516003727);
    expect(r.reshareContext__parent).toBeNull();
  });

  it("land a reshare's reshareContext", () => {
    const r = row("posts", { ...apiPost, commentary: undefined, reshareContext: { parent: "urn:li:share:1", root: "urn:li:ugcPost:2" } });
    expect([r.reshareContext__parent, r.reshareContext__root, r.commentary__text]).toEqual(["urn:li:share:1", "urn:li:ugcPost:2", null]);
  });

  it("land a comment with its attributed mentions, and a reaction", () => {
    const c = row("comments", apiComment);
    expect([c.id, c.actor, c.object, c.message__text]).toEqual([
      "6636062862760562688",
      "urn:li:person:Ylpq-RobP9",
      "urn:li:activity:6636062734515687424",
      "@Eddy what a lovely #event!",
    ]);
    expect(c.message__hashtags).toEqual(["event"]);
    expect(c.message__mentions).toEqual(["urn:li:person:Eddy1234"]);
    expect(c.created__time).toBe(1558381270695);
    const r = row("reactions", apiReaction);
    expect([r.reactionType, r.created__actor, r.root, r.created__time]).toEqual(["PRAISE", "urn:li:person:VVXQ5Ir2Cz", "urn:li:activity:6793315281823109120", 1620230716489]);
  });

  it("land a connections.csv row: empty cells are null, Connected On is a date at midnight UTC", () => {
    const r = row("connections", csvConnection);
    expect(r["Connected On"]).toBe(Date.UTC(2022, 11, 5));
    expect([r["First Name"], r.Company, r.Position]).toEqual(["Jane", "Acme", null]);
    expect(spec("connections").format).toBe("csv");
    expect(connectedOnToMs("5 Dec 2022")).toBe(Date.UTC(2022, 11, 5));
  });

  it("tolerate unknown extra fields and keep huge ids exact", () => {
    const r = row("posts", { ...apiPost, id: "urn:li:share:18446744073709551616", someNewField: { x: 1 } });
    expect(r.id).toBe("urn:li:share:18446744073709551616");
    expect(row("comments", { ...apiComment, id: "18446744073709551616", extra: true }).id).toBe("18446744073709551616");
    expect(row("connections", { ...csvConnection, Notes: "x" })["Member URN"]).toBe("urn:li:person:abc123");
  });

  it("reject missing required fields with the field named", () => {
    const { createdAt: _c, ...noTime } = apiPost;
    expect(reason("posts", noTime)).toMatch(/^createdAt: /);
    const { author: _a, ...noAuthor } = apiPost;
    expect(reason("posts", noAuthor)).toMatch(/^author: .*expected string/);
    const { message: _m, ...noMessage } = apiComment;
    expect(reason("comments", noMessage)).toMatch(/^message: /);
    const { "Member URN": _u, ...noMember } = csvConnection;
    expect(reason("connections", noMember)).toMatch(/^Member URN: /);
  });

  it("reject wrong types and malformed URNs", () => {
    expect(reason("posts", { ...apiPost, createdAt: true })).toMatch(/^createdAt: /);
    expect(reason("posts", { ...apiPost, author: "12345" })).toBe("author: a person or organization URN");
    expect(reason("posts", { ...apiPost, id: "6951254185011236864" })).toMatch(/^id: a post URN/);
    expect(reason("comments", { ...apiComment, object: 42 })).toMatch(/^object: .*expected string/);
    expect(reason("reactions", { ...apiReaction, reactionType: "LOVE" })).toMatch(/^reactionType: Invalid option/);
    expect(reason("reactions", { ...apiReaction, created: { actor: "VVXQ5Ir2Cz", time: 1620230716489 } })).toMatch(/^created\.actor: a person URN/);
  });

  it("reject impossible times: epoch seconds where milliseconds belong, far future, impossible dates", () => {
    expect(reason("posts", { ...apiPost, createdAt: 1657516003 })).toBe("createdAt: time 1657516003 is outside 2000–2099");
    expect(reason("reactions", { ...apiReaction, created: { ...apiReaction.created, time: 9_999_999_999_999 } })).toMatch(/^created\.time: time 9999999999999 is outside 2000–2099/);
    expect(reason("connections", { ...csvConnection, "Connected On": "31 Feb 2026" })).toBe('Connected On: date "31 Feb 2026" is not a real date');
    expect(reason("connections", { ...csvConnection, "Connected On": "2026-11-24" })).toBe('Connected On: date "2026-11-24" is not like "24 Nov 2026"');
    expect(reason("connections", { ...csvConnection, "Connected On": "05 Dec 1999" })).toMatch(/outside 2000–2099/);
  });
});

describe("linkedin little text", () => {
  it("round-trips text with mentions, hashtags and reserved characters", () => {
    const text = "Thanks @bob_smith for #AI_2026 (really) [sic] *wow* a_b ~ 3<4> @nobody";
    const little = toLittleText(text, [{ accountId: "b-1", handle: "bob_smith" }]);
    expect(little).toBe(
      "Thanks @[bob\\_smith](urn:li:person:b-1) for {hashtag|\\#|AI\\_2026} \\(really\\) \\[sic\\] \\*wow\\* a\\_b \\~ 3\\<4\\> \\@nobody",
    );
    expect(fromLittleText(little)).toEqual({ text, mentions: ["urn:li:person:b-1"] });
  });
});

// ---- round trip -----------------------------------------------------------------------------------------

const T = Date.UTC(2026, 10, 23, 9, 30, 0, 123);
const alice = { accountId: "alice1", handle: "alice" };
const bob = { accountId: "bob2", handle: "bob_smith" };
const carol = { accountId: "carol3", handle: "carol" };
const base = { network: "linkedin" as const, hashtags: [], mentions: [], topicHints: [] };

const P1 = "18446744073709551616"; // ends in 6: a ugcPost, and beyond 2^64
const P2 = "7000000000000000001"; // ends in 1: a share
const events: WorldEvent[] = [
  { ...base, kind: "content", contentId: P1, accountId: alice.accountId, handle: alice.handle, createdAtMs: T, contentType: "post", text: "Big news #AI and #ML (thanks @bob_smith)", hashtags: ["ai", "ml"], mentions: [bob] },
  { ...base, kind: "content", contentId: P2, accountId: bob.accountId, handle: bob.handle, createdAtMs: T + 60_000, contentType: "repost", text: "", parent: { contentId: P1, ...alice } },
  { ...base, kind: "content", contentId: "c1", accountId: carol.accountId, handle: carol.handle, createdAtMs: T + 120_000, contentType: "comment", text: "Great @alice #ai", hashtags: ["ai"], mentions: [alice], parent: { contentId: P1, ...alice } },
  { ...base, kind: "content", contentId: "c2", accountId: alice.accountId, handle: alice.handle, createdAtMs: T + 180_000, contentType: "comment", text: "Thanks!", parent: { contentId: "c1", ...carol, rootContentId: P1 } },
  // A comment on c2 without the root named: LinkedIn's object is then the parent comment's activity.
  { ...base, kind: "content", contentId: "c4", accountId: carol.accountId, handle: carol.handle, createdAtMs: T + 270_000, contentType: "comment", text: "You bet", parent: { contentId: "c2", ...alice } },
  { ...base, kind: "content", contentId: "c3", accountId: bob.accountId, handle: bob.handle, createdAtMs: T + 240_000, contentType: "comment", text: "on a post never landed", parent: { contentId: "gone9", accountId: "zed", handle: "zed" } },
  { network: "linkedin", kind: "interaction", interactionId: "r1", actorAccountId: bob.accountId, actorHandle: bob.handle, targetAccountId: alice.accountId, targetHandle: alice.handle, targetContentId: P1, action: "reaction", reactionType: "praise", occurredAtMs: T + 300_000 },
  { network: "linkedin", kind: "interaction", interactionId: "r2", actorAccountId: alice.accountId, actorHandle: alice.handle, targetAccountId: carol.accountId, targetHandle: carol.handle, targetContentId: "c1", action: "reaction", reactionType: "love", occurredAtMs: T + 360_000 },
  { network: "linkedin", kind: "interaction", interactionId: "f1", actorAccountId: alice.accountId, actorHandle: alice.handle, targetAccountId: bob.accountId, targetHandle: bob.handle, action: "follow", occurredAtMs: T },
  // Both members' exports list the connection: still one follow per direction.
  { network: "linkedin", kind: "interaction", interactionId: "f2", actorAccountId: bob.accountId, actorHandle: bob.handle, targetAccountId: alice.accountId, targetHandle: alice.handle, action: "follow", occurredAtMs: T },
  { network: "linkedin", kind: "interaction", interactionId: "f3", actorAccountId: carol.accountId, actorHandle: carol.handle, targetAccountId: alice.accountId, targetHandle: alice.handle, action: "follow", occurredAtMs: T + 86_400_000 },
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
  await runBuild(wh, graph, { runId: "test-linkedin", runDate: "2026-11-24", selected: graph.order });
  return { graph, names: graph.order };
}

describe("linkedin round trip: events → emit → land → staging", () => {
  let wh: Warehouse;
  let emitted: Emitted[];
  let names: string[];
  let testResults: Awaited<ReturnType<typeof runTests>>;

  beforeAll(async () => {
    wh = await memoryWarehouse();
    emitted = events.flatMap((e) => linkedin.emit!(e));
    for (const entity of linkedin.entities) {
      const records = emitted.filter((x) => x.entity === entity.entity).map((x) => x.record);
      const first = await loadRaw(wh, entity, records, { dt: "2026-11-23" });
      expect(first.rejects).toEqual([]);
      expect(first.accepted).toBe(records.length);
      // The same records delivered again the next night.
      const again = await loadRaw(wh, entity, records, { dt: "2026-11-24" });
      expect(again.rejects).toEqual([]);
    }
    const built = await buildOwn(wh, "stg_linkedin__");
    names = built.names;
    testResults = await runTests(wh, compileTests(built.graph), { runId: "test-linkedin" });
  });
  afterAll(() => wh?.close());

  it("emits nothing for what LinkedIn cannot carry", () => {
    expect(linkedin.emit!({ ...events[0]!, network: "twitter" } as WorldEvent)).toEqual([]);
    expect(linkedin.emit!({ ...base, kind: "content", contentId: "q", accountId: "a", handle: "a", createdAtMs: T, contentType: "quote", text: "x", parent: { contentId: P1, ...alice } })).toEqual([]);
    expect(linkedin.emit!({ network: "linkedin", kind: "delete", accountId: "a", deletedId: P1, occurredAtMs: T })).toEqual([]);
    expect(linkedin.supports).toEqual({ contentTypes: ["post", "repost", "comment"], actions: ["repost", "comment", "reaction", "mention", "follow"], accounts: false, deletes: false });
  });

  it("writes URNs, epoch ms and little text as the API does, and CSV keys in header order", () => {
    const post = emitted.find((x) => x.entity === "posts")!.record;
    expect(post.id).toBe(`urn:li:ugcPost:${P1}`);
    expect(post.author).toBe("urn:li:person:alice1");
    expect(post.createdAt).toBe(T);
    expect(post.commentary).toBe("Big news {hashtag|\\#|AI} and {hashtag|\\#|ML} \\(thanks @[bob\\_smith](urn:li:person:bob2)\\)");
    const repost = emitted.filter((x) => x.entity === "posts")[1]!.record;
    expect(repost.reshareContext).toEqual({ parent: `urn:li:ugcPost:${P1}` });
    expect(repost.id).toBe(`urn:li:share:${P2}`);
    const chained = linkedin.emit!({ ...(events[1] as any), contentId: "9", parent: { contentId: P2, ...bob, rootContentId: P1 } })[0]!.record;
    expect(chained.reshareContext).toEqual({ parent: `urn:li:share:${P2}`, root: `urn:li:ugcPost:${P1}` });
    const reply = emitted.find((x) => x.record.id === "c2")!.record;
    expect([reply.object, reply.parentComment, reply.commentUrn]).toEqual([
      `urn:li:activity:${P1}`,
      `urn:li:comment:(urn:li:activity:${P1},c1)`,
      `urn:li:comment:(urn:li:activity:${P1},c2)`,
    ]);
    const conn = emitted.find((x) => x.entity === "connections")!.record;
    expect(Object.keys(conn)).toEqual([...CONNECTION_HEADERS]);
    expect(conn["Connected On"]).toBe("23 Nov 2026");
    expect(Object.values(conn).every((v) => typeof v === "string")).toBe(true);
  });

  it("builds every staging model with the canonical columns first", async () => {
    expect(names).toEqual(["stg_linkedin__comments", "stg_linkedin__connections", "stg_linkedin__posts", "stg_linkedin__reactions"]);
    const content = ["network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints"];
    const interactions = ["network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at"];
    const cols = async (t: string) =>
      (await wh.all<{ column_name: string; data_type: string }>(`select column_name, data_type from information_schema.columns where table_schema = 'staging' and table_name = '${t}' order by ordinal_position`));
    for (const t of ["stg_linkedin__posts", "stg_linkedin__comments"]) {
      const c = await cols(t);
      expect(c.slice(0, content.length).map((x) => x.column_name)).toEqual(content);
      expect(c.find((x) => x.column_name === "created_at")!.data_type).toBe("TIMESTAMP WITH TIME ZONE");
      expect(c.find((x) => x.column_name === "hashtags")!.data_type).toBe("VARCHAR[]");
    }
    for (const t of ["stg_linkedin__reactions", "stg_linkedin__connections"]) {
      expect((await cols(t)).slice(0, interactions.length).map((x) => x.column_name)).toEqual(interactions);
    }
  });

  it("stages posts and reshares once each, with the reshare's parent author resolved", async () => {
    const rows = await wh.all(
      "select content_id, account_id, epoch_ms(created_at) as t, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id, topic_hints from staging.stg_linkedin__posts order by created_at",
    );
    expect(rows).toEqual([
      { content_id: P1, account_id: "alice1", t: T, content_type: "post", text: "Big news #AI and #ML (thanks @bob_smith)", hashtags: ["ai", "ml"], mentioned_account_ids: ["bob2"], parent_content_id: null, parent_account_id: null, topic_hints: [] },
      { content_id: P2, account_id: "bob2", t: T + 60_000, content_type: "repost", text: null, hashtags: [], mentioned_account_ids: [], parent_content_id: P1, parent_account_id: "alice1", topic_hints: [] },
    ]);
  });

  it("stages comments with parents resolved through posts and comments, null when never landed", async () => {
    const rows = await wh.all(
      "select content_id, account_id, epoch_ms(created_at) as t, content_type, text, hashtags, mentioned_account_ids, parent_content_id, parent_account_id from staging.stg_linkedin__comments order by created_at",
    );
    expect(rows).toEqual([
      { content_id: "c1", account_id: "carol3", t: T + 120_000, content_type: "comment", text: "Great @alice #ai", hashtags: ["ai"], mentioned_account_ids: ["alice1"], parent_content_id: P1, parent_account_id: "alice1" },
      { content_id: "c2", account_id: "alice1", t: T + 180_000, content_type: "comment", text: "Thanks!", hashtags: [], mentioned_account_ids: [], parent_content_id: "c1", parent_account_id: "carol3" },
      { content_id: "c3", account_id: "bob2", t: T + 240_000, content_type: "comment", text: "on a post never landed", hashtags: [], mentioned_account_ids: [], parent_content_id: "gone9", parent_account_id: null },
      { content_id: "c4", account_id: "carol3", t: T + 270_000, content_type: "comment", text: "You bet", hashtags: [], mentioned_account_ids: [], parent_content_id: "c2", parent_account_id: "alice1" },
    ]);
  });

  it("stages reactions with LinkedIn's reaction type and the target author resolved", async () => {
    const rows = await wh.all(
      "select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, epoch_ms(occurred_at) as t from staging.stg_linkedin__reactions order by occurred_at",
    );
    expect(rows).toEqual([
      { interaction_id: `urn:li:reaction:(urn:li:person:bob2,urn:li:activity:${P1})`, actor_account_id: "bob2", target_account_id: "alice1", target_content_id: P1, action: "reaction", reaction_type: "praise", t: T + 300_000 },
      { interaction_id: "urn:li:reaction:(urn:li:person:alice1,urn:li:activity:c1)", actor_account_id: "alice1", target_account_id: "carol3", target_content_id: "c1", action: "reaction", reaction_type: "empathy", t: T + 360_000 },
    ]);
  });

  it("stages each connection as a follow in both directions, once per direction, at midnight UTC", async () => {
    const rows = await wh.all(
      "select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type, epoch_ms(occurred_at) as t, is_mirrored from staging.stg_linkedin__connections order by interaction_id",
    );
    const day = Date.UTC(2026, 10, 23);
    const follow = (a: string, b: string, t: number, is_mirrored: boolean) => ({ interaction_id: `${a}->${b}`, actor_account_id: a, target_account_id: b, target_content_id: null, action: "follow", reaction_type: null, t, is_mirrored });
    expect(rows).toEqual([
      follow("alice1", "bob2", day, false),
      follow("alice1", "carol3", day + 86_400_000, true),
      follow("bob2", "alice1", day, false),
      follow("carol3", "alice1", day + 86_400_000, false),
    ]);
  });

  it("passes its declared data tests", () => {
    expect(testResults.length).toBeGreaterThan(15);
    expect(testResults.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.status} ${r.message ?? ""}`)).toEqual([]);
  });

  it("declared tests catch a duplicate key", async () => {
    await wh.run("create table raw_dup as select * from staging.stg_linkedin__posts");
    const project = loadProject(INSTALL_DIR);
    for (const name of [...project.models.keys()]) if (name !== "stg_linkedin__posts") project.models.delete(name);
    project.sqlTests = [];
    const graph = await buildGraph(project, wh);
    // Swap the table for one that repeats a row, then run the same compiled tests.
    await wh.run("create or replace table staging.stg_linkedin__posts as select * from raw_dup union all select * from raw_dup limit 3");
    // The swap is no write of the build's, so no log lists its rows: only a test checking every row can see it
    // (the tests above passed on the table, so by default this one would check only the rows written since).
    const results = await runTests(wh, compileTests(graph), { runId: "test-linkedin-dup", full: true });
    expect(results.find((r) => r.name === "unique__stg_linkedin__posts__content_id")!.status).toBe("fail");
  });
});
