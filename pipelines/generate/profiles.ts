import type { Action, ContentType, Network, NetworkSpec } from "../types.ts";

/**
 * How people behave on each network, in the world's terms. The numbers are the model's parameters (see the
 * README of this folder for where they come from); what a network's exports can carry is decided by its
 * module's `supports`, and `capabilities` intersects the two.
 */
export type Engagement = "reaction" | "reply" | "repost" | "quote";

export interface NetworkProfile {
  /** Relative chance that a person who joins a network joins this one. */
  popularity: number;
  /** When the network opened: no account is older. */
  launchedAt: string;
  /** Multiplier on a person's posting rate (original posts a day). */
  postRate: number;
  /** Expected engagements per post ≈ reach × quality × followers^0.9 (engagement from the audience). */
  reach: number;
  /** Expected engagements per post from outside the audience (search, hashtags, subreddits), × influence^0.8. */
  discovery: number;
  /** Median number of accounts a person follows here; 0 = the network has no social graph. */
  follows: number;
  /** Chance a followed account follows back; 1 = friendships (symmetric, emitted once per pair). */
  reciprocity: number;
  /** What an engagement is, before intersecting with what the exports carry. */
  mix: Partial<Record<Engagement, number>>;
  /** Reaction types (lowercase, the network's own) and their shares. */
  reactions: [string, number][];
  /** Share of posts carrying hashtags, and how many at most. */
  hashtagRate: number;
  hashtagMax: number;
  /** What an original post is. */
  rootTypes: [ContentType, number][];
  /** Replies may answer replies (the module keeps threads: direct parent, or parent + rootContentId). */
  nested: boolean;
  /** Reactions may target replies/comments, not only posts. */
  reactToReplies: boolean;
  /** A reply starts with `@parent` (X, Mastodon). */
  replyMentionsParent: boolean;
  /** Share of posts that mention someone. */
  mentionRate: number;
  /** Activity on Saturday and Sunday relative to weekdays. */
  weekend: number;
  /** Where adversaries live (relative weights; 0 = none). */
  ringWeight: number;
  baitWeight: number;
  /** Bought followers are bought here (follow networks with visible follower counts). */
  farmWeight: number;
}

export const PROFILES: Record<Network, NetworkProfile> = {
  twitter: {
    popularity: 0.26, launchedAt: "2006-03-21", postRate: 1.0, reach: 0.12, discovery: 0.12, follows: 12, reciprocity: 0.22,
    mix: { reaction: 0.64, repost: 0.15, reply: 0.15, quote: 0.06 }, reactions: [["like", 1]],
    hashtagRate: 0.45, hashtagMax: 2, rootTypes: [["post", 1]], nested: true, reactToReplies: true, replyMentionsParent: true,
    mentionRate: 0.12, weekend: 0.9, ringWeight: 0.35, baitWeight: 0.3, farmWeight: 3,
  },
  facebook: {
    popularity: 0.22, launchedAt: "2004-02-04", postRate: 0.45, reach: 0.15, discovery: 0.04, follows: 14, reciprocity: 1,
    mix: { reaction: 0.74, reply: 0.17, repost: 0.09 },
    reactions: [["like", 0.7], ["love", 0.15], ["haha", 0.06], ["wow", 0.03], ["sad", 0.03], ["angry", 0.02], ["care", 0.01]],
    hashtagRate: 0.12, hashtagMax: 1, rootTypes: [["post", 1]], nested: false, reactToReplies: true, replyMentionsParent: false,
    mentionRate: 0.08, weekend: 1.1, ringWeight: 0.15, baitWeight: 0.1, farmWeight: 0,
  },
  linkedin: {
    popularity: 0.08, launchedAt: "2003-05-05", postRate: 0.18, reach: 0.12, discovery: 0.05, follows: 12, reciprocity: 1,
    mix: { reaction: 0.78, reply: 0.15, repost: 0.07 },
    reactions: [["like", 0.62], ["praise", 0.14], ["empathy", 0.07], ["interest", 0.09], ["appreciation", 0.05], ["entertainment", 0.03]],
    hashtagRate: 0.5, hashtagMax: 3, rootTypes: [["post", 1]], nested: false, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0.1, weekend: 0.35, ringWeight: 0, baitWeight: 0.03, farmWeight: 0,
  },
  foursquare: {
    popularity: 0.02, launchedAt: "2009-03-11", postRate: 0.6, reach: 0.1, discovery: 0.03, follows: 6, reciprocity: 1,
    mix: { reaction: 1 }, reactions: [["like", 1]],
    hashtagRate: 0.03, hashtagMax: 1, rootTypes: [["checkin", 0.85], ["tip", 0.15]], nested: false, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0.15, weekend: 1.25, ringWeight: 0, baitWeight: 0, farmWeight: 0,
  },
  youtube: {
    popularity: 0.1, launchedAt: "2005-02-14", postRate: 0.03, reach: 0.08, discovery: 0.6, follows: 8, reciprocity: 0.03,
    mix: { reply: 1 }, reactions: [["like", 1]],
    hashtagRate: 0.5, hashtagMax: 3, rootTypes: [["video", 1]], nested: false, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0, weekend: 1.15, ringWeight: 0, baitWeight: 0.15, farmWeight: 0,
  },
  instagram: {
    popularity: 0.17, launchedAt: "2010-10-06", postRate: 0.3, reach: 0.2, discovery: 0.12, follows: 14, reciprocity: 0.3,
    mix: { reaction: 0.88, reply: 0.12 }, reactions: [["like", 1]],
    hashtagRate: 0.85, hashtagMax: 6, rootTypes: [["post", 0.75], ["video", 0.25]], nested: false, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0.1, weekend: 1.1, ringWeight: 0.25, baitWeight: 0.2, farmWeight: 2,
  },
  tiktok: {
    popularity: 0.09, launchedAt: "2017-08-02", postRate: 0.12, reach: 0.1, discovery: 0.3, follows: 10, reciprocity: 0.08,
    mix: { reply: 0.55, repost: 0.45 }, reactions: [["like", 1]],
    hashtagRate: 0.95, hashtagMax: 5, rootTypes: [["video", 1]], nested: true, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0.05, weekend: 1.15, ringWeight: 0.1, baitWeight: 0.15, farmWeight: 1,
  },
  reddit: {
    popularity: 0.07, launchedAt: "2005-06-23", postRate: 0.2, reach: 0, discovery: 1.0, follows: 0, reciprocity: 0,
    mix: { reply: 1 }, reactions: [["like", 1]],
    hashtagRate: 0, hashtagMax: 0, rootTypes: [["post", 1]], nested: true, reactToReplies: false, replyMentionsParent: false,
    mentionRate: 0, weekend: 1.05, ringWeight: 0, baitWeight: 0.05, farmWeight: 0,
  },
  mastodon: {
    popularity: 0.02, launchedAt: "2016-10-05", postRate: 0.9, reach: 0.15, discovery: 0.05, follows: 10, reciprocity: 0.35,
    mix: { reaction: 0.6, repost: 0.25, reply: 0.15 }, reactions: [["favourite", 1]],
    hashtagRate: 0.6, hashtagMax: 3, rootTypes: [["post", 1]], nested: true, reactToReplies: true, replyMentionsParent: true,
    mentionRate: 0.1, weekend: 0.95, ringWeight: 0.05, baitWeight: 0, farmWeight: 0,
  },
  bluesky: {
    popularity: 0.03, launchedAt: "2023-02-17", postRate: 0.9, reach: 0.15, discovery: 0.08, follows: 10, reciprocity: 0.25,
    mix: { reaction: 0.64, repost: 0.15, reply: 0.15, quote: 0.06 }, reactions: [["like", 1]],
    hashtagRate: 0.3, hashtagMax: 2, rootTypes: [["post", 1]], nested: true, reactToReplies: true, replyMentionsParent: false,
    mentionRate: 0.1, weekend: 0.95, ringWeight: 0.1, baitWeight: 0.02, farmWeight: 0,
  },
};

