import { z } from "zod";
import { hashtagsIn, zCount, zId, zIsoTime } from "../fields.ts";
import type { CellValue, Column, Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * X (Twitter) exports, modelled on the X API v2 Tweet and User objects. Likes and follows are not part of
 * the v2 Tweet object; they are exported one edge a line, named after the v2 endpoints that manage them:
 * a like is `{user_id, tweet_id, created_at?}` (POST /2/users/:id/likes with body {tweet_id}; GET
 * /2/tweets/:id/liking_users), a follow is `{source_user_id, target_user_id, created_at?}` (POST
 * /2/users/:id/following with body {target_user_id}). The API gives no time for either edge, so
 * `created_at` is optional; staging falls back to the landing date.
 */

// ── tweets ─────────────────────────────────────────────────────────────────────────────────────────

const ReferencedTweet = z.object({ type: z.enum(["retweeted", "quoted", "replied_to"]), id: zId });
const HashtagEntity = z.object({ start: z.number().int().optional(), end: z.number().int().optional(), tag: z.string().min(1) });
// Current v2 responses give the mentioned user's `id`; older ones only the username.
const MentionEntity = z.object({
  start: z.number().int().optional(),
  end: z.number().int().optional(),
  username: z.string().min(1),
  id: zId.optional(),
});

export const TwitterTweet = z.object({
  id: zId,
  text: z.string(),
  author_id: zId,
  created_at: zIsoTime,
  conversation_id: zId.optional(),
  in_reply_to_user_id: zId.optional(),
  referenced_tweets: z.array(ReferencedTweet).optional(),
  entities: z
    .object({
      hashtags: z.array(HashtagEntity).optional(),
      mentions: z.array(MentionEntity).optional(),
    })
    .optional(),
  public_metrics: z
    .object({
      retweet_count: zCount,
      reply_count: zCount,
      like_count: zCount,
      quote_count: zCount,
      impression_count: zCount.optional(),
      bookmark_count: zCount.optional(),
    })
    .optional(),
  lang: z.string().optional(),
});
export type TwitterTweet = z.infer<typeof TwitterTweet>;

const tweetColumns: Column[] = [
  { name: "id", type: "VARCHAR", doc: "tweet id" },
  { name: "text", type: "VARCHAR", doc: "tweet text; a retweet's starts with `RT @author:`" },
  { name: "author_id", type: "VARCHAR" },
  { name: "created_at", type: "TIMESTAMPTZ" },
  { name: "conversation_id", type: "VARCHAR", doc: "id of the tweet that started the thread" },
  { name: "in_reply_to_user_id", type: "VARCHAR", doc: "author of the tweet replied to (replies only)" },
  { name: "referenced_tweets__type", type: "VARCHAR[]", doc: "retweeted | quoted | replied_to, aligned with referenced_tweets__id" },
  { name: "referenced_tweets__id", type: "VARCHAR[]" },
  { name: "entities__hashtags__tag", type: "VARCHAR[]", doc: "hashtag tags as written; #tags found in text when the export has no entities" },
  { name: "entities__mentions__username", type: "VARCHAR[]" },
  { name: "entities__mentions__id", type: "VARCHAR[]", doc: "aligned with entities__mentions__username; '' where the export gave no id" },
  { name: "public_metrics__retweet_count", type: "BIGINT" },
  { name: "public_metrics__reply_count", type: "BIGINT" },
  { name: "public_metrics__like_count", type: "BIGINT" },
  { name: "public_metrics__quote_count", type: "BIGINT" },
  { name: "public_metrics__impression_count", type: "BIGINT" },
  { name: "lang", type: "VARCHAR" },
];

export const tweets: EntitySpec<TwitterTweet> = {
  network: "twitter",
  entity: "tweets",
  format: "jsonl",
  schema: TwitterTweet,
  columns: tweetColumns,
  toRow: (t): CellValue[] => {
    const mentions = t.entities?.mentions ?? [];
    return [
      t.id,
      t.text,
      t.author_id,
      t.created_at,
      t.conversation_id ?? null,
      t.in_reply_to_user_id ?? null,
      (t.referenced_tweets ?? []).map((r) => r.type),
      (t.referenced_tweets ?? []).map((r) => r.id),
      t.entities?.hashtags ? t.entities.hashtags.map((h) => h.tag) : hashtagsIn(t.text),
      mentions.map((m) => m.username),
      // '' keeps the two lists aligned (landed lists hold strings only); staging reads it as "no id".
      mentions.map((m) => m.id ?? ""),
      t.public_metrics?.retweet_count ?? null,
      t.public_metrics?.reply_count ?? null,
      t.public_metrics?.like_count ?? null,
      t.public_metrics?.quote_count ?? null,
      t.public_metrics?.impression_count ?? null,
      t.lang ?? null,
    ];
  },
};

// ── users ──────────────────────────────────────────────────────────────────────────────────────────

export const TwitterUser = z.object({
  id: zId,
  username: z.string().min(1),
  name: z.string(),
  created_at: zIsoTime.optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  verified: z.boolean().optional(),
  protected: z.boolean().optional(),
  public_metrics: z
    .object({
      followers_count: zCount,
      following_count: zCount,
      tweet_count: zCount.optional(),
      listed_count: zCount.optional(),
    })
    .optional(),
});
export type TwitterUser = z.infer<typeof TwitterUser>;

export const users: EntitySpec<TwitterUser> = {
  network: "twitter",
  entity: "users",
  format: "jsonl",
  schema: TwitterUser,
  columns: [
    { name: "id", type: "VARCHAR" },
    { name: "username", type: "VARCHAR", doc: "handle, without @" },
    { name: "name", type: "VARCHAR", doc: "display name" },
    { name: "created_at", type: "TIMESTAMPTZ", doc: "account creation" },
    { name: "description", type: "VARCHAR" },
    { name: "location", type: "VARCHAR" },
    { name: "verified", type: "BOOLEAN" },
    { name: "protected", type: "BOOLEAN" },
    { name: "public_metrics__followers_count", type: "BIGINT" },
    { name: "public_metrics__following_count", type: "BIGINT" },
    { name: "public_metrics__tweet_count", type: "BIGINT" },
    { name: "public_metrics__listed_count", type: "BIGINT" },
  ],
  toRow: (u) => [
    u.id,
    u.username,
    u.name,
    u.created_at ?? null,
    u.description ?? null,
    u.location ?? null,
    u.verified ?? null,
    u.protected ?? null,
    u.public_metrics?.followers_count ?? null,
    u.public_metrics?.following_count ?? null,
    u.public_metrics?.tweet_count ?? null,
    u.public_metrics?.listed_count ?? null,
  ],
};

// ── likes ──────────────────────────────────────────────────────────────────────────────────────────

export const TwitterLike = z.object({
  /** The liking user (GET /2/tweets/:id/liking_users gives these users). */
  user_id: zId,
  tweet_id: zId,
  created_at: zIsoTime.optional(),
});
export type TwitterLike = z.infer<typeof TwitterLike>;

export const likes: EntitySpec<TwitterLike> = {
  network: "twitter",
  entity: "likes",
  format: "jsonl",
  schema: TwitterLike,
  columns: [
    { name: "user_id", type: "VARCHAR", doc: "who liked" },
    { name: "tweet_id", type: "VARCHAR", doc: "the liked tweet" },
    { name: "created_at", type: "TIMESTAMPTZ", doc: "when, if the export knows" },
  ],
  toRow: (l) => [l.user_id, l.tweet_id, l.created_at ?? null],
};

// ── follows ────────────────────────────────────────────────────────────────────────────────────────

export const TwitterFollow = z.object({
  source_user_id: zId,
  target_user_id: zId,
  created_at: zIsoTime.optional(),
});
export type TwitterFollow = z.infer<typeof TwitterFollow>;

export const follows: EntitySpec<TwitterFollow> = {
  network: "twitter",
  entity: "follows",
  format: "jsonl",
  schema: TwitterFollow,
  columns: [
    { name: "source_user_id", type: "VARCHAR", doc: "the follower" },
    { name: "target_user_id", type: "VARCHAR", doc: "the account followed" },
    { name: "created_at", type: "TIMESTAMPTZ", doc: "when, if the export knows" },
  ],
  toRow: (f) => [f.source_user_id, f.target_user_id, f.created_at ?? null],
};

// ── emit ───────────────────────────────────────────────────────────────────────────────────────────

/** X writes times as `2026-11-24T10:00:00.000Z`, which is exactly toISOString. */
const iso = (ms: number) => new Date(ms).toISOString();

type Ref = { contentId: string; accountId: string; handle: string };

interface TweetDraft {
  id: string;
  authorId: string;
  createdAtMs: number;
  kind: "post" | "reply" | "repost" | "quote";
  text: string;
  hashtags: string[];
  mentions: { accountId: string; handle: string }[];
  parent?: Ref | undefined;
}

/** Where `needle` first appears in `text` (case-insensitive), from `from` on; -1 when absent. */
function find(text: string, needle: string, from = 0): number {
  return text.toLowerCase().indexOf(needle.toLowerCase(), from);
}

function tweetRecord(d: TweetDraft): Record<string, unknown> {
  // A retweet's text is "RT @author: <original text>" and X lists that author as the first mention.
  const prefix = d.kind === "repost" && d.parent ? `RT @${d.parent.handle}: ` : "";
  const text = prefix + d.text;
  const mentions: Record<string, unknown>[] = [];
  if (prefix && d.parent) mentions.push({ start: 3, end: 4 + d.parent.handle.length, username: d.parent.handle, id: d.parent.accountId });
  for (const m of d.mentions) {
    const at = find(text, `@${m.handle}`, prefix.length);
    mentions.push(at >= 0 ? { start: at, end: at + 1 + m.handle.length, username: m.handle, id: m.accountId } : { username: m.handle, id: m.accountId });
  }
  const hashtags = d.hashtags.map((tag) => {
    const at = find(text, `#${tag}`);
    return at >= 0 ? { start: at, end: at + 1 + tag.length, tag: text.slice(at + 1, at + 1 + tag.length) } : { tag };
  });
  const type = d.kind === "repost" ? "retweeted" : d.kind === "quote" ? "quoted" : d.kind === "reply" ? "replied_to" : undefined;
  return {
    id: d.id,
    text,
    author_id: d.authorId,
    created_at: iso(d.createdAtMs),
    edit_history_tweet_ids: [d.id],
    ...(d.kind === "reply" && d.parent ? { in_reply_to_user_id: d.parent.accountId } : {}),
    ...(type && d.parent ? { referenced_tweets: [{ type, id: d.parent.contentId }] } : {}),
    entities: { hashtags, mentions },
    public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, impression_count: 0, bookmark_count: 0 },
    lang: "en",
  };
}

