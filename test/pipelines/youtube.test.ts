import { describe, expect, it } from "vitest";
import { youtube } from "../../pipelines/networks/youtube.ts";
import type { EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, landEmitted, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => youtube.entities.find((e) => e.entity === entity)!;
const col = (entity: string, name: string, row: unknown[]) => row[spec(entity).columns.findIndex((c) => c.name === name)];

/** Shaped like the videos.list example in the Data API reference (part=snippet,statistics). */
function apiVideo(over: Record<string, unknown> = {}) {
  return {
    kind: "youtube#video",
    etag: "Bq6nPaUVlFZEvgWPbv1Hn3uaJ6U",
    id: "dQw4w9WgXcQ",
    snippet: {
      publishedAt: "2009-10-25T06:57:33Z",
      channelId: "UCuAXFkgsw1L7xaCfnd5JJOw",
      title: "Rick Astley - Never Gonna Give You Up #music",
      description: "The official video for #NeverGonnaGiveYouUp by @RickAstleyYT",
      thumbnails: { default: { url: "https://i.ytimg.com/vi/dQw4w9WgXcQ/default.jpg", width: 120, height: 90 } },
      channelTitle: "Rick Astley",
      tags: ["rick astley", "Never Gonna Give You Up"],
      categoryId: "10",
      liveBroadcastContent: "none",
      localized: { title: "Rick Astley - Never Gonna Give You Up", description: "…" },
    },
    statistics: { viewCount: "1234", likeCount: "56", favoriteCount: "0", commentCount: "7" },
    ...over,
  };
}

function apiThread(commentSnippet: Record<string, unknown> = {}) {
  return {
    kind: "youtube#commentThread",
    etag: "x1",
    id: "UgzDE2tasfmrYLyNkGt4AaABAg",
    snippet: {
      channelId: "UCuAXFkgsw1L7xaCfnd5JJOw",
      videoId: "dQw4w9WgXcQ",
      topLevelComment: {
        kind: "youtube#comment",
        etag: "x2",
        id: "UgzDE2tasfmrYLyNkGt4AaABAg",
        snippet: {
          channelId: "UCuAXFkgsw1L7xaCfnd5JJOw",
          videoId: "dQw4w9WgXcQ",
          textDisplay: "Still a banger",
          textOriginal: "Still a banger",
          authorDisplayName: "@fan123",
          authorProfileImageUrl: "https://yt3.ggpht.com/x",
          authorChannelUrl: "http://www.youtube.com/@fan123",
          authorChannelId: { value: "UCfan0000000000000000000" },
          canRate: true,
          viewerRating: "none",
          likeCount: 3,
          publishedAt: "2026-11-24T10:00:00Z",
          updatedAt: "2026-11-24T10:00:00Z",
          ...commentSnippet,
        },
      },
      canReply: true,
      totalReplyCount: 0,
      isPublic: true,
    },
  };
}

function apiSubscription() {
  return {
    kind: "youtube#subscription",
    etag: "x3",
    id: "FMP3Mleijt-52zZDGkHtR5KhwkvCcdQKWWWIVqjJq0k",
    snippet: {
      publishedAt: "2026-11-24T09:30:00.123Z",
      title: "Rick Astley",
      description: "",
      resourceId: { kind: "youtube#channel", channelId: "UCuAXFkgsw1L7xaCfnd5JJOw" },
      channelId: "UCfan0000000000000000000",
      thumbnails: {},
    },
    subscriberSnippet: { title: "fan123", description: "", channelId: "UCfan0000000000000000000", thumbnails: {} },
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

describe("youtube schemas", () => {
  it("lands a real-shaped video, reading string counts as numbers", () => {
    const row = rowOf("videos", apiVideo());
    expect(col("videos", "id", row)).toBe("dQw4w9WgXcQ");
    expect(col("videos", "snippet__channelId", row)).toBe("UCuAXFkgsw1L7xaCfnd5JJOw");
    expect(col("videos", "snippet__publishedAt", row)).toBe(Date.UTC(2009, 9, 25, 6, 57, 33));
    expect(col("videos", "statistics__viewCount", row)).toBe(1234);
    expect(col("videos", "statistics__likeCount", row)).toBe(56);
    expect(col("videos", "snippet__tags", row)).toEqual(["rick astley", "Never Gonna Give You Up"]);
    expect(col("videos", "hashtags", row)).toEqual(["nevergonnagiveyouup", "music"]);
  });

  it("tolerates numeric counts, hidden likeCount, no statistics and unknown fields", () => {
    expect(col("videos", "statistics__viewCount", rowOf("videos", apiVideo({ statistics: { viewCount: 9 } })))).toBe(9);
    const noStats = rowOf("videos", { ...apiVideo(), statistics: undefined, contentDetails: { duration: "PT3M33S" } });
    expect(col("videos", "statistics__likeCount", noStats)).toBeNull();
  });

  it("keeps huge ids exact as strings", () => {
    const row = rowOf("videos", apiVideo({ id: "18446744073709551616" }));
    expect(col("videos", "id", row)).toBe("18446744073709551616");
  });

  it("rejects bad videos with a readable reason", () => {
    expect(rejectOf("videos", apiVideo({ statistics: { viewCount: "12a" } }))).toBe('statistics.viewCount: expected a count (a non-negative integer, or digits in a string), got "12a"');
    const { channelId: _drop, ...noChannel } = apiVideo().snippet;
    expect(rejectOf("videos", apiVideo({ snippet: noChannel }))).toContain("snippet.channelId");
    expect(rejectOf("videos", apiVideo({ id: "" }))).toContain("empty id");
    expect(rejectOf("videos", apiVideo({ id: 12.5 }))).toContain("id");
    expect(rejectOf("videos", apiVideo({ kind: "youtube#playlist" }))).toContain("kind");
    const badDate = { ...apiVideo().snippet, publishedAt: "2026-02-30T10:00:00Z" };
    expect(rejectOf("videos", apiVideo({ snippet: badDate }))).toContain("not a real date");
    const oldDate = { ...apiVideo().snippet, publishedAt: "1999-12-31T23:59:59Z" };
    expect(rejectOf("videos", apiVideo({ snippet: oldDate }))).toContain("outside 2000–2099");
    const notIso = { ...apiVideo().snippet, publishedAt: "yesterday" };
    expect(rejectOf("videos", apiVideo({ snippet: notIso }))).toContain("not ISO 8601");
  });

  it("lands a comment thread's top-level comment and rejects one without an author channel", () => {
    const row = rowOf("comment_threads", apiThread());
    expect(col("comment_threads", "snippet__topLevelComment__snippet__authorChannelId__value", row)).toBe("UCfan0000000000000000000");
    expect(col("comment_threads", "snippet__videoId", row)).toBe("dQw4w9WgXcQ");
    expect(col("comment_threads", "snippet__topLevelComment__snippet__publishedAt", row)).toBe(Date.UTC(2026, 10, 24, 10));
    expect(rejectOf("comment_threads", apiThread({ authorChannelId: undefined }))).toContain("snippet.topLevelComment.snippet.authorChannelId");
    expect(rejectOf("comment_threads", apiThread({ publishedAt: "2026-13-01T00:00:00Z" }))).toContain("snippet.topLevelComment.snippet.publishedAt");
    expect(rejectOf("comment_threads", apiThread({ likeCount: -1 }))).toContain("likeCount");
  });

  it("reads a subscription: snippet.channelId subscribes to snippet.resourceId.channelId", () => {
    const row = rowOf("subscriptions", apiSubscription());
    expect(col("subscriptions", "snippet__channelId", row)).toBe("UCfan0000000000000000000");
    expect(col("subscriptions", "snippet__resourceId__channelId", row)).toBe("UCuAXFkgsw1L7xaCfnd5JJOw");
    expect(col("subscriptions", "snippet__publishedAt", row)).toBe(Date.UTC(2026, 10, 24, 9, 30, 0, 123));
    const s = apiSubscription();
    expect(rejectOf("subscriptions", { ...s, snippet: { ...s.snippet, resourceId: { kind: "youtube#channel" } } })).toContain("snippet.resourceId.channelId");
  });
});

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const alice = { accountId: "UCalice000000000000000000", handle: "alice" };
const bob = { accountId: "UCbob00000000000000000000", handle: "bob" };
const zed = { accountId: "UCzed00000000000000000000", handle: "zed" };

const events: WorldEvent[] = [
  {
    kind: "content", network: "youtube", contentId: "vidAAAAAAA1", ...alice, createdAtMs: T0, contentType: "video",
    text: "How I make #pasta at home, thanks @bob and @carol", hashtags: ["pasta"],
    mentions: [{ accountId: bob.accountId, handle: "bob" }, { accountId: "UCcarol", handle: "carol" }],
    title: "Pasta night", topicHints: ["cooking", "pasta"],
  },
  {
    kind: "content", network: "youtube", contentId: "vidBBBBBBB2", ...bob, createdAtMs: T0 + 60_000, contentType: "video",
    text: "Bread #baking", hashtags: ["baking"], mentions: [], title: "Bread", topicHints: ["baking"],
  },
  {
    kind: "content", network: "youtube", contentId: "UgxComment1", ...bob, createdAtMs: T0 + 120_000, contentType: "comment",
    text: "Great one @alice #yum", hashtags: ["yum"], mentions: [{ accountId: alice.accountId, handle: "alice" }],
    parent: { contentId: "vidAAAAAAA1", ...alice }, topicHints: [],
  },
  {
    kind: "content", network: "youtube", contentId: "UgxComment2", ...alice, createdAtMs: T0 + 180_000, contentType: "comment",
    text: "Nice loaf", hashtags: [], mentions: [], parent: { contentId: "vidBBBBBBB2", ...bob }, topicHints: [],
  },
  {
    // On a video that is not in the export: the parent author comes from the thread's own channelId.
    kind: "content", network: "youtube", contentId: "UgxComment3", ...alice, createdAtMs: T0 + 240_000, contentType: "comment",
    text: "First", hashtags: [], mentions: [], parent: { contentId: "vidZZZZZZZ9", ...zed }, topicHints: [],
  },
  {
    kind: "interaction", network: "youtube", interactionId: "subBobAlice", actorAccountId: bob.accountId, actorHandle: "bob",
    targetAccountId: alice.accountId, targetHandle: "alice", action: "subscribe", occurredAtMs: T0 + 300_000,
  },
  {
    // A comment without text: still a top-level comment thread.
    kind: "interaction", network: "youtube", interactionId: "UgxComment4", actorAccountId: zed.accountId, actorHandle: "zed",
    targetAccountId: bob.accountId, targetHandle: "bob", targetContentId: "vidBBBBBBB2", action: "comment", occurredAtMs: T0 + 360_000,
  },
];

describe("youtube emit", () => {
  it("writes API-shaped records: string counts, @handle authors, subscriber in snippet.channelId", () => {
    const [video] = youtube.emit!(events[0]!);
    expect(video!.entity).toBe("videos");
    expect((video!.record.statistics as Record<string, unknown>).viewCount).toBe("0");
    expect((video!.record.snippet as Record<string, unknown>).publishedAt).toBe("2026-11-24T10:00:00Z");
    const [thread] = youtube.emit!(events[2]!);
    const top = (thread!.record.snippet as { topLevelComment: { snippet: Record<string, unknown> } }).topLevelComment.snippet;
    expect(top.authorDisplayName).toBe("@bob");
    const [sub] = youtube.emit!(events[5]!);
    expect((sub!.record.snippet as Record<string, unknown>).channelId).toBe(bob.accountId);
    expect(youtube.emit!(events[0]!)).toEqual(youtube.emit!(events[0]!));
  });

  it("returns nothing for what YouTube exports do not carry", () => {
    const follow: WorldEvent = { ...(events[5] as Extract<WorldEvent, { kind: "interaction" }>), action: "follow" };
    const post: WorldEvent = { ...(events[1] as Extract<WorldEvent, { kind: "content" }>), contentType: "post" };
    const orphan: WorldEvent = { ...(events[2] as Extract<WorldEvent, { kind: "content" }>), parent: undefined };
    const reply: WorldEvent = { ...(events[2] as Extract<WorldEvent, { kind: "content" }>), parent: { contentId: "UgxComment2", ...alice, rootContentId: "vidBBBBBBB2" } };
    expect(youtube.emit!(reply)).toEqual([]);
    expect(youtube.emit!(follow)).toEqual([]);
    expect(youtube.emit!(post)).toEqual([]);
    expect(youtube.emit!(orphan)).toEqual([]);
  });
});

describe("youtube round trip: events → emit → land → staging", () => {
  it("stages what the events said, once per record, and the declared tests pass", async () => {
    const wh = await memoryWarehouse();
    try {
      // Land every record twice, on two dates: staging must keep one row each.
      expect(await landEmitted(wh, youtube, events.flatMap((e) => youtube.emit!(e)), ["2026-11-23", "2026-11-24"])).toEqual([]);
      const models = ["stg_youtube__videos", "stg_youtube__comment_threads", "stg_youtube__subscriptions"];
      await buildModels(wh, models.join(" "));

      const content = await wh.all(
        `select network, content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
                mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
         from staging.stg_youtube__videos
         union all by name
         select network, content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags,
                mentioned_account_ids, parent_content_id, parent_account_id, topic_hints
         from staging.stg_youtube__comment_threads
         order by content_id`,
      );
      // bob and alice show their @handles as commenters, so their mentions resolve; carol stays a handle.
      const resolvable = new Set(["alice", "bob"]);
      const expected = events
        .filter((e): e is Extract<WorldEvent, { kind: "content" }> => e.kind === "content")
        .map((e) => ({
          network: "youtube",
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
            network: "youtube", content_id: "UgxComment4", account_id: zed.accountId, created_ms: T0 + 360_000, content_type: "comment",
            text: "", hashtags: [], mentioned_account_ids: [], parent_content_id: "vidBBBBBBB2", parent_account_id: bob.accountId, topic_hints: [],
          },
        ])
        .sort((a, b) => a.content_id.localeCompare(b.content_id));
      expect(content).toEqual(expected);

      const subs = await wh.all(
        `select network, interaction_id, actor_account_id, target_account_id, target_content_id, action, reaction_type,
                epoch_ms(occurred_at) as occurred_ms
         from staging.stg_youtube__subscriptions`,
      );
      expect(subs).toEqual([
        {
          network: "youtube", interaction_id: "subBobAlice", actor_account_id: bob.accountId, target_account_id: alice.accountId,
          target_content_id: null, action: "subscribe", reaction_type: null, occurred_ms: T0 + 300_000,
        },
      ]);

      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const tests = selectTests(compileTests(graph), models);
      expect(tests.length).toBeGreaterThanOrEqual(10);
      const results = await runTests(wh, tests, { runId: "test-youtube" });
      expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    } finally {
      wh.close();
    }
  });

  it("reads HTML textDisplay when textOriginal is withheld", async () => {
    const wh = await memoryWarehouse();
    try {
      const html = apiThread({ textOriginal: undefined, textDisplay: "So good<br>&quot;classic&quot; &amp; <a href=\"x\">@fan123</a>" });
      expect((await loadRaw(wh, spec("comment_threads"), [html])).rejects).toEqual([]);
      await loadRaw(wh, spec("videos"), []);
      await buildModels(wh, "stg_youtube__comment_threads");
      const row = await wh.one("select text, mentioned_account_ids from staging.stg_youtube__comment_threads");
      expect(row).toEqual({ text: 'So good\n"classic" & @fan123', mentioned_account_ids: ["UCfan0000000000000000000"] });
    } finally {
      wh.close();
    }
  });
});
