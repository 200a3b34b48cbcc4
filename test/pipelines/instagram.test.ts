import { describe, expect, it } from "vitest";
import { instagram } from "../../pipelines/networks/instagram.ts";
import type { EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, landEmitted, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => instagram.entities.find((e) => e.entity === entity)!;
const col = (entity: string, name: string, row: unknown[]) => row[spec(entity).columns.findIndex((c) => c.name === name)];

/** Shaped like a GET /<IG_MEDIA_ID>?fields=… response in the Graph API reference. */
function apiMedia(over: Record<string, unknown> = {}) {
  return {
    id: "17895695668004550",
    caption: "Sunday #brunch with @jane.doe.",
    media_type: "CAROUSEL_ALBUM",
    media_product_type: "FEED",
    timestamp: "2026-11-24T10:00:00+0000",
    like_count: 42,
    comments_count: 3,
    owner: { id: "17841405822304914" },
    username: "cafe_luna",
    permalink: "https://www.instagram.com/p/C0abcDEF123/",
    shortcode: "C0abcDEF123",
    is_comment_enabled: true,
    ...over,
  };
}

/** Shaped like an IG Comment read with fields=from,id,media,text,timestamp,like_count,hidden,parent_id. */
function apiComment(over: Record<string, unknown> = {}) {
  return {
    id: "17870913679156914",
    text: "Looks delicious! #yum",
    timestamp: "2026-11-24T10:05:00+0000",
    from: { id: "17841400000000001", username: "jane.doe" },
    media: { id: "17895695668004550", media_product_type: "FEED" },
    like_count: 0,
    hidden: false,
    ...over,
  };
}

function rejectOf(entity: string, record: unknown): string {
  const v = validateRecord(spec(entity), record);
  expect(v.ok).toBe(false);
  return v.ok ? "" : v.reason;
}

function rowOf(entity: string, record: unknown): unknown[] {
  const v = validateRecord(spec(entity), record);
  if (!v.ok) throw new Error(v.reason);
  return v.row;
}

describe("instagram schemas", () => {
  it("lands real-shaped media with its +0000 timestamp", () => {
    const row = rowOf("media", apiMedia());
    expect(col("media", "id", row)).toBe("17895695668004550");
    expect(col("media", "owner__id", row)).toBe("17841405822304914");
    expect(col("media", "timestamp", row)).toBe(Date.UTC(2026, 10, 24, 10));
    expect(col("media", "like_count", row)).toBe(42);
    expect(col("media", "hashtags", row)).toEqual(["brunch"]);
    expect(col("media", "caption", rowOf("media", apiMedia({ caption: undefined })))).toBeNull();
  });

  it("keeps huge ids exact and tolerates unknown fields", () => {
    const row = rowOf("media", apiMedia({ id: "18446744073709551616", owner: { id: "18446744073709551617" }, boost_ads_list: [] }));
    expect(col("media", "id", row)).toBe("18446744073709551616");
    expect(col("media", "owner__id", row)).toBe("18446744073709551617");
  });

  it("rejects bad media with a readable reason", () => {
    expect(rejectOf("media", apiMedia({ owner: undefined }))).toContain("owner");
    expect(rejectOf("media", apiMedia({ media_type: "STORY" }))).toContain("media_type");
    expect(rejectOf("media", apiMedia({ like_count: "many" }))).toBe('like_count: expected a count (a non-negative integer, or digits in a string), got "many"');
    expect(rejectOf("media", apiMedia({ timestamp: "2026-02-29T10:00:00+0000" }))).toContain("not a real date");
    expect(rejectOf("media", apiMedia({ timestamp: "2101-01-01T00:00:00+0000" }))).toContain("outside 2000–2099");
    expect(rejectOf("media", apiMedia({ timestamp: 1764000000 }))).toContain("timestamp");
    expect(rejectOf("media", apiMedia({ id: "" }))).toContain("empty id");
  });

  it("lands comments and replies, rejects ones without author or media", () => {
    const row = rowOf("comments", apiComment({ parent_id: "17870913679156900" }));
    expect(col("comments", "from__id", row)).toBe("17841400000000001");
    expect(col("comments", "media__id", row)).toBe("17895695668004550");
    expect(col("comments", "parent_id", row)).toBe("17870913679156900");
    expect(col("comments", "hashtags", row)).toEqual(["yum"]);
    expect(rejectOf("comments", apiComment({ from: undefined }))).toContain("from");
    expect(rejectOf("comments", apiComment({ media: { media_product_type: "FEED" } }))).toContain("media.id");
    expect(rejectOf("comments", apiComment({ text: 5 }))).toContain("text");
  });

  it("reads the minimal like and follow records", () => {
    const like = rowOf("likes", { user_id: "1", media_id: "2", timestamp: "2026-11-24T10:00:00+0000", extra: true });
    expect(like).toEqual(["1", "2", Date.UTC(2026, 10, 24, 10)]);
    expect(rejectOf("likes", { user_id: "1", timestamp: "2026-11-24T10:00:00+0000" })).toContain("media_id");
    expect(rejectOf("follows", { follower_id: "1", followed_id: "2", timestamp: "2026-11-31T10:00:00+0000" })).toContain("not a real date");
  });
});

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const luna = { accountId: "17841405822304914", handle: "cafe_luna" };
const jane = { accountId: "17841400000000001", handle: "jane.doe" };
const max = { accountId: "17841400000000002", handle: "max" };

const events: WorldEvent[] = [
  {
    kind: "content", network: "instagram", contentId: "17895695668004550", ...luna, createdAtMs: T0, contentType: "post",
    text: "Sunday #brunch with @jane.doe and @nobody_here", hashtags: ["brunch"],
    mentions: [{ accountId: jane.accountId, handle: "jane.doe" }, { accountId: "17841400000000099", handle: "nobody_here" }], topicHints: [],
  },
  {
    kind: "content", network: "instagram", contentId: "17895695668004551", ...jane, createdAtMs: T0 + 60_000, contentType: "video",
    text: "Latte art #coffee #reels", hashtags: ["coffee", "reels"], mentions: [], topicHints: [],
  },
  {
    kind: "content", network: "instagram", contentId: "17870913679156914", ...jane, createdAtMs: T0 + 120_000, contentType: "comment",
    text: "Thanks @cafe_luna #yum", hashtags: ["yum"], mentions: [{ accountId: luna.accountId, handle: "cafe_luna" }],
    parent: { contentId: "17895695668004550", ...luna }, topicHints: [],
  },
  {
    kind: "content", network: "instagram", contentId: "17870913679156915", ...max, createdAtMs: T0 + 180_000, contentType: "comment",
    text: "Wow", hashtags: [], mentions: [], parent: { contentId: "17895695668004551", ...jane }, topicHints: [],
  },
  {
    // A reply to jane's comment: the parent is a comment, its root the media.
    kind: "content", network: "instagram", contentId: "17870913679156916", ...luna, createdAtMs: T0 + 200_000, contentType: "reply",
    text: "Come again soon", hashtags: [], mentions: [], parent: { contentId: "17870913679156914", ...jane, rootContentId: "17895695668004550" },
    topicHints: [],
  },
  {
    // A comment the world gives no text for.
    kind: "interaction", network: "instagram", interactionId: "17870913679156917", actorAccountId: luna.accountId, actorHandle: "cafe_luna",
    targetAccountId: jane.accountId, targetHandle: "jane.doe", targetContentId: "17895695668004551", action: "comment", occurredAtMs: T0 + 210_000,
  },
  {
    kind: "interaction", network: "instagram", interactionId: "l1", actorAccountId: max.accountId, actorHandle: "max",
    targetAccountId: luna.accountId, targetHandle: "cafe_luna", targetContentId: "17895695668004550", action: "reaction",
    reactionType: "like", occurredAtMs: T0 + 240_000,
  },
  {
    // A like on media missing from the export: the target account is unknowable from the exports.
    kind: "interaction", network: "instagram", interactionId: "l2", actorAccountId: jane.accountId, actorHandle: "jane.doe",
    targetAccountId: max.accountId, targetHandle: "max", targetContentId: "17895695660000000", action: "reaction",
    reactionType: "like", occurredAtMs: T0 + 250_000,
  },
  {
    kind: "interaction", network: "instagram", interactionId: "f1", actorAccountId: max.accountId, actorHandle: "max",
    targetAccountId: jane.accountId, targetHandle: "jane.doe", action: "follow", occurredAtMs: T0 + 300_000,
  },
];

describe("instagram emit", () => {
  it("writes Graph API shapes with +0000 times", () => {
    const [media] = instagram.emit!(events[1]!);
    expect(media).toEqual({
      entity: "media",
      record: {
        id: "17895695668004551", caption: "Latte art #coffee #reels", media_type: "VIDEO", media_product_type: "REELS",
        timestamp: "2026-11-24T10:01:00+0000", like_count: 0, comments_count: 0, owner: { id: jane.accountId }, username: "jane.doe",
      },
    });
    expect(instagram.emit!(events[8]!)).toEqual([
      { entity: "follows", record: { follower_id: max.accountId, followed_id: jane.accountId, timestamp: "2026-11-24T10:05:00+0000" } },
    ]);
  });

  it("returns nothing for what Instagram exports do not carry", () => {
    const like = events[6] as Extract<WorldEvent, { kind: "interaction" }>;
    expect(instagram.emit!({ ...like, reactionType: "love" })).toEqual([]);
    expect(instagram.emit!({ ...like, action: "share" })).toEqual([]);
    expect(instagram.emit!({ ...(events[0] as Extract<WorldEvent, { kind: "content" }>), contentType: "repost" })).toEqual([]);
  });
});

describe("instagram round trip: events → emit → land → staging", () => {
  it("stages what the events said, once per record, and the declared tests pass", async () => {
    const wh = await memoryWarehouse();
    try {
      expect(await landEmitted(wh, instagram, events.flatMap((e) => instagram.emit!(e)), ["2026-11-23", "2026-11-24"])).toEqual([]);
      const models = ["stg_instagram__media", "stg_instagram__comments", "stg_instagram__likes", "stg_instagram__follows"];
      await buildModels(wh, models.join(" "));

      const content = await wh.all(
        `select network, content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
                mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
         from staging.stg_instagram__media
         union all by name
         select network, content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
                mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
         from staging.stg_instagram__comments
         order by content_id`,
      );
      // cafe_luna and jane.doe appear in the exports as authors, so they resolve; nobody_here stays a username.
      const resolvable = new Set(["cafe_luna", "jane.doe"]);
      const expected = events
        .filter((e): e is Extract<WorldEvent, { kind: "content" }> => e.kind === "content")
        .map((e) => ({
          network: "instagram",
          content_id: e.contentId,
          account_id: e.accountId,
          created_ms: e.createdAtMs,
          content_type: e.contentType,
          text: e.text,
          hashtags: e.hashtags,
          mentioned_account_ids: e.mentions.map((m) => (resolvable.has(m.handle) ? m.accountId : m.handle)),
          parent_content_id: e.parent?.contentId ?? null,
          parent_account_id: e.parent?.accountId ?? null,
          topic_hints: e.topicHints,
        }))
        .concat([
          {
            network: "instagram", content_id: "17870913679156917", account_id: luna.accountId, created_ms: T0 + 210_000, content_type: "comment",
            text: "", hashtags: [], mentioned_account_ids: [], parent_content_id: "17895695668004551", parent_account_id: jane.accountId, topic_hints: [],
          },
        ])
        .sort((a, b) => a.content_id.localeCompare(b.content_id));
      expect(content).toEqual(expected);

      const interactions = await wh.all(
        `select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type,
                epoch_ms(occurred_at) as occurred_ms
         from staging.stg_instagram__likes
         union all by name
         select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type,
                epoch_ms(occurred_at) as occurred_ms
         from staging.stg_instagram__follows
         order by occurred_ms`,
      );
      expect(interactions).toEqual([
        {
          network: "instagram", interaction_id: `like:17895695668004550:${max.accountId}`, actor_account_id: max.accountId,
          target_account_id: luna.accountId, target_content_id: "17895695668004550", action: "reaction", reaction_type: "like",
          occurred_ms: T0 + 240_000,
        },
        {
          network: "instagram", interaction_id: `like:17895695660000000:${jane.accountId}`, actor_account_id: jane.accountId,
          target_account_id: null, target_content_id: "17895695660000000", action: "reaction", reaction_type: "like",
          occurred_ms: T0 + 250_000,
        },
        {
          network: "instagram", interaction_id: `follow:${max.accountId}:${jane.accountId}`, actor_account_id: max.accountId,
          target_account_id: jane.accountId, target_content_id: null, action: "follow", reaction_type: null, occurred_ms: T0 + 300_000,
        },
      ]);

      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const tests = selectTests(compileTests(graph), models);
      expect(tests.length).toBeGreaterThanOrEqual(15);
      const results = await runTests(wh, tests, { runId: "test-instagram" });
      expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    } finally {
      wh.close();
    }
  });

  it("resolves each mentioned handle once, in first-mention order, keeping unknown handles as written", async () => {
    const wh = await memoryWarehouse();
    try {
      await loadRaw(wh, spec("media"), [apiMedia({ caption: "@Nobody_Here hi @jane.doe, @cafe_luna and @jane.doe again @nobody_here" })]);
      const comment = apiComment({ id: "17870913679156915", text: "@cafe_luna @ghost @CAFE_LUNA @jane.doe", from: { id: "17841400000000002", username: "max" } });
      expect((await loadRaw(wh, spec("comments"), [apiComment(), comment])).rejects).toEqual([]);
      await buildModels(wh, "stg_instagram__media stg_instagram__comments");
      expect(await wh.all("select mentioned_account_ids from staging.stg_instagram__media")).toEqual([
        { mentioned_account_ids: ["nobody_here", "17841400000000001", "17841405822304914"] },
      ]);
      expect(await wh.all("select content_id, mentioned_account_ids from staging.stg_instagram__comments order by content_id")).toEqual([
        { content_id: "17870913679156914", mentioned_account_ids: [] },
        { content_id: "17870913679156915", mentioned_account_ids: ["17841405822304914", "ghost", "17841400000000001"] },
      ]);
    } finally {
      wh.close();
    }
  });

  it("stages a reply to a comment with the parent comment's author", async () => {
    const wh = await memoryWarehouse();
    try {
      await loadRaw(wh, spec("media"), [apiMedia()]);
      const reply = apiComment({ id: "17870913679156999", from: { id: "17841405822304914", username: "cafe_luna" }, text: "Thank you!", parent_id: "17870913679156914" });
      expect((await loadRaw(wh, spec("comments"), [apiComment(), reply])).rejects).toEqual([]);
      await buildModels(wh, "stg_instagram__media stg_instagram__comments");
      // "@jane.doe." ends a sentence: the trailing period is not part of the username.
      expect(await wh.all("select mentioned_account_ids from staging.stg_instagram__media")).toEqual([{ mentioned_account_ids: ["17841400000000001"] }]);
      const rows = await wh.all("select content_id, content_type, parent_content_id, parent_account_id from staging.stg_instagram__comments order by content_id");
      expect(rows).toEqual([
        { content_id: "17870913679156914", content_type: "comment", parent_content_id: "17895695668004550", parent_account_id: "17841405822304914" },
        { content_id: "17870913679156999", content_type: "reply", parent_content_id: "17870913679156914", parent_account_id: "17841400000000001" },
      ]);
    } finally {
      wh.close();
    }
  });
});
