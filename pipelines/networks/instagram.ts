import { z } from "zod";
import { hashtagsIn, zCount, zId, zIsoTime } from "../fields.ts";
import type { Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Instagram Graph API exports. `media` and `comments` are IG Media and IG Comment objects as the Graph API
 * returns them (times like `2026-11-24T10:00:00+0000`, ids as numeric strings). Likes and follows are not
 * public Graph API objects (the API only gives counts), so `likes` and `follows` are minimal records of our
 * own: {user_id, media_id, timestamp} and {follower_id, followed_id, timestamp}.
 */

/** IG Media. `owner` is only returned to the media's owner; an export of someone's account always has it. */
export const InstagramMedia = z.object({
  id: zId,
  caption: z.string().nullish(),
  media_type: z.enum(["IMAGE", "VIDEO", "CAROUSEL_ALBUM"]),
  media_product_type: z.string().nullish(),
  timestamp: zIsoTime,
  like_count: zCount.optional(),
  comments_count: zCount.optional(),
  owner: z.object({ id: zId }),
  username: z.string().nullish(),
  permalink: z.string().nullish(),
});
export type InstagramMedia = z.infer<typeof InstagramMedia>;

/** IG Comment. `parent_id` is set when it replies to another comment. */
export const InstagramComment = z.object({
  id: zId,
  text: z.string(),
  timestamp: zIsoTime,
  from: z.object({ id: zId, username: z.string().nullish() }),
  media: z.object({ id: zId, media_product_type: z.string().nullish() }),
  parent_id: zId.nullish(),
  like_count: zCount.optional(),
  hidden: z.boolean().optional(),
});
export type InstagramComment = z.infer<typeof InstagramComment>;

/** Not a Graph API object: one user liked one media. */
export const InstagramLike = z.object({ user_id: zId, media_id: zId, timestamp: zIsoTime });
export type InstagramLike = z.infer<typeof InstagramLike>;

/** Not a Graph API object: one user follows another. */
export const InstagramFollow = z.object({ follower_id: zId, followed_id: zId, timestamp: zIsoTime });
export type InstagramFollow = z.infer<typeof InstagramFollow>;

const media: EntitySpec<InstagramMedia> = {
  network: "instagram",
  entity: "media",
  format: "jsonl",
  schema: InstagramMedia,
  columns: [
    { name: "id", type: "VARCHAR", doc: "IG Media id" },
    { name: "owner__id", type: "VARCHAR", doc: "the IG User who posted it" },
    { name: "username", type: "VARCHAR", doc: "the owner's username" },
    { name: "media_type", type: "VARCHAR", doc: "IMAGE, VIDEO or CAROUSEL_ALBUM" },
    { name: "media_product_type", type: "VARCHAR", doc: "FEED, REELS, STORY, AD" },
    { name: "caption", type: "VARCHAR" },
    { name: "timestamp", type: "TIMESTAMPTZ" },
    { name: "like_count", type: "BIGINT" },
    { name: "comments_count", type: "BIGINT" },
    { name: "permalink", type: "VARCHAR" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived: #hashtags in the caption" },
  ],
  toRow: (m) => [
    m.id,
    m.owner.id,
    m.username ?? null,
    m.media_type,
    m.media_product_type ?? null,
    m.caption ?? null,
    m.timestamp,
    m.like_count ?? null,
    m.comments_count ?? null,
    m.permalink ?? null,
    hashtagsIn(m.caption),
  ],
};

const comments: EntitySpec<InstagramComment> = {
  network: "instagram",
  entity: "comments",
  format: "jsonl",
  schema: InstagramComment,
  columns: [
    { name: "id", type: "VARCHAR", doc: "IG Comment id" },
    { name: "from__id", type: "VARCHAR", doc: "the commenter (IG-scoped id)" },
    { name: "from__username", type: "VARCHAR" },
    { name: "media__id", type: "VARCHAR", doc: "the media commented on" },
    { name: "parent_id", type: "VARCHAR", doc: "the comment replied to, if any" },
    { name: "text", type: "VARCHAR" },
    { name: "timestamp", type: "TIMESTAMPTZ" },
    { name: "like_count", type: "BIGINT" },
    { name: "hidden", type: "BOOLEAN" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived: #hashtags in the text" },
  ],
  toRow: (c) => [
    c.id,
    c.from.id,
    c.from.username ?? null,
    c.media.id,
    c.parent_id ?? null,
    c.text,
    c.timestamp,
    c.like_count ?? null,
    c.hidden ?? null,
    hashtagsIn(c.text),
  ],
};

const likes: EntitySpec<InstagramLike> = {
  network: "instagram",
  entity: "likes",
  format: "jsonl",
  schema: InstagramLike,
  columns: [
    { name: "user_id", type: "VARCHAR", doc: "who liked" },
    { name: "media_id", type: "VARCHAR", doc: "the media liked" },
    { name: "timestamp", type: "TIMESTAMPTZ" },
  ],
  toRow: (l) => [l.user_id, l.media_id, l.timestamp],
};

const follows: EntitySpec<InstagramFollow> = {
  network: "instagram",
  entity: "follows",
  format: "jsonl",
  schema: InstagramFollow,
  columns: [
    { name: "follower_id", type: "VARCHAR" },
    { name: "followed_id", type: "VARCHAR" },
    { name: "timestamp", type: "TIMESTAMPTZ" },
  ],
  toRow: (f) => [f.follower_id, f.followed_id, f.timestamp],
};

/** The Graph API writes `2026-11-24T10:00:00+0000`: whole seconds, `+0000` offset. */
function graphTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

function emit(e: WorldEvent): Emitted[] {
  if (e.kind === "content" && (e.contentType === "post" || e.contentType === "video")) {
    const video = e.contentType === "video";
    const record = {
      id: e.contentId,
      caption: e.text,
      media_type: video ? "VIDEO" : "IMAGE",
      media_product_type: video ? "REELS" : "FEED",
      timestamp: graphTime(e.createdAtMs),
      like_count: 0,
      comments_count: 0,
      owner: { id: e.accountId },
      username: e.handle,
    };
    return [{ entity: "media", record }];
  }
  if (e.kind === "content" && (e.contentType === "comment" || e.contentType === "reply") && e.parent) {
    // A parent with a rootContentId is a comment: this one is a reply, hanging under the root media.
    const p = e.parent;
    const thread = p.rootContentId ? { media: { id: p.rootContentId }, parent_id: p.contentId } : { media: { id: p.contentId } };
    const record = { id: e.contentId, text: e.text, timestamp: graphTime(e.createdAtMs), from: { id: e.accountId, username: e.handle }, ...thread, like_count: 0, hidden: false };
    return [{ entity: "comments", record }];
  }
  if (e.kind === "interaction" && e.action === "comment" && e.targetContentId) {
    // A comment the world gives no text for: an IG comment always has text, so it is empty.
    const record = { id: e.interactionId, text: "", timestamp: graphTime(e.occurredAtMs), from: { id: e.actorAccountId, username: e.actorHandle }, media: { id: e.targetContentId }, like_count: 0, hidden: false };
    return [{ entity: "comments", record }];
  }
  if (e.kind === "interaction" && e.action === "reaction" && e.targetContentId && (e.reactionType ?? "like") === "like") {
    return [{ entity: "likes", record: { user_id: e.actorAccountId, media_id: e.targetContentId, timestamp: graphTime(e.occurredAtMs) } }];
  }
  if (e.kind === "interaction" && e.action === "follow") {
    return [{ entity: "follows", record: { follower_id: e.actorAccountId, followed_id: e.targetAccountId, timestamp: graphTime(e.occurredAtMs) } }];
  }
  return [];
}

export const instagram: NetworkSpec = {
  name: "instagram",
  entities: [media, comments, likes, follows],
  // Staging types a comment with a parent_id as "reply", whatever the event called it. A like is a reaction of
  // type "like". Graph API times carry whole seconds. No profiles export.
  supports: { contentTypes: ["post", "video", "comment", "reply"], actions: ["comment", "reaction", "follow"], accounts: false, deletes: false },
  emit,
};
