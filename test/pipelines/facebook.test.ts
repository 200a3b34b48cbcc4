import { describe, it, expect } from "vitest";
import { comments, facebook, friends, posts, reactions, shares } from "../../pipelines/networks/facebook.ts";
import type { WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, landEmitted, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const MODELS = ["stg_facebook__posts", "stg_facebook__comments", "stg_facebook__reactions", "stg_facebook__shares", "stg_facebook__friends"];
const HUGE = "18446744073709551616"; // 2^64: beyond BIGINT, must stay an exact string

/** Shaped like a Graph API Page Post node read with from, message, message_tags, shares, permalink_url. */
const realPost = {
  id: "104123456789012_112233445566778",
  created_time: "2026-11-24T10:00:00+0000",
  updated_time: "2026-11-24T10:05:12+0000",
  message: "Launch day! Thanks Jane Doe #Launch #OpenData",
  from: { name: "Clout Page", id: "104123456789012" },
  message_tags: [{ id: "100000123456789", name: "Jane Doe", type: "user", offset: 19, length: 8 }],
  permalink_url: "https://www.facebook.com/104123456789012/posts/112233445566778",
  status_type: "mobile_status_update",
  is_published: true,
  privacy: { value: "EVERYONE", description: "Public" },
  shares: { count: 3 },
};

/** A Graph Comment node (a reply to another comment) plus the thread's post_id. */
const realComment = {
  id: "112233445566778_998877665544332",
  post_id: "104123456789012_112233445566778",
  created_time: "2026-11-24T11:30:45+0000",
  from: { name: "Jane Doe", id: "100000123456789" },
  message: "Congrats! #launch",
  like_count: 2,
  comment_count: 0,
  can_remove: false,
  parent: { id: "112233445566778_998877665544000", from: { name: "Clout Page", id: "104123456789012" }, message: "Thanks all" },
};

/** A node of the /{object-id}/reactions edge, plus object_id and created_time. */
const realReaction = {
  id: "100000123456789",
  name: "Jane Doe",
  type: "LOVE",
  profile_type: "user",
  pic: "https://scontent.xx.fbcdn.net/v/t1.0-1/p100x100/photo.jpg",
  object_id: "104123456789012_112233445566778",
  created_time: "2026-11-24T10:15:00+0000",
};

const realShare = {
  id: "100000123456789_556677889900112",
  from: { name: "Jane Doe", id: "100000123456789" },
  created_time: "2026-11-24T12:00:00+0000",
  message: "Worth a read",
  parent_id: "104123456789012_112233445566778",
  status_type: "shared_story",
};

/** A User node with its friends edge (data lists only friends who use the app; summary counts all). */
const realFriends = {
  id: "100000123456789",
  name: "Jane Doe",
  friends: {
    data: [{ name: "John Roe", id: "100000987654321" }],
    paging: { cursors: { before: "QVFIU", after: "QVFIU" } },
    summary: { total_count: 245 },
  },
};

type Spec = Parameters<typeof validateRecord>[0];
function accepted(spec: Spec, record: unknown) {
  const v = validateRecord(spec, record);
  if (!v.ok) throw new Error(`expected accept, got: ${v.reason}`);
  return Object.fromEntries(spec.columns.map((c, i) => [c.name, v.row[i]]));
}
function rejected(spec: Spec, record: unknown): string {
  const v = validateRecord(spec, record);
  if (v.ok) throw new Error("expected a reject");
  return v.reason;
}

describe("facebook schemas", () => {
  it("lands real-shaped Graph nodes, reading +0000 times as UTC", () => {
    expect(accepted(posts, realPost)).toEqual({
      id: "104123456789012_112233445566778",
      from__id: "104123456789012",
      from__name: "Clout Page",
      created_time: Date.UTC(2026, 10, 24, 10, 0, 0),
      message: realPost.message,
      message_tags__id: ["100000123456789"],
      hashtags: ["launch", "opendata"],
      status_type: "mobile_status_update",
      permalink_url: realPost.permalink_url,
      shares__count: 3,
    });
    expect(accepted(comments, realComment)).toMatchObject({
      id: realComment.id,
      post_id: realPost.id,
      from__id: "100000123456789",
      created_time: Date.UTC(2026, 10, 24, 11, 30, 45),
      hashtags: ["launch"],
      parent__id: "112233445566778_998877665544000",
      parent__from__id: "104123456789012",
      like_count: 2,
    });
    expect(accepted(reactions, realReaction)).toEqual({
      id: "100000123456789",
      name: "Jane Doe",
      type: "LOVE",
      object_id: realPost.id,
      created_time: Date.UTC(2026, 10, 24, 10, 15),
    });
    expect(accepted(shares, realShare)).toMatchObject({ id: realShare.id, from__id: "100000123456789", parent_id: realPost.id });
    expect(accepted(friends, realFriends)).toEqual({
      id: "100000123456789",
      name: "Jane Doe",
      friends__data__id: ["100000987654321"],
      friends__summary__total_count: 245,
    });
  });

  it("reads other offsets and keeps optional fields optional", () => {
    expect(accepted(posts, { ...realPost, created_time: "2026-11-24T12:00:00+0200" }).created_time).toBe(Date.UTC(2026, 10, 24, 10));
    const { message: _m, ...photoOnly } = realComment;
    expect(accepted(comments, photoOnly)).toMatchObject({ message: null, message_tags__id: [], hashtags: [] });
    const { created_time: _c, ...undated } = realReaction;
    expect(accepted(reactions, undated).created_time).toBeNull();
    expect(accepted(friends, { id: "1", name: "A", friends: { data: [] } }).friends__summary__total_count).toBeNull();
  });

  it("keeps huge ids exact and tolerates unknown fields", () => {
    const row = accepted(posts, { ...realPost, id: `${HUGE}_${HUGE}`, from: { id: HUGE, name: "X", picture: {} }, brand_new: 1 });
    expect(row.id).toBe(`${HUGE}_${HUGE}`);
    expect(row.from__id).toBe(HUGE);
    expect(accepted(reactions, { ...realReaction, id: HUGE }).id).toBe(HUGE);
  });

  it("rejects bad records with a readable reason", () => {
    const { from: _f, ...noFrom } = realPost;
    expect(rejected(posts, noFrom)).toBe("from: Invalid input: expected object, received undefined");
    expect(rejected(posts, { ...realPost, created_time: "2026-02-29T10:00:00+0000" })).toBe('created_time: time "2026-02-29T10:00:00+0000" is not a real date');
    expect(rejected(posts, { ...realPost, created_time: "2101-01-01T00:00:00+0000" })).toMatch(/^created_time: .*outside 2000–2099/);
    expect(rejected(posts, { ...realPost, created_time: "24/11/2026 10:00" })).toMatch(/^created_time: .*not ISO 8601/);
    expect(rejected(posts, { ...realPost, message: ["not", "text"] })).toBe("message: Invalid input: expected string, received array");
    expect(rejected(posts, { ...realPost, shares: { count: 1.5 } })).toMatch(/^shares\.count: /);
    const { post_id: _p, ...noPost } = realComment;
    expect(rejected(comments, noPost)).toMatch(/^post_id: /);
    expect(rejected(reactions, { ...realReaction, type: "love" })).toMatch(/^type: Invalid option: expected one of "LIKE"/);
    expect(rejected(reactions, { ...realReaction, type: "NONE" })).toMatch(/^type: Invalid option/);
    const { object_id: _o, ...noObject } = realReaction;
    expect(rejected(reactions, noObject)).toMatch(/^object_id: /);
    const { parent_id: _s, ...noParent } = realShare;
    expect(rejected(shares, noParent)).toMatch(/^parent_id: /);
    expect(rejected(friends, { id: "1", name: "A" })).toBe("friends: Invalid input: expected object, received undefined");
  });
});

// ── round trip: WorldEvents → emit → land → staging ──────────────────────────────────────────────

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const ann = { accountId: "10001", handle: "ann" };
const ben = { accountId: "10002", handle: "ben" };
const cat = { accountId: HUGE, handle: "cat" };
const acct = (a: { accountId: string; handle: string }, i: number): WorldEvent => ({
  kind: "account",
  network: "facebook",
  ...a,
  displayName: `${a.handle.toUpperCase()} Person`,
  createdAtMs: Date.UTC(2012, i, 1),
  followerCount: 50 * (i + 1),
  followingCount: 7,
  verified: false,
});
type Content = Extract<WorldEvent, { kind: "content" }>;
const content = (c: Partial<Content> & Pick<Content, "contentId" | "accountId" | "handle" | "contentType" | "text">, minute: number): Content => ({
  kind: "content",
  network: "facebook",
  createdAtMs: T0 + minute * 60_000,
  hashtags: [],
  mentions: [],
  topicHints: [],
  ...c,
});
const interaction = (i: Omit<Extract<WorldEvent, { kind: "interaction" }>, "kind" | "network" | "occurredAtMs">, minute: number): WorldEvent => ({
  kind: "interaction",
  network: "facebook",
  occurredAtMs: T0 + minute * 60_000,
  ...i,
});

const P1 = "10001_5001";
const contents: Content[] = [
  content({ contentId: P1, ...ann, contentType: "post", text: "Big news #Launch with @ben", hashtags: ["launch"], mentions: [ben] }, 0),
  content({ contentId: "5001_6001", ...ben, contentType: "comment", text: "Congrats #launch @ann", hashtags: ["launch"], mentions: [ann], parent: { contentId: P1, ...ann } }, 1),
  // A reply to a comment: the parent is the comment, the root is the post.
  content({ contentId: "5001_6002", ...cat, contentType: "comment", text: "+1", parent: { contentId: "5001_6001", ...ben, rootContentId: P1 } }, 2),
];
const events: WorldEvent[] = [
  acct(ann, 0),
  acct(ben, 1),
  acct(cat, 2),
  ...contents,
  interaction({ interactionId: "r1", actorAccountId: ben.accountId, actorHandle: "ben", targetAccountId: ann.accountId, targetHandle: "ann", targetContentId: P1, action: "reaction", reactionType: "love" }, 10),
  // Facebook has no "favourite": it lands as LIKE.
  interaction({ interactionId: "r2", actorAccountId: cat.accountId, actorHandle: "cat", targetAccountId: ben.accountId, targetHandle: "ben", targetContentId: "5001_6001", action: "reaction", reactionType: "favourite" }, 11),
  interaction({ interactionId: "10003_7001", actorAccountId: cat.accountId, actorHandle: "cat", targetAccountId: ann.accountId, targetHandle: "ann", targetContentId: P1, action: "share" }, 12),
  interaction({ interactionId: "5001_6003", actorAccountId: ann.accountId, actorHandle: "ann", targetAccountId: ben.accountId, targetHandle: "ben", targetContentId: "5001_6001", action: "comment" }, 13),
  // On a post that never landed: the target author stays unknown, the row stays.
  interaction({ interactionId: "10003_7002", actorAccountId: cat.accountId, actorHandle: "cat", targetAccountId: ben.accountId, targetHandle: "ben", targetContentId: "10002_404", action: "share" }, 14),
];

const CONTENT_COLUMNS = ["network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints"];
const INTERACTION_COLUMNS = ["network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at"];
const ACCOUNT_COLUMNS = ["network", "account_id", "handle", "display_name", "account_created_at", "follower_count", "following_count"];

describe("facebook emit", () => {
  it("writes Graph shapes: +0000 times, from{id,name}, message_tags, uppercase reaction types", () => {
    expect(facebook.emit!(contents[0]!)).toEqual([
      {
        entity: "posts",
        record: {
          id: P1,
          from: { id: "10001", name: "ann" },
          created_time: "2026-11-23T09:00:00+0000",
          message: "Big news #Launch with @ben",
          message_tags: [{ id: "10002", name: "ben", type: "user", offset: 23, length: 3 }],
          status_type: "mobile_status_update",
        },
      },
    ]);
    expect(facebook.emit!(contents[2]!)[0]!.record).toMatchObject({ post_id: P1, parent: { id: "5001_6001", from: { id: "10002" } } });
    expect(facebook.emit!(events[6]!)[0]).toEqual({
      entity: "reactions",
      record: { id: "10002", name: "ben", type: "LOVE", object_id: P1, created_time: "2026-11-23T09:10:00+0000" },
    });
  });

  it("returns nothing for what Facebook does not carry", () => {
    expect(facebook.emit!({ ...contents[1]!, contentType: "repost" })).toEqual([]);
    expect(facebook.emit!({ ...(events[6] as Extract<WorldEvent, { kind: "interaction" }>), action: "follow", targetContentId: undefined })).toEqual([]);
    expect(facebook.emit!({ kind: "delete", network: "facebook", accountId: "1", deletedId: P1, occurredAtMs: T0 })).toEqual([]);
  });

  it("is deterministic", () => {
    expect(events.flatMap(facebook.emit!)).toEqual(events.flatMap(facebook.emit!));
  });
});

describe("facebook round trip", () => {
  it("emit → land → staging gives back what the events said, once per record", async () => {
    const wh = await memoryWarehouse();
    try {
      expect(await landEmitted(wh, facebook, events.flatMap(facebook.emit!), ["2026-11-23", "2026-11-24"])).toEqual([]);
      await buildModels(wh, MODELS.join(" "));

      const content = await wh.all(
        `select *, epoch_ms(created_at) as created_ms from staging.stg_facebook__posts
         union all by name
         select *, epoch_ms(created_at) as created_ms from staging.stg_facebook__comments
         order by content_id`,
      );
      for (const m of ["stg_facebook__posts", "stg_facebook__comments"]) {
        const [row] = await wh.all(`select * from staging.${m} limit 1`);
        expect(Object.keys(row!).slice(0, CONTENT_COLUMNS.length)).toEqual(CONTENT_COLUMNS);
      }
      const got = content.map((r) => ({
        content_id: r.content_id,
        account_id: r.account_id,
        created_ms: r.created_ms,
        content_type: r.content_type,
        text: r.text,
        hashtags: r.hashtags,
        mentioned_account_ids: r.mentioned_account_ids,
        parent_content_id: r.parent_content_id,
        parent_account_id: r.parent_account_id,
      }));
      const want = contents.map((c) => ({
        content_id: c.contentId,
        account_id: c.accountId,
        created_ms: c.createdAtMs,
        content_type: c.contentType,
        text: c.text,
        hashtags: c.hashtags,
        mentioned_account_ids: c.mentions.map((m) => m.accountId),
        parent_content_id: c.parent?.contentId ?? null,
        parent_account_id: c.parent?.accountId ?? null,
      }));
      // The comment made by an interaction: no text, its parent comment's author resolved from the comments.
      want.push({ content_id: "5001_6003", account_id: ann.accountId, created_ms: T0 + 13 * 60_000, content_type: "comment", text: null as unknown as string, hashtags: [], mentioned_account_ids: [], parent_content_id: "5001_6001", parent_account_id: ben.accountId });
      expect(got).toEqual(want.sort((a, b) => a.content_id.localeCompare(b.content_id)));
      expect(content.every((r) => r.network === "facebook")).toBe(true);

      const ints = await wh.all(
        `select * exclude (actor_name), epoch_ms(occurred_at) as occurred_ms from staging.stg_facebook__reactions
         union all by name
         select * exclude (message), epoch_ms(occurred_at) as occurred_ms from staging.stg_facebook__shares
         order by interaction_id`,
      );
      for (const m of ["stg_facebook__reactions", "stg_facebook__shares"]) {
        const [row] = await wh.all(`select * from staging.${m} limit 1`);
        expect(Object.keys(row!).slice(0, INTERACTION_COLUMNS.length)).toEqual(INTERACTION_COLUMNS);
      }
      expect(ints.map(({ occurred_at: _o, ...r }) => r)).toEqual([
        { network: "facebook", interaction_id: "10003_7001", actor_account_id: HUGE, target_account_id: ann.accountId, target_content_id: P1, action: "share", reaction_type: null, occurred_ms: T0 + 12 * 60_000 },
        { network: "facebook", interaction_id: "10003_7002", actor_account_id: HUGE, target_account_id: null, target_content_id: "10002_404", action: "share", reaction_type: null, occurred_ms: T0 + 14 * 60_000 },
        { network: "facebook", interaction_id: `reaction:${P1}:10002`, actor_account_id: "10002", target_account_id: ann.accountId, target_content_id: P1, action: "reaction", reaction_type: "love", occurred_ms: T0 + 10 * 60_000 },
        { network: "facebook", interaction_id: `reaction:5001_6001:${HUGE}`, actor_account_id: HUGE, target_account_id: ben.accountId, target_content_id: "5001_6001", action: "reaction", reaction_type: "like", occurred_ms: T0 + 11 * 60_000 },
      ]);

      const accts = await wh.all("select * from staging.stg_facebook__friends order by display_name");
      expect(Object.keys(accts[0]!).slice(0, ACCOUNT_COLUMNS.length)).toEqual(ACCOUNT_COLUMNS);
      expect(accts.map((a) => [a.account_id, a.handle, a.display_name, a.account_created_at, a.follower_count, a.following_count])).toEqual([
        ["10001", null, "ANN Person", null, 50, 50],
        ["10002", null, "BEN Person", null, 100, 100],
        [HUGE, null, "CAT Person", null, 150, 150],
      ]);

      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const declared = selectTests(compileTests(graph), MODELS);
      expect(declared.length).toBeGreaterThanOrEqual(20);
      const results = await runTests(wh, declared, { runId: "test-facebook" });
      expect(results.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.status} ${r.message ?? ""}`)).toEqual([]);
    } finally {
      wh.close();
    }
  });

  it("a changed reaction replaces the earlier one; a comment reply resolves its parent from parent.from", async () => {
    const wh = await memoryWarehouse();
    try {
      const { created_time: _c, ...undated } = realReaction;
      await loadRaw(wh, reactions, [undated], { dt: "2026-11-22" });
      await loadRaw(wh, reactions, [{ ...undated, type: "HAHA" }], { dt: "2026-11-24" });
      await loadRaw(wh, posts, []);
      await loadRaw(wh, comments, [realComment]);
      await loadRaw(wh, shares, []);
      await loadRaw(wh, friends, [realFriends]);
      await buildModels(wh, MODELS.join(" "));
      expect(await wh.all("select reaction_type, strftime(occurred_at, '%Y-%m-%d') as day, target_account_id from staging.stg_facebook__reactions")).toEqual([
        { reaction_type: "haha", day: "2026-11-22", target_account_id: null },
      ]);
      expect(await wh.all("select parent_content_id, parent_account_id, post_id from staging.stg_facebook__comments")).toEqual([
        { parent_content_id: realComment.parent.id, parent_account_id: "104123456789012", post_id: realPost.id },
      ]);
      expect(await wh.all("select follower_count, friend_account_ids from staging.stg_facebook__friends")).toEqual([
        { follower_count: 245, friend_account_ids: ["100000987654321"] },
      ]);

      // A declared test must be able to fail: an unknown reaction type.
      await wh.run("create table staging.stg_facebook__reactions_copy as select * from staging.stg_facebook__reactions");
      await wh.run("create or replace table staging.stg_facebook__reactions as select * replace ('meh' as reaction_type) from staging.stg_facebook__reactions_copy");
      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const results = await runTests(wh, selectTests(compileTests(graph), ["stg_facebook__reactions"]), { runId: "test-facebook-fail" });
      expect(results.find((r) => r.name === "accepted_values__stg_facebook__reactions__reaction_type")?.status).toBe("fail");
    } finally {
      wh.close();
    }
  });
});