function emit(event: WorldEvent): Emitted[] {
  switch (event.kind) {
    case "account":
      return [
        {
          entity: "users",
          record: {
            id: event.accountId,
            username: event.handle,
            name: event.displayName,
            created_at: iso(event.createdAtMs),
            verified: event.verified,
            protected: false,
            public_metrics: { followers_count: event.followerCount, following_count: event.followingCount },
          },
        },
      ];
    case "content": {
      const t = event.contentType;
      if (t !== "post" && t !== "reply" && t !== "repost" && t !== "quote") return [];
      if (t !== "post" && !event.parent) return [];
      const record = tweetRecord({
        id: event.contentId,
        authorId: event.accountId,
        createdAtMs: event.createdAtMs,
        kind: t,
        text: event.text,
        hashtags: event.hashtags,
        mentions: event.mentions,
        parent: event.parent,
      });
      return [{ entity: "tweets", record }];
    }
    case "interaction": {
      const base = { id: event.interactionId, authorId: event.actorAccountId, createdAtMs: event.occurredAtMs, hashtags: [] };
      const target = { accountId: event.targetAccountId, handle: event.targetHandle };
      const parent = event.targetContentId ? { ...target, contentId: event.targetContentId } : undefined;
      switch (event.action) {
        case "reaction":
          if (!event.targetContentId) return [];
          return [{ entity: "likes", record: { user_id: event.actorAccountId, tweet_id: event.targetContentId, created_at: iso(event.occurredAtMs) } }];
        case "follow":
          return [
            { entity: "follows", record: { source_user_id: event.actorAccountId, target_user_id: event.targetAccountId, created_at: iso(event.occurredAtMs) } },
          ];
        // Retweets, quotes, replies and mentions are tweets on X: the interaction becomes one.
        case "repost":
          if (!parent) return [];
          return [{ entity: "tweets", record: tweetRecord({ ...base, kind: "repost", text: "", mentions: [], parent }) }];
        case "quote":
          if (!parent) return [];
          return [{ entity: "tweets", record: tweetRecord({ ...base, kind: "quote", text: `https://x.com/${target.handle}/status/${parent.contentId}`, mentions: [], parent }) }];
        case "reply":
          if (!parent) return [];
          return [{ entity: "tweets", record: tweetRecord({ ...base, kind: "reply", text: `@${target.handle}`, mentions: [target], parent }) }];
        case "mention":
          return [{ entity: "tweets", record: tweetRecord({ ...base, kind: "post", text: `@${target.handle}`, mentions: [target] }) }];
        default:
          return [];
      }
    }
    case "delete":
      return [];
  }
}

export const twitter: NetworkSpec = {
  name: "twitter",
  entities: [tweets, users, likes, follows],
  supports: {
    contentTypes: ["post", "reply", "repost", "quote"],
    actions: ["repost", "quote", "reply", "mention", "reaction", "follow"],
    accounts: true,
    deletes: false,
  },
  emit,
};
