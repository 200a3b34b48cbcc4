import { z } from "zod";
import { hashtagsIn, zCount, zId, zIsoTime } from "../fields.ts";
import type { Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Facebook exports, modelled on the Graph API. Graph writes times as `2026-11-24T10:00:00+0000` (zIsoTime
 * reads the `+0000` offset) and ids as strings, often `<page id>_<post id>`.
 * - posts: Post nodes (`id, from{id,name}, message, message_tags, created_time, shares{count}`).
 * - comments: Comment nodes (`id, from, message, created_time, parent{id,from}` for replies to comments,
 *   `message_tags`), plus `post_id`, the post the thread hangs under (the name the Graph feed webhook uses),
 *   because a Comment node does not say which post it belongs to.
 * - reactions: nodes of the `/{object-id}/reactions` edge (`id` and `name` of the reacting profile, `type`
 *   LIKE…CARE), plus `object_id` (the post or comment reacted to) and, when known, `created_time`.
 * - shares: Post nodes from `/{post-id}/sharedposts`, whose `parent_id` is the shared post.
 * - friends: User nodes with their `friends` edge (`id, name, friends{data[{id,name}], summary{total_count}}`);
 *   the only profile export Facebook has, so it is the accounts file.
 * Graph has no hashtag field: hashtags are found in `message` when landing.
 */

const From = z.object({ id: zId, name: z.string().optional() });
const MessageTag = z.object({
  id: zId,
  name: z.string().optional(),
  type: z.string().optional(),
  offset: z.number().int().optional(),
  length: z.number().int().optional(),
});

/** `+0000`, Graph's way of writing UTC; whole seconds. */
const fbTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");

// ── posts ──────────────────────────────────────────────────────────────────────────────────────────

export const FacebookPost = z.object({
  id: zId,
  from: From,
  created_time: zIsoTime,
  message: z.string().optional(),
  story: z.string().optional(),
  message_tags: z.array(MessageTag).optional(),
  status_type: z.string().optional(),
  permalink_url: z.string().optional(),
  shares: z.object({ count: zCount }).optional(),
  updated_time: zIsoTime.optional(),
});
export type FacebookPost = z.infer<typeof FacebookPost>;

export const posts: EntitySpec<FacebookPost> = {
  network: "facebook",
  entity: "posts",
  format: "jsonl",
  schema: FacebookPost,
  columns: [
    { name: "id", type: "VARCHAR", doc: "post id, `<page or user id>_<post id>`" },
    { name: "from__id", type: "VARCHAR", doc: "author profile or page" },
    { name: "from__name", type: "VARCHAR" },
    { name: "created_time", type: "TIMESTAMPTZ" },
    { name: "message", type: "VARCHAR" },
    { name: "message_tags__id", type: "VARCHAR[]", doc: "profiles and pages tagged in message" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived when landing: #tags in message (fields.hashtagsIn)" },
    { name: "status_type", type: "VARCHAR" },
    { name: "permalink_url", type: "VARCHAR" },
    { name: "shares__count", type: "BIGINT" },
  ],
  toRow: (p) => [
    p.id,
    p.from.id,
    p.from.name ?? null,
    p.created_time,
    p.message ?? null,
    (p.message_tags ?? []).map((t) => t.id),
    hashtagsIn(p.message),
    p.status_type ?? null,
    p.permalink_url ?? null,
    p.shares?.count ?? null,
  ],
};

// ── comments ───────────────────────────────────────────────────────────────────────────────────────

export const FacebookComment = z.object({
  id: zId,
  post_id: zId,
  from: From,
  created_time: zIsoTime,
  // Sticker- or photo-only comments have no message.
  message: z.string().optional(),
  message_tags: z.array(MessageTag).optional(),
  parent: z.object({ id: zId, from: From.optional() }).optional(),
  like_count: zCount.optional(),
  comment_count: zCount.optional(),
  permalink_url: z.string().optional(),
});
export type FacebookComment = z.infer<typeof FacebookComment>;

export const comments: EntitySpec<FacebookComment> = {
  network: "facebook",
  entity: "comments",
  format: "jsonl",
  schema: FacebookComment,
  columns: [
    { name: "id", type: "VARCHAR" },
    { name: "post_id", type: "VARCHAR", doc: "the post the thread hangs under" },
    { name: "from__id", type: "VARCHAR" },
    { name: "from__name", type: "VARCHAR" },
    { name: "created_time", type: "TIMESTAMPTZ" },
    { name: "message", type: "VARCHAR" },
    { name: "message_tags__id", type: "VARCHAR[]" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived when landing: #tags in message (fields.hashtagsIn)" },
    { name: "parent__id", type: "VARCHAR", doc: "the comment replied to (replies to comments only)" },
    { name: "parent__from__id", type: "VARCHAR" },
    { name: "like_count", type: "BIGINT" },
    { name: "comment_count", type: "BIGINT" },
  ],
  toRow: (c) => [
    c.id,
    c.post_id,
    c.from.id,
    c.from.name ?? null,
    c.created_time,
    c.message ?? null,
    (c.message_tags ?? []).map((t) => t.id),
    hashtagsIn(c.message),
    c.parent?.id ?? null,
    c.parent?.from?.id ?? null,
    c.like_count ?? null,
    c.comment_count ?? null,
  ],
};

// ── reactions ──────────────────────────────────────────────────────────────────────────────────────

/** Graph's reaction types (THANKFUL and PRIDE were temporary ones and still appear in old data). */
export const REACTION_TYPES = ["LIKE", "LOVE", "WOW", "HAHA", "SAD", "ANGRY", "CARE", "THANKFUL", "PRIDE"] as const;

export const FacebookReaction = z.object({
  id: zId,
  name: z.string().optional(),
  type: z.enum(REACTION_TYPES),
  profile_type: z.string().optional(),
  object_id: zId,
  created_time: zIsoTime.optional(),
});
export type FacebookReaction = z.infer<typeof FacebookReaction>;

export const reactions: EntitySpec<FacebookReaction> = {
  network: "facebook",
  entity: "reactions",
  format: "jsonl",
  schema: FacebookReaction,
  columns: [
    { name: "id", type: "VARCHAR", doc: "the reacting profile" },
    { name: "name", type: "VARCHAR" },
    { name: "type", type: "VARCHAR", doc: "LIKE, LOVE, WOW, HAHA, SAD, ANGRY, CARE…" },
    { name: "object_id", type: "VARCHAR", doc: "the post or comment reacted to" },
    { name: "created_time", type: "TIMESTAMPTZ", doc: "when, if the export knows" },
  ],
  toRow: (r) => [r.id, r.name ?? null, r.type, r.object_id, r.created_time ?? null],
};

// ── shares ─────────────────────────────────────────────────────────────────────────────────────────

export const FacebookShare = z.object({
  id: zId,
  from: From,
  created_time: zIsoTime,
  parent_id: zId,
  message: z.string().optional(),
  status_type: z.string().optional(),
  permalink_url: z.string().optional(),
});
export type FacebookShare = z.infer<typeof FacebookShare>;

export const shares: EntitySpec<FacebookShare> = {
  network: "facebook",
  entity: "shares",
  format: "jsonl",
  schema: FacebookShare,
  columns: [
    { name: "id", type: "VARCHAR", doc: "the sharing post" },
    { name: "from__id", type: "VARCHAR", doc: "who shared" },
    { name: "from__name", type: "VARCHAR" },
    { name: "created_time", type: "TIMESTAMPTZ" },
    { name: "parent_id", type: "VARCHAR", doc: "the shared post" },
    { name: "message", type: "VARCHAR", doc: "what the sharer wrote above it" },
  ],
  toRow: (s) => [s.id, s.from.id, s.from.name ?? null, s.created_time, s.parent_id, s.message ?? null],
};

// ── friends ────────────────────────────────────────────────────────────────────────────────────────

export const FacebookFriends = z.object({
  id: zId,
  name: z.string(),
  friends: z.object({
    data: z.array(z.object({ id: zId, name: z.string().optional() })),
    summary: z.object({ total_count: zCount }).optional(),
  }),
});
export type FacebookFriends = z.infer<typeof FacebookFriends>;

export const friends: EntitySpec<FacebookFriends> = {
  network: "facebook",
  entity: "friends",
  format: "jsonl",
  schema: FacebookFriends,
  columns: [
    { name: "id", type: "VARCHAR", doc: "the user" },
    { name: "name", type: "VARCHAR" },
    { name: "friends__data__id", type: "VARCHAR[]", doc: "friends visible to the exporting app" },
    { name: "friends__summary__total_count", type: "BIGINT", doc: "all friends, as Graph reports" },
  ],
  toRow: (f) => [f.id, f.name, f.friends.data.map((d) => d.id), f.friends.summary?.total_count ?? null],
};

// ── emit ───────────────────────────────────────────────────────────────────────────────────────────

/** Graph message_tags for the @handles written in the text (Graph names the profile without the @). */
function messageTags(text: string, mentions: { accountId: string; handle: string }[]): Record<string, unknown>[] {
  return mentions.map((m) => {
    const at = text.toLowerCase().indexOf(`@${m.handle}`.toLowerCase());
    return at >= 0
      ? { id: m.accountId, name: m.handle, type: "user", offset: at + 1, length: m.handle.length }
      : { id: m.accountId, name: m.handle, type: "user" };
  });
}

function reactionType(t: string | undefined): (typeof REACTION_TYPES)[number] {
  const upper = (t ?? "like").toUpperCase();
  return (REACTION_TYPES as readonly string[]).includes(upper) ? (upper as (typeof REACTION_TYPES)[number]) : "LIKE";
}

function emit(event: WorldEvent): Emitted[] {
  switch (event.kind) {
    case "account":
      // Facebook reports no following count: friendship is mutual, so friends are the follower count.
      return [{ entity: "friends", record: { id: event.accountId, name: event.displayName, friends: { data: [], summary: { total_count: event.followerCount } } } }];
    case "content": {
      const from = { id: event.accountId, name: event.handle };
      const common = { from, created_time: fbTime(event.createdAtMs), message: event.text, message_tags: messageTags(event.text, event.mentions) };
      if (event.contentType === "post") {
        return [{ entity: "posts", record: { id: event.contentId, ...common, status_type: "mobile_status_update" } }];
      }
      if (event.contentType === "comment" && event.parent) {
        const p = event.parent;
        // A reply to a comment names the comment as `parent` and hangs under the thread's root post.
        const thread = p.rootContentId
          ? { post_id: p.rootContentId, parent: { id: p.contentId, from: { id: p.accountId, name: p.handle } } }
          : { post_id: p.contentId };
        return [{ entity: "comments", record: { id: event.contentId, ...thread, ...common } }];
      }
      return [];
    }
    case "interaction": {
      const target = event.targetContentId;
      if (!target) return [];
      const from = { id: event.actorAccountId, name: event.actorHandle };
      const created_time = fbTime(event.occurredAtMs);
      switch (event.action) {
        case "reaction":
          return [{ entity: "reactions", record: { id: event.actorAccountId, name: event.actorHandle, type: reactionType(event.reactionType), object_id: target, created_time } }];
        case "share":
          return [{ entity: "shares", record: { id: event.interactionId, from, created_time, parent_id: target, status_type: "shared_story" } }];
        case "comment":
          return [{ entity: "comments", record: { id: event.interactionId, post_id: target, from, created_time } }];
        default:
          return [];
      }
    }
    case "delete":
      return [];
  }
}

export const facebook: NetworkSpec = {
  name: "facebook",
  entities: [posts, comments, reactions, shares, friends],
  supports: { contentTypes: ["post", "comment"], actions: ["comment", "reaction", "share"], accounts: true, deletes: false },
  emit,
};
