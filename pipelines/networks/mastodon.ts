import { z } from "zod";
import { zIsoTime } from "../fields.ts";
import type { Column, Emitted, EntitySpec, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Mastodon: one export file, `activities.jsonl`, holding ActivityStreams 2.0 activities as a Mastodon
 * server federates them (Create{Note}, Announce, Like, Follow). Accounts are actor URLs
 * (`https://host/users/name`), statuses are Note URLs (`https://host/users/name/statuses/123`), and a
 * Note's `content` is HTML. The HTML is landed as written and stripped to plain text in staging
 * (stg_mastodon__notes), so the lake keeps what the server sent.
 */

const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
/** The instance of accounts whose generator ids are not actor URLs already. */
const DEFAULT_HOST = "mastodon.social";

const zUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

/** A Note's tags: Mastodon writes Hashtag, Mention and Emoji entries; other servers may add more types. */
const Tag = z.object({
  type: z.string(),
  name: z.string().nullish(),
  href: z.string().nullish(),
});

/** The status inside a Create. Mastodon federates polls as `Question`; both are statuses. */
const Note = z.object({
  id: zUrl,
  type: z.enum(["Note", "Question"]),
  attributedTo: zUrl,
  content: z.string(),
  inReplyTo: zUrl.nullish(),
  published: zIsoTime,
  url: z.string().nullish(),
  // JSON-LD compaction lets a one-element array be written as the bare object.
  tag: z
    .union([z.array(Tag), Tag])
    .nullish()
    .transform((t) => (t == null ? [] : Array.isArray(t) ? t : [t])),
});

/** What an Announce / Like / Follow points at: a URL, or (some servers) the embedded object with its id. */
const ObjectRef = z.union([zUrl, z.object({ id: zUrl }).transform((o) => o.id)]);

const base = {
  id: zUrl,
  actor: zUrl,
  // Mastodon omits `published` on Like and Follow; the export stamps every activity, and an activity
  // without a time cannot be placed in the scoring window, so it is required.
  published: zIsoTime,
};

export const MastodonActivity = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("Create"), object: Note }),
  z.object({ ...base, type: z.literal("Announce"), object: ObjectRef }),
  z.object({ ...base, type: z.literal("Like"), object: ObjectRef }),
  z.object({ ...base, type: z.literal("Follow"), object: ObjectRef }),
]);
export type MastodonActivity = z.infer<typeof MastodonActivity>;

const columns: Column[] = [
  { name: "id", type: "VARCHAR", doc: "the activity's URI" },
  { name: "type", type: "VARCHAR", doc: "Create, Announce, Like or Follow" },
  { name: "actor", type: "VARCHAR", doc: "the acting account's actor URL" },
  { name: "published", type: "TIMESTAMPTZ", doc: "when the activity happened" },
  { name: "object__id", type: "VARCHAR", doc: "Create: the Note's id; else the object URL (status or followed actor)" },
  { name: "object__type", type: "VARCHAR", doc: "Note or Question (Create only)" },
  { name: "object__attributedTo", type: "VARCHAR", doc: "the Note's author (actor URL)" },
  { name: "object__content", type: "VARCHAR", doc: "the Note's HTML content, as sent" },
  { name: "object__inReplyTo", type: "VARCHAR", doc: "the Note this one replies to" },
  { name: "object__published", type: "TIMESTAMPTZ", doc: "when the Note was published" },
  { name: "object__url", type: "VARCHAR", doc: "the Note's human-readable URL" },
  { name: "object__tag__hashtag_names", type: "VARCHAR[]", doc: "Hashtag tag names as written (`#Tag`)" },
  { name: "object__tag__mention_hrefs", type: "VARCHAR[]", doc: "Mention tag hrefs: the mentioned actors' URLs" },
  { name: "object__tag__mention_names", type: "VARCHAR[]", doc: "Mention tag names (`@user@host`)" },
];

function toRow(a: MastodonActivity): (string | number | string[] | null)[] {
  if (a.type !== "Create") {
    return [a.id, a.type, a.actor, a.published, a.object, null, null, null, null, null, null, null, null, null];
  }
  const n = a.object;
  const tags = (type: string) => n.tag.filter((t) => t.type === type);
  return [
    a.id,
    a.type,
    a.actor,
    a.published,
    n.id,
    n.type,
    n.attributedTo,
    n.content,
    n.inReplyTo ?? null,
    n.published,
    n.url ?? null,
    tags("Hashtag").flatMap((t) => (t.name ? [t.name] : [])),
    tags("Mention").flatMap((t) => (t.href ? [t.href] : [])),
    tags("Mention").flatMap((t) => (t.name ? [t.name] : [])),
  ];
}

export const activities: EntitySpec<MastodonActivity> = {
  network: "mastodon",
  entity: "activities",
  format: "jsonl",
  schema: MastodonActivity,
  columns,
  toRow,
};

// ---- emit: canonical events → activities as Mastodon writes them ----

const isUrl = (s: string) => /^https?:\/\//.test(s);

/** An account's actor URL: generator ids that are actor URLs already are kept, others get one on DEFAULT_HOST. */
export function mastodonActorUrl(accountId: string): string {
  return isUrl(accountId) ? accountId : `https://${DEFAULT_HOST}/users/${encodeURIComponent(accountId)}`;
}

/** A status's Note URL: `<actor>/statuses/<id>`, unless the id is a URL already. */
export function mastodonNoteUrl(accountId: string, contentId: string): string {
  return isUrl(contentId) ? contentId : `${mastodonActorUrl(accountId)}/statuses/${encodeURIComponent(contentId)}`;
}

