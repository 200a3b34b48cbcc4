import { createHash } from "node:crypto";
import { z } from "zod";
import { zEpochMicros, zIsoTime } from "../fields.ts";
import type { Action, Column, ContentType, Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Bluesky: one export file, `events.jsonl`, holding Jetstream commit events (the JSON form of the AT
 * Protocol firehose) for four collections: posts, reposts, likes and follows. Accounts are DIDs; a record
 * is named by its AT URI `at://<did>/<collection>/<rkey>`. A `delete` commit carries no record and removes
 * the record of the same did + collection + rkey, possibly landed on an earlier date; staging applies it.
 */

const POST = "app.bsky.feed.post";
const REPOST = "app.bsky.feed.repost";
const LIKE = "app.bsky.feed.like";
const FOLLOW = "app.bsky.graph.follow";
const MENTION = "app.bsky.richtext.facet#mention";
const TAG = "app.bsky.richtext.facet#tag";

const zDid = z.string().regex(/^did:[a-z]+:[A-Za-z0-9._:%-]+$/, "a DID (did:plc:… or did:web:…)");
const zRkey = z.string().regex(/^[A-Za-z0-9._:~-]{1,512}$/, "a record key");
const zAtUri = z.string().regex(/^at:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/, "an AT URI (at://<did>/<collection>/<rkey>)");
const StrongRef = z.object({ uri: zAtUri, cid: z.string() });

const Feature = z
  .object({ $type: z.string(), did: zDid.optional(), tag: z.string().optional() })
  .refine((f) => f.$type !== MENTION || f.did !== undefined, "a mention facet needs a did")
  .refine((f) => f.$type !== TAG || f.tag !== undefined, "a tag facet needs a tag");

const PostRecord = z.object({
  text: z.string(),
  createdAt: zIsoTime,
  reply: z.object({ root: StrongRef, parent: StrongRef }).optional(),
  facets: z.array(z.object({ features: z.array(Feature) })).optional(),
  /** Extra hashtags not written in the text (up to 8). */
  tags: z.array(z.string()).optional(),
  langs: z.array(z.string()).optional(),
  // app.bsky.embed.record holds {record: StrongRef}; recordWithMedia nests it once more.
  embed: z
    .object({ $type: z.string(), record: z.union([StrongRef, z.object({ record: StrongRef }).transform((r) => r.record)]).optional() })
    .optional(),
});
const SubjectRecord = z.object({ subject: StrongRef, createdAt: zIsoTime });
const FollowRecord = z.object({ subject: zDid, createdAt: zIsoTime });

const commitBase = { rev: z.string().min(1), rkey: zRkey };
const Commit = z.discriminatedUnion("operation", [
  z.object({ ...commitBase, operation: z.literal("delete"), collection: z.enum([POST, REPOST, LIKE, FOLLOW]) }),
  z.discriminatedUnion("collection", [
    z.object({ ...commitBase, operation: z.literal("create"), collection: z.literal(POST), cid: z.string(), record: PostRecord }),
    z.object({ ...commitBase, operation: z.literal("create"), collection: z.literal(REPOST), cid: z.string(), record: SubjectRecord }),
    z.object({ ...commitBase, operation: z.literal("create"), collection: z.literal(LIKE), cid: z.string(), record: SubjectRecord }),
    z.object({ ...commitBase, operation: z.literal("create"), collection: z.literal(FOLLOW), cid: z.string(), record: FollowRecord }),
  ]),
]);

export const BlueskyEvent = z.object({
  did: zDid,
  time_us: zEpochMicros,
  kind: z.literal("commit"),
  commit: Commit,
});
export type BlueskyEvent = z.infer<typeof BlueskyEvent>;

const columns: Column[] = [
  { name: "did", type: "VARCHAR", doc: "the repo (account) the commit belongs to" },
  { name: "time_us", type: "TIMESTAMPTZ", doc: "when Jetstream saw the commit (microseconds, landed to the millisecond)" },
  { name: "kind", type: "VARCHAR", doc: "always commit" },
  { name: "commit__rev", type: "VARCHAR", doc: "the repo revision (TID)" },
  { name: "commit__operation", type: "VARCHAR", doc: "create or delete" },
  { name: "commit__collection", type: "VARCHAR", doc: "app.bsky.feed.post|repost|like or app.bsky.graph.follow" },
  { name: "commit__rkey", type: "VARCHAR", doc: "the record key" },
  { name: "commit__cid", type: "VARCHAR", doc: "the record's CID (create only)" },
  { name: "commit__record__createdAt", type: "TIMESTAMPTZ", doc: "the record's own creation time" },
  { name: "commit__record__text", type: "VARCHAR", doc: "post text" },
  { name: "commit__record__reply__root__uri", type: "VARCHAR", doc: "the thread's root post" },
  { name: "commit__record__reply__parent__uri", type: "VARCHAR", doc: "the post replied to" },
  { name: "commit__record__embed__record__uri", type: "VARCHAR", doc: "the embedded (quoted) record" },
  { name: "commit__record__facets__mention_dids", type: "VARCHAR[]", doc: "DIDs of mention facets" },
  { name: "commit__record__facets__tags", type: "VARCHAR[]", doc: "tags of tag facets, without #" },
  { name: "commit__record__tags", type: "VARCHAR[]", doc: "extra hashtags outside the text" },
  { name: "commit__record__langs", type: "VARCHAR[]", doc: "the post's languages" },
  { name: "commit__record__subject__uri", type: "VARCHAR", doc: "the reposted / liked post" },
  { name: "commit__record__subject", type: "VARCHAR", doc: "the followed account's DID" },
];

function toRow(e: BlueskyEvent): (string | number | string[] | null)[] {
  const c = e.commit;
  const head = [e.did, e.time_us, e.kind, c.rev, c.operation, c.collection, c.rkey];
  if (c.operation === "delete") return [...head, ...Array<null>(12).fill(null)];
  const none = (n: number) => Array<null>(n).fill(null);
  switch (c.collection) {
    case POST: {
      const r = c.record;
      const features = (r.facets ?? []).flatMap((f) => f.features);
      return [
        ...head,
        c.cid,
        r.createdAt,
        r.text,
        r.reply?.root.uri ?? null,
        r.reply?.parent.uri ?? null,
        r.embed?.record?.uri ?? null,
        features.flatMap((f) => (f.$type === MENTION && f.did ? [f.did] : [])),
        features.flatMap((f) => (f.$type === TAG && f.tag ? [f.tag] : [])),
        r.tags ?? [],
        r.langs ?? [],
        null,
        null,
      ];
    }
    case REPOST:
    case LIKE:
      return [...head, c.cid, c.record.createdAt, ...none(8), c.record.subject.uri, null];
    case FOLLOW:
      return [...head, c.cid, c.record.createdAt, ...none(8), null, c.record.subject];
  }
}

export const events: EntitySpec<BlueskyEvent> = {
  network: "bluesky",
  entity: "events",
  format: "jsonl",
  schema: BlueskyEvent,
  columns,
  toRow,
};

// ---- emit: canonical events → Jetstream commit events ----

/**
 * Ids. An account id that is a DID is kept, any other gets `did:plc:<id>`. A content or interaction id is
 * either a full AT URI (kept) or a bare record key (the URI is built from the author and collection).
 * A delete must name its collection, which a bare key does not: so a `delete` event's deletedId must be an
 * AT URI — give deletable records AT URIs as their ids (`blueskyUri` builds them).
 */
export function blueskyDid(accountId: string): string {
  return accountId.startsWith("did:") ? accountId : `did:plc:${accountId}`;
}

const COLLECTION_OF: Partial<Record<ContentType | Action, string>> = {
  post: POST,
  reply: POST,
  quote: POST,
  repost: REPOST,
  reaction: LIKE,
  follow: FOLLOW,
};

/** The AT URI of the record an event creates: `at://<did>/<collection>/<id>` (an AT URI id is kept). */
export function blueskyUri(accountId: string, kind: ContentType | Action, id: string): string {
  if (id.startsWith("at://")) return id;
  const collection = COLLECTION_OF[kind];
  if (!collection) throw new Error(`Failed to build a Bluesky URI: ${JSON.stringify(kind)} is not a Bluesky record`);
  return `at://${blueskyDid(accountId)}/${collection}/${id}`;
}

function parseUri(uri: string): { did: string; collection: string; rkey: string } {
  const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  if (!m) throw new Error(`Failed to read AT URI ${JSON.stringify(uri)}`);
  return { did: m[1]!, collection: m[2]!, rkey: m[3]! };
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** A CIDv1 (dag-cbor, sha-256, base32 `b…`) over what the record names: deterministic, well-formed. */
function cidOf(s: string): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = [0x01, 0x71, 0x12, 0x20, ...digest(s)];
  const bits = bytes.map((b) => b.toString(2).padStart(8, "0")).join("");
  let out = "b";
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return out;
}

/** A TID (timestamp id, as used for revs): 53 bits of microseconds and 10 bits of clock id, base32-sortable. */
function tid(timeUs: number, clockId: number): string {
  const alphabet = "234567abcdefghijklmnopqrstuvwxyz";
  let n = (BigInt(timeUs) << 10n) | BigInt(clockId & 1023);
  let out = "";
  for (let i = 0; i < 13; i++) {
    out = alphabet[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/** Jetstream sees a commit some microseconds after the record's createdAt; deterministic per record. */
function timeUs(ms: number, uri: string): number {
  return ms * 1000 + (digest(uri).readUInt16BE(0) % 1000);
}

function commitEvent(uri: string, ms: number, operation: "create" | "delete", record?: Record<string, unknown>): Emitted {
  const { did, collection, rkey } = parseUri(uri);
  const t = timeUs(ms, `${operation}:${uri}`);
  const commit: Record<string, unknown> = { rev: tid(t, digest(uri).readUInt16BE(2)), operation, collection, rkey };
  if (record) Object.assign(commit, { record: { $type: collection, ...record }, cid: cidOf(uri) });
  return { entity: "events", record: { did, time_us: t, kind: "commit", commit } };
}

const strongRef = (uri: string) => ({ uri, cid: cidOf(uri) });
const iso = (ms: number) => new Date(ms).toISOString();

/** Byte range (UTF-8) of the first occurrence of `needle` in `text`, as facets index it. */
function byteIndex(text: string, needle: string): { byteStart: number; byteEnd: number } {
  const at = text.toLowerCase().indexOf(needle.toLowerCase());
  // A mention the text does not spell out still gets its facet, with an empty range at the start.
  if (at < 0) return { byteStart: 0, byteEnd: 0 };
  const byteStart = Buffer.byteLength(text.slice(0, at));
  return { byteStart, byteEnd: byteStart + Buffer.byteLength(text.slice(at, at + needle.length)) };
}

function emitContent(e: Extract<WorldEvent, { kind: "content" }>): Emitted[] {
  if (e.contentType !== "post" && e.contentType !== "reply" && e.contentType !== "quote") return [];
  const uri = blueskyUri(e.accountId, e.contentType, e.contentId);
  const parent = e.parent ? strongRef(blueskyUri(e.parent.accountId, "post", e.parent.contentId)) : undefined;
  const facets = [
    ...e.mentions.map((m) => ({ index: byteIndex(e.text, `@${m.handle}`), features: [{ $type: MENTION, did: blueskyDid(m.accountId) }] })),
    ...e.hashtags.map((t) => ({ index: byteIndex(e.text, `#${t}`), features: [{ $type: TAG, tag: t }] })),
  ];
  const record: Record<string, unknown> = { text: e.text, createdAt: iso(e.createdAtMs), langs: ["en"] };
  if (facets.length > 0) record.facets = facets.map((f) => ({ $type: "app.bsky.richtext.facet", ...f }));
  if (e.contentType === "reply" && parent) {
    // The root's author is only known when the root id is an AT URI; otherwise the parent stands in for it.
    const rootId = e.parent?.rootContentId;
    record.reply = { root: rootId?.startsWith("at://") ? strongRef(rootId) : parent, parent };
  }
  if (e.contentType === "quote" && parent) record.embed = { $type: "app.bsky.embed.record", record: parent };
  return [commitEvent(uri, e.createdAtMs, "create", record)];
}

function emitInteraction(e: Extract<WorldEvent, { kind: "interaction" }>): Emitted[] {
  const createdAt = iso(e.occurredAtMs);
  if (e.action === "follow") {
    const uri = blueskyUri(e.actorAccountId, "follow", e.interactionId);
    return [commitEvent(uri, e.occurredAtMs, "create", { subject: blueskyDid(e.targetAccountId), createdAt })];
  }
  if ((e.action === "repost" || e.action === "reaction") && e.targetContentId !== undefined) {
    const uri = blueskyUri(e.actorAccountId, e.action, e.interactionId);
    const subject = strongRef(blueskyUri(e.targetAccountId, "post", e.targetContentId));
    return [commitEvent(uri, e.occurredAtMs, "create", { subject, createdAt })];
  }
  // Replies, quotes and mentions are posts (content events); other actions do not exist on Bluesky.
  return [];
}

function emitDelete(e: Extract<WorldEvent, { kind: "delete" }>): Emitted[] {
  if (!e.deletedId.startsWith("at://")) {
    throw new Error(
      `Failed to emit a Bluesky delete: deletedId ${JSON.stringify(e.deletedId)} is a bare record key; ` +
        "a delete names its collection, so give deletable records AT URIs as ids (blueskyUri)",
    );
  }
  return [commitEvent(e.deletedId, e.occurredAtMs, "delete")];
}

export const bluesky: NetworkSpec = {
  name: "bluesky",
  entities: [events],
  // Replies, quotes and mentions arrive as posts (content events with a parent / `mentions`).
  supports: { contentTypes: ["post", "reply", "quote"], actions: ["repost", "reply", "quote", "mention", "reaction", "follow"], accounts: false, deletes: true },
  emit(event) {
    switch (event.kind) {
      case "content":
        return emitContent(event);
      case "interaction":
        return emitInteraction(event);
      case "delete":
        return emitDelete(event);
      default:
        return [];
    }
  },
};
