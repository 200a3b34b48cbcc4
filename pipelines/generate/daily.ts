import { NETWORKS, type Network, type WorldEvent } from "../types.ts";
import { SPACE, contentId, interactionId, type BskyCollection, type Key } from "./ids.ts";
import type { Capabilities, NetworkProfile } from "./profiles.ts";
import { Rng, hash, permute } from "./prng.ts";
import { baitText, postText, quoteText, replyText, ringText, subredditOf, titleText, venueCategoryOf, venueName, videoTags, type Written } from "./text.ts";
import { BOT, TAG, type Farm, type World } from "./world.ts";

/**
 * What happens each day: original posts (with a daily rhythm in each author's time zone), the thread of
 * engagement each post draws over the next 24 hours, new follows, follower farms at work. Every post's
 * thread is generated from its own seed, so the thread of a post made late yesterday can be regenerated
 * today and only its events that fall today are emitted — no event is held across days.
 */

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** How active people are at each local hour (relative). */
const RHYTHM = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.7, 0.75, 0.8, 0.85, 0.9, 0.85, 0.8, 0.8, 0.82, 0.88, 0.95, 1, 1, 0.9, 0.7, 0.45];
/** Threads stop at this many entries (ids reserve 5 digits for the position in a thread). */
const MAX_ITEMS = 99_999;
/** Bait replies a reply-bait bot writes a day, on average (× the world's activity). */
const BAIT_PER_BOT_DAY = 25;
/** Camouflage follows of a farm account: made before the window, and a day during it (besides the purchases). */
const FARM_BACKFILL = 8;
const FARM_DAILY = 0.5;

export type Sink = (network: number, event: WorldEvent) => void;

const ITEM = { root: 0, reply: 1, repost: 2, quote: 3, reaction: 4, delete: 5 } as const;
const FLAG = { none: 0, bait: 1, ring: 2 } as const;

