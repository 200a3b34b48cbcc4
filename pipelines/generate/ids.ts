import type { Network } from "../types.ts";
import { hash, permute } from "./prng.ts";

/**
 * Ids as each network writes them, unique by construction. The account id given to `emit` is the id the
 * network's staging model ends up with (identities.csv uses the same): X/Facebook/Instagram/Foursquare
 * numeric strings, LinkedIn the bare person id (the module writes `urn:li:person:<id>`), YouTube `UC…`
 * channel ids, TikTok and Reddit usernames, Mastodon actor URLs, Bluesky DIDs.
 *
 * Content and interaction ids come from a unique numeric key: `serial` (one per post, follow edge, …)
 * and `item` (the position inside a post's thread). Each network formats the pair its own way.
 */

const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B32 = "abcdefghijklmnopqrstuvwxyz234567";
const B32SORT = "234567abcdefghijklmnopqrstuvwxyz";

/** `n` (a non-negative safe integer) in `alphabet`, left-padded to `width` digits. */
function digits(n: number, alphabet: string, width: number): string {
  const base = alphabet.length;
  let out = "";
  let x = Math.floor(n);
  do {
    out = alphabet[x % base]! + out;
    x = Math.floor(x / base);
  } while (x > 0);
  return out.padStart(width, alphabet[0]);
}

/** Pseudo-random characters (not unique on their own; always appended to a unique prefix). */
function noise(h: number, alphabet: string, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    h = hash(h, i);
    out += alphabet[h % alphabet.length];
  }
  return out;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

const MASTODON_HOSTS = ["mastodon.social", "fosstodon.org", "hachyderm.io", "mstdn.social", "infosec.exchange", "mas.to"];

/**
 * An account's id from its unique number `u` (a permutation of its index on the network) and handle.
 * `h` is a per-account hash for the non-unique decoration.
 */
export function accountId(network: Network, u: number, handle: string, h: number): string {
  switch (network) {
    case "twitter":
      return String(1_000_000_000 + u * 13 + (h % 13));
    case "facebook":
      return String(100_000_000_000_000 + u * 97 + (h % 97));
    case "linkedin":
      return `${digits(u, B62, 5)}${noise(h, B62, 5)}`;
    case "foursquare":
      return String(10_000_000 + u * 31 + (h % 31));
    case "youtube":
      return `UC${digits(u, B64URL, 5)}${noise(h, B64URL, 17)}`;
    case "instagram":
      return `178414${pad(u * 37 + (h % 37), 11)}`;
    case "tiktok":
    case "reddit":
      return handle;
    case "mastodon":
      return `https://${MASTODON_HOSTS[h % MASTODON_HOSTS.length]}/users/${handle}`;
    case "bluesky":
      return `did:plc:${digits(u, B32, 6)}${noise(h, B32, 18)}`;
  }
}

/** The handle: letters, then the account's unique number (so handles never collide); Bluesky adds its domain. */
export function handleOf(network: Network, stem: string, u: number): string {
  // At most 15 characters (X's limit); the stem is letters and `_`, so the digits after the last `_` are u.
  const num = String(u);
  const base = `${stem.slice(0, Math.max(1, 14 - num.length)).replace(/_+$/, "")}_${num}`;
  return network === "bluesky" ? `${base}.bsky.social` : base;
}

/** A Bluesky TID: 53 bits of microseconds then 10 bits of clock id, base32-sortable, 13 characters. */
function tid(ms: number, key: number): string {
  const us = Math.floor(ms) * 1000 + (key % 1000);
  const clock = (key >>> 10) & 1023;
  // 63 bits do not fit a double: write the two parts separately (us takes the top 53 bits).
  const high = Math.floor(us / 2 ** 20); // top 33 bits of us
  const low = (us % 2 ** 20) * 1024 + clock; // 30 bits
  return digits(high, B32SORT, 7) + digits(low, B32SORT, 6);
}

const BSKY_COLLECTION = { post: "app.bsky.feed.post", repost: "app.bsky.feed.repost", like: "app.bsky.feed.like", follow: "app.bsky.graph.follow" } as const;
export type BskyCollection = keyof typeof BSKY_COLLECTION;

/**
 * Unique keys: `serial` < 10^12 names a post (or a follow edge, a farm follow…: callers keep their serial
 * ranges apart with `space`), `item` < 10^5 an entry of its thread (0 = the post itself). Numeric ids are
 * then 18–19 digits, like X's and Mastodon's.
 */
export interface Key {
  space: number;
  serial: number;
  item: number;
}

/** Serials are scrambled (a bijection of [0, 10^12)) so ids do not read as counters. */
function scrambled(serial: number): number {
  return permute(serial, 1e12, 0x5eed1d5);
}

function numeric(k: Key): string {
  return `${k.space}${pad(scrambled(k.serial), 12)}${pad(k.item, 5)}`;
}

/** A content id (post, reply, comment, repost…) on a network. */
export function contentId(network: Network, k: Key, authorId: string, atMs: number): string {
  const h = hash(k.space, k.serial, k.item);
  switch (network) {
    case "twitter":
    case "mastodon":
    case "tiktok":
    case "linkedin":
      return `1${numeric(k)}`;
    case "instagram":
      return numeric(k);
    case "facebook":
      return k.item === 0 ? `${authorId}_${k.space}${pad(scrambled(k.serial), 12)}` : `${k.space}${pad(scrambled(k.serial), 12)}_${pad(k.item, 7)}`;
    case "foursquare":
      return `${digits(Math.floor(atMs / 1000), "0123456789abcdef", 8)}${k.space}${digits(scrambled(k.serial), "0123456789abcdef", 10)}${digits(k.item, "0123456789abcdef", 5)}`;
    case "youtube":
      return k.item === 0
        ? `${digits(k.space * 1e12 + scrambled(k.serial), B64URL, 8)}${noise(h, B64URL, 3)}`
        : `Ugz${digits(k.space * 1e12 + scrambled(k.serial), B64URL, 8)}${digits(k.item, B64URL, 4)}${noise(h, B64URL, 7)}4AaABAg`;
    case "reddit":
      return `${(k.space * 1e12 + scrambled(k.serial)).toString(36)}${k.item.toString(36).padStart(4, "0")}`;
    case "bluesky":
      return `at://${authorId}/${BSKY_COLLECTION.post}/${tid(atMs, h)}`;
  }
}

/** An interaction id (like, repost, share, follow, subscription…) on a network. */
export function interactionId(network: Network, k: Key, actorId: string, atMs: number, collection: BskyCollection): string {
  if (network === "bluesky") return `at://${actorId}/${BSKY_COLLECTION[collection]}/${tid(atMs, hash(k.space, k.serial, k.item))}`;
  if (network === "youtube") return `${digits(k.space * 1e12 + scrambled(k.serial), B64URL, 8)}${digits(k.item, B64URL, 4)}${noise(hash(k.serial, k.item), B64URL, 10)}`;
  if (network === "foursquare") return contentId(network, k, actorId, atMs);
  return numeric(k);
}

/** Key spaces (the first digit of numeric ids): posts and their threads, follow edges, farm follows. */
export const SPACE = { post: 1, graph: 2, newFollow: 3, farm: 4 } as const;
