import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bluesky, blueskyDid, blueskyUri, events } from "../../pipelines/networks/bluesky.ts";
import type { WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { runBuild } from "../../src/runner/build.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, loadRaw, memoryWarehouse, tempDir } from "../helpers/warehouse.ts";

const rowOf = (record: unknown) => {
  const v = validateRecord(events, record);
  if (!v.ok) throw new Error(v.reason);
  return Object.fromEntries(events.columns.map((c, i) => [c.name, v.row[i]]));
};
const reasonOf = (record: unknown) => {
  const v = validateRecord(events, record);
  return v.ok ? "(accepted)" : v.reason;
};

/** A Jetstream post commit as the public instances stream it (reply + quote-with-media + facets). */
const post = {
  did: "did:plc:eygmaihciaxprqvxpfvl6flk",
  time_us: "1725911162329308", // ingest turns 16-digit integers into strings before JSON.parse
  kind: "commit",
  commit: {
    rev: "3l3qo2vutsw2b",
    operation: "create",
    collection: "app.bsky.feed.post",
    rkey: "3l3qo2vuowo2b",
    record: {
      $type: "app.bsky.feed.post",
      createdAt: "2024-09-09T19:46:02.102Z",
      text: "cc @alice.bsky.social #atproto see https://example.com",
      langs: ["en"],
      facets: [
        { $type: "app.bsky.richtext.facet", index: { byteStart: 3, byteEnd: 21 }, features: [{ $type: "app.bsky.richtext.facet#mention", did: "did:plc:alice" }] },
        { index: { byteStart: 22, byteEnd: 30 }, features: [{ $type: "app.bsky.richtext.facet#tag", tag: "ATProto" }] },
        { index: { byteStart: 35, byteEnd: 54 }, features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://example.com" }] },
      ],
      tags: ["Extra"],
      reply: {
        root: { uri: "at://did:plc:root/app.bsky.feed.post/3kroot", cid: "bafyreiroot" },
        parent: { uri: "at://did:plc:parent/app.bsky.feed.post/3kparent", cid: "bafyreiparent" },
      },
      embed: {
        $type: "app.bsky.embed.recordWithMedia",
        record: { $type: "app.bsky.embed.record", record: { uri: "at://did:plc:quoted/app.bsky.feed.post/3kq", cid: "bafyreiq" } },
        media: { $type: "app.bsky.embed.images", images: [] },
      },
    },
    cid: "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
  },
};
const like = {
  did: "did:plc:bob",
  time_us: 1725911162329308,
  kind: "commit",
  commit: {
    rev: "3l3qo2vutsw2c",
    operation: "create",
    collection: "app.bsky.feed.like",
    rkey: "3l3qo2vuowo2c",
    record: { $type: "app.bsky.feed.like", createdAt: "2024-09-09T19:46:02.102Z", subject: { uri: "at://did:plc:alice/app.bsky.feed.post/3kp", cid: "bafyreip" } },
    cid: "bafyreil",
  },
};
const follow = {
  did: "did:plc:bob",
  time_us: 1725911162329308,
  kind: "commit",
  commit: { rev: "3l3", operation: "create", collection: "app.bsky.graph.follow", rkey: "3kf", record: { $type: "app.bsky.graph.follow", subject: "did:plc:alice", createdAt: "2024-09-09T19:46:02Z" }, cid: "bafyreif" },
};
const del = { did: "did:plc:bob", time_us: 1725911200000000, kind: "commit", commit: { rev: "3l4", operation: "delete", collection: "app.bsky.feed.like", rkey: "3l3qo2vuowo2c" } };

describe("bluesky events schema", () => {
  it("lands a post commit: text, reply refs, quoted record, mention and tag facets, microsecond time", () => {
    expect(rowOf(post)).toEqual({
      did: "did:plc:eygmaihciaxprqvxpfvl6flk",
      time_us: 1725911162329,
      kind: "commit",
      commit__rev: "3l3qo2vutsw2b",
      commit__operation: "create",
      commit__collection: "app.bsky.feed.post",
      commit__rkey: "3l3qo2vuowo2b",
      commit__cid: post.commit.cid,
      commit__record__createdAt: Date.parse("2024-09-09T19:46:02.102Z"),
      commit__record__text: post.commit.record.text,
      commit__record__reply__root__uri: "at://did:plc:root/app.bsky.feed.post/3kroot",
      commit__record__reply__parent__uri: "at://did:plc:parent/app.bsky.feed.post/3kparent",
      commit__record__embed__record__uri: "at://did:plc:quoted/app.bsky.feed.post/3kq",
      commit__record__facets__mention_dids: ["did:plc:alice"],
      commit__record__facets__tags: ["ATProto"],
      commit__record__tags: ["Extra"],
      commit__record__langs: ["en"],
      commit__record__subject__uri: null,
      commit__record__subject: null,
    });
  });

  it("lands likes, follows and deletes (which carry no record)", () => {
    expect(rowOf(like)).toMatchObject({ commit__collection: "app.bsky.feed.like", commit__record__subject__uri: "at://did:plc:alice/app.bsky.feed.post/3kp", commit__record__subject: null });
    expect(rowOf(follow)).toMatchObject({ commit__record__subject: "did:plc:alice", commit__record__subject__uri: null, commit__record__createdAt: Date.parse("2024-09-09T19:46:02Z") });
    expect(rowOf(del)).toMatchObject({ commit__operation: "delete", commit__rkey: "3l3qo2vuowo2c", commit__cid: null, commit__record__createdAt: null, time_us: 1725911200000 });
  });

  it("tolerates unknown fields and keeps huge record keys exact", () => {
    const row = rowOf({ ...like, extra: true, commit: { ...like.commit, rkey: "18446744073709551616", live: true, record: { ...like.commit.record, via: { x: 1 } } } });
    expect(row.commit__rkey).toBe("18446744073709551616");
  });

  it("rejects what is not a valid commit of the four collections, with a reason", () => {
    const { record: _r, ...noRecord } = like.commit;
    expect(reasonOf({ ...like, commit: noRecord })).toBe("commit.record: Invalid input: expected object, received undefined");
    expect(reasonOf({ ...like, commit: { ...like.commit, operation: "update" } })).toMatch(/^commit\.operation: Invalid discriminator value/);
    expect(reasonOf({ ...like, commit: { ...like.commit, collection: "app.bsky.actor.profile" } })).toMatch(/^commit\.collection: Invalid discriminator value/);
    expect(reasonOf({ ...like, kind: "identity" })).toMatch(/^kind: /);
    expect(reasonOf({ ...like, did: "bob.bsky.social" })).toBe("did: a DID (did:plc:… or did:web:…)");
    const { did: _d, ...noDid } = like;
    expect(reasonOf(noDid)).toMatch(/^did: .*expected string/);
    expect(reasonOf({ ...like, time_us: "soon" })).toBe('time_us: epoch microseconds "soon" is not a number');
    // milliseconds written where microseconds belong land in 1970: rejected, not silently misdated
    expect(reasonOf({ ...like, time_us: 1725911162329 })).toBe("time_us: time 1725911162329 is outside 2000–2099");
    expect(reasonOf({ ...like, commit: { ...like.commit, record: { ...like.commit.record, createdAt: "2024-02-30T10:00:00Z" } } })).toBe(
      'commit.record.createdAt: time "2024-02-30T10:00:00Z" is not a real date',
    );
    expect(reasonOf({ ...like, commit: { ...like.commit, record: { ...like.commit.record, subject: { uri: "https://bsky.app/x", cid: "c" } } } })).toBe(
      "commit.record.subject.uri: an AT URI (at://<did>/<collection>/<rkey>)",
    );
    const badFacet = { ...post.commit.record, facets: [{ features: [{ $type: "app.bsky.richtext.facet#mention" }] }] };
    expect(reasonOf({ ...post, commit: { ...post.commit, record: badFacet } })).toBe("commit.record.facets.0.features.0: a mention facet needs a did");
    const { text: _t, ...noText } = post.commit.record;
    expect(reasonOf({ ...post, commit: { ...post.commit, record: noText } })).toMatch(/^commit\.record\.text: /);
  });
});

// ---- round trip: canonical events → emit → land → staging ----

const T = Date.UTC(2026, 11, 1, 9, 30, 0, 123);
const alice = "did:plc:alice";
const bob = "bob"; // a bare generator id: emit makes it did:plc:bob
const carol = "did:web:carol.example";
const bobDid = blueskyDid(bob);
// Deletable records get AT URIs as ids, so a delete can name their collection.
const p0 = blueskyUri(alice, "post", "3kgone");
const p1 = blueskyUri(alice, "post", "3kp1");
const likeUri = blueskyUri(bob, "reaction", "3klike");
const followUri = blueskyUri(carol, "follow", "3kfollow");

const content = (e: Partial<Extract<WorldEvent, { kind: "content" }>>): WorldEvent => ({
  kind: "content",
  network: "bluesky",
  contentId: "",
  accountId: alice,
  handle: "alice",
  createdAtMs: T,
  contentType: "post",
  text: "",
  hashtags: [],
  mentions: [],
  topicHints: [],
  ...e,
});
const interaction = (e: Partial<Extract<WorldEvent, { kind: "interaction" }>>): WorldEvent => ({
  kind: "interaction",
  network: "bluesky",
  interactionId: "",
  actorAccountId: bob,
  actorHandle: "bob",
  targetAccountId: alice,
  targetHandle: "alice",
  action: "reaction",
  occurredAtMs: T,
  ...e,
});

const day1: WorldEvent[] = [
  content({ contentId: p0, text: "soon deleted" }),
  content({ contentId: p1, createdAtMs: T + 1000, text: "Hi @bob.bsky.social — #DuckDB and #Bluesky ✨", hashtags: ["duckdb", "bluesky"], mentions: [{ accountId: bob, handle: "bob.bsky.social" }] }),
  content({ contentId: "3kreply", accountId: bob, handle: "bob", createdAtMs: T + 2000, contentType: "reply", text: "agreed", parent: { contentId: p1, accountId: alice, handle: "alice" } }),
  content({ contentId: "3kquote", accountId: carol, handle: "carol", createdAtMs: T + 3000, contentType: "quote", text: "look", parent: { contentId: "3kp1", accountId: alice, handle: "alice" } }),
  interaction({ interactionId: likeUri, targetContentId: p1, action: "reaction", reactionType: "like", occurredAtMs: T + 4000 }),
  interaction({ interactionId: "3krepost", targetContentId: p1, action: "repost", occurredAtMs: T + 5000 }),
  interaction({ interactionId: followUri, actorAccountId: carol, actorHandle: "carol", action: "follow", occurredAtMs: T + 6000 }),
  interaction({ interactionId: "3kfollow2", action: "follow", occurredAtMs: T + 7000 }),
  // Carried by posts; no records of their own.
  interaction({ interactionId: "x", targetContentId: p1, action: "mention" }),
  { kind: "account", network: "bluesky", accountId: alice, handle: "alice", displayName: "Alice", createdAtMs: T, followerCount: 0, followingCount: 0, verified: false },
];
// The next day: the post, the like and one follow are deleted.
const day2: WorldEvent[] = [
  { kind: "delete", network: "bluesky", accountId: alice, deletedId: p0, occurredAtMs: T + 86_400_000 },
  { kind: "delete", network: "bluesky", accountId: bob, deletedId: likeUri, occurredAtMs: T + 86_400_000 },
  { kind: "delete", network: "bluesky", accountId: carol, deletedId: followUri, occurredAtMs: T + 86_400_000 },
];

describe("bluesky emit", () => {
  it("writes Jetstream commits: microsecond time_us, TID revs, CIDs, facets with UTF-8 byte ranges", () => {
    const [e] = bluesky.emit!(day1[1]!);
    const r = e!.record as { did: string; time_us: number; commit: { rev: string; rkey: string; cid: string; record: { text: string; createdAt: string; facets: { index: { byteStart: number; byteEnd: number } }[] } } };
    expect(e!.entity).toBe("events");
    expect(r.did).toBe(alice);
    expect(Math.floor(r.time_us / 1000)).toBe(T + 1000);
    expect(r.commit.rev).toMatch(/^[2-7a-z]{13}$/);
    expect(r.commit.cid).toMatch(/^bafyrei[a-z2-7]{52}$/);
    expect(r.commit.record.createdAt).toBe(new Date(T + 1000).toISOString());
    const bytes = Buffer.from(r.commit.record.text);
    const spans = r.commit.record.facets.map((f) => bytes.subarray(f.index.byteStart, f.index.byteEnd).toString());
    expect(spans).toEqual(["@bob.bsky.social", "#DuckDB", "#Bluesky"]);
    expect(bluesky.emit!(day1[1]!)).toEqual([e]);
  });

  it("writes a reply's thread root when its id is an AT URI, else the parent stands in", () => {
    const replyUri = `at://${bobDid}/app.bsky.feed.post/3kreply`;
    const rootOf = (rootContentId?: string) => {
      const parent = { contentId: replyUri, accountId: bob, handle: "bob", ...(rootContentId ? { rootContentId } : {}) };
      const [e] = bluesky.emit!(content({ contentId: "3knested", accountId: carol, contentType: "reply", text: "deeper", parent }));
      return (e!.record as { commit: { record: { reply: { root: { uri: string }; parent: { uri: string } } } } }).commit.record.reply;
    };
    expect(rootOf(p1)).toMatchObject({ root: { uri: p1 }, parent: { uri: replyUri } });
    expect(rootOf()).toMatchObject({ root: { uri: replyUri }, parent: { uri: replyUri } });
  });

  it("emits one delete naming did + collection + rkey, and refuses a delete it cannot name", () => {
    const [d] = bluesky.emit!(day2[1]!);
    expect(d!.record).toMatchObject({ did: bobDid, kind: "commit", commit: { operation: "delete", collection: "app.bsky.feed.like", rkey: "3klike" } });
    expect((d!.record as { commit: object }).commit).not.toHaveProperty("record");
    expect(() => bluesky.emit!({ kind: "delete", network: "bluesky", accountId: bob, deletedId: "3klike", occurredAtMs: T })).toThrow(/bare record key/);
  });
});

describe("bluesky round trip", () => {
  let wh: Warehouse;

  beforeAll(async () => {
    wh = await memoryWarehouse();
    const recordsOf = (evs: WorldEvent[]) => evs.flatMap((e) => bluesky.emit!(e)).map((x) => x.record);
    const first = await loadRaw(wh, events, recordsOf(day1), { dt: "2026-12-01" });
    expect(first).toMatchObject({ accepted: 8, rejects: [] });
    // Day 2 delivers day 1 again (a re-sent file) plus the deletes.
    const second = await loadRaw(wh, events, [...recordsOf(day1), ...recordsOf(day2)], { dt: "2026-12-02" });
    expect(second).toMatchObject({ accepted: 11, rejects: [] });
    await buildModels(wh, "stg_bluesky__posts stg_bluesky__interactions", "2026-12-02");
  });
  afterAll(() => wh?.instance.closeSync());

  it("stages posts once each, deleted ones removed, with type, parent, hashtags and mentions", async () => {
    const rows = await wh.all(
      `select content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
              mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
       from staging.stg_bluesky__posts order by created_at`,
    );
    expect(rows).toEqual([
      { content_id: p1, account_id: alice, created_ms: T + 1000, content_type: "post", text: "Hi @bob.bsky.social — #DuckDB and #Bluesky ✨", hashtags: ["duckdb", "bluesky"], mentioned_account_ids: [bobDid], parent_content_id: null, parent_account_id: null, topic_hints: [] },
      { content_id: `at://${bobDid}/app.bsky.feed.post/3kreply`, account_id: bobDid, created_ms: T + 2000, content_type: "reply", text: "agreed", hashtags: [], mentioned_account_ids: [], parent_content_id: p1, parent_account_id: alice, topic_hints: [] },
      { content_id: `at://${carol}/app.bsky.feed.post/3kquote`, account_id: carol, created_ms: T + 3000, content_type: "quote", text: "look", hashtags: [], mentioned_account_ids: [], parent_content_id: p1, parent_account_id: alice, topic_hints: [] },
    ]);
  });

  it("stages reposts, likes and follows once each, deleted ones removed", async () => {
    const rows = await wh.all(
      `select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type,
              epoch_ms(occurred_at) as occurred_ms
       from staging.stg_bluesky__interactions order by occurred_at`,
    );
    expect(rows).toEqual([
      { interaction_id: `at://${bobDid}/app.bsky.feed.repost/3krepost`, actor_account_id: bobDid, target_account_id: alice, target_content_id: p1, action: "repost", reaction_type: null, occurred_ms: T + 5000 },
      { interaction_id: `at://${bobDid}/app.bsky.graph.follow/3kfollow2`, actor_account_id: bobDid, target_account_id: alice, target_content_id: null, action: "follow", reaction_type: null, occurred_ms: T + 7000 },
    ]);
  });

  it("keeps a like whose delete has not arrived (deletes match did + collection + rkey exactly)", async () => {
    // A delete of another collection with the same rkey must not remove the like.
    const like2 = bluesky.emit!(interaction({ interactionId: "3klike2", targetContentId: p1, action: "reaction", occurredAtMs: T + 8000 }))[0]!.record;
    const wrongCollection = { did: bobDid, time_us: (T + 9000) * 1000, kind: "commit", commit: { rev: "3l5", operation: "delete", collection: "app.bsky.feed.repost", rkey: "3klike2" } };
    expect((await loadRaw(wh, events, [like2, wrongCollection], { dt: "2026-12-03" })).rejects).toEqual([]);
    await buildModels(wh, "stg_bluesky__interactions", "2026-12-03");
    const rows = await wh.all(`select interaction_id, reaction_type from staging.stg_bluesky__interactions where action = 'reaction'`);
    expect(rows).toEqual([{ interaction_id: `at://${bobDid}/app.bsky.feed.like/3klike2`, reaction_type: "like" }]);
  });

  it("passes the declared tests", async () => {
    const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
    const tests = selectTests(compileTests(graph), ["stg_bluesky__posts", "stg_bluesky__interactions"]);
    expect(tests.length).toBeGreaterThanOrEqual(10);
    const results = await runTests(wh, tests, { runId: "test-bluesky" });
    expect(results.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.message ?? r.failures}`)).toEqual([]);
  });
});

describe("bluesky nights computed from the new partitions", () => {
  // The two staging models over the lake's new partitions only (reads_changed_since), with deletes as tombstones:
  // night by night, each table must hold exactly what a whole build gives. The project is a copy whose minimum sizes
  // are 0, so these few rows are merged rather than replaced whole.
  let wh: Warehouse;
  let dir: string;
  const landed = new Map<string, string>();
  const recordsOf = (evs: WorldEvent[]) => evs.flatMap((e) => bluesky.emit!(e)).map((x) => x.record);
  const night = async (dt: string, records: unknown[]) => {
    expect((await loadRaw(wh, events, records, { dt })).rejects).toEqual([]);
    landed.set(dt, `part-0.parquet:${landed.size}`);
    const graph = await buildGraph(loadProject(dir), wh);
    const models = ["stg_bluesky__posts", "stg_bluesky__interactions"];
    const b = await runBuild(wh, graph, { runId: `night-${dt}`, runDate: dt, selected: models, lakePartitions: (src) => (src === "raw.bluesky__events" ? new Map(landed) : undefined) });
    return models.map((m) => b.results.find((r) => r.name === m)!.message);
  };
  /** Rows of a table against the model's whole query over today's raw rows (changed_since NULL). */
  const differences = async (model: string) => {
    const sql = loadProject(dir).models.get(model)!.sql;
    const row = await wh.one<{ a: number; b: number }>(
      `select (select count(*) from (from staging.${model} except all (${sql})))::integer as a, (select count(*) from ((${sql}) except all from staging.${model}))::integer as b`,
    );
    return row;
  };
  const ids = async (model: string, key: string) => (await wh.all<{ k: string }>(`select ${key} as k from staging.${model} order by 1`)).map((r) => r.k);

  beforeAll(async () => {
    wh = await memoryWarehouse();
    dir = tempDir("clout-bluesky-project-");
    fs.cpSync(path.join(INSTALL_DIR, "sql"), path.join(dir, "sql"), { recursive: true });
    const yml = path.join(dir, "sql", "project.yml");
    fs.writeFileSync(yml, fs.readFileSync(yml, "utf8").replace(/^merge_min_rows: \d+$/m, "merge_min_rows: 0").replace(/^changed_since_min_rows: \d+$/m, "changed_since_min_rows: 0"));
  });
  afterAll(() => wh?.instance.closeSync());

  it("removes what a delete landed since names, whatever date its record landed on, and equals a whole build each night", async () => {
    expect(await night("2026-12-01", recordsOf(day1))).toEqual(["replaced: first run", "replaced: first run"]);
    const like3 = blueskyUri(bob, "reaction", "3klike3");
    // night 2: day 1's deletes, a new like, and the delete of a like whose create lands only on night 3
    const early = { kind: "delete", network: "bluesky", accountId: bob, deletedId: like3, occurredAtMs: T + 86_400_000 } as const;
    const newLike = interaction({ interactionId: blueskyUri(bob, "reaction", "3klike4"), targetContentId: p1, action: "reaction", reactionType: "like", occurredAtMs: T + 86_400_000 });
    expect(await night("2026-12-02", recordsOf([...day2, early, newLike]))).toEqual(["merged since 2026-12-02: +0 −1 rows", "merged since 2026-12-02: +1 −2 rows"]);
    expect(await ids("stg_bluesky__posts", "content_id")).not.toContain(p0);
    expect(await ids("stg_bluesky__interactions", "interaction_id")).toEqual([
      `at://${bobDid}/app.bsky.feed.like/3klike4`,
      `at://${bobDid}/app.bsky.feed.repost/3krepost`,
      `at://${bobDid}/app.bsky.graph.follow/3kfollow2`,
    ]);
    // night 3: the early-deleted like arrives, and day 1 is delivered again (its deleted records stay deleted)
    const late = interaction({ interactionId: like3, targetContentId: p1, action: "reaction", reactionType: "like", occurredAtMs: T + 9000 });
    const third = await night("2026-12-03", recordsOf([late, ...day1]));
    expect(third[1]).toMatch(/^merged since 2026-12-03: /);
    expect(await ids("stg_bluesky__interactions", "interaction_id")).not.toContain(like3);
    for (const m of ["stg_bluesky__posts", "stg_bluesky__interactions"]) expect(await differences(m)).toEqual({ a: 0, b: 0 });
    // the tables never hold the tombstone column
    const cols = await wh.all<{ c: string }>("select column_name as c from information_schema.columns where table_schema = 'staging' and column_name = '_deleted'");
    expect(cols).toEqual([]);
  });
});
