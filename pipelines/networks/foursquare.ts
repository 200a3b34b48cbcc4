import { z } from "zod";
import { hashtagsIn, zCount, zEpochSeconds, zId } from "../fields.ts";
import type { EntitySpec, Emitted, NetworkSpec, WorldEvent } from "../types.ts";

/**
 * Foursquare (Swarm) exports, modelled on the v2 API: Checkin and Tip objects, likes (and tip "agree"
 * votes), and friend lists. Times are `createdAt` in epoch **seconds** UTC; ids are strings (24 hex digits
 * for check-ins, tips and venues; digits for users). A venue carries its categories, whose names are the
 * topic evidence of a check-in or tip.
 */

/** A compact User as the v2 API embeds it. */
const zUser = z.object({
  id: zId,
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  relationship: z.string().optional(),
});

const zCategory = z.object({
  id: zId.optional(),
  name: z.string().min(1, "empty category name"),
  pluralName: z.string().optional(),
  shortName: z.string().optional(),
  primary: z.boolean().optional(),
});

/** A compact Venue: id, name and categories (location and the rest are tolerated and not landed). */
const zVenue = z.object({
  id: zId,
  name: z.string(),
  categories: z.array(zCategory).default([]),
});

const zSummaryCount = z.object({ count: zCount }).optional();

// ---- checkins ------------------------------------------------------------------------------------------

/** A v2 Checkin. `with` lists the friends checked in together; `shout` is the optional message. */
export const FoursquareCheckin = z.object({
  id: zId,
  createdAt: zEpochSeconds,
  type: z.string().optional(),
  shout: z.string().optional(),
  timeZoneOffset: z.number().int().optional(),
  user: zUser,
  venue: zVenue,
  with: z.array(zUser).optional(),
  likes: zSummaryCount,
  comments: zSummaryCount,
  private: z.boolean().optional(),
});
export type FoursquareCheckin = z.infer<typeof FoursquareCheckin>;

const categoryNames = (v: { categories: { name: string }[] }) => v.categories.map((c) => c.name);

const checkins: EntitySpec<FoursquareCheckin> = {
  network: "foursquare",
  entity: "checkins",
  format: "jsonl",
  schema: FoursquareCheckin,
  columns: [
    { name: "id", type: "VARCHAR", doc: "check-in id" },
    { name: "createdAt", type: "TIMESTAMPTZ" },
    { name: "type", type: "VARCHAR", doc: "checkin, shout or venueless" },
    { name: "shout", type: "VARCHAR", doc: "the message written with the check-in" },
    { name: "shout__hashtags", type: "VARCHAR[]", doc: "hashtags in the shout, lowercased" },
    { name: "timeZoneOffset", type: "BIGINT", doc: "minutes from UTC at the venue" },
    { name: "user__id", type: "VARCHAR", doc: "who checked in" },
    { name: "venue__id", type: "VARCHAR" },
    { name: "venue__name", type: "VARCHAR" },
    { name: "venue__categories__name", type: "VARCHAR[]", doc: "the venue's category names, as written" },
    { name: "with__id", type: "VARCHAR[]", doc: "user ids of the friends checked in with" },
    { name: "likes__count", type: "BIGINT" },
    { name: "comments__count", type: "BIGINT" },
    { name: "private", type: "BOOLEAN" },
  ],
  toRow: (r) => [
    r.id,
    r.createdAt,
    r.type ?? null,
    r.shout ?? null,
    hashtagsIn(r.shout),
    r.timeZoneOffset ?? null,
    r.user.id,
    r.venue.id,
    r.venue.name,
    categoryNames(r.venue),
    [...new Set((r.with ?? []).map((u) => u.id))],
    r.likes?.count ?? null,
    r.comments?.count ?? null,
    r.private ?? null,
  ],
};

// ---- tips ----------------------------------------------------------------------------------------------

/** A v2 Tip: advice left at a venue; others like it or vote that they agree. */
export const FoursquareTip = z.object({
  id: zId,
  createdAt: zEpochSeconds,
  text: z.string(),
  type: z.string().optional(),
  canonicalUrl: z.string().optional(),
  user: zUser,
  venue: zVenue,
  likes: zSummaryCount,
  agreeCount: zCount.optional(),
  disagreeCount: zCount.optional(),
});
export type FoursquareTip = z.infer<typeof FoursquareTip>;