/** How one engagement kind is written on a network: as content (a reply is a post) or as an action. */
export type Carrier = { as: "content"; type: ContentType } | { as: "action"; action: Action } | null;

/** What the world may generate on a network: the profile intersected with the module's `supports`. */
export interface Capabilities {
  reply: Carrier;
  repost: Carrier;
  quote: Carrier;
  reaction: boolean;
  /** The action a follow edge is exported as (follow / subscribe), or null when the exports carry none. */
  follow: Action | null;
  mention: boolean;
  accounts: boolean;
  deletes: boolean;
  checkinWith: boolean;
  rootTypes: [ContentType, number][];
  /** Engagement kinds with their weights, only those the exports carry. */
  mix: [Engagement, number][];
}

export function capabilities(spec: NetworkSpec, profile: NetworkProfile): Capabilities {
  const s = spec.supports ?? { contentTypes: [], actions: [], accounts: false, deletes: false };
  const content = (t: ContentType) => s.contentTypes.includes(t);
  const action = (a: Action) => s.actions.includes(a);
  const first = (...options: Carrier[]): Carrier => options.find((o) => o !== null) ?? null;
  const c = (t: ContentType): Carrier => (content(t) ? { as: "content", type: t } : null);
  const a = (x: Action): Carrier => (action(x) ? { as: "action", action: x } : null);
  const caps: Capabilities = {
    reply: first(c("reply"), c("comment"), a("reply"), a("comment")),
    repost: first(c("repost"), a("repost"), a("share")),
    quote: first(c("quote"), a("quote")),
    reaction: action("reaction"),
    follow: action("follow") ? "follow" : action("subscribe") ? "subscribe" : null,
    mention: action("mention"),
    accounts: s.accounts,
    deletes: s.deletes,
    checkinWith: action("checkin_with") && content("checkin"),
    rootTypes: profile.rootTypes.filter(([t]) => content(t)),
    mix: [],
  };
  const carried: Record<Engagement, boolean> = { reaction: caps.reaction, reply: caps.reply !== null, repost: caps.repost !== null, quote: caps.quote !== null };
  caps.mix = (Object.entries(profile.mix) as [Engagement, number][]).filter(([e, w]) => w > 0 && carried[e]);
  return caps;
}
