import { z } from "zod";
import { hashtagsIn, zCount, zEpochSeconds, zId } from "../fields.ts";
import type { Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Reddit, as Pushshift / Arctic Shift dump lines (RS_… submissions, RC_… comments): one Reddit API "thing"
 * per line. Quirks kept: `created_utc` is an int in most dumps and a string in some; `author` is
 * `"[deleted]"` once the account is gone; `link_id` / `parent_id` are fullnames (`t3_` submission, `t1_`
 * comment) while `id` is bare base36. Reddit names accounts by username, so the account id is `author`.
 */

/** A fullname: kind prefix + id (base36 on Reddit; only the prefix is checked, it says what the parent is). */
const fullname = (kinds: "3" | "13") =>
  z.string().regex(kinds === "3" ? /^t3_\S+$/ : /^t[13]_\S+$/, kinds === "3" ? "a submission fullname t3_<id>" : "a fullname t1_<id> or t3_<id>");

/** Score is upvotes minus downvotes: it can be negative (and some dumps write it as a string). */
const zScore = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d{1,15}$/, "a score written as a string of digits")
    .transform((s) => Number(s)),
]);

const zAuthor = z.string().min(1, "empty author");

/** Pushshift submission (link) line. */
export const RedditSubmission = z.object({
  id: zId,
  author: zAuthor,
  subreddit: z.string().min(1, "empty subreddit"),
  created_utc: zEpochSeconds,
  title: z.string(),
  selftext: z.string().nullish(),
  score: zScore.nullish(),
  num_comments: zCount.nullish(),
  permalink: z.string().nullish(),
});
export type RedditSubmission = z.infer<typeof RedditSubmission>;

/** Pushshift comment line. */
export const RedditComment = z.object({
  id: zId,
  author: zAuthor,
  body: z.string(),
  link_id: fullname("3"),
  parent_id: fullname("13"),
  created_utc: zEpochSeconds,
  subreddit: z.string().min(1, "empty subreddit").nullish(),
  score: zScore.nullish(),
  permalink: z.string().nullish(),
});
export type RedditComment = z.infer<typeof RedditComment>;

const submissions: EntitySpec<RedditSubmission> = {
  network: "reddit",
  entity: "submissions",
  format: "jsonl",
  schema: RedditSubmission,
  columns: [
    { name: "id", type: "VARCHAR", doc: "base36 id (fullname t3_<id>)" },
    { name: "author", type: "VARCHAR", doc: "username, or [deleted]" },
    { name: "subreddit", type: "VARCHAR" },
    { name: "created_utc", type: "TIMESTAMPTZ" },
    { name: "title", type: "VARCHAR" },
    { name: "selftext", type: "VARCHAR", doc: "empty for link posts; [removed] / [deleted] when taken down" },
    { name: "score", type: "BIGINT", doc: "upvotes minus downvotes at retrieval" },
    { name: "num_comments", type: "BIGINT" },
    { name: "permalink", type: "VARCHAR" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived at ingest: hashtagsIn(title + selftext)" },
  ],
  toRow: (s) => [
    s.id,
    s.author,
    s.subreddit,
    s.created_utc,
    s.title,
    s.selftext ?? null,
    s.score ?? null,
    s.num_comments ?? null,
    s.permalink ?? null,
    hashtagsIn(`${s.title}\n${s.selftext ?? ""}`),
  ],
};

const comments: EntitySpec<RedditComment> = {
  network: "reddit",
  entity: "comments",
  format: "jsonl",
  schema: RedditComment,
  columns: [
    { name: "id", type: "VARCHAR", doc: "base36 id (fullname t1_<id>)" },
    { name: "author", type: "VARCHAR", doc: "username, or [deleted]" },
    { name: "body", type: "VARCHAR" },
    { name: "link_id", type: "VARCHAR", doc: "the submission's fullname t3_…" },
    { name: "parent_id", type: "VARCHAR", doc: "the parent's fullname: t3_… (submission) or t1_… (comment)" },
    { name: "created_utc", type: "TIMESTAMPTZ" },
    { name: "subreddit", type: "VARCHAR" },
    { name: "score", type: "BIGINT" },
    { name: "permalink", type: "VARCHAR" },
    { name: "hashtags", type: "VARCHAR[]", doc: "derived at ingest: hashtagsIn(body)" },
  ],
  toRow: (c) => [
    c.id,
    c.author,
    c.body,
    c.link_id,
    c.parent_id,
    c.created_utc,
    c.subreddit ?? null,
    c.score ?? null,
    c.permalink ?? null,
    hashtagsIn(c.body),
  ],
};

/**
 * Dumps write created_utc as an int mostly and as a string sometimes; pick the string form for about a third
 * of records, decided by the id so that emitting twice gives the same lines.
 */
function createdUtc(id: string, ms: number): number | string {
  const s = Math.floor(ms / 1000);
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 997;
  return h % 3 === 0 ? String(s) : s;
}

/**
 * Where a comment sits in its thread. WorldEvent's parent names only the direct parent; a reply to a comment
 * also needs its submission (`rootContentId`, not yet in the shared type). Without it, the parent is taken
 * to be the submission.
 */
type ThreadParent = { contentId: string; rootContentId?: string };

function comment(id: string, handle: string, body: string, atMs: number, parent: ThreadParent, subreddit: string | undefined): Emitted {
  const root = parent.rootContentId ?? parent.contentId;
  const onSubmission = root === parent.contentId;
  return {
    entity: "comments",
    record: {
      id,
      author: handle,
      body,
      link_id: `t3_${root}`,
      parent_id: onSubmission ? `t3_${root}` : `t1_${parent.contentId}`,
      created_utc: createdUtc(id, atMs),
      score: 1,
      ...(subreddit ? { subreddit, permalink: `/r/${subreddit}/comments/${root}/comment/${id}/` } : {}),
    },
  };
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "").slice(0, 50);
}

function emit(event: WorldEvent): Emitted[] {
  if (event.kind === "content") {
    const subreddit = event.topicHints[0];
    if (event.contentType === "post") {
      // A post without a subreddit is a post to the author's profile, which Reddit files under u_<name>.
      const sub = subreddit ?? `u_${event.handle}`;
      // Title is required on Reddit; without one the text's start is the title and there is no body.
      const title = event.title ?? event.text.slice(0, 300);
      const selftext = event.title === undefined ? "" : event.text;
      return [
        {
          entity: "submissions",
          record: {
            id: event.contentId,
            name: `t3_${event.contentId}`,
            author: event.handle,
            subreddit: sub,
            created_utc: createdUtc(event.contentId, event.createdAtMs),
            title,
            selftext,
            // What a dump captures right after posting: the author's own upvote, no comments yet.
            score: 1,
            num_comments: 0,
            permalink: `/r/${sub}/comments/${event.contentId}/${slug(title)}/`,
          },
        },
      ];
    }
    if ((event.contentType === "reply" || event.contentType === "comment") && event.parent) {
      return [comment(event.contentId, event.handle, event.text, event.createdAtMs, event.parent, subreddit)];
    }
    return [];
  }
  if (event.kind === "interaction" && (event.action === "reply" || event.action === "comment") && event.targetContentId) {
    // A reply given as an interaction carries no text; it is still a comment line.
    return [comment(event.interactionId, event.actorHandle, "", event.occurredAtMs, { contentId: event.targetContentId }, undefined)];
  }
  return [];
}

export const reddit: NetworkSpec = {
  name: "reddit",
  entities: [submissions, comments],
  supports: { contentTypes: ["post", "reply"], actions: ["reply"], accounts: false, deletes: false },
  emit,
};
