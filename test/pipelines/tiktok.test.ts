import { describe, it, expect } from "vitest";
import { tiktok } from "../../pipelines/networks/tiktok.ts";
import type { EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => tiktok.entities.find((e) => e.entity === entity)!;
const videos = spec("videos");
const comments = spec("comments");
const shares = spec("shares");
const follows = spec("follows");

function row(entity: EntitySpec<any>, record: unknown): Record<string, unknown> {
  const v = validateRecord(entity, record);
  if (!v.ok) throw new Error(`unexpected reject: ${v.reason}`);
  return Object.fromEntries(entity.columns.map((c, i) => [c.name, v.row[i]]));
}

function reason(entity: EntitySpec<any>, record: unknown): string {
  const v = validateRecord(entity, record);
  if (v.ok) throw new Error("expected a reject");
  return v.reason;
}

// Shaped like the Research API reference's Video example (big ids as ingest's pre-pass leaves them: strings).
const apiVideo = {
  id: "7028743950684949762",
  create_time: 1633823999,
  username: "test_user",
  region_code: "US",
  video_description: "Up early #Avengers #marvel",
  hashtag_names: ["Avengers", "marvel"],
  music_id: "6810180973628491777",
  like_count: 100,
  comment_count: 10,
  share_count: 3,
  view_count: 2500,
  effect_ids: ["0"],
};

// Shaped like the reference's Comment example; a top-level comment's parent_comment_id is the video id.
const apiComment = {
  text: "AWEEEEEE 🥰🥰🥰 #cute",
  video_id: "7028743950684949762",
  create_time: 1671491598,
  id: "7178997441201524010",
  like_count: 50,
  parent_comment_id: "7028743950684949762",
  reply_count: 10,
};

describe("tiktok schemas", () => {
  it("lands a Research API video, keeping ids exact and tolerating unknown fields", () => {
    const r = row(videos, apiVideo);
    expect(r.id).toBe("7028743950684949762");
    expect(r.create_time).toBe(1633823999000);
    expect(r.username).toBe("test_user");
    expect(r.hashtag_names).toEqual(["Avengers", "marvel"]);
    expect(r.like_count).toBe(100);
    expect(r).not.toHaveProperty("music_id");
  });

  it("accepts ids as JSON numbers and as huge strings", () => {
    expect(row(videos, { ...apiVideo, id: 12345 }).id).toBe("12345");
    expect(row(videos, { ...apiVideo, id: "18446744073709551616" }).id).toBe("18446744073709551616");
    expect(row(comments, { ...apiComment, video_id: "18446744073709551617" }).video_id).toBe("18446744073709551617");
  });

  it("accepts create_time as a digit string and minimal records", () => {
    expect(row(videos, { id: "1", username: "a", create_time: "1633823999" }).create_time).toBe(1633823999000);
    expect(row(comments, { ...apiComment, username: undefined }).username).toBeNull();
  });

  it("derives comment hashtags from the text", () => {
    expect(row(comments, apiComment).hashtags).toEqual(["cute"]);
  });

  it("rejects missing required fields, with the field named", () => {
    const { username: _u, ...noUser } = apiVideo;
    expect(reason(videos, noUser)).toMatch(/^username: /);
    const { create_time: _t, ...noTime } = apiVideo;
    expect(reason(videos, noTime)).toMatch(/^create_time: /);
    const { video_id: _v, ...noVideo } = apiComment;
    expect(reason(comments, noVideo)).toMatch(/^video_id: /);
    expect(reason(shares, { username: "a", create_time: 1700000000 })).toMatch(/^video_id: /);
    expect(reason(follows, { follower_username: "a", create_time: 1700000000 })).toMatch(/^following_username: /);
  });

  it("rejects wrong types", () => {
    expect(reason(videos, { ...apiVideo, like_count: -1 })).toMatch(/^like_count: /);
    expect(reason(videos, { ...apiVideo, hashtag_names: "marvel" })).toMatch(/^hashtag_names: /);
    expect(reason(videos, { ...apiVideo, id: "" })).toMatch(/^id: /);
    // An integer beyond 2^53 that reached the schema as a number has already lost digits.
    expect(reason(videos, { ...apiVideo, id: 2 ** 60 })).toMatch(/^id: /);
    expect(reason(comments, { ...apiComment, text: 42 })).toMatch(/^text: /);
  });

  it("rejects impossible times", () => {
    expect(reason(videos, { ...apiVideo, create_time: "yesterday" })).toContain('epoch seconds "yesterday" is not a number');
    expect(reason(videos, { ...apiVideo, create_time: 4102444800 })).toContain("outside 2000–2099");
    expect(reason(shares, { username: "a", video_id: "1", create_time: 1633823999000 })).toContain("outside 2000–2099");
  });
});

const T = Date.UTC(2026, 10, 24, 10, 0, 0);
const MIN = 60_000;
const V1 = "7300000000000000001";
const events: WorldEvent[] = [
  {
    kind: "content", network: "tiktok", contentId: V1, accountId: "alice", handle: "alice", createdAtMs: T,
    contentType: "video", text: "Cats! #Cats #fyp with @bob", hashtags: ["cats", "fyp"],
    mentions: [{ accountId: "bob", handle: "bob" }], topicHints: [],
  },
  {
    kind: "content", network: "tiktok", contentId: "12345", accountId: "bob", handle: "bob", createdAtMs: T + MIN,
    contentType: "video", text: "no tags", hashtags: [], mentions: [], topicHints: [],
  },
  {
    kind: "content", network: "tiktok", contentId: "7300000000000000101", accountId: "bob", handle: "bob", createdAtMs: T + 2 * MIN,
    contentType: "comment", text: "love it #cats", hashtags: ["cats"], mentions: [], topicHints: [],
    parent: { contentId: V1, accountId: "alice", handle: "alice" },
  },
  {
    kind: "content", network: "tiktok", contentId: "7300000000000000102", accountId: "carol", handle: "carol", createdAtMs: T + 3 * MIN,
    contentType: "reply", text: "same", hashtags: [], mentions: [], topicHints: [],
    // A reply to the comment above; rootContentId names its video (see ThreadParent in tiktok.ts).
    parent: { contentId: "7300000000000000101", accountId: "bob", handle: "bob", rootContentId: V1 } as { contentId: string; accountId: string; handle: string },
  },
  {
    kind: "interaction", network: "tiktok", interactionId: "s1", actorAccountId: "carol", actorHandle: "carol",
    targetAccountId: "alice", targetHandle: "alice", targetContentId: V1, action: "share", occurredAtMs: T + 4 * MIN,
  },
  {
    kind: "interaction", network: "tiktok", interactionId: "f1", actorAccountId: "bob", actorHandle: "bob",
    targetAccountId: "alice", targetHandle: "alice", action: "follow", occurredAtMs: T + 5 * MIN,
  },
];

describe("tiktok emit", () => {
  it("writes the API's shapes: epoch seconds, ids as integers where exact", () => {
    const [video] = tiktok.emit!(events[1]!);
    expect(video).toEqual({
      entity: "videos",
      record: { id: 12345, create_time: (T + MIN) / 1000, username: "bob", video_description: "no tags", hashtag_names: [] },
    });
    const [c] = tiktok.emit!(events[2]!);
    expect(c!.record).toMatchObject({ id: "7300000000000000101", video_id: V1, parent_comment_id: V1, username: "bob" });
  });

  it("invents no per-person likes and no accounts", () => {
    const like: WorldEvent = {
      kind: "interaction", network: "tiktok", interactionId: "l1", actorAccountId: "bob", actorHandle: "bob",
      targetAccountId: "alice", targetHandle: "alice", targetContentId: V1, action: "reaction", reactionType: "like", occurredAtMs: T,
    };
    expect(tiktok.emit!(like)).toEqual([]);
    expect(tiktok.supports!.actions).not.toContain("reaction");
    expect(tiktok.emit!({ kind: "account", network: "tiktok", accountId: "a", handle: "a", displayName: "A", createdAtMs: T, followerCount: 1, followingCount: 1, verified: false })).toEqual([]);
  });
});

describe("tiktok round trip: events → emit → land → staging", () => {
  it("stages what the events said, once, with parents resolved and declared tests passing", async () => {
    const wh = await memoryWarehouse();
    try {
      const emitted = events.flatMap((e) => tiktok.emit!(e));
      const byEntity = (name: string) => emitted.filter((e) => e.entity === name).map((e) => JSON.parse(JSON.stringify(e.record)));
      // Videos land twice (a re-export on the next date); staging must keep one row each.
      for (const dt of ["2026-11-23", "2026-11-24"]) {
        for (const entity of tiktok.entities) {
          const landed = await loadRaw(wh, entity, byEntity(entity.entity), { dt });
          expect(landed.rejects).toEqual([]);
        }
      }
      // A comment on a video that never landed, by an unnamed commenter: kept, with nulls where unknown.
      await loadRaw(wh, comments, [{ id: "900", video_id: "901", parent_comment_id: "901", text: "orphan", create_time: 1795000000 }]);
      const models = ["stg_tiktok__videos", "stg_tiktok__comments", "stg_tiktok__shares", "stg_tiktok__follows"];
      await buildModels(wh, models.join(" "));

      expect(await wh.one("select count(*)::integer as n from raw.tiktok__videos")).toEqual({ n: 4 });
      const vids = await wh.all(
        "select content_id, account_id, epoch_ms(created_at) as ms, content_type, text, hashtags, mentioned_account_ids, parent_content_id, topic_hints from staging.stg_tiktok__videos order by ms",
      );
      expect(vids).toEqual([
        { content_id: V1, account_id: "alice", ms: T, content_type: "video", text: "Cats! #Cats #fyp with @bob", hashtags: ["cats", "fyp"], mentioned_account_ids: ["bob"], parent_content_id: null, topic_hints: [] },
        { content_id: "12345", account_id: "bob", ms: T + MIN, content_type: "video", text: "no tags", hashtags: [], mentioned_account_ids: [], parent_content_id: null, topic_hints: [] },
      ]);

      const comms = await wh.all(
        "select content_id, account_id, epoch_ms(created_at) as ms, content_type, text, hashtags, parent_content_id, parent_account_id, video_id from staging.stg_tiktok__comments order by content_id",
      );
      expect(comms).toEqual([
        { content_id: "7300000000000000101", account_id: "bob", ms: T + 2 * MIN, content_type: "comment", text: "love it #cats", hashtags: ["cats"], parent_content_id: V1, parent_account_id: "alice", video_id: V1 },
        { content_id: "7300000000000000102", account_id: "carol", ms: T + 3 * MIN, content_type: "reply", text: "same", hashtags: [], parent_content_id: "7300000000000000101", parent_account_id: "bob", video_id: V1 },
        { content_id: "900", account_id: null, ms: 1795000000000, content_type: "comment", text: "orphan", hashtags: [], parent_content_id: "901", parent_account_id: null, video_id: "901" },
      ]);

      const acts = await wh.all(
        `select actor_account_id, target_account_id, target_content_id, action, reaction_type, epoch_ms(occurred_at) as ms
         from (select * from staging.stg_tiktok__shares union all by name select * from staging.stg_tiktok__follows) order by ms`,
      );
      expect(acts).toEqual([
        { actor_account_id: "carol", target_account_id: "alice", target_content_id: V1, action: "share", reaction_type: null, ms: T + 4 * MIN },
        { actor_account_id: "bob", target_account_id: "alice", target_content_id: null, action: "follow", reaction_type: null, ms: T + 5 * MIN },
      ]);

      // Canonical columns first, in the README's order.
      const cols = await wh.all<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'staging' and table_name = 'stg_tiktok__shares' order by ordinal_position",
      );
      expect(cols.map((c) => c.column_name).slice(0, 8)).toEqual([
        "network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at",
      ]);

      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const tests = selectTests(compileTests(graph), models);
      expect(tests.length).toBeGreaterThanOrEqual(12);
      const results = await runTests(wh, tests, { runId: "test-tiktok" });
      expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    } finally {
      wh.close();
    }
  });
});
