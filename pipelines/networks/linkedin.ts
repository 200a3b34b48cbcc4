import { z } from "zod";
import { hashtagsIn, isoToMs, zEpochMillis, zId } from "../fields.ts";
import { RecordError, type EntitySpec, type Emitted, type NetworkSpec, type WorldEvent } from "../types.ts";

/**
 * LinkedIn exports: the Posts API (`/rest/posts`), socialActions comments and the Reactions API as JSON
 * Lines, and connections as CSV. Everything is named by URN (`urn:li:person:…`, `urn:li:share:…`,
 * `urn:li:ugcPost:…`, `urn:li:activity:…`); times are epoch milliseconds. Post commentary is in LinkedIn's
 * "little text" format: mentions are `@[Name](urn:li:person:…)`, hashtags `{hashtag|\#|tag}`, and the
 * reserved characters `\ | { } @ [ ] ( ) < > # * _ ~` are backslash-escaped in plain text.
 */

const PERSON_URN = /^urn:li:person:\S+$/;
const AUTHOR_URN = /^urn:li:(person|organization):\S+$/;
const POST_URN = /^urn:li:(share|ugcPost):\S+$/;
/** What a comment or reaction may point at: a post, its feed activity, or a comment. */
const OBJECT_URN = /^urn:li:(share|ugcPost|activity|comment):\S+$/;

const zPerson = z.string().regex(PERSON_URN, "a person URN like urn:li:person:…");
const zAuthor = z.string().regex(AUTHOR_URN, "a person or organization URN");
const zPost = z.string().regex(POST_URN, "a post URN like urn:li:share:… or urn:li:ugcPost:…");
const zObject = z.string().regex(OBJECT_URN, "a share, ugcPost, activity or comment URN");
/** The audit stamp LinkedIn puts on comments and reactions: who and when (epoch ms). */
const zAuditStamp = z.object({ actor: zPerson, time: zEpochMillis });

export const REACTION_TYPES = ["LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT", "MAYBE"] as const;

// ---- little text -------------------------------------------------------------------------------------

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;
const escapeLittle = (s: string) => s.replace(RESERVED, (c) => `\\${c}`);
const unescapeLittle = (s: string) => s.replace(/\\(.)/gu, "$1");

/** Plain text with `#tags` and `@handles` → little text, mentions resolved to person URNs. */
export function toLittleText(text: string, mentions: { accountId: string; handle: string }[]): string {
  const byHandle = new Map(mentions.map((m) => [m.handle.toLowerCase(), m]));
  return text.replace(/@([\p{L}\p{N}_]+)|#([\p{L}\p{N}_]+)|[\\|{}@[\]()<>#*_~]/gu, (all, handle?: string, tag?: string) => {
    const m = handle ? byHandle.get(handle.toLowerCase()) : undefined;
    if (m) return `@[${escapeLittle(m.handle)}](urn:li:person:${m.accountId})`;
    if (tag) return `{hashtag|\\#|${escapeLittle(tag)}}`;
    return escapeLittle(all);
  });
}

/** Little text → plain text (`@Name`, `#tag`, escapes removed) and the mentioned URNs in order. */
export function fromLittleText(little: string): { text: string; mentions: string[] } {
  const mentions: string[] = [];
  const text = little.replace(
    /@\[((?:\\.|[^\]\\])*)\]\((urn:li:[A-Za-z]+:[^)\s]+)\)|\{hashtag\|\\#\|((?:\\.|[^}\\])*)\}|\\(.)/gu,
    (_all, name?: string, urn?: string, tag?: string, escaped?: string) => {
      if (urn !== undefined) {
        if (!mentions.includes(urn)) mentions.push(urn);
        return `@${unescapeLittle(name ?? "")}`;
      }
      if (tag !== undefined) return `#${unescapeLittle(tag)}`;
      return escaped ?? "";
    },
  );
  return { text, mentions };
}

// ---- posts ---------------------------------------------------------------------------------------------

/** A Posts API post. A reshare carries `reshareContext` (parent: the post reshared; root: the original). */
export const LinkedinPost = z.object({
  id: zPost,
  author: zAuthor,
  commentary: z.string().optional(),
  visibility: z.string().optional(),
  lifecycleState: z.string().optional(),
  createdAt: zEpochMillis,
  publishedAt: zEpochMillis.optional(),
  lastModifiedAt: zEpochMillis.optional(),
  reshareContext: z.object({ parent: zPost, root: zPost.optional() }).optional(),
  isReshareDisabledByAuthor: z.boolean().optional(),
});
export type LinkedinPost = z.infer<typeof LinkedinPost>;