function localHour(ms: number, tzMin: number): number {
  const x = (((ms + tzMin * 60_000) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(x / HOUR_MS);
}

/** A moment of the UTC day starting at `dayStart`, following the daily rhythm of someone in `tz`. */
function timeInDay(rng: Rng, dayStart: number, tz: number): number {
  let t = dayStart;
  for (let i = 0; i < 8; i++) {
    t = dayStart + Math.floor(rng.float() * DAY_MS);
    if (rng.float() < RHYTHM[localHour(t, tz)]!) return t;
  }
  return t;
}

/** A reaction delay after `t0`: lognormal around `medianMin` minutes, nudged into the reader's waking hours. */
function after(rng: Rng, t0: number, tz: number, medianMin: number, sigma: number): number {
  let t = t0;
  for (let i = 0; i < 4; i++) {
    t = t0 + Math.max(1000, Math.floor(rng.lognormal(Math.log(medianMin * 60_000), sigma)));
    if (rng.float() < RHYTHM[localHour(t, tz)]!) return t;
  }
  return t;
}

/** The posts of one day, sorted by time. */
class Roots {
  len = 0;
  acct = new Int32Array(1024);
  k = new Uint8Array(1024);
  time = new Float64Array(1024);
  topic = new Uint16Array(1024);
  quality = new Float32Array(1024);
  type = new Uint8Array(1024);
  /** Bait intensity per network for this day. */
  bait = new Float64Array(NETWORKS.length);

  push(a: number, k: number, t: number, topic: number, q: number, type: number): void {
    if (this.len === this.acct.length) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array | Uint16Array | Float32Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.acct = grow(this.acct);
      this.k = grow(this.k);
      this.time = grow(this.time);
      this.topic = grow(this.topic);
      this.quality = grow(this.quality);
      this.type = grow(this.type);
    }
    const i = this.len++;
    this.acct[i] = a;
    this.k[i] = k;
    this.time[i] = t;
    this.topic[i] = topic;
    this.quality[i] = q;
    this.type[i] = type;
  }

  /** Indices in time order (ties by account, then k: deterministic). */
  order(): Int32Array {
    const idx = new Int32Array(this.len);
    for (let i = 0; i < this.len; i++) idx[i] = i;
    return idx.sort((x, y) => this.time[x]! - this.time[y]! || this.acct[x]! - this.acct[y]! || this.k[x]! - this.k[y]!);
  }
}

/** One post's thread: the post (item 0) and everything done to it, in generation order. */
class Thread {
  len = 0;
  type = new Uint8Array(256);
  actor = new Int32Array(256);
  time = new Float64Array(256);
  parent = new Int32Array(256);
  extra = new Uint8Array(256);
  flag = new Uint8Array(256);
  replies: number[] = [];
  mentions: number[] = [];

  reset(): void {
    this.len = 0;
    this.replies.length = 0;
    this.mentions.length = 0;
  }

  add(type: number, actor: number, time: number, parent: number, extra = 0, flag: number = FLAG.none): number {
    if (this.len >= MAX_ITEMS) return -1;
    if (this.len === this.type.length) {
      const grow = <T extends Uint8Array | Int32Array | Float64Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.type = grow(this.type);
      this.actor = grow(this.actor);
      this.time = grow(this.time);
      this.parent = grow(this.parent);
      this.extra = grow(this.extra);
      this.flag = grow(this.flag);
    }
    const j = this.len++;
    this.type[j] = type;
    this.actor[j] = actor;
    this.time[j] = time;
    this.parent[j] = parent;
    this.extra[j] = extra;
    this.flag[j] = flag;
    if (type === ITEM.reply) this.replies.push(j);
    return j;
  }
}

export interface DayStats {
  roots: number;
  events: number;
}

export class DayGenerator {
  private readonly w: World;
  private readonly sink: Sink;
  private readonly rng = new Rng();
  private readonly rng2 = new Rng();
  private readonly thread = new Thread();
  private readonly reacted = new Set<number>();
  private readonly reposted = new Set<number>();
  private readonly refreshed: Uint8Array;
  private readonly nets: { name: Network; caps: Capabilities | null; prof: NetworkProfile; mixW: number[]; reactW: number[] }[];
  private prevRoots: Roots | null = null;
  private prevDay = -1;
  private readonly A: number;
  events = 0;

  constructor(world: World, sink: Sink) {
    this.w = world;
    this.sink = (n, e) => {
      this.events++;
      sink(n, e);
    };
    this.A = world.accounts;
    this.refreshed = new Uint8Array(world.accounts);
    this.nets = NETWORKS.map((name, n) => {
      const caps = world.caps[n] ?? null;
      const prof = world.profiles[n]!;
      return { name, caps, prof, mixW: (caps?.mix ?? []).map(([, x]) => x), reactW: prof.reactions.map(([, x]) => x) };
    });
  }

  dayStart(d: number): number {
    return this.w.startMs + d * DAY_MS;
  }

  // ------------------------------------------------------------------------------------------ posts

  /** The original posts of day `d` (regenerable: each account-day has its own seed). */
  roots(d: number): Roots {
    const w = this.w;
    const out = new Roots();
    const dayStart = this.dayStart(d);
    const dow = new Date(dayStart).getUTCDay();
    const rng = this.rng;
    for (let n = 0; n < NETWORKS.length; n++) {
      const { caps, prof } = this.nets[n]!;
      if (!caps || caps.rootTypes.length === 0) continue;
      const weekday = dow === 0 || dow === 6 ? prof.weekend : 1;
      const typeW = caps.rootTypes.map(([, x]) => x);
      for (let a = w.netStart[n]!; a < w.netStart[n + 1]!; a++) {
        const p = w.aPerson[a]!;
        const base = w.pPost[p]!;
        if (base <= 0) continue;
        rng.reseed(w.seed, TAG.roots, a, d);
        const bot = w.pBot[p]!;
        const rate = bot === BOT.ring ? base : base * w.aAct[a]! * prof.postRate * weekday * rng.lognormal(-0.045, 0.3);
        const count = Math.min(63, rng.poisson(rate));
        for (let k = 0; k < count; k++) {
          const t = timeInDay(rng, dayStart, w.pTz[p]!);
          const topic = bot === BOT.ring ? w.rings[w.pGroup[p]!]!.topic : w.topicOf(rng, p);
          const q = bot === BOT.ring ? 0.3 : rng.lognormal(0, 0.6);
          out.push(a, k, t, topic, q, rng.weighted(typeW));
        }
      }
    }
    // Reply-bait bots spread their daily replies over the posts that draw attention, in proportion to it.
    const attention = new Float64Array(NETWORKS.length);
    for (let i = 0; i < out.len; i++) {
      const a = out.acct[i]!;
      const lf = this.lambdaFollowers(a, out.quality[i]!);
      if (lf >= 1) attention[w.aNet[a]!] += Math.sqrt(lf);
    }
    for (let n = 0; n < NETWORKS.length; n++) out.bait[n] = attention[n]! > 0 ? (w.baitCount[n]! * BAIT_PER_BOT_DAY * w.activity) / attention[n]! : 0;
    return out;
  }

  /** Expected engagements from the author's audience. */
  private lambdaFollowers(a: number, q: number): number {
    const F = this.w.followerCount(a);
    return F > 0 ? this.nets[this.w.aNet[a]!]!.prof.reach * q * F ** 0.9 : 0;
  }

  private serial(d: number, a: number, k: number): number {
    return (d * this.A + a) * 64 + k;
  }

  // ------------------------------------------------------------------------------------------ threads

  private engage(r: number, n: number, topicTime: number, end: number, rng: Rng): void {
    const { prof, mixW, reactW } = this.nets[n]!;
    const caps = this.nets[n]!.caps!;
    const w = this.w;
    const th = this.thread;
    const tz = w.pTz[w.aPerson[r]!]!;
    if (mixW.length === 0) return;
    const kind = caps.mix[rng.weighted(mixW)]![0];
    const canNest = prof.nested && caps.reply?.as === "content";
    switch (kind) {
      case "reaction": {
        if (this.reacted.has(r)) return;
        this.reacted.add(r);
        const target = prof.reactToReplies && th.replies.length > 0 && rng.chance(0.12) ? th.replies[rng.int(th.replies.length)]! : 0;
        const t = after(rng, th.time[target]!, tz, 35, 1.4);
        if (t < end) th.add(ITEM.reaction, r, t, target, rng.weighted(reactW));
        return;
      }
      case "reply": {
        const parent = canNest && th.replies.length > 0 && rng.chance(0.3) ? th.replies[rng.int(th.replies.length)]! : 0;
        const t = after(rng, th.time[parent]!, tz, 30, 1.4);
        if (t < end) th.add(ITEM.reply, r, t, parent);
        return;
      }
      case "repost": {
        if (this.reposted.has(r)) return;
        this.reposted.add(r);
        const t = after(rng, topicTime, tz, 40, 1.4);
        if (t >= end) return;
        th.add(ITEM.repost, r, t, 0);
        if (caps.reaction && !this.reacted.has(r) && rng.chance(0.5)) {
          this.reacted.add(r);
          th.add(ITEM.reaction, r, t + 1000 + rng.int(60_000), 0, rng.weighted(reactW));
        }
        return;
      }
      case "quote": {
        const t = after(rng, topicTime, tz, 45, 1.4);
        if (t < end) th.add(ITEM.quote, r, t, 0);
        return;
      }
    }
  }

  /** Generate the thread of post `i` of `roots` (made on day `d`) into this.thread. */
  private generate(roots: Roots, i: number, d: number): void {
    const w = this.w;
    const a = roots.acct[i]!;
    const n = w.aNet[a]!;
    const { prof } = this.nets[n]!;
    const caps = this.nets[n]!.caps!;
    const p = w.aPerson[a]!;
    const topic = roots.topic[i]!;
    const t0 = roots.time[i]!;
    const end = t0 + DAY_MS;
    const q = roots.quality[i]!;
    const rng = this.rng.reseed(w.seed, TAG.cascade, a, d * 64 + roots.k[i]!);
    const th = this.thread;
    th.reset();
    this.reacted.clear();
    this.reposted.clear();
    th.add(ITEM.root, a, t0, -1);
    const F = w.followerCount(a);
    const followers = w.inOff[a]!;
    // Who the post names: friends checked in with, or someone the author admires.
    const rootType = caps.rootTypes[roots.type[i]!]![0];
    if (caps.checkinWith && rootType === "checkin" && F > 0 && rng.chance(0.2)) {
      const m = 1 + rng.int(2);
      for (let x = 0; x < m; x++) {
        const f = w.inAdj[followers + rng.int(F)]!;
        if (!th.mentions.includes(f)) th.mentions.push(f);
      }
    } else if (caps.mention && rng.chance(prof.mentionRate)) {
      const m = w.sampleByAttention(rng, n, topic);
      if (m >= 0 && m !== a) th.mentions.push(m);
    }
    // The audience: followers, each engaging with a chance set by their habits and interest in the topic.
    const lf = this.lambdaFollowers(a, q);
    const want = rng.poisson(lf);
    let budget = want * 10 + 10;
    for (let got = 0; got < want && budget > 0 && F > 0; budget--) {
      const r = w.inAdj[followers + rng.int(F)]!;
      const pr = w.aPerson[r]!;
      if (w.pBot[pr] !== BOT.none) continue;
      if (rng.float() >= Math.min(1, w.aEng[r]! / 1.5) * (0.25 + 0.75 * w.interest(pr, topic))) continue;
      got++;
      this.engage(r, n, t0, end, rng);
    }
    // Discovery: readers of the topic who do not follow the author.
    const ld = prof.discovery * q * w.aInfl[a]! ** 0.8 * (w.pBot[p] === BOT.none ? 1 : 0.05);
    const more = rng.poisson(ld);
    for (let x = 0; x < more; x++) {
      const r = w.sampleReader(rng, n, topic);
      if (r >= 0 && r !== a) this.engage(r, n, t0, end, rng);
    }
    // Mentioned people sometimes answer.
    for (const m of th.mentions) if (w.pBot[w.aPerson[m]!] === BOT.none && rng.chance(0.3) && caps.mix.length > 0) this.engage(m, n, t0, end, rng);
    // An engagement ring: every member likes and reposts every other member's posts, within minutes.
    if (w.pBot[p] === BOT.ring) {
      const ring = w.rings[w.pGroup[p]!]!;
      for (let m = ring.first; m < ring.first + ring.size; m++) {
        if (m === a) continue;
        if (caps.reaction && rng.chance(0.9)) {
          const t = t0 + 30_000 + Math.floor(rng.lognormal(Math.log(4 * 60_000), 0.8));
          if (t < end) th.add(ITEM.reaction, m, t, 0, 0, FLAG.ring);
        }
        if (caps.repost && rng.chance(0.35)) {
          const t = t0 + 30_000 + Math.floor(rng.lognormal(Math.log(6 * 60_000), 0.8));
          if (t < end) th.add(ITEM.repost, m, t, 0, 0, FLAG.ring);
        }
        if (caps.reply && rng.chance(caps.reaction || caps.repost ? 0.1 : 0.8)) {
          const t = t0 + 30_000 + Math.floor(rng.lognormal(Math.log(8 * 60_000), 0.8));
          if (t < end) th.add(ITEM.reply, m, t, 0, 0, FLAG.ring);
        }
      }
    }
    // Reply-bait: bots pile onto posts that draw attention; a few people bite.
    if (w.baitCount[n]! > 0 && caps.reply && lf >= 1) {
      const nb = rng.poisson(roots.bait[n]! * Math.sqrt(lf));
      for (let x = 0; x < nb; x++) {
        const bot = w.baitFirst[n]! + rng.int(w.baitCount[n]!);
        const t = t0 + 20_000 + Math.floor(rng.lognormal(Math.log(3 * 60_000), 0.8));
        if (t >= end) continue;
        const j = th.add(ITEM.reply, bot, t, 0, 0, FLAG.bait);
        if (j < 0 || F === 0) continue;
        const bites = rng.poisson(0.4);
        for (let y = 0; y < bites; y++) {
          const r = w.inAdj[followers + rng.int(F)]!;
          if (w.pBot[w.aPerson[r]!] !== BOT.none) continue;
          const tr = after(rng, t, w.pTz[w.aPerson[r]!]!, 20, 1.2);
          if (tr >= end) continue;
          if (prof.nested && caps.reply.as === "content") th.add(ITEM.reply, r, tr, j);
          else if (prof.reactToReplies && caps.reaction) th.add(ITEM.reaction, r, tr, j, 0);
        }
      }
    }
    // The author answers some replies and likes others.
    const canNest = prof.nested && caps.reply?.as === "content";
    const replies = th.replies.length;
    for (let x = 0; x < replies; x++) {
      const j = th.replies[x]!;
      if (th.actor[j] === a || th.flag[j] !== FLAG.none) continue;
      if (canNest && rng.chance(0.12)) {
        const t = after(rng, th.time[j]!, w.pTz[p]!, 25, 1.2);
        if (t < end) th.add(ITEM.reply, a, t, j);
      }
      if (prof.reactToReplies && caps.reaction && rng.chance(0.25)) {
        const t = after(rng, th.time[j]!, w.pTz[p]!, 25, 1.2);
        if (t < end) th.add(ITEM.reaction, a, t, j, 0);
      }
    }
    // Bluesky: some records are deleted again (a like taken back, a post regretted).
    if (caps.deletes) {
      const made = th.len;
      for (let j = 0; j < made; j++) {
        const ty = th.type[j]!;
        const pDel = ty === ITEM.root ? 0.005 : ty === ITEM.reply || ty === ITEM.quote ? 0.01 : 0.03;
        if (!rng.chance(pDel)) continue;
        const t = th.time[j]! + Math.floor(rng.lognormal(Math.log(2 * HOUR_MS), 1));
        if (t < end) th.add(ITEM.delete, th.actor[j]!, t, j);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ emitting

  private key(serial: number, j: number): Key {
    return { space: SPACE.post, serial, item: j };
  }

  private itemId(n: number, serial: number, j: number): string {
    const th = this.thread;
    const net = this.nets[n]!.name;
    const actorId = this.w.accountIdOf(th.actor[j]!);
    const ty = th.type[j]!;
    const caps = this.nets[n]!.caps!;
    const asContent =
      ty === ITEM.root ||
      (ty === ITEM.reply && caps.reply?.as === "content") ||
      (ty === ITEM.repost && caps.repost?.as === "content") ||
      (ty === ITEM.quote && caps.quote?.as === "content");
    if (asContent) return contentId(net, this.key(serial, j), actorId, th.time[j]!);
    const collection: BskyCollection = ty === ITEM.reaction ? "like" : ty === ITEM.repost ? "repost" : "post";
    return interactionId(net, this.key(serial, j), actorId, th.time[j]!, collection);
  }

  private account(a: number, d: number): void {
    const w = this.w;
    const n = w.aNet[a]!;
    if (!this.nets[n]!.caps?.accounts) return;
    let fake = 0;
    for (const b of w.buyers) if (b.account === a && d >= b.day) fake += b.count;
    const p = w.aPerson[a]!;
    this.sink(n, {
      kind: "account",
      network: this.nets[n]!.name,
      accountId: w.accountIdOf(a),
      handle: w.handle(a),
      displayName: w.displayName(a),
      createdAtMs: w.aCreated[a]!,
      followerCount: w.followerCount(a) + fake,
      followingCount: w.outDeg[a]! + (w.pBot[p] === BOT.farm ? this.farmFollowing(a, d) : 0),
      verified: w.pBot[p] === BOT.none && w.aW[a]! >= w.verifiedW[n]!,
    });
  }

  /** Before a person's first content of the day, their profile as the network reports it (X users, Facebook). */
  private touch(a: number, d: number): void {
    if (d === 0 || this.refreshed[a]) return;
    this.refreshed[a] = 1;
    this.account(a, d);
  }

  private text(serial: number, j: number): Rng {
    return this.rng2.reseed(this.w.seed, serial, j, TAG.text);
  }

  /** Emit the entries of the current thread that happen in [from, to). */
  private emitThread(roots: Roots, i: number, d: number, from: number, to: number): void {
    const w = this.w;
    const th = this.thread;
    const a0 = roots.acct[i]!;
    const n = w.aNet[a0]!;
    const { name: net, prof } = this.nets[n]!;
    const caps = this.nets[n]!.caps!;
    const serial = this.serial(d, a0, roots.k[i]!);
    const topic = roots.topic[i]!;
    const T = w.topics[topic]!;
    const rootType = caps.rootTypes[roots.type[i]!]![0];
    const order: number[] = [];
    for (let j = 0; j < th.len; j++) if (th.time[j]! >= from && th.time[j]! < to) order.push(j);
    if (order.length === 0) return;
    order.sort((x, y) => th.time[x]! - th.time[y]! || x - y);
    let rootMemo: Written | null = null;
    const rootWritten = (): Written => {
      let r = rootMemo;
      if (!r) {
        const rng = this.text(serial, 0);
        r = rootType === "checkin" ? { text: rng.chance(0.4) ? postText(rng, w.topics, topic, 0, 0).text : "", hashtags: [] } : postText(rng, w.topics, topic, prof.hashtagRate, prof.hashtagMax);
        if (th.mentions.length > 0) {
          const tags = th.mentions.map((m) => `@${w.handle(m)}`).join(" ");
          r = { text: r.text === "" ? `with ${tags}` : `${r.text} ${rootType === "checkin" ? "with " : "cc "}${tags}`, hashtags: r.hashtags };
        }
        rootMemo = r;
      }
      return r;
    };
    const hints = (rng: Rng): string[] => {
      if (net === "reddit") return [subredditOf(T)];
      if (net === "foursquare") return [venueCategoryOf(T)];
      if (rootType === "video" && net === "youtube") return videoTags(rng, w.topics, topic);
      return [];
    };
    const ref = (j: number) => {
      const actor = th.actor[j]!;
      const base = { contentId: this.itemId(n, serial, j), accountId: w.accountIdOf(actor), handle: w.handle(actor) };
      // Modules that keep threads by their root (Reddit, TikTok) read rootContentId when the parent is a reply.
      return j === 0 ? base : Object.assign(base, { rootContentId: this.itemId(n, serial, 0) });
    };
    for (const j of order) {
      const actor = th.actor[j]!;
      const t = th.time[j]!;
      const ty = th.type[j]!;
      const accountIdStr = w.accountIdOf(actor);
      const handle = w.handle(actor);
      if (ty === ITEM.root) {
        this.touch(actor, d);
        const r = rootWritten();
        const rng = this.text(serial, 1_000_000);
        const needsTitle = net === "reddit" || rootType === "video" || rootType === "checkin" || rootType === "tip";
        this.sink(n, {
          kind: "content",
          network: net,
          contentId: this.itemId(n, serial, 0),
          accountId: accountIdStr,
          handle,
          createdAtMs: t,
          contentType: rootType,
          text: r.text,
          hashtags: r.hashtags,
          mentions: th.mentions.map((m) => ({ accountId: w.accountIdOf(m), handle: w.handle(m) })),
          ...(needsTitle ? { title: rootType === "checkin" || rootType === "tip" ? venueName(rng, T) : titleText(rng, w.topics, topic) } : {}),
          topicHints: hints(rng),
        });
        continue;
      }
      if (ty === ITEM.delete) {
        const target = th.parent[j]!;
        this.sink(n, { kind: "delete", network: net, accountId: accountIdStr, deletedId: this.itemId(n, serial, target), occurredAtMs: t });
        continue;
      }
      const parentJ = ty === ITEM.repost || ty === ITEM.quote ? 0 : th.parent[j]!;
      const parentActor = th.actor[parentJ]!;
      const carrier = ty === ITEM.reply ? caps.reply : ty === ITEM.repost ? caps.repost : ty === ITEM.quote ? caps.quote : null;
      if (ty !== ITEM.reaction && carrier?.as === "content") {
        this.touch(actor, d);
        const rng = this.text(serial, j);
        let written: Written;
        if (ty === ITEM.repost) written = net === "twitter" ? rootWritten() : { text: "", hashtags: [] };
        else if (ty === ITEM.quote) written = quoteText(rng, w.topics, topic, prof.hashtagRate);
        else if (th.flag[j] === FLAG.bait) written = { text: baitText(rng), hashtags: [] };
        else if (th.flag[j] === FLAG.ring) written = { text: ringText(rng), hashtags: [] };
        else written = replyText(rng, w.topics, topic, prof.hashtagRate);
        const mentions: { accountId: string; handle: string }[] = [];
        if (ty === ITEM.reply && caps.mention && prof.replyMentionsParent && parentActor !== actor) {
          const ph = w.handle(parentActor);
          written = { text: `@${ph} ${written.text}`, hashtags: written.hashtags };
          mentions.push({ accountId: w.accountIdOf(parentActor), handle: ph });
        }
        this.sink(n, {
          kind: "content",
          network: net,
          contentId: this.itemId(n, serial, j),
          accountId: accountIdStr,
          handle,
          createdAtMs: t,
          contentType: carrier.type,
          text: written.text,
          hashtags: written.hashtags,
          mentions,
          parent: ref(parentJ),
          topicHints: net === "reddit" ? [subredditOf(T)] : [],
        });
        continue;
      }
      const action = ty === ITEM.reaction ? "reaction" : carrier?.as === "action" ? carrier.action : null;
      if (!action) continue;
      let reactionType: string | undefined;
      if (ty === ITEM.reaction) reactionType = rootType === "tip" && parentJ === 0 && hash(serial, j) % 2 === 0 ? "agree" : prof.reactions[th.extra[j]!]?.[0] ?? "like";
      this.sink(n, {
        kind: "interaction",
        network: net,
        interactionId: this.itemId(n, serial, j),
        actorAccountId: accountIdStr,
        actorHandle: handle,
        targetAccountId: w.accountIdOf(parentActor),
        targetHandle: w.handle(parentActor),
        targetContentId: this.itemId(n, serial, parentJ),
        action,
        ...(reactionType ? { reactionType } : {}),
        occurredAtMs: t,
      });
    }
  }

  // ------------------------------------------------------------------------------------------ follows

  private follow(n: number, follower: number, followee: number, atMs: number, key: Key): void {
    const w = this.w;
    const { name } = this.nets[n]!;
    const caps = this.nets[n]!.caps!;
    const actorId = w.accountIdOf(follower);
    this.sink(n, {
      kind: "interaction",
      network: name,
      interactionId: interactionId(name, key, actorId, atMs, "follow"),
      actorAccountId: actorId,
      actorHandle: w.handle(follower),
      targetAccountId: w.accountIdOf(followee),
      targetHandle: w.handle(followee),
      action: caps.follow!,
      occurredAtMs: atMs,
    });
  }

  /** Day 0 delivers the graph as it stands (a backfill): every follow edge with the time it was made. */
  private *backfill(): Generator<void> {
    const w = this.w;
    for (let n = 0; n < NETWORKS.length; n++) {
      const { caps, prof } = this.nets[n]!;
      if (!caps?.follow) continue;
      const symmetric = prof.reciprocity >= 1;
      for (let t = w.netStart[n]!; t < w.netStart[n + 1]!; t++) {
        for (let e = w.inOff[t]!; e < w.inOff[t + 1]!; e++) {
          const f = w.inAdj[e]!;
          if (symmetric && f > t) continue;
          const since = Math.max(w.aCreated[f]!, w.aCreated[t]!);
          const at = Math.floor(since + ((hash(w.seed, TAG.graph, f, t) >>> 0) / 4294967296) * (w.startMs - since));
          this.follow(n, f, t, at, { space: SPACE.graph, serial: e, item: 0 });
        }
        if ((t & 1023) === 0) yield;
      }
    }
    for (const farm of w.farms) {
      for (let j = farm.first; j < farm.first + farm.size; j++) {
        this.farmFollows(farm, j, -1);
        if ((j & 255) === 0) yield;
      }
    }
  }

  /**
   * New follows during the window, per account: drawn once for the whole window from the account's own seed
   * (so a follow is never made twice), emitted on the day they happen.
   */
  private windowFollows(a: number, out: { t: number; at: number }[]): void {
    const w = this.w;
    out.length = 0;
    const p = w.aPerson[a]!;
    if (w.pBot[p] !== BOT.none) return;
    const rng = this.rng2.reseed(w.seed, TAG.follows, a);
    const cls = w.pClass[p]!;
    const count = Math.min(499, rng.poisson((cls === 0 ? 0.01 : cls === 1 ? 0.04 : 0.06) * w.opts.days * w.activity));
    const n = w.aNet[a]!;
    for (let i = 0; i < count; i++) {
      const t = rng.chance(0.7) ? w.sampleByAttention(rng, n, w.topicOf(rng, p)) : w.sampleGlobal(rng, n);
      const day = rng.int(w.opts.days);
      const at = timeInDay(rng, this.dayStart(day), w.pTz[p]!);
      if (t < 0 || t === a || w.follows(a, t) || out.some((o) => o.t === t)) continue;
      out.push({ t, at });
    }
  }

  private readonly wf: { t: number; at: number }[] = [];
  private readonly wf2: { t: number; at: number }[] = [];

  private *newFollows(d: number): Generator<void> {
    const w = this.w;
    const from = this.dayStart(d);
    const to = from + DAY_MS;
    for (let n = 0; n < NETWORKS.length; n++) {
      const { caps, prof } = this.nets[n]!;
      if (!caps?.follow) continue;
      const symmetric = prof.reciprocity >= 1;
      for (let a = w.netStart[n]!; a < w.netBots[n]!; a++) {
        this.windowFollows(a, this.wf);
        for (let i = 0; i < this.wf.length; i++) {
          const { t, at } = this.wf[i]!;
          // The other side's own plans: a friendship both start is made once; a follow-back is made only if not planned anyway.
          const theirs = this.wf2;
          this.windowFollows(t, theirs);
          const mutual = theirs.some((o) => o.t === a);
          if (symmetric && mutual && a > t) continue;
          const key: Key = { space: SPACE.newFollow, serial: a * 1000 + i, item: 0 };
          if (at >= from && at < to) this.follow(n, a, t, at, key);
          if (!symmetric && !mutual && !w.follows(t, a) && w.pBot[w.aPerson[t]!] === BOT.none && hash(w.seed, TAG.follows, a, t) / 4294967296 < prof.reciprocity / 2) {
            const back = at + 60_000 + (hash(w.seed, TAG.follows, t, a) % (6 * HOUR_MS));
            if (back >= from && back < to && back < w.startMs + w.opts.days * DAY_MS) this.follow(n, t, a, back, { space: SPACE.newFollow, serial: a * 1000 + 500 + i, item: 0 });
          }
          // Bluesky: a few follows are undone later in the window.
          if (caps.deletes && hash(w.seed, TAG.follows, a, t, 1) % 40 === 0) {
            const undo = at + HOUR_MS + (hash(w.seed, TAG.follows, a, t, 2) % (3 * DAY_MS));
            if (undo >= from && undo < to) {
              const actorId = w.accountIdOf(a);
              this.sink(n, { kind: "delete", network: this.nets[n]!.name, accountId: actorId, deletedId: interactionId(this.nets[n]!.name, key, actorId, at, "follow"), occurredAtMs: undo });
            }
          }
        }
        if ((a & 1023) === 0) yield;
      }
    }
    for (const farm of w.farms) {
      for (let j = farm.first; j < farm.first + farm.size; j++) {
        this.farmFollows(farm, j, d);
        if ((j & 255) === 0) yield;
      }
      // The purchases: `count` farm accounts follow the buyer within a few hours.
      for (const b of farm.buyers) {
        if (b.day !== d) continue;
        for (let i = 0; i < b.count; i++) {
          const j = farm.first + ((b.offset + i) % farm.size);
          const at = b.atMs + Math.floor((i / b.count) * 4 * HOUR_MS) + (hash(w.seed, TAG.farm, j, b.person) % 60_000);
          this.follow(farm.network, j, b.account, at, { space: SPACE.farm, serial: j * 100_000 + 99_999 - w.buyers.indexOf(b), item: 0 });
          if ((i & 255) === 0) yield;
        }
      }
    }
  }

  /** How many camouflage follows farm account `j` made before day `d` (day -1: the backfill). */
  private farmCamo(j: number, d: number): { before: number; today: number } {
    const rng = this.rng2;
    const backfill = rng.reseed(this.w.seed, TAG.farm, j, 1_000_000).poisson(FARM_BACKFILL);
    if (d < 0) return { before: 0, today: backfill };
    let before = backfill;
    for (let x = 0; x < d; x++) before += rng.reseed(this.w.seed, TAG.farm, j, x).poisson(FARM_DAILY);
    return { before, today: rng.reseed(this.w.seed, TAG.farm, j, d).poisson(FARM_DAILY) };
  }

  private farmFollowing(j: number, d: number): number {
    const { before, today } = this.farmCamo(j, d);
    return before + today;
  }

  /** A farm account's camouflage: follows of random people (distinct: a keyed permutation), never engagement. */
  private farmFollows(farm: Farm, j: number, d: number): void {
    const w = this.w;
    const n = farm.network;
    const humansStart = w.netStart[n]!;
    const humans = w.netBots[n]! - humansStart;
    if (humans <= 1) return;
    const { before, today } = this.farmCamo(j, d);
    const key = hash(w.seed, TAG.farm, j);
    const from = d < 0 ? w.aCreated[j]! : this.dayStart(d);
    const span = d < 0 ? w.startMs - from : DAY_MS;
    for (let k = before; k < before + today && k < humans; k++) {
      const t = humansStart + permute(k, humans, key);
      if (w.buyers.some((b) => b.account === t)) continue;
      const at = Math.floor(from + (hash(key, k) / 4294967296) * span);
      this.follow(n, j, t, at, { space: SPACE.farm, serial: j * 100_000 + k, item: 0 });
    }
  }

  // ------------------------------------------------------------------------------------------ a day

  /**
   * Everything of day `d`, in chunks: the generator yields between chunks so the caller can let the
   * writers drain (backpressure) and report progress.
   */
  *day(d: number): Generator<void, DayStats> {
    const from = this.dayStart(d);
    const to = from + DAY_MS;
    this.refreshed.fill(0);
    if (d === 0) {
      for (let a = 0; a < this.A; a++) {
        this.account(a, 0);
        if ((a & 4095) === 0) yield;
      }
      yield* this.backfill();
    }
    yield* this.newFollows(d);
    // Threads of yesterday's posts that run into today, then today's.
    const prev = this.prevDay === d - 1 && this.prevRoots ? this.prevRoots : d > 0 ? this.roots(d - 1) : null;
    if (prev) {
      const order = prev.order();
      for (let x = 0; x < order.length; x++) {
        const i = order[x]!;
        if (prev.time[i]! + DAY_MS <= from) continue;
        this.generate(prev, i, d - 1);
        this.emitThread(prev, i, d - 1, from, to);
        if ((x & 511) === 0) yield;
      }
    }
    const today = this.roots(d);
    const order = today.order();
    for (let x = 0; x < order.length; x++) {
      const i = order[x]!;
      this.generate(today, i, d);
      this.emitThread(today, i, d, from, to);
      if ((x & 511) === 0) yield;
    }
    this.prevRoots = today;
    this.prevDay = d;
    return { roots: today.len, events: this.events };
  }
}
