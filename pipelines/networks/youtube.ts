import { createHash } from "node:crypto";
import { z } from "zod";
import { hashtagsIn, zCount, zId, zIsoTime } from "../fields.ts";
import type { Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * YouTube Data API v3 exports: one resource per line, as `videos.list`, `commentThreads.list` and
 * `subscriptions.list` return them (part=snippet,statistics / snippet / snippet,subscriberSnippet).
 * Quirk kept: `statistics` counts are JSON strings ("viewCount": "1234"); zCount reads both forms.
 */

const zKind = (kind: string) => z.literal(kind).optional();

/** Video resource (part=snippet,statistics). `likeCount` is absent when the owner hides it. */
export const YoutubeVideo = z.object({
  kind: zKind("youtube#video"),
  etag: z.string().optional(),
  id: zId,
  snippet: z.object({
    publishedAt: zIsoTime,
    channelId: zId,
    title: z.string(),
    description: z.string().nullish(),
    channelTitle: z.string().nullish(),
    tags: z.array(z.string()).nullish(),
    categoryId: z.string().nullish(),
  }),
  statistics: z
    .object({
      viewCount: zCount.optional(),
      likeCount: zCount.optional(),
      favoriteCount: zCount.optional(),
      commentCount: zCount.optional(),
    })
    .optional(),
});
export type YoutubeVideo = z.infer<typeof YoutubeVideo>;

/** Comment resource as nested in a commentThread. `textOriginal` is only guaranteed to the author; `textDisplay` may be HTML. */
const YoutubeComment = z.object({
  kind: zKind("youtube#comment"),
  id: zId,
  snippet: z.object({
    authorDisplayName: z.string().nullish(),
    // Optional in the API ("if any"), but a comment without an author cannot be scored: reject it visibly.
    authorChannelId: z.object({ value: zId }),
    channelId: zId.optional(),
    videoId: zId.optional(),
    textDisplay: z.string().nullish(),
    textOriginal: z.string().nullish(),
    likeCount: zCount.optional(),
    publishedAt: zIsoTime,
    updatedAt: zIsoTime.optional(),
  }),
});

/** CommentThread resource (part=snippet): the top-level comment on a video; replies are not landed. */
export const YoutubeCommentThread = z.object({
  kind: zKind("youtube#commentThread"),
  etag: z.string().optional(),
  id: zId,
  snippet: z.object({
    /** The channel the thread belongs to: the video's channel. */
    channelId: zId.optional(),
    /** Absent only for the retired channel-discussion comments. */
    videoId: zId.optional(),
    topLevelComment: YoutubeComment,
    totalReplyCount: zCount.optional(),
    isPublic: z.boolean().optional(),
    canReply: z.boolean().optional(),
  }),
});
export type YoutubeCommentThread = z.infer<typeof YoutubeCommentThread>;

/**
 * Subscription resource (part=snippet,subscriberSnippet). `snippet.channelId` is the SUBSCRIBER's channel;
 * `snippet.resourceId.channelId` is the channel subscribed TO (per the API reference).
 */
export const YoutubeSubscription = z.object({
  kind: zKind("youtube#subscription"),
  etag: z.string().optional(),
  id: zId,
  snippet: z.object({
    publishedAt: zIsoTime,
    channelId: zId,
    channelTitle: z.string().nullish(),
    title: z.string().nullish(),
    description: z.string().nullish(),
    resourceId: z.object({ kind: z.string().optional(), channelId: zId }),
  }),
  subscriberSnippet: z.object({ channelId: zId.optional(), title: z.string().nullish() }).optional(),
});
export type YoutubeSubscription = z.infer<typeof YoutubeSubscription>;

const videos: EntitySpec<YoutubeVideo> = {
  network: "youtube",
  entity: "videos",
  format: "jsonl",
  schema: YoutubeVideo,
  columns: [
    { name: "id", type: "VARCHAR", doc: "video id" },
    { name: "snippet__channelId", type: "VARCHAR", doc: "the uploading channel" },
    { name: "snippet__publishedAt", type: "TIMESTAMPTZ" },
    { name: "snippet__title", type: "VARCHAR" },
    { name: "snippet__description", type: "VARCHAR" },
    { name: "snippet__channelTitle", type: "VARCHAR" },
    { name: "snippet__tags", type: "VARCHAR[]", doc: "uploader's keyword tags" },
    { name: "snippet__categoryId", type: "VARCHAR" },
    { name: "statistics__viewCount", type: "BIGINT" },
    { name: "statistics__likeCount", type: "BIGINT" },
    { name: "statistics__commentCount", type: "BIGINT" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived: #hashtags in description and title" },
  ],
  toRow: (v) => [
    v.id,
    v.snippet.channelId,
    v.snippet.publishedAt,
    v.snippet.title,
    v.snippet.description ?? null,
    v.snippet.channelTitle ?? null,
    v.snippet.tags ?? [],
    v.snippet.categoryId ?? null,
    v.statistics?.viewCount ?? null,
    v.statistics?.likeCount ?? null,
    v.statistics?.commentCount ?? null,
    hashtagsIn(`${v.snippet.description ?? ""}\n${v.snippet.title}`),
  ],
};

const commentThreads: EntitySpec<YoutubeCommentThread> = {
  network: "youtube",
  entity: "comment_threads",
  format: "jsonl",
  schema: YoutubeCommentThread,
  columns: [
    { name: "id", type: "VARCHAR", doc: "thread id (equals the top-level comment id)" },
    { name: "snippet__channelId", type: "VARCHAR", doc: "the video's channel" },
    { name: "snippet__videoId", type: "VARCHAR" },
    { name: "snippet__totalReplyCount", type: "BIGINT" },
    { name: "snippet__isPublic", type: "BOOLEAN" },
    { name: "snippet__topLevelComment__id", type: "VARCHAR" },
    { name: "snippet__topLevelComment__snippet__authorChannelId__value", type: "VARCHAR", doc: "the commenter's channel" },
    { name: "snippet__topLevelComment__snippet__authorDisplayName", type: "VARCHAR", doc: "today the commenter's @handle" },
    { name: "snippet__topLevelComment__snippet__textOriginal", type: "VARCHAR" },
    { name: "snippet__topLevelComment__snippet__textDisplay", type: "VARCHAR", doc: "may be HTML" },
    { name: "snippet__topLevelComment__snippet__likeCount", type: "BIGINT" },
    { name: "snippet__topLevelComment__snippet__publishedAt", type: "TIMESTAMPTZ" },
    { name: "snippet__topLevelComment__snippet__updatedAt", type: "TIMESTAMPTZ" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived: #hashtags in the comment text" },
  ],
  toRow: (t) => {
    const c = t.snippet.topLevelComment;
    return [
      t.id,
      t.snippet.channelId ?? c.snippet.channelId ?? null,
      t.snippet.videoId ?? c.snippet.videoId ?? null,
      t.snippet.totalReplyCount ?? null,
      t.snippet.isPublic ?? null,
      c.id,
      c.snippet.authorChannelId.value,
      c.snippet.authorDisplayName ?? null,
      c.snippet.textOriginal ?? null,
      c.snippet.textDisplay ?? null,
      c.snippet.likeCount ?? null,
      c.snippet.publishedAt,
      c.snippet.updatedAt ?? null,
      hashtagsIn(c.snippet.textOriginal ?? c.snippet.textDisplay),
    ];
  },
};

const subscriptions: EntitySpec<YoutubeSubscription> = {
  network: "youtube",
  entity: "subscriptions",
  format: "jsonl",
  schema: YoutubeSubscription,
  columns: [
    { name: "id", type: "VARCHAR", doc: "subscription id" },
    { name: "snippet__channelId", type: "VARCHAR", doc: "the subscriber's channel" },
    { name: "snippet__channelTitle", type: "VARCHAR", doc: "the subscriber's channel title" },
    { name: "snippet__resourceId__channelId", type: "VARCHAR", doc: "the channel subscribed to" },
    { name: "snippet__title", type: "VARCHAR", doc: "the subscribed-to channel's title" },
    { name: "snippet__publishedAt", type: "TIMESTAMPTZ" },
    { name: "subscriberSnippet__channelId", type: "VARCHAR" },
  ],
  toRow: (s) => [
    s.id,
    s.snippet.channelId,
    s.snippet.channelTitle ?? null,
    s.snippet.resourceId.channelId,
    s.snippet.title ?? null,
    s.snippet.publishedAt,
    s.subscriberSnippet?.channelId ?? null,
  ],
};

/** The API writes whole-second times as `2026-11-24T10:00:00Z`. */
function ytTime(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** A stable etag-like string, so emit stays deterministic. */
function etagOf(id: string): string {
  return createHash("sha1").update(id).digest("base64url").slice(0, 27);
}

/** A commentThread holding one top-level comment, as commentThreads.list(part=snippet, textFormat=plainText) writes it. */
function commentThread(c: { id: string; authorId: string; authorHandle: string; videoId: string; channelId: string; text: string; ms: number }): Emitted {
  const at = ytTime(c.ms);
  const comment = {
    kind: "youtube#comment",
    etag: etagOf(`c${c.id}`),
    id: c.id,
    snippet: {
      channelId: c.channelId,
      videoId: c.videoId,
      textDisplay: c.text,
      textOriginal: c.text,
      authorDisplayName: `@${c.authorHandle}`,
      authorChannelUrl: `http://www.youtube.com/@${c.authorHandle}`,
      authorChannelId: { value: c.authorId },
      canRate: true,
      viewerRating: "none",
      likeCount: 0,
      publishedAt: at,
      updatedAt: at,
    },
  };
  const record = {
    kind: "youtube#commentThread",
    etag: etagOf(`t${c.id}`),
    id: c.id,
    snippet: { channelId: c.channelId, videoId: c.videoId, topLevelComment: comment, canReply: true, totalReplyCount: 0, isPublic: true },
  };
  return { entity: "comment_threads", record };
}

function emit(e: WorldEvent): Emitted[] {
  if (e.kind === "content" && e.contentType === "video") {
    const title = e.title ?? e.text.slice(0, 100);
    const record = {
      kind: "youtube#video",
      etag: etagOf(e.contentId),
      id: e.contentId,
      snippet: {
        publishedAt: ytTime(e.createdAtMs),
        channelId: e.accountId,
        title,
        description: e.text,
        channelTitle: e.handle,
        tags: e.topicHints,
        categoryId: "22",
      },
      // Counts are strings in the real API; the world does not say how many, so zero.
      statistics: { viewCount: "0", likeCount: "0", favoriteCount: "0", commentCount: "0" },
    };
    return [{ entity: "videos", record }];
  }
  // A reply (parent is a comment, rootContentId set) lives in comments.list, which is not exported.
  if (e.kind === "content" && e.contentType === "comment" && e.parent && !e.parent.rootContentId) {
    return [commentThread({ id: e.contentId, authorId: e.accountId, authorHandle: e.handle, videoId: e.parent.contentId, channelId: e.parent.accountId, text: e.text, ms: e.createdAtMs })];
  }
  if (e.kind === "interaction" && e.action === "comment" && e.targetContentId) {
    // A comment the world gives no text for: still a top-level comment, with empty text.
    return [commentThread({ id: e.interactionId, authorId: e.actorAccountId, authorHandle: e.actorHandle, videoId: e.targetContentId, channelId: e.targetAccountId, text: "", ms: e.occurredAtMs })];
  }
  if (e.kind === "interaction" && e.action === "subscribe") {
    const record = {
      kind: "youtube#subscription",
      etag: etagOf(e.interactionId),
      id: e.interactionId,
      snippet: {
        publishedAt: ytTime(e.occurredAtMs),
        title: e.targetHandle,
        description: "",
        resourceId: { kind: "youtube#channel", channelId: e.targetAccountId },
        channelId: e.actorAccountId,
        channelTitle: e.actorHandle,
      },
      subscriberSnippet: { title: e.actorHandle, description: "", channelId: e.actorAccountId },
    };
    return [{ entity: "subscriptions", record }];
  }
  return [];
}

export const youtube: NetworkSpec = {
  name: "youtube",
  entities: [videos, commentThreads, subscriptions],
  // Only top-level comments (commentThreads); replies, likes (private ratings) and channel profiles are not exported.
  supports: { contentTypes: ["video", "comment"], actions: ["comment", "subscribe"], accounts: false, deletes: false },
  emit,
};