const tips: EntitySpec<FoursquareTip> = {
  network: "foursquare",
  entity: "tips",
  format: "jsonl",
  schema: FoursquareTip,
  columns: [
    { name: "id", type: "VARCHAR", doc: "tip id" },
    { name: "createdAt", type: "TIMESTAMPTZ" },
    { name: "text", type: "VARCHAR" },
    { name: "text__hashtags", type: "VARCHAR[]", doc: "hashtags in the text, lowercased" },
    { name: "canonicalUrl", type: "VARCHAR" },
    { name: "user__id", type: "VARCHAR", doc: "who wrote the tip" },
    { name: "venue__id", type: "VARCHAR" },
    { name: "venue__name", type: "VARCHAR" },
    { name: "venue__categories__name", type: "VARCHAR[]" },
    { name: "likes__count", type: "BIGINT" },
    { name: "agreeCount", type: "BIGINT" },
    { name: "disagreeCount", type: "BIGINT" },
  ],
  toRow: (r) => [
    r.id,
    r.createdAt,
    r.text,
    hashtagsIn(r.text),
    r.canonicalUrl ?? null,
    r.user.id,
    r.venue.id,
    r.venue.name,
    categoryNames(r.venue),
    r.likes?.count ?? null,
    r.agreeCount ?? null,
    r.disagreeCount ?? null,
  ],
};

// ---- likes ---------------------------------------------------------------------------------------------

/**
 * One like of a check-in or tip, or one "agree" vote on a tip, shaped like a v2 activity: who (`user`),
 * what (`type`), on what (`target{type, object{id}}`, the v2 target envelope). `target.type` may be
 * missing; staging finds the liked item among check-ins and tips by id.
 */
export const FoursquareLike = z.object({
  id: zId,
  createdAt: zEpochSeconds,
  type: z.enum(["like", "agree"]),
  user: zUser,
  target: z.object({ type: z.enum(["checkin", "tip"]).optional(), object: z.object({ id: zId }) }),
});
export type FoursquareLike = z.infer<typeof FoursquareLike>;

const likes: EntitySpec<FoursquareLike> = {
  network: "foursquare",
  entity: "likes",
  format: "jsonl",
  schema: FoursquareLike,
  columns: [
    { name: "id", type: "VARCHAR", doc: "like id" },
    { name: "createdAt", type: "TIMESTAMPTZ" },
    { name: "type", type: "VARCHAR", doc: "like, or agree (a vote on a tip)" },
    { name: "user__id", type: "VARCHAR", doc: "who liked" },
    { name: "target__type", type: "VARCHAR", doc: "checkin or tip, when given" },
    { name: "target__object__id", type: "VARCHAR", doc: "the liked check-in or tip" },
  ],
  toRow: (r) => [r.id, r.createdAt, r.type, r.user.id, r.target.type ?? null, r.target.object.id],
};

// ---- friends -------------------------------------------------------------------------------------------

/** One entry of a user's friend list (a compact User) with whose list it is and when they became friends. */
export const FoursquareFriend = z.object({
  user: z.object({ id: zId }),
  friend: zUser,
  createdAt: zEpochSeconds,
});
export type FoursquareFriend = z.infer<typeof FoursquareFriend>;

const friends: EntitySpec<FoursquareFriend> = {
  network: "foursquare",
  entity: "friends",
  format: "jsonl",
  schema: FoursquareFriend,
  columns: [
    { name: "user__id", type: "VARCHAR", doc: "whose friend list" },
    { name: "friend__id", type: "VARCHAR" },
    { name: "friend__firstName", type: "VARCHAR" },
    { name: "friend__relationship", type: "VARCHAR" },
    { name: "createdAt", type: "TIMESTAMPTZ", doc: "when the friendship began" },
  ],
  toRow: (r) => [r.user.id, r.friend.id, r.friend.firstName ?? null, r.friend.relationship ?? null, r.createdAt],
};