const posts: EntitySpec<LinkedinPost> = {
  network: "linkedin",
  entity: "posts",
  format: "jsonl",
  schema: LinkedinPost,
  columns: [
    { name: "id", type: "VARCHAR", doc: "post URN, urn:li:share:… or urn:li:ugcPost:…" },
    { name: "author", type: "VARCHAR", doc: "author URN (person or organization)" },
    { name: "commentary", type: "VARCHAR", doc: "the text as delivered, in little text format" },
    { name: "commentary__text", type: "VARCHAR", doc: "commentary as plain text (mentions as @Name)" },
    { name: "commentary__hashtags", type: "VARCHAR[]", doc: "hashtags in the commentary, lowercased" },
    { name: "commentary__mentions", type: "VARCHAR[]", doc: "URNs mentioned in the commentary" },
    { name: "visibility", type: "VARCHAR" },
    { name: "lifecycleState", type: "VARCHAR" },
    { name: "createdAt", type: "TIMESTAMPTZ" },
    { name: "publishedAt", type: "TIMESTAMPTZ" },
    { name: "lastModifiedAt", type: "TIMESTAMPTZ" },
    { name: "reshareContext__parent", type: "VARCHAR", doc: "the post this one reshares" },
    { name: "reshareContext__root", type: "VARCHAR", doc: "the original post of a reshare chain" },
  ],
  toRow: (r) => {
    const little = r.commentary === undefined ? null : fromLittleText(r.commentary);
    return [
      r.id,
      r.author,
      r.commentary ?? null,
      little?.text ?? null,
      hashtagsIn(little?.text),
      little?.mentions ?? [],
      r.visibility ?? null,
      r.lifecycleState ?? null,
      r.createdAt,
      r.publishedAt ?? null,
      r.lastModifiedAt ?? null,
      r.reshareContext?.parent ?? null,
      r.reshareContext?.root ?? null,
    ];
  },
};

// ---- comments ------------------------------------------------------------------------------------------

/** A mention inside a comment: a span of the text attributed to a member (or company). */
const zAttribute = z.object({
  start: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  value: z.object({
    "com.linkedin.common.MemberAttributedEntity": z.object({ member: zPerson }).optional(),
    "com.linkedin.common.CompanyAttributedEntity": z.object({ company: z.string() }).optional(),
  }),
});

/** A socialActions comment: `object` is what it comments on; `parentComment` is set on a reply to a comment. */
export const LinkedinComment = z.object({
  id: zId,
  commentUrn: z.string().optional(),
  actor: zAuthor,
  object: zObject,
  parentComment: z.string().regex(/^urn:li:comment:\(.+\)$/, "a comment URN like urn:li:comment:(urn:li:activity:…,…)").optional(),
  message: z.object({ text: z.string(), attributes: z.array(zAttribute).optional() }),
  created: zAuditStamp,
  lastModified: zAuditStamp.optional(),
});
export type LinkedinComment = z.infer<typeof LinkedinComment>;

const comments: EntitySpec<LinkedinComment> = {
  network: "linkedin",
  entity: "comments",
  format: "jsonl",
  schema: LinkedinComment,
  columns: [
    { name: "id", type: "VARCHAR", doc: "comment id" },
    { name: "commentUrn", type: "VARCHAR", doc: "urn:li:comment:(<object>,<id>)" },
    { name: "actor", type: "VARCHAR", doc: "commenter URN" },
    { name: "object", type: "VARCHAR", doc: "URN of the post (activity) commented on" },
    { name: "parentComment", type: "VARCHAR", doc: "URN of the comment replied to, if a nested comment" },
    { name: "message__text", type: "VARCHAR" },
    { name: "message__hashtags", type: "VARCHAR[]", doc: "hashtags in the text, lowercased" },
    { name: "message__mentions", type: "VARCHAR[]", doc: "member URNs attributed in the text" },
    { name: "created__time", type: "TIMESTAMPTZ" },
    { name: "lastModified__time", type: "TIMESTAMPTZ" },
  ],
  toRow: (r) => [
    r.id,
    r.commentUrn ?? null,
    r.actor,
    r.object,
    r.parentComment ?? null,
    r.message.text,
    hashtagsIn(r.message.text),
    [...new Set((r.message.attributes ?? []).flatMap((a) => a.value["com.linkedin.common.MemberAttributedEntity"]?.member ?? []))],
    r.created.time,
    r.lastModified?.time ?? null,
  ],
};

// ---- reactions -----------------------------------------------------------------------------------------

/** A Reactions API reaction: id `urn:li:reaction:(<actor>,<entity>)`, `root` the post (activity) reacted to. */
export const LinkedinReaction = z.object({
  id: z.string().regex(/^urn:li:reaction:\(.+\)$/, "a reaction URN like urn:li:reaction:(urn:li:person:…,urn:li:activity:…)"),
  reactionType: z.enum(REACTION_TYPES),
  root: zObject,
  created: zAuditStamp,
  lastModified: zAuditStamp.optional(),
});
export type LinkedinReaction = z.infer<typeof LinkedinReaction>;