function hostOf(actor: string): string {
  return new URL(actor).host;
}

/** Mastodon writes times with second precision (Ruby `iso8601`): `2026-11-24T10:00:00Z`. */
function published(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Plain text → Mastodon's status HTML: paragraphs, `<br />`, and linked #hashtags and @mentions. */
function toHtml(text: string, host: string, hashtags: Set<string>, mentions: Map<string, string>): string {
  const linked = escapeHtml(text).replace(/(^|[^\p{L}\p{N}_&])([#@])([\p{L}\p{N}_]+)/gu, (m, pre: string, sigil: string, word: string) => {
    if (sigil === "#" && hashtags.has(word.toLowerCase())) {
      return `${pre}<a href="https://${host}/tags/${word.toLowerCase()}" class="mention hashtag" rel="tag">#<span>${word}</span></a>`;
    }
    const actor = sigil === "@" ? mentions.get(word) : undefined;
    if (actor) {
      const profile = actor.replace(/\/users\/([^/]+)$/, "/@$1");
      return `${pre}<span class="h-card" translate="no"><a href="${profile}" class="u-url mention">@<span>${word}</span></a></span>`;
    }
    return m;
  });
  return linked
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, "<br />")}</p>`)
    .join("");
}

function emitContent(e: Extract<WorldEvent, { kind: "content" }>): Emitted[] {
  if (e.contentType !== "post" && e.contentType !== "reply") return [];
  const actor = mastodonActorUrl(e.accountId);
  const host = hostOf(actor);
  const note = mastodonNoteUrl(e.accountId, e.contentId);
  const mentions = e.mentions.map((m) => ({ handle: m.handle, actor: mastodonActorUrl(m.accountId) }));
  const when = published(e.createdAtMs);
  const inReplyTo = e.contentType === "reply" && e.parent ? mastodonNoteUrl(e.parent.accountId, e.parent.contentId) : null;
  const written = (tag: string) => [...e.text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!).find((w) => w.toLowerCase() === tag) ?? tag;
  const tag = [
    ...mentions.map((m) => ({ type: "Mention", href: m.actor, name: `@${m.handle}@${hostOf(m.actor)}` })),
    ...e.hashtags.map((t) => ({ type: "Hashtag", href: `https://${host}/tags/${t}`, name: `#${written(t)}` })),
  ];
  const content = toHtml(e.text, host, new Set(e.hashtags), new Map(mentions.map((m) => [m.handle, m.actor])));
  const to = [PUBLIC];
  const cc = [`${actor}/followers`, ...mentions.map((m) => m.actor)];
  const record = {
    "@context": ["https://www.w3.org/ns/activitystreams", { ostatus: "http://ostatus.org#", sensitive: "as:sensitive", Hashtag: "as:Hashtag" }],
    id: `${note}/activity`,
    type: "Create",
    actor,
    published: when,
    to,
    cc,
    object: {
      id: note,
      type: "Note",
      summary: null,
      inReplyTo,
      published: when,
      url: `${actor.replace(/\/users\/([^/]+)$/, "/@$1")}/${note.split("/").pop()}`,
      attributedTo: actor,
      to,
      cc,
      sensitive: false,
      content,
      contentMap: { en: content },
      attachment: [],
      tag,
    },
  };
  return [{ entity: "activities", record }];
}

function emitInteraction(e: Extract<WorldEvent, { kind: "interaction" }>): Emitted[] {
  const actor = mastodonActorUrl(e.actorAccountId);
  const target = mastodonActorUrl(e.targetAccountId);
  // Mastodon's own activity URIs: `<actor>/statuses/<id>/activity`, `<actor>#likes/<id>`, `<actor>#follows/<id>`.
  const id = (build: (x: string) => string) => (isUrl(e.interactionId) ? e.interactionId : build(encodeURIComponent(e.interactionId)));
  const when = published(e.occurredAtMs);
  const status = e.targetContentId === undefined ? undefined : mastodonNoteUrl(e.targetAccountId, e.targetContentId);
  switch (e.action) {
    case "repost":
      if (!status) return [];
      return [{ entity: "activities", record: { id: id((x) => `${actor}/statuses/${x}/activity`), type: "Announce", actor, published: when, to: [PUBLIC], cc: [target, `${actor}/followers`], object: status } }];
    case "reaction":
      if (!status) return [];
      return [{ entity: "activities", record: { "@context": "https://www.w3.org/ns/activitystreams", id: id((x) => `${actor}#likes/${x}`), type: "Like", actor, published: when, object: status } }];
    case "follow":
      return [{ entity: "activities", record: { "@context": "https://www.w3.org/ns/activitystreams", id: id((x) => `${actor}#follows/${x}`), type: "Follow", actor, published: when, object: target } }];
    default:
      // Replies and mentions are carried by notes (content events), not by activities of their own.
      return [];
  }
}

export const mastodon: NetworkSpec = {
  name: "mastodon",
  entities: [activities],
  // Replies and mentions arrive inside Notes (content events with contentType "reply" / `mentions`).
  supports: { contentTypes: ["post", "reply"], actions: ["repost", "reply", "mention", "reaction", "follow"], accounts: false, deletes: false },
  emit(event) {
    if (event.kind === "content") return emitContent(event);
    if (event.kind === "interaction") return emitInteraction(event);
    return [];
  },
};