// ---- emit ----------------------------------------------------------------------------------------------

const seconds = (ms: number) => Math.floor(ms / 1000);
const compactUser = (id: string, handle: string) => ({ id, firstName: handle });

/** 24 hex digits from a string (FNV-1a, three seeds): venue ids shaped like Foursquare's, stable per name. */
function hexId(s: string): string {
  let out = "";
  for (const seed of [0x811c9dc5, 0x01000193, 0x5bd1e995]) {
    let h = seed >>> 0;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

const titleCase = (s: string) => s.replace(/(^|\s)(\p{L})/gu, (_m, sp: string, c: string) => sp + c.toUpperCase());

/** The venue of a check-in or tip: the world gives only its topic hints (category words) and maybe a title. */
function venueOf(event: { title?: string; topicHints: string[] }) {
  const categories = event.topicHints.map((hint, i) => ({
    id: hexId(`category:${hint}`),
    name: titleCase(hint),
    pluralName: `${titleCase(hint)}s`,
    shortName: titleCase(hint),
    primary: i === 0,
  }));
  const name = event.title ?? (event.topicHints[0] ? `The ${titleCase(event.topicHints[0])}` : "Somewhere");
  return { id: hexId(`venue:${name}`), name, location: {}, categories };
}

function emit(event: WorldEvent): Emitted[] {
  if (event.network !== "foursquare") return [];
  if (event.kind === "content") {
    const user = compactUser(event.accountId, event.handle);
    if (event.contentType === "checkin") {
      // The friends checked in with: the accounts tagged in the check-in, and the one it is "with" (parent).
      const withUsers = new Map(event.mentions.map((m) => [m.accountId, compactUser(m.accountId, m.handle)]));
      if (event.parent && !withUsers.has(event.parent.accountId)) {
        withUsers.set(event.parent.accountId, compactUser(event.parent.accountId, event.parent.handle));
      }
      withUsers.delete(event.accountId);
      const record: Record<string, unknown> = {
        id: event.contentId,
        createdAt: seconds(event.createdAtMs),
        type: "checkin",
        timeZoneOffset: 0,
        user,
        venue: venueOf(event),
        likes: { count: 0, groups: [] },
        comments: { count: 0 },
      };
      if (event.text !== "") record.shout = event.text;
      if (withUsers.size > 0) record.with = [...withUsers.values()];
      return [{ entity: "checkins", record }];
    }
    if (event.contentType === "tip") {
      return [
        {
          entity: "tips",
          record: {
            id: event.contentId,
            createdAt: seconds(event.createdAtMs),
            text: event.text,
            type: "user",
            canonicalUrl: `https://foursquare.com/item/${event.contentId}`,
            likes: { count: 0, groups: [] },
            agreeCount: 0,
            disagreeCount: 0,
            user,
            venue: venueOf(event),
          },
        },
      ];
    }
    return [];
  }
  if (event.kind === "interaction") {
    const user = compactUser(event.actorAccountId, event.actorHandle);
    if (event.action === "reaction" && event.targetContentId) {
      // The world does not say whether the liked content is a check-in or a tip, so target.type is left out.
      return [
        {
          entity: "likes",
          record: {
            id: event.interactionId,
            createdAt: seconds(event.occurredAtMs),
            type: event.reactionType === "agree" ? "agree" : "like",
            user,
            target: { object: { id: event.targetContentId } },
          },
        },
      ];
    }
    if (event.action === "follow") {
      return [
        {
          entity: "friends",
          record: {
            user: { id: event.actorAccountId },
            friend: { ...compactUser(event.targetAccountId, event.targetHandle), relationship: "friend" },
            createdAt: seconds(event.occurredAtMs),
          },
        },
      ];
    }
  }
  // checkin_with is carried by the check-in's `with` list (a content event), never on its own.
  return [];
}

export const foursquare: NetworkSpec = {
  name: "foursquare",
  entities: [checkins, tips, likes, friends],
  supports: { contentTypes: ["checkin", "tip"], actions: ["reaction", "checkin_with", "follow"], accounts: false, deletes: false },
  emit,
};