const reactions: EntitySpec<LinkedinReaction> = {
  network: "linkedin",
  entity: "reactions",
  format: "jsonl",
  schema: LinkedinReaction,
  columns: [
    { name: "id", type: "VARCHAR", doc: "reaction URN" },
    { name: "reactionType", type: "VARCHAR", doc: "LIKE, PRAISE, EMPATHY, INTEREST, APPRECIATION, ENTERTAINMENT, MAYBE" },
    { name: "root", type: "VARCHAR", doc: "URN of what was reacted to" },
    { name: "created__actor", type: "VARCHAR", doc: "who reacted" },
    { name: "created__time", type: "TIMESTAMPTZ" },
    { name: "lastModified__time", type: "TIMESTAMPTZ" },
  ],
  toRow: (r) => [r.id, r.reactionType, r.root, r.created.actor, r.created.time, r.lastModified?.time ?? null],
};

// ---- connections (CSV) ---------------------------------------------------------------------------------

/**
 * The header of connections.csv: LinkedIn's own Connections.csv columns (First Name … Connected On), led
 * by the two URNs a multi-member export needs (whose list the row is from, and who the connection is).
 */
export const CONNECTION_HEADERS = [
  "Member URN",
  "Connection URN",
  "First Name",
  "Last Name",
  "URL",
  "Email Address",
  "Company",
  "Position",
  "Connected On",
] as const;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Connected On` as LinkedIn writes it, a date without a time: `24 Nov 2026` → epoch ms of midnight UTC. */
export function connectedOnToMs(raw: string): number {
  const m = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$/.exec(raw.trim());
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) throw new RecordError(`date ${JSON.stringify(raw)} is not like "24 Nov 2026"`);
  const iso = `${m[3]}-${String(month + 1).padStart(2, "0")}-${m[1]!.padStart(2, "0")}T00:00:00Z`;
  try {
    return isoToMs(iso);
  } catch (e) {
    // Name the value as the file wrote it, not the ISO form it was checked in.
    throw new RecordError((e as Error).message.replace(`time ${JSON.stringify(iso)}`, `date ${JSON.stringify(raw)}`));
  }
}

const zCell = z.string().transform((s) => (s.trim() === "" ? null : s));
const zConnectedOn = z.string().transform((s, ctx) => {
  try {
    return connectedOnToMs(s);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

export const LinkedinConnection = z.object({
  "Member URN": zPerson,
  "Connection URN": zPerson,
  "First Name": zCell.optional(),
  "Last Name": zCell.optional(),
  URL: zCell.optional(),
  "Email Address": zCell.optional(),
  Company: zCell.optional(),
  Position: zCell.optional(),
  "Connected On": zConnectedOn,
});
export type LinkedinConnection = z.infer<typeof LinkedinConnection>;

const connections: EntitySpec<LinkedinConnection> = {
  network: "linkedin",
  entity: "connections",
  format: "csv",
  schema: LinkedinConnection,
  columns: [
    { name: "Member URN", type: "VARCHAR", doc: "the member whose connection list the row is from" },
    { name: "Connection URN", type: "VARCHAR", doc: "the connected member" },
    { name: "First Name", type: "VARCHAR" },
    { name: "Last Name", type: "VARCHAR" },
    { name: "URL", type: "VARCHAR", doc: "the connection's profile URL (linkedin.com/in/<vanity name>)" },
    { name: "Company", type: "VARCHAR" },
    { name: "Position", type: "VARCHAR" },
    { name: "Connected On", type: "TIMESTAMPTZ", doc: "a date: midnight UTC of the day connected" },
  ],
  // Email Address is validated but not landed: personal data the scores never use.
  toRow: (r) => [
    r["Member URN"],
    r["Connection URN"],
    r["First Name"] ?? null,
    r["Last Name"] ?? null,
    r.URL ?? null,
    r.Company ?? null,
    r.Position ?? null,
    r["Connected On"],
  ],
};

// ---- emit ----------------------------------------------------------------------------------------------

const person = (id: string) => `urn:li:person:${id}`;
/** Posts come as shares or ugcPosts (both real); which one is a fixed function of the id. */
const postUrn = (id: string) => `urn:li:${id.charCodeAt(id.length - 1) % 3 === 0 ? "ugcPost" : "share"}:${id}`;
/** Comments and reactions name what they act on by its feed activity. */
const activityUrn = (id: string) => `urn:li:activity:${id}`;

/** World reaction names (lowercase; UI labels too) → LinkedIn reactionType. Anything else is a LIKE. */
const REACTION_OF: Record<string, (typeof REACTION_TYPES)[number]> = {
  like: "LIKE",
  praise: "PRAISE",
  celebrate: "PRAISE",
  empathy: "EMPATHY",
  love: "EMPATHY",
  interest: "INTEREST",
  insightful: "INTEREST",
  appreciation: "APPRECIATION",
  support: "APPRECIATION",
  entertainment: "ENTERTAINMENT",
  funny: "ENTERTAINMENT",
  maybe: "MAYBE",
  curious: "MAYBE",
};

/** `Connected On` for an epoch-ms instant: the UTC day, as LinkedIn writes it. */
function connectedOn(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, "0")} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Comment mentions: each `@handle` of a mentioned account in the text becomes an attributed span. */
function commentAttributes(text: string, mentions: { accountId: string; handle: string }[]) {
  const out: { start: number; length: number; value: Record<string, { member: string }> }[] = [];
  for (const m of mentions) {
    const at = text.toLowerCase().indexOf(`@${m.handle.toLowerCase()}`);
    if (at >= 0) out.push({ start: at, length: m.handle.length + 1, value: { "com.linkedin.common.MemberAttributedEntity": { member: person(m.accountId) } } });
  }
  return out.sort((a, b) => a.start - b.start);
}

function emit(event: WorldEvent): Emitted[] {
  if (event.network !== "linkedin") return [];
  if (event.kind === "content") {
    const author = person(event.accountId);
    if (event.contentType === "post" || event.contentType === "repost") {
      if (event.contentType === "repost" && !event.parent) return [];
      const record: Record<string, unknown> = {
        id: postUrn(event.contentId),
        author,
        commentary: toLittleText(event.text, event.mentions),
        visibility: "PUBLIC",
        distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: "PUBLISHED",
        isReshareDisabledByAuthor: false,
        createdAt: event.createdAtMs,
        publishedAt: event.createdAtMs,
        lastModifiedAt: event.createdAtMs,
      };
      if (event.contentType === "repost") {
        // `root` (the original of a reshare chain) only when the world names it.
        const { contentId, rootContentId } = event.parent!;
        record.reshareContext = rootContentId ? { parent: postUrn(contentId), root: postUrn(rootContentId) } : { parent: postUrn(contentId) };
      }
      return [{ entity: "posts", record }];
    }
    if (event.contentType === "comment" && event.parent) {
      // A reply to a comment names the thread's post as `object` and the comment as `parentComment`.
      const root = event.parent.rootContentId;
      const isReply = root !== undefined && root !== event.parent.contentId;
      const object = activityUrn(isReply ? root : event.parent.contentId);
      const stamp = { actor: author, time: event.createdAtMs };
      const record: Record<string, unknown> = {
        id: event.contentId,
        commentUrn: `urn:li:comment:(${object},${event.contentId})`,
        actor: author,
        object,
        message: { text: event.text, attributes: commentAttributes(event.text, event.mentions) },
        created: stamp,
        lastModified: stamp,
      };
      if (isReply) record.parentComment = `urn:li:comment:(${object},${event.parent.contentId})`;
      return [{ entity: "comments", record }];
    }
    return [];
  }
  if (event.kind === "interaction") {
    const actor = person(event.actorAccountId);
    if (event.action === "reaction" && event.targetContentId) {
      const root = activityUrn(event.targetContentId);
      const stamp = { actor, time: event.occurredAtMs };
      return [
        {
          entity: "reactions",
          record: {
            id: `urn:li:reaction:(${actor},${root})`,
            reactionType: REACTION_OF[event.reactionType ?? "like"] ?? "LIKE",
            root,
            created: stamp,
            lastModified: stamp,
          },
        },
      ];
    }
    if (event.action === "follow") {
      // Keys in header order: the CSV writer takes them as they come.
      const row: Record<(typeof CONNECTION_HEADERS)[number], string> = {
        "Member URN": actor,
        "Connection URN": person(event.targetAccountId),
        "First Name": event.targetHandle,
        "Last Name": "",
        URL: `https://www.linkedin.com/in/${event.targetHandle}`,
        "Email Address": "",
        Company: "",
        Position: "",
        "Connected On": connectedOn(event.occurredAtMs),
      };
      return [{ entity: "connections", record: row }];
    }
  }
  return [];
}

export const linkedin: NetworkSpec = {
  name: "linkedin",
  entities: [posts, comments, reactions, connections],
  supports: { contentTypes: ["post", "repost", "comment"], actions: ["repost", "comment", "reaction", "mention", "follow"], accounts: false, deletes: false },
  emit,
};
