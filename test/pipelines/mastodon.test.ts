import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastodon, activities, mastodonActorUrl, mastodonNoteUrl } from "../../pipelines/networks/mastodon.ts";
import type { WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const land = (record: unknown) => validateRecord(activities, record);
const rowOf = (record: unknown) => {
  const v = land(record);
  if (!v.ok) throw new Error(v.reason);
  return Object.fromEntries(activities.columns.map((c, i) => [c.name, v.row[i]]));
};
const reasonOf = (record: unknown) => {
  const v = land(record);
  return v.ok ? "(accepted)" : v.reason;
};

/** A Create as mastodon.social federates it (shape of a real outbox item; extra keys are tolerated). */
const create = {
  "@context": ["https://www.w3.org/ns/activitystreams", { ostatus: "http://ostatus.org#", sensitive: "as:sensitive", toot: "http://joinmastodon.org/ns#" }],
  id: "https://mastodon.social/users/Gargron/statuses/109318787512345678/activity",
  type: "Create",
  actor: "https://mastodon.social/users/Gargron",
  published: "2026-11-24T10:00:00Z",
  to: ["https://www.w3.org/ns/activitystreams#Public"],
  cc: ["https://mastodon.social/users/Gargron/followers", "https://fosstodon.org/users/kev"],
  object: {
    id: "https://mastodon.social/users/Gargron/statuses/109318787512345678",
    type: "Note",
    summary: null,
    inReplyTo: "https://fosstodon.org/users/kev/statuses/109318700000000000",
    published: "2026-11-24T10:00:00Z",
    url: "https://mastodon.social/@Gargron/109318787512345678",
    attributedTo: "https://mastodon.social/users/Gargron",
    sensitive: false,
    atomUri: "https://mastodon.social/users/Gargron/statuses/109318787512345678",
    content:
      '<p><span class="h-card" translate="no"><a href="https://fosstodon.org/@kev" class="u-url mention">@<span>kev</span></a></span> Agreed &amp; shipped <a href="https://mastodon.social/tags/Fediverse" class="mention hashtag" rel="tag">#<span>Fediverse</span></a></p>',
    contentMap: { en: "<p>…</p>" },
    attachment: [],
    tag: [
      { type: "Mention", href: "https://fosstodon.org/users/kev", name: "@kev@fosstodon.org" },
      { type: "Hashtag", href: "https://mastodon.social/tags/fediverse", name: "#Fediverse" },
      { id: "https://mastodon.social/emojis/1", type: "Emoji", name: ":blobcat:", icon: { type: "Image", url: "https://x/y.png" } },
    ],
    replies: { id: "https://mastodon.social/users/Gargron/statuses/109318787512345678/replies", type: "Collection" },
  },
};

describe("mastodon activities schema", () => {
  it("lands a Create{Note} as Mastodon federates it, HTML kept as sent", () => {
    const row = rowOf(create);
    expect(row).toMatchObject({
      id: create.id,
      type: "Create",
      actor: "https://mastodon.social/users/Gargron",
      published: Date.UTC(2026, 10, 24, 10),
      object__id: create.object.id,
      object__type: "Note",
      object__attributedTo: "https://mastodon.social/users/Gargron",
      object__content: create.object.content,
      object__inReplyTo: "https://fosstodon.org/users/kev/statuses/109318700000000000",
      object__published: Date.UTC(2026, 10, 24, 10),
      object__tag__hashtag_names: ["#Fediverse"],
      object__tag__mention_hrefs: ["https://fosstodon.org/users/kev"],
      object__tag__mention_names: ["@kev@fosstodon.org"],
    });
  });

  it("lands Announce, Like and Follow whose object is a URL (or an embedded object with an id)", () => {
    const base = { "@context": "https://www.w3.org/ns/activitystreams", actor: "https://mastodon.social/users/a", published: "2026-11-24T10:00:00Z" };
    const announce = rowOf({ ...base, id: "https://mastodon.social/users/a/statuses/2/activity", type: "Announce", object: "https://x.y/users/b/statuses/1" });
    expect([announce.type, announce.object__id, announce.object__content]).toEqual(["Announce", "https://x.y/users/b/statuses/1", null]);
    const like = rowOf({ ...base, id: "https://mastodon.social/users/a#likes/9", type: "Like", object: { id: "https://x.y/users/b/statuses/1", type: "Note" } });
    expect(like.object__id).toBe("https://x.y/users/b/statuses/1");
    const follow = rowOf({ ...base, id: "https://mastodon.social/users/a#follows/3", type: "Follow", object: "https://x.y/users/b" });
    expect(follow.object__id).toBe("https://x.y/users/b");
  });

  it("tolerates the quirks: a single tag object, polls (Question), null inReplyTo, unknown fields", () => {
    const row = rowOf({
      ...create,
      extra: { anything: 1 },
      object: { ...create.object, type: "Question", inReplyTo: null, oneOf: [], tag: { type: "Hashtag", name: "#Solo", href: "https://h/tags/solo" } },
    });
    expect(row.object__type).toBe("Question");
    expect(row.object__inReplyTo).toBeNull();
    expect(row.object__tag__hashtag_names).toEqual(["#Solo"]);
    expect(row.object__tag__mention_hrefs).toEqual([]);
  });

  it("keeps huge status ids exact (they are URLs, never numbers)", () => {
    const id = "https://mastodon.social/users/Gargron/statuses/18446744073709551616";
    expect(rowOf({ ...create, object: { ...create.object, id } }).object__id).toBe(id);
  });

  it("rejects missing required fields, wrong types, impossible dates and other activity types with a reason", () => {
    const { actor: _actor, ...noActor } = create;
    expect(reasonOf(noActor)).toBe("actor: an http(s) URL");
    expect(reasonOf({ ...create, actor: "Gargron" })).toBe("actor: an http(s) URL");
    expect(reasonOf({ ...create, published: 1764000000 })).toMatch(/^published: .*expected string/);
    expect(reasonOf({ ...create, published: "2026-02-30T10:00:00Z" })).toBe('published: time "2026-02-30T10:00:00Z" is not a real date');
    expect(reasonOf({ ...create, published: "1999-12-31T23:59:59Z" })).toBe('published: time "1999-12-31T23:59:59Z" is outside 2000–2099');
    expect(reasonOf({ ...create, type: "Undo" })).toMatch(/^type: Invalid discriminator value/);
    expect(reasonOf({ ...create, object: create.object.id })).toMatch(/^object: .*expected object/);
    const { content: _content, ...noContent } = create.object;
    expect(reasonOf({ ...create, object: noContent })).toMatch(/^object\.content: /);
    expect(reasonOf({ ...create, object: { ...create.object, type: "Image" } })).toMatch(/^object\.type: /);
  });
});

// ---- round trip: canonical events → emit → land → staging ----

const T = Date.UTC(2026, 11, 1, 9, 30, 0);
const alice = "https://mastodon.social/users/alice";
const bob = "bob"; // a bare generator id: emit gives it an actor URL on mastodon.social
const carol = "https://fosstodon.org/users/carol";
const dave = "https://hachyderm.io/users/dave"; // never posts in the export
const bobUrl = mastodonActorUrl(bob);
const n1 = mastodonNoteUrl(alice, "1001");

const worldEvents: WorldEvent[] = [
  {
    kind: "content",
    network: "mastodon",
    contentId: "1001",
    accountId: alice,
    handle: "alice",
    // Mastodon writes seconds only: the 456 ms are lost, as on a real server.
    createdAtMs: T + 456,
    contentType: "post",
    text: `Hello @bob, see #DuckDB & <SQL> "quoted" it's\n\nSecond paragraph\nline two #rust`,
    hashtags: ["duckdb", "rust"],
    mentions: [{ accountId: bob, handle: "bob" }],
    topicHints: [],
  },
  {
    kind: "content",
    network: "mastodon",
    contentId: "2002",
    accountId: bob,
    handle: "bob",
    createdAtMs: T + 60_000,
    contentType: "reply",
    text: "@alice agreed",
    hashtags: [],
    mentions: [{ accountId: alice, handle: "alice" }],
    parent: { contentId: "1001", accountId: alice, handle: "alice" },
    topicHints: [],
  },
  {
    kind: "content",
    network: "mastodon",
    contentId: "3003",
    accountId: carol,
    handle: "carol",
    createdAtMs: T + 120_000,
    contentType: "reply",
    text: "replying to a note this export never saw",
    hashtags: [],
    mentions: [],
    parent: { contentId: "999", accountId: dave, handle: "dave" },
    topicHints: [],
  },
  { kind: "interaction", network: "mastodon", interactionId: "5001", actorAccountId: bob, actorHandle: "bob", targetAccountId: alice, targetHandle: "alice", targetContentId: "1001", action: "repost", occurredAtMs: T + 180_000 },
  { kind: "interaction", network: "mastodon", interactionId: "5002", actorAccountId: carol, actorHandle: "carol", targetAccountId: alice, targetHandle: "alice", targetContentId: "1001", action: "reaction", reactionType: "favourite", occurredAtMs: T + 240_000 },
  { kind: "interaction", network: "mastodon", interactionId: "5003", actorAccountId: carol, actorHandle: "carol", targetAccountId: alice, targetHandle: "alice", action: "follow", occurredAtMs: T + 300_000 },
  // Carried by notes, not activities of their own; accounts have no export on Mastodon.
  { kind: "interaction", network: "mastodon", interactionId: "5004", actorAccountId: bob, actorHandle: "bob", targetAccountId: alice, targetHandle: "alice", targetContentId: "1001", action: "mention", occurredAtMs: T },
  { kind: "account", network: "mastodon", accountId: alice, handle: "alice", displayName: "Alice", createdAtMs: T, followerCount: 1, followingCount: 1, verified: false },
];

describe("mastodon round trip", () => {
  let wh: Warehouse;
  const records = worldEvents.flatMap((e) => mastodon.emit!(e));

  beforeAll(async () => {
    wh = await memoryWarehouse();
    for (const dt of ["2026-12-01", "2026-12-02"]) {
      // The same activities delivered again the next day must not be counted twice.
      const landed = await loadRaw(wh, activities, records.map((r) => r.record), { dt });
      expect(landed.rejects).toEqual([]);
    }
    // A reply from a non-Mastodon server whose parent URI has no recognisable author.
    const pleroma = {
      id: "https://pleroma.example/activities/abc",
      type: "Create",
      actor: "https://pleroma.example/users/erin",
      published: "2026-12-01T10:00:00Z",
      object: {
        id: "https://pleroma.example/objects/abc",
        type: "Note",
        attributedTo: "https://pleroma.example/users/erin",
        content: "hi<br/>there",
        inReplyTo: "https://pleroma.example/objects/parent-uuid",
        published: "2026-12-01T10:00:00Z",
      },
    };
    expect((await loadRaw(wh, activities, [pleroma], { dt: "2026-12-02", file: "exports/mastodon/2026-12-02/activities-extra.jsonl" })).rejects).toEqual([]);
    await buildModels(wh, "stg_mastodon__notes stg_mastodon__interactions", "2026-12-02");
  });
  afterAll(() => wh?.instance.closeSync());

  it("emits one activity per note, boost, favourite and follow, nothing for mentions or accounts", () => {
    expect(records.map((r) => [r.entity, r.record.type])).toEqual([
      ["activities", "Create"],
      ["activities", "Create"],
      ["activities", "Create"],
      ["activities", "Announce"],
      ["activities", "Like"],
      ["activities", "Follow"],
    ]);
    expect(records[0]!.record.published).toBe("2026-12-01T09:30:00Z");
  });

  it("stages notes with plain text, hashtags, mentions and resolved parents", async () => {
    const rows = await wh.all(
      `select content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
              mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
       from staging.stg_mastodon__notes order by created_at, content_id`,
    );
    expect(rows).toEqual([
      {
        content_id: n1,
        account_id: alice,
        created_ms: T,
        content_type: "post",
        text: worldEvents[0]!.kind === "content" ? worldEvents[0]!.text : "",
        hashtags: ["duckdb", "rust"],
        mentioned_account_ids: [bobUrl],
        parent_content_id: null,
        parent_account_id: null,
        topic_hints: [],
      },
      {
        content_id: mastodonNoteUrl(bob, "2002"),
        account_id: bobUrl,
        created_ms: T + 60_000,
        content_type: "reply",
        text: "@alice agreed",
        hashtags: [],
        mentioned_account_ids: [alice],
        parent_content_id: n1,
        parent_account_id: alice,
        topic_hints: [],
      },
      {
        content_id: "https://fosstodon.org/users/carol/statuses/3003",
        account_id: carol,
        created_ms: T + 120_000,
        content_type: "reply",
        text: "replying to a note this export never saw",
        hashtags: [],
        mentioned_account_ids: [],
        parent_content_id: "https://hachyderm.io/users/dave/statuses/999",
        // not landed: read from the Mastodon status URI
        parent_account_id: dave,
        topic_hints: [],
      },
      {
        content_id: "https://pleroma.example/objects/abc",
        account_id: "https://pleroma.example/users/erin",
        created_ms: Date.UTC(2026, 11, 1, 10),
        content_type: "reply",
        text: "hi\nthere",
        hashtags: [],
        mentioned_account_ids: [],
        parent_content_id: "https://pleroma.example/objects/parent-uuid",
        parent_account_id: null,
        topic_hints: [],
      },
    ]);
  });

  it("stages boosts, favourites and follows as interactions", async () => {
    const rows = await wh.all(
      `select interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type,
              epoch_ms(occurred_at) as occurred_ms
       from staging.stg_mastodon__interactions order by occurred_at`,
    );
    expect(rows).toEqual([
      { interaction_id: `${bobUrl}/statuses/5001/activity`, actor_account_id: bobUrl, target_account_id: alice, target_content_id: n1, action: "repost", reaction_type: null, occurred_ms: T + 180_000 },
      { interaction_id: `${carol}#likes/5002`, actor_account_id: carol, target_account_id: alice, target_content_id: n1, action: "reaction", reaction_type: "favourite", occurred_ms: T + 240_000 },
      { interaction_id: `${carol}#follows/5003`, actor_account_id: carol, target_account_id: alice, target_content_id: null, action: "follow", reaction_type: null, occurred_ms: T + 300_000 },
    ]);
  });

  it("passes the declared tests; a note delivered in two Create activities stays one row", async () => {
    const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
    const tests = selectTests(compileTests(graph), ["stg_mastodon__notes", "stg_mastodon__interactions"]);
    expect(tests.length).toBeGreaterThanOrEqual(10);
    const results = await runTests(wh, tests, { runId: "test-mastodon" });
    expect(results.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.message ?? r.failures}`)).toEqual([]);
    // The same Note id arriving in a second, differently-identified Create (a re-delivery) is deduplicated.
    await loadRaw(wh, activities, [{ ...create, id: `${create.id}-again`, object: { ...create.object, id: n1 } }], { dt: "2026-12-02", file: "dup.jsonl" });
    await loadRaw(wh, activities, [{ ...create, object: { ...create.object, id: n1 } }], { dt: "2026-12-02", file: "dup2.jsonl" });
    const unique = tests.filter((t) => t.name === "unique__stg_mastodon__notes__content_id");
    expect((await runTests(wh, unique, { runId: "test-mastodon-2" }))[0]!.status).toBe("pass");
  });
});
