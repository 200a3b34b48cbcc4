import { z } from "zod";
import { hashtagsIn, zCount, zEpochSeconds, zId } from "../fields.ts";
import type { Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * TikTok, as the Research API returns it (developers.tiktok.com/doc/research-api-specs-query-videos,
 * …-query-video-comments). Video and comment ids are 64-bit integers: JSON numbers in the API, strings
 * here once ingest's pre-pass has turned 16+ digit integers into strings. TikTok research data names users
 * by username only, so the username is the account id everywhere (videos, comments, shares, follows).
 *
 * Shares and follows have no object of their own in the Research API (it lists a user's reposted videos and
 * followers/following without times), so they are modelled minimally: `{username, video_id, create_time}`
 * and `{follower_username, following_username, create_time}`. There is no likes file: a video's
 * `like_count` is a count, not an engagement by a person, and no per-person likes are invented.
 */

/** Research API Video object (the fields a `fields=` query can ask for; only id/time/author required). */
/** A username, the account id on TikTok: never empty or whitespace only. */
const zUsername = z.string().min(1, "empty username").regex(/\S/, "empty username");

export const TiktokVideo = z.object({
  id: zId,
  create_time: zEpochSeconds,
  username: zUsername,
  video_description: z.string().nullish(),
  hashtag_names: z.array(z.string()).nullish(),
  /** Usernames mentioned in the video. */
  video_mention_list: z.array(z.string()).nullish(),
  region_code: z.string().nullish(),
  like_count: zCount.nullish(),
  comment_count: zCount.nullish(),
  share_count: zCount.nullish(),
  view_count: zCount.nullish(),
});
export type TiktokVideo = z.infer<typeof TiktokVideo>;

/**
 * Research API Comment object. `parent_comment_id` is the video id for a top-level comment and the parent
 * comment's id for a reply. The API itself does not return the commenter; exports add `username` when known.
 */
export const TiktokComment = z.object({
  id: zId,
  video_id: zId,
  text: z.string(),
  create_time: zEpochSeconds,
  parent_comment_id: zId.nullish(),
  like_count: zCount.nullish(),
  reply_count: zCount.nullish(),
  username: zUsername.nullish(),
});
export type TiktokComment = z.infer<typeof TiktokComment>;

/** A user sharing (reposting) a video. */
export const TiktokShare = z.object({
  username: zUsername,
  video_id: zId,
  create_time: zEpochSeconds,
});
export type TiktokShare = z.infer<typeof TiktokShare>;

/** One follow edge: `follower_username` follows `following_username`. */
export const TiktokFollow = z.object({
  follower_username: zUsername,
  following_username: zUsername,
  create_time: zEpochSeconds,
});
export type TiktokFollow = z.infer<typeof TiktokFollow>;

const videos: EntitySpec<TiktokVideo> = {
  network: "tiktok",
  entity: "videos",
  format: "jsonl",
  schema: TiktokVideo,
  columns: [
    { name: "id", type: "VARCHAR", doc: "video id (item_id)" },
    { name: "create_time", type: "TIMESTAMPTZ", doc: "when the video was posted" },
    { name: "username", type: "VARCHAR", doc: "the creator's username (= account id)" },
    { name: "video_description", type: "VARCHAR" },
    { name: "hashtag_names", type: "VARCHAR[]", doc: "hashtags as TikTok lists them" },
    { name: "video_mention_list", type: "VARCHAR[]", doc: "usernames mentioned" },
    { name: "region_code", type: "VARCHAR", doc: "the creator's registration country" },
    { name: "like_count", type: "BIGINT" },
    { name: "comment_count", type: "BIGINT" },
    { name: "share_count", type: "BIGINT" },
    { name: "view_count", type: "BIGINT" },
  ],
  toRow: (v) => [
    v.id,
    v.create_time,
    v.username,
    v.video_description ?? null,
    v.hashtag_names ?? null,
    v.video_mention_list ?? null,
    v.region_code ?? null,
    v.like_count ?? null,
    v.comment_count ?? null,
    v.share_count ?? null,
    v.view_count ?? null,
  ],
};

const comments: EntitySpec<TiktokComment> = {
  network: "tiktok",
  entity: "comments",
  format: "jsonl",
  schema: TiktokComment,
  columns: [
    { name: "id", type: "VARCHAR", doc: "comment id" },
    { name: "video_id", type: "VARCHAR", doc: "the video commented on" },
    { name: "text", type: "VARCHAR" },
    { name: "create_time", type: "TIMESTAMPTZ" },
    { name: "parent_comment_id", type: "VARCHAR", doc: "the video id (top-level) or the comment replied to" },
    { name: "like_count", type: "BIGINT" },
    { name: "reply_count", type: "BIGINT" },
    { name: "username", type: "VARCHAR", doc: "the commenter, when the export names them" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived at ingest: hashtagsIn(text)" },
  ],
  toRow: (c) => [
    c.id,
    c.video_id,
    c.text,
    c.create_time,
    c.parent_comment_id ?? null,
    c.like_count ?? null,
    c.reply_count ?? null,
    c.username ?? null,
    hashtagsIn(c.text),
  ],
};

const shares: EntitySpec<TiktokShare> = {
  network: "tiktok",
  entity: "shares",
  format: "jsonl",
  schema: TiktokShare,
  columns: [
    { name: "username", type: "VARCHAR", doc: "who shared" },
    { name: "video_id", type: "VARCHAR", doc: "the video shared" },
    { name: "create_time", type: "TIMESTAMPTZ", doc: "when it was shared" },
  ],
  toRow: (s) => [s.username, s.video_id, s.create_time],
};

const follows: EntitySpec<TiktokFollow> = {
  network: "tiktok",
  entity: "follows",
  format: "jsonl",
  schema: TiktokFollow,
  columns: [
    { name: "follower_username", type: "VARCHAR" },
    { name: "following_username", type: "VARCHAR" },
    { name: "create_time", type: "TIMESTAMPTZ", doc: "when the follow started" },
  ],
  toRow: (f) => [f.follower_username, f.following_username, f.create_time],
};

/** The API writes ids as JSON integers; keep that for ids a double holds exactly, strings beyond. */
function apiInt(id: string): string | number {
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : id;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Where a comment sits in its thread. WorldEvent's parent names only the direct parent; a reply to a comment
 * also needs the video it belongs to (`rootContentId`, not yet in the shared type). Without it, the parent
 * is taken to be the video itself.
 */
type ThreadParent = { contentId: string; rootContentId?: string };

function comment(id: string, handle: string, text: string, atMs: number, parent: ThreadParent): Emitted {
  const videoId = parent.rootContentId ?? parent.contentId;
  return {
    entity: "comments",
    record: {
      id: apiInt(id),
      video_id: apiInt(videoId),
      text,
      create_time: seconds(atMs),
      parent_comment_id: apiInt(parent.contentId),
      username: handle,
    },
  };
}

function emit(event: WorldEvent): Emitted[] {
  if (event.kind === "content") {
    switch (event.contentType) {
      case "video":
        return [
          {
            entity: "videos",
            record: {
              id: apiInt(event.contentId),
              create_time: seconds(event.createdAtMs),
              username: event.handle,
              video_description: event.text,
              hashtag_names: event.hashtags,
              ...(event.mentions.length > 0 ? { video_mention_list: event.mentions.map((m) => m.handle) } : {}),
            },
          },
        ];
      case "comment":
      case "reply":
        return event.parent ? [comment(event.contentId, event.handle, event.text, event.createdAtMs, event.parent)] : [];
      default:
        return [];
    }
  }
  if (event.kind === "interaction") {
    switch (event.action) {
      case "share":
        if (!event.targetContentId) return [];
        return [{ entity: "shares", record: { username: event.actorHandle, video_id: apiInt(event.targetContentId), create_time: seconds(event.occurredAtMs) } }];
      case "follow":
        return [
          {
            entity: "follows",
            record: { follower_username: event.actorHandle, following_username: event.targetHandle, create_time: seconds(event.occurredAtMs) },
          },
        ];
      case "comment":
        // A comment given as an interaction carries no text; it is still a comment record on the video.
        if (!event.targetContentId) return [];
        return [comment(event.interactionId, event.actorHandle, "", event.occurredAtMs, { contentId: event.targetContentId })];
      default:
        return [];
    }
  }
  return [];
}

export const tiktok: NetworkSpec = {
  name: "tiktok",
  entities: [videos, comments, shares, follows],
  // Replies to comments are staged when the export has them, but emit can write one only when told the
  // thread's video (ThreadParent.rootContentId), so the generator is not offered "reply".
  supports: { contentTypes: ["video", "comment"], actions: ["comment", "share", "follow"], accounts: false, deletes: false },
  emit,
};
