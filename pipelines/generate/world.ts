import { NETWORKS, type Network, type NetworkSpec } from "../types.ts";
import { accountId, handleOf } from "./ids.ts";
import { PROFILES, capabilities, type Capabilities, type NetworkProfile } from "./profiles.ts";
import { Rng, hash, permute, searchCumulative } from "./prng.ts";
import { botStem, handleStem, personName } from "./text.ts";
import type { Topic } from "./topics.ts";

/**
 * The people, their accounts and the follow graph: everything that does not change from day to day, held
 * in typed arrays (about 50 bytes a person, 40 an account and 4 a follow edge) so that a million people fit.
 * Persons 0…humans-1 are people; the rest are bots, one account each. Accounts are grouped by network and,
 * within a network, ordered by person — and people are ordered by their main topic community, so accounts
 * near each other on a network share interests (the "local" follows draw on that).
 */

export const MAX_TOPICS = 5;
export const BOT = { none: 0, ring: 1, bait: 2, farm: 3 } as const;
export const BOT_KINDS = ["", "engagement_ring", "reply_bait", "follower_farm"] as const;
export const ACTIVITY = ["dormant", "lurker", "active"] as const;
/** linkDay for people who never link their accounts. */
export const NEVER = 32767;

export interface WorldOptions {
  people: number;
  days: number;
  /** First day, YYYY-MM-DD (UTC). */
  start: string;
  seed: number;
  topics: Topic[];
  /** The loaded network modules; a network without one still has people, but nothing is exported for it. */
  specs: Partial<Record<Network, NetworkSpec>>;
  /** Size of the account id/handle cache, in bits (default 17). Tests shrink it to exercise recomputation. */
  idCacheBits?: number;
  /**
   * How active the world is (default 1): multiplies everyone's posting rate (people's and ring bots'), reply-bait
   * bots' daily replies and the follows people make during the window. What a post draws per reader is
   * unchanged, so engagement follows the posts: ~`activity` × the content and interaction records. The people,
   * accounts, follow graph, farms and purchases do not change. (README: "Activity".)
   */
  activity?: number;
}

/** Streams of the seed, one per decision kind, so adding a decision never shifts another. */
export const TAG = {
  person: 11, account: 12, graph: 13, buyer: 14, bot: 15, name: 16, roots: 17, cascade: 18, follows: 19, farm: 20, text: 21, netkey: 22, bait: 23, order: 24,
} as const;

// Time zones people live in: UTC offset in minutes, share of people.
const ZONES: [number, number][] = [
  [-480, 0.1], [-420, 0.04], [-360, 0.07], [-300, 0.13], [-180, 0.06], [0, 0.08], [60, 0.15], [120, 0.05], [180, 0.03],
  [330, 0.08], [420, 0.03], [480, 0.08], [540, 0.06], [600, 0.02], [780, 0.02],
];

export interface Buyer {
  person: number;
  network: number;
  account: number;
  day: number;
  atMs: number;
  count: number;
  /** Where in the farm the bought follows start (they take `count` consecutive farm accounts). */
  offset: number;
}

export interface Farm {
  network: number;
  first: number;
  size: number;
  buyers: Buyer[];
}

export interface Ring {
  network: number;
  first: number;
  size: number;
  topic: number;
}

const DAY_MS = 86_400_000;

export class World {
  readonly opts: WorldOptions;
  readonly seed: number;
  readonly topics: Topic[];
  readonly startMs: number;
  readonly humans: number;
  /** WorldOptions.activity (1 unless given). */
  readonly activity: number;
  persons = 0;
  /** Capabilities per network index (null when the module is missing). */
  readonly caps: (Capabilities | null)[];
  readonly profiles: NetworkProfile[];

  // ---- persons
  pInfl!: Float32Array;
  pClass!: Uint8Array;
  pPost!: Float32Array;
  pEng!: Float32Array;
  pTz!: Int16Array;
  pNets!: Uint16Array;
  pMain!: Uint8Array;
  pTop!: Uint16Array;
  pTopW!: Float32Array;
  pNT!: Uint8Array;
  pBot!: Uint8Array;
  pGroup!: Int32Array;
  pLinkDay!: Int16Array;

  // ---- accounts
  accounts = 0;
  netStart = new Int32Array(NETWORKS.length + 1);
  /** First bot account of each network (humans come first). */
  netBots = new Int32Array(NETWORKS.length);
  aPerson!: Int32Array;
  aNet!: Uint8Array;
  aInfl!: Float32Array;
  aAct!: Float32Array;
  aEng!: Float32Array;
  aW!: Float32Array;
  aCreated!: Float64Array;
  /** The account's unique number on its network (a keyed permutation of its position): ids and handles. */
  aU!: Int32Array;
  /** Verified badge threshold on aW, per network (top 0.2%). */
  verifiedW = new Float64Array(NETWORKS.length);

  // ---- samplers
  netCumW!: Float64Array;
  topicOff!: Uint32Array;
  topicMem!: Int32Array;
  topicCumW!: Float64Array;
  topicCumE!: Float64Array;
  private topicCum!: Float64Array;
  private familyOff!: Int32Array;
  private familyMem!: Int32Array;
  private familyCum!: Float64Array;
  private rootCum!: Float64Array;
  private roots!: number[];

  // ---- graph (followers of each account, sorted)
  inOff!: Uint32Array;
  inAdj!: Int32Array;
  outDeg!: Int32Array;

  // ---- adversaries
  rings: Ring[] = [];
  farms: Farm[] = [];
  buyers: Buyer[] = [];
  baitFirst = new Int32Array(NETWORKS.length);
  baitCount = new Int32Array(NETWORKS.length);
  fakePerBuyer = 0;

  private readonly rng = new Rng();

  constructor(opts: WorldOptions) {
    this.opts = opts;
    this.seed = opts.seed;
    this.topics = opts.topics;
    this.startMs = Date.parse(`${opts.start}T00:00:00Z`);
    this.humans = opts.people;
    this.activity = opts.activity ?? 1;
    if (!(this.activity > 0) || !Number.isFinite(this.activity)) throw new Error(`activity must be a number > 0, got ${opts.activity}`);
    this.profiles = NETWORKS.map((n) => PROFILES[n]);
    const slots = 1 << (opts.idCacheBits ?? 17);
    this.idCacheKey = new Int32Array(slots).fill(-1);
    this.idCacheId = new Array<string>(slots).fill("");
    this.idCacheHandle = new Array<string>(slots).fill("");
    this.caps = NETWORKS.map((n) => {
      const spec = opts.specs[n];
      return spec?.emit && spec.supports ? capabilities(spec, PROFILES[n]) : null;
    });
  }

  /** Build everything; `onStep` reports progress for big worlds. */
  static build(opts: WorldOptions, onStep: (what: string) => void = () => {}): World {
    const w = new World(opts);
    onStep("topics");
    w.buildTopicSamplers();
    onStep("people");
    w.buildPeople();
    onStep("accounts");
    w.buildAccounts();
    onStep("samplers");
    w.buildSamplers();
    onStep("follow graph");
    w.buildGraph();
    return w;
  }

  // ------------------------------------------------------------------------------------------ topics

  private buildTopicSamplers(): void {
    const T = this.topics.length;
    const rng = this.rng.reseed(this.seed, TAG.order);
    // Top-level topics get Zipf popularity in a seed-shuffled order (communities differ in size).
    this.roots = [];
    for (let t = 0; t < T; t++) if (this.topics[t]!.root === t) this.roots.push(t);
    const order = this.roots.map((r) => ({ r, k: rng.u32() })).sort((a, b) => a.k - b.k || a.r - b.r);
    const rootW = new Float64Array(T);
    order.forEach((o, rank) => (rootW[o.r] = 1 / (rank + 1) ** 0.6));
    this.rootCum = new Float64Array(this.roots.length);
    let acc = 0;
    this.roots.forEach((r, i) => (this.rootCum[i] = acc += rootW[r]!));
    // Families: every topic under a top-level topic; the general topic itself and earlier children weigh more.
    const famCount = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) famCount[this.topics[t]!.root + 1]!++;
    this.familyOff = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) this.familyOff[t + 1] = this.familyOff[t]! + famCount[t + 1]!;
    this.familyMem = new Int32Array(T);
    this.familyCum = new Float64Array(T);
    const fill = this.familyOff.slice(0, T);
    const famW = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const r = this.topics[t]!.root;
      const pos = fill[r]! - this.familyOff[r]!;
      this.familyMem[fill[r]!++] = t;
      famW[t] = t === r ? 0.8 : 1 / (pos + 1) ** 0.5;
    }
    const famTotal = new Float64Array(T);
    for (let r = 0; r < T; r++) {
      let s = 0;
      for (let i = this.familyOff[r]!; i < this.familyOff[r + 1]!; i++) this.familyCum[i] = s += famW[this.familyMem[i]!]!;
      famTotal[r] = s;
    }
    this.topicCum = new Float64Array(T);
    acc = 0;
    for (let t = 0; t < T; t++) this.topicCum[t] = acc += (rootW[this.topics[t]!.root]! * famW[t]!) / famTotal[this.topics[t]!.root]!;
  }

  private sampleFamily(rng: Rng, root: number): number {
    const s = this.familyOff[root]!;
    const e = this.familyOff[root + 1]!;
    return this.familyMem[searchCumulative(this.familyCum, s, e, rng.float() * this.familyCum[e - 1]!)]!;
  }

  private sampleTopic(rng: Rng): number {
    return searchCumulative(this.topicCum, 0, this.topicCum.length, rng.float() * this.topicCum[this.topicCum.length - 1]!);
  }

  // ------------------------------------------------------------------------------------------ people

  private buildPeople(): void {
    const N = this.humans;
    const D = this.opts.days;
    const rng = this.rng;
    // Adversary sizes (README: "Adversaries").
    const nRings = Math.max(1, Math.round(N / 4000));
    const nBait = Math.max(4, Math.round(N / 1500));
    const nBuyers = Math.min(20, Math.max(2, Math.round(N / 50_000)));
    this.fakePerBuyer = Math.max(1000, Math.min(10_000, Math.round(N / 10)));
    const ringSizes: number[] = [];
    rng.reseed(this.seed, TAG.bot, 0);
    for (let i = 0; i < nRings; i++) ringSizes.push(8 + rng.int(9));
    // Humans first; bots appended once the buyers (and so the farms) are known.
    const cap = N + ringSizes.reduce((a, b) => a + b, 0) + nBait + 2 * 11_500 + Math.ceil(0.004 * N) * 3 + 64;
    this.pInfl = new Float32Array(cap);
    this.pClass = new Uint8Array(cap);
    this.pPost = new Float32Array(cap);
    this.pEng = new Float32Array(cap);
    this.pTz = new Int16Array(cap);
    this.pNets = new Uint16Array(cap);
    this.pMain = new Uint8Array(cap);
    this.pTop = new Uint16Array(cap * MAX_TOPICS);
    this.pTopW = new Float32Array(cap * MAX_TOPICS);
    this.pNT = new Uint8Array(cap);
    this.pBot = new Uint8Array(cap);
    this.pGroup = new Int32Array(cap).fill(-1);
    this.pLinkDay = new Int16Array(cap).fill(NEVER);
    // Nobody joins a network before it opened.
    const popularity = this.profiles.map((p) => (Date.parse(`${p.launchedAt}T00:00:00Z`) < this.startMs ? p.popularity : 0));
    const open = popularity.filter((x) => x > 0).length;
    const zoneW = ZONES.map((z) => z[1]);
    const rootTotal = this.rootCum[this.rootCum.length - 1]!;
    let rootIdx = 0;
    for (let p = 0; p < N; p++) {
      rng.reseed(this.seed, TAG.person, p);
      // Communities: people are laid out by their main top-level topic, in proportion to its popularity.
      const x = ((p + 0.5) / N) * rootTotal;
      while (rootIdx < this.roots.length - 1 && this.rootCum[rootIdx]! <= x) rootIdx++;
      const L = Math.exp(1.25 * rng.normal());
      this.pInfl[p] = L;
      const u = rng.float();
      const cls = L > 6 ? 2 : u < 0.22 ? 0 : u < 0.5 ? 1 : 2;
      this.pClass[p] = cls;
      // (× activity after the cap: activity scales the rate itself; at 1 the product is exact, so the bytes are unchanged.)
      this.pPost[p] = (cls === 2 ? Math.min(40, rng.lognormal(Math.log(0.45), 1.0) * L ** 0.3) : cls === 1 ? 0.02 : 0) * this.activity;
      this.pEng[p] = cls === 0 ? 0.03 : Math.min(20, rng.lognormal(Math.log(cls === 1 ? 1.2 : 0.8), 0.8));
      this.pTz[p] = ZONES[rng.weighted(zoneW)]![0];
      // Topics: one from the community, more from it or from anywhere.
      const root = this.roots[rootIdx]!;
      const chosen = [this.sampleFamily(rng, root)];
      const want = 1 + Math.min(MAX_TOPICS - 1, rng.poisson(1.4));
      for (let tries = 0; chosen.length < want && tries < 20; tries++) {
        const t = rng.chance(0.55) ? this.sampleFamily(rng, root) : this.sampleTopic(rng);
        if (!chosen.includes(t)) chosen.push(t);
      }
      this.setTopics(p, chosen, rng);
      // Networks: most people are on one, some on several; celebrities are everywhere.
      const r = rng.float();
      let m = r < 0.64 ? 1 : r < 0.84 ? 2 : r < 0.93 ? 3 : r < 0.97 ? 4 : 5 + rng.int(3);
      if (L > 8) m += 2;
      else if (L > 3 && rng.chance(0.5)) m += 1;
      m = Math.min(m, open);
      const w = popularity.slice();
      let mask = 0;
      for (let i = 0; i < m; i++) {
        const n = rng.weighted(w);
        if (i === 0) this.pMain[p] = n;
        mask |= 1 << n;
        w[n] = 0;
      }
      this.pNets[p] = mask;
      if (m >= 2 && rng.chance(0.7)) this.pLinkDay[p] = rng.chance(0.85) ? -1 : rng.int(D);
    }
    this.persons = N;
    this.pickBuyers(nBuyers);
    // Bots.
    rng.reseed(this.seed, TAG.bot, 1);
    const ringNets = this.adversaryNetworks((p, c) => p.ringWeight * (c.reaction || c.repost ? 1 : 0));
    const baitNets = this.adversaryNetworks((p, c) => p.baitWeight * (c.reply ? 1 : 0));
    for (let r = 0; r < nRings && ringNets.length > 0; r++) {
      const n = ringNets[rng.weighted(ringNets.map(([, w]) => w))]![0];
      const topic = this.sampleTopic(rng);
      this.rings.push({ network: n, first: -1, size: ringSizes[r]!, topic });
      for (let i = 0; i < ringSizes[r]!; i++) this.addBot(BOT.ring, n, r, topic, 0.08, this.activity);
    }
    for (let b = 0; b < nBait && baitNets.length > 0; b++) {
      const n = baitNets[rng.weighted(baitNets.map(([, w]) => w))]![0];
      this.addBot(BOT.bait, n, -1, this.sampleTopic(rng), 0.05, 0);
    }
    const farmNets = [...new Set(this.buyers.map((b) => b.network))].sort((a, b) => a - b);
    for (const n of farmNets) {
      let humansOn = 0;
      for (let p = 0; p < N; p++) if (this.pNets[p]! & (1 << n)) humansOn++;
      const size = Math.max(Math.ceil(this.fakePerBuyer * 1.15), Math.round(0.004 * humansOn));
      const farm: Farm = { network: n, first: -1, size, buyers: this.buyers.filter((b) => b.network === n) };
      for (const b of farm.buyers) b.offset = rng.int(size);
      this.farms.push(farm);
      for (let i = 0; i < size; i++) this.addBot(BOT.farm, n, this.farms.length - 1, this.sampleTopic(rng), 0, 0);
    }
  }

  private setTopics(p: number, chosen: number[], rng: Rng): void {
    const weights = chosen.map((_, i) => (i === 0 ? 1 : 0.15 + 0.6 * rng.float()));
    const total = weights.reduce((a, b) => a + b, 0);
    this.pNT[p] = chosen.length;
    chosen.forEach((t, i) => {
      this.pTop[p * MAX_TOPICS + i] = t;
      this.pTopW[p * MAX_TOPICS + i] = weights[i]! / total;
    });
  }

  private adversaryNetworks(weight: (p: NetworkProfile, c: Capabilities) => number): [number, number][] {
    const out: [number, number][] = [];
    NETWORKS.forEach((_, n) => {
      const c = this.caps[n];
      const opened = Date.parse(`${this.profiles[n]!.launchedAt}T00:00:00Z`) < this.startMs;
      const w = c && opened ? weight(this.profiles[n]!, c) : 0;
      if (w > 0) out.push([n, w]);
    });
    return out;
  }

  private addBot(kind: number, n: number, group: number, topic: number, infl: number, postRate: number): void {
    const p = this.persons++;
    if (p >= this.pInfl.length) this.growPersons(p * 2);
    const rng = this.rng;
    this.pBot[p] = kind;
    this.pGroup[p] = group;
    this.pInfl[p] = infl;
    this.pClass[p] = kind === BOT.farm ? 0 : 2;
    this.pPost[p] = postRate;
    this.pEng[p] = 0;
    this.pTz[p] = ZONES[rng.int(ZONES.length)]![0];
    this.pNets[p] = 1 << n;
    this.pMain[p] = n;
    this.pNT[p] = 1;
    this.pTop[p * MAX_TOPICS] = topic;
    this.pTopW[p * MAX_TOPICS] = 1;
  }

  private growPersons(size: number): void {
    const grow = <T extends Float32Array | Uint8Array | Int16Array | Uint16Array | Int32Array>(a: T, n: number, fill = 0): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.fill(fill as never);
      b.set(a);
      return b;
    };
    this.pInfl = grow(this.pInfl, size);
    this.pClass = grow(this.pClass, size);
    this.pPost = grow(this.pPost, size);
    this.pEng = grow(this.pEng, size);
    this.pTz = grow(this.pTz, size);
    this.pNets = grow(this.pNets, size);
    this.pMain = grow(this.pMain, size);
    this.pTop = grow(this.pTop, size * MAX_TOPICS);
    this.pTopW = grow(this.pTopW, size * MAX_TOPICS);
    this.pNT = grow(this.pNT, size);
    this.pBot = grow(this.pBot, size);
    this.pGroup = grow(this.pGroup, size, -1);
    this.pLinkDay = grow(this.pLinkDay, size, NEVER);
  }

  /** A few people buy followers: active, middling influence (30th–90th percentile), on a follow network. */
  private pickBuyers(count: number): void {
    const N = this.humans;
    const sorted = this.pInfl.slice(0, N).sort();
    const lo = sorted[Math.floor(N * 0.3)]!;
    const hi = sorted[Math.floor(N * 0.9)]!;
    const rng = this.rng.reseed(this.seed, TAG.buyer);
    const key = rng.u32();
    const farmW = this.profiles.map((p, n) => (this.caps[n]?.follow === "follow" ? p.farmWeight : 0));
    for (let i = 0; i < N && this.buyers.length < count; i++) {
      const p = permute(i, N, key);
      if (this.pClass[p] !== 2 || this.pInfl[p]! < lo || this.pInfl[p]! > hi) continue;
      const w = farmW.map((x, n) => (this.pNets[p]! & (1 << n) ? x : 0));
      if (w.every((x) => x === 0)) continue;
      const D = this.opts.days;
      const day = D >= 2 ? 1 + rng.int(D - 1) : 0;
      this.buyers.push({ person: p, network: rng.weighted(w), account: -1, day, atMs: this.startMs + day * DAY_MS + Math.floor(rng.float() * 0.5 * DAY_MS), count: this.fakePerBuyer, offset: 0 });
    }
  }

  // ------------------------------------------------------------------------------------------ accounts

  private buildAccounts(): void {
    const P = this.persons;
    const NN = NETWORKS.length;
    const count = new Int32Array(NN);
    for (let p = 0; p < P; p++) for (let n = 0; n < NN; n++) if (this.pNets[p]! & (1 << n)) count[n]!++;
    for (let n = 0; n < NN; n++) this.netStart[n + 1] = this.netStart[n]! + count[n]!;
    const A = (this.accounts = this.netStart[NN]!);
    this.aPerson = new Int32Array(A);
    this.aNet = new Uint8Array(A);
    this.aInfl = new Float32Array(A);
    this.aAct = new Float32Array(A);
    this.aEng = new Float32Array(A);
    this.aW = new Float32Array(A);
    this.aCreated = new Float64Array(A);
    const cursor = this.netStart.slice(0, NN);
    this.netBots.set(this.netStart.subarray(1));
    for (let p = 0; p < P; p++) {
      for (let n = 0; n < NN; n++) {
        if (!(this.pNets[p]! & (1 << n))) continue;
        const a = cursor[n]!++;
        this.aPerson[a] = p;
        this.aNet[a] = n;
        if (this.pBot[p] !== BOT.none && this.netBots[n] === this.netStart[n + 1]) this.netBots[n] = a;
      }
    }
    const rng = this.rng;
    for (let a = 0; a < A; a++) {
      const p = this.aPerson[a]!;
      const n = this.aNet[a]!;
      rng.reseed(this.seed, TAG.account, a);
      const launch = Date.parse(`${this.profiles[n]!.launchedAt}T00:00:00Z`);
      const earliest = Math.min(Math.max(launch, this.startMs - 15 * 365 * DAY_MS), this.startMs - 30 * DAY_MS);
      const bot = this.pBot[p]!;
      if (bot === BOT.none) {
        const main = this.pMain[p] === n;
        this.aInfl[a] = this.pInfl[p]! * rng.lognormal(0, 0.6) * (main ? 1.4 : 1);
        this.aAct[a] = rng.lognormal(0, 0.6) * (main ? 1.3 : 0.55);
        this.aEng[a] = this.pEng[p]! * rng.lognormal(0, 0.4) * (main ? 1.3 : 0.7);
        this.aW[a] = this.aInfl[a]! ** 1.6;
        // Older accounts are likelier: the square root skews creation towards the network's early years.
        this.aCreated[a] = Math.floor(this.startMs - 7 * DAY_MS - Math.sqrt(rng.float()) * (this.startMs - 7 * DAY_MS - earliest));
      } else {
        this.aInfl[a] = this.pInfl[p]!;
        this.aAct[a] = 1;
        this.aEng[a] = 0;
        this.aW[a] = bot === BOT.farm ? 0 : 0.02;
        this.aCreated[a] = Math.floor(Math.max(earliest, this.startMs - (20 + rng.float() * 380) * DAY_MS));
      }
    }
    this.aU = new Int32Array(A);
    for (let n = 0; n < NN; n++) {
      const size = this.netStart[n + 1]! - this.netStart[n]!;
      const key = hash(this.seed, TAG.netkey, n);
      for (let a = this.netStart[n]!; a < this.netStart[n + 1]!; a++) this.aU[a] = permute(a - this.netStart[n]!, size, key);
    }
    for (const ring of this.rings) ring.first = -1;
    for (let a = 0; a < A; a++) {
      const p = this.aPerson[a]!;
      if (this.pBot[p] === BOT.ring) {
        const ring = this.rings[this.pGroup[p]!]!;
        if (ring.first < 0) ring.first = a;
      } else if (this.pBot[p] === BOT.farm) {
        const farm = this.farms[this.pGroup[p]!]!;
        if (farm.first < 0) farm.first = a;
      } else if (this.pBot[p] === BOT.bait) {
        const n = this.aNet[a]!;
        if (this.baitCount[n] === 0) this.baitFirst[n] = a;
        this.baitCount[n]!++;
      }
    }
    for (const b of this.buyers) b.account = this.accountOf(b.person, b.network);
    for (let n = 0; n < NN; n++) {
      const ws = Array.from(this.aW.subarray(this.netStart[n]!, this.netBots[n]!)).sort((x, y) => y - x);
      this.verifiedW[n] = ws.length > 0 ? ws[Math.floor(ws.length * 0.002)]! : Infinity;
    }
  }

  /** The account of person `p` on network `n`, or -1. */
  accountOf(p: number, n: number): number {
    let lo = this.netStart[n]!;
    let hi = this.netStart[n + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.aPerson[mid]!;
      if (v === p) return mid;
      if (v < p) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ------------------------------------------------------------------------------------------ samplers

  private buildSamplers(): void {
    const A = this.accounts;
    const T = this.topics.length;
    const NN = NETWORKS.length;
    this.netCumW = new Float64Array(A);
    for (let n = 0; n < NN; n++) {
      let s = 0;
      for (let a = this.netStart[n]!; a < this.netStart[n + 1]!; a++) this.netCumW[a] = s += this.aW[a]!;
    }
    const counts = new Uint32Array(NN * T + 1);
    for (let a = 0; a < A; a++) {
      const p = this.aPerson[a]!;
      if (this.pBot[p] === BOT.farm) continue;
      for (let i = 0; i < this.pNT[p]!; i++) counts[this.aNet[a]! * T + this.pTop[p * MAX_TOPICS + i]! + 1]!++;
    }
    this.topicOff = new Uint32Array(NN * T + 1);
    for (let k = 0; k < NN * T; k++) this.topicOff[k + 1] = this.topicOff[k]! + counts[k + 1]!;
    const total = this.topicOff[NN * T]!;
    this.topicMem = new Int32Array(total);
    this.topicCumW = new Float64Array(total);
    this.topicCumE = new Float64Array(total);
    const fill = this.topicOff.slice(0, NN * T);
    const wE = new Float64Array(total);
    const wW = new Float64Array(total);
    for (let a = 0; a < A; a++) {
      const p = this.aPerson[a]!;
      if (this.pBot[p] === BOT.farm) continue;
      for (let i = 0; i < this.pNT[p]!; i++) {
        const k = this.aNet[a]! * T + this.pTop[p * MAX_TOPICS + i]!;
        const at = fill[k]!++;
        this.topicMem[at] = a;
        wW[at] = this.aW[a]! * (0.3 + this.pTopW[p * MAX_TOPICS + i]!);
        wE[at] = this.aEng[a]! * this.pTopW[p * MAX_TOPICS + i]!;
      }
    }
    for (let k = 0; k < NN * T; k++) {
      let sw = 0;
      let se = 0;
      for (let i = this.topicOff[k]!; i < this.topicOff[k + 1]!; i++) {
        this.topicCumW[i] = sw += wW[i]!;
        this.topicCumE[i] = se += wE[i]!;
      }
    }
  }

  /** An account of network `n` interested in topic `t`, by attention (whom people follow/mention); -1 if none. */
  sampleByAttention(rng: Rng, n: number, t: number): number {
    const k = n * this.topics.length + t;
    const s = this.topicOff[k]!;
    const e = this.topicOff[k + 1]!;
    if (e <= s || !(this.topicCumW[e - 1]! > 0)) return -1;
    return this.topicMem[searchCumulative(this.topicCumW, s, e, rng.float() * this.topicCumW[e - 1]!)]!;
  }

  /** A reader of network `n` interested in topic `t`, by engagement propensity; -1 if none. */
  sampleReader(rng: Rng, n: number, t: number): number {
    const k = n * this.topics.length + t;
    const s = this.topicOff[k]!;
    const e = this.topicOff[k + 1]!;
    if (e <= s || !(this.topicCumE[e - 1]! > 0)) return -1;
    return this.topicMem[searchCumulative(this.topicCumE, s, e, rng.float() * this.topicCumE[e - 1]!)]!;
  }

  /** Any account of network `n`, by attention. */
  sampleGlobal(rng: Rng, n: number): number {
    const s = this.netStart[n]!;
    const e = this.netStart[n + 1]!;
    if (e <= s || !(this.netCumW[e - 1]! > 0)) return -1;
    return searchCumulative(this.netCumW, s, e, rng.float() * this.netCumW[e - 1]!);
  }

  /** One of the person's topics, by interest. */
  topicOf(rng: Rng, p: number): number {
    const nt = this.pNT[p]!;
    let x = rng.float();
    for (let i = 0; i < nt - 1; i++) {
      x -= this.pTopW[p * MAX_TOPICS + i]!;
      if (x < 0) return this.pTop[p * MAX_TOPICS + i]!;
    }
    return this.pTop[p * MAX_TOPICS + nt - 1]!;
  }

  /** How much person `p` cares about topic `t`: 1 for their own topics, less for the same community, little otherwise. */
  interest(p: number, t: number): number {
    const root = this.topics[t]!.root;
    let best = 0.08;
    for (let i = 0; i < this.pNT[p]!; i++) {
      const u = this.pTop[p * MAX_TOPICS + i]!;
      if (u === t) return 1;
      if (this.topics[u]!.root === root) best = 0.4;
    }
    return best;
  }

  // ------------------------------------------------------------------------------------------ graph

  /** Whom account `a` follows (before the window), as (follower, followee) pairs; follow-backs included. */
  private edgesOf(a: number, rng: Rng, emit: (follower: number, followee: number) => void): void {
    const n = this.aNet[a]!;
    const p = this.aPerson[a]!;
    const prof = this.profiles[n]!;
    const bot = this.pBot[p]!;
    const symmetric = prof.reciprocity >= 1;
    if (bot === BOT.farm) return;
    if (bot === BOT.ring) {
      const ring = this.rings[this.pGroup[p]!]!;
      for (let m = ring.first; m < ring.first + ring.size; m++) if (m !== a) emit(a, m);
      for (let i = 0; i < 3; i++) {
        const t = this.sampleGlobal(rng, n);
        if (t >= 0 && t !== a) emit(a, t);
      }
      return;
    }
    if (bot === BOT.bait) {
      for (let i = 0; i < 15; i++) {
        const t = this.sampleGlobal(rng, n);
        if (t >= 0 && t !== a) emit(a, t);
      }
      return;
    }
    const cls = this.pClass[p]!;
    const want = rng.lognormal(Math.log(prof.follows * (cls === 0 ? 0.4 : cls === 1 ? 1 : 1.3)), 0.9);
    const size = this.netStart[n + 1]! - this.netStart[n]!;
    let k = Math.min(2000, size - 1, Math.round(symmetric ? want / 2 : want));
    const humansEnd = this.netBots[n]!;
    const start = this.netStart[n]!;
    for (; k > 0; k--) {
      const u = rng.float();
      let t: number;
      if (u < 0.55) t = this.sampleByAttention(rng, n, this.topicOf(rng, p));
      else if (u < 0.8) {
        // Local: people of the same community (accounts are laid out by community).
        const off = 1 + rng.int(40);
        t = rng.chance(0.5) ? a + off : a - off;
        if (t < start || t >= humansEnd) t = -1;
      } else t = this.sampleGlobal(rng, n);
      if (t < 0 || t === a) continue;
      emit(a, t);
      if (symmetric) emit(t, a);
      else if (this.pBot[this.aPerson[t]!] === BOT.none && rng.chance(prof.reciprocity * Math.min(1, (this.aW[a]! / this.aW[t]!) ** 0.25))) emit(t, a);
    }
  }

  private buildGraph(): void {
    const A = this.accounts;
    const rng = this.rng;
    const withGraph = NETWORKS.map((_, n) => this.profiles[n]!.follows > 0);
    const count = new Uint32Array(A);
    for (let a = 0; a < A; a++) {
      if (!withGraph[this.aNet[a]!]) continue;
      rng.reseed(this.seed, TAG.graph, a);
      this.edgesOf(a, rng, (_f, t) => count[t]!++);
    }
    this.inOff = new Uint32Array(A + 1);
    let total = 0;
    for (let a = 0; a < A; a++) {
      this.inOff[a] = total;
      total += count[a]!;
    }
    this.inOff[A] = total;
    if (total >= 2 ** 31) throw new Error(`Failed to build the follow graph: ${total} edges exceed 2^31`);
    this.inAdj = new Int32Array(total);
    const fill = count; // reused as the write cursor
    for (let a = 0; a < A; a++) fill[a] = this.inOff[a]!;
    for (let a = 0; a < A; a++) {
      if (!withGraph[this.aNet[a]!]) continue;
      rng.reseed(this.seed, TAG.graph, a);
      this.edgesOf(a, rng, (f, t) => (this.inAdj[fill[t]!++] = f));
    }
    // Sort each follower list and drop duplicates (two draws of the same account), compacting in place.
    let w = 0;
    for (let a = 0; a < A; a++) {
      const s = this.inOff[a]!;
      const e = this.inOff[a + 1]!;
      this.inOff[a] = w;
      const seg = this.inAdj.subarray(s, e).sort();
      let last = -1;
      for (let i = 0; i < seg.length; i++) {
        const f = seg[i]!;
        if (f !== last) this.inAdj[w++] = f;
        last = f;
      }
    }
    this.inOff[A] = w;
    this.inAdj = this.inAdj.slice(0, w);
    this.outDeg = new Int32Array(A);
    for (let i = 0; i < w; i++) this.outDeg[this.inAdj[i]!]!++;
  }

  /** Does `f` follow `t` (before the window)? */
  follows(f: number, t: number): boolean {
    let lo = this.inOff[t]!;
    let hi = this.inOff[t + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.inAdj[mid]!;
      if (v === f) return true;
      if (v < f) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  followerCount(a: number): number {
    return this.inOff[a + 1]! - this.inOff[a]!;
  }

  // ------------------------------------------------------------------------------------------ names and ids

  private nameCache = new Map<number, { first: string; last: string; display: string }>();
  // A direct-mapped cache of account ids and handles: computing them costs a permutation and a name.
  private idCacheKey = new Int32Array(0);
  private idCacheId: string[] = [];
  private idCacheHandle: string[] = [];
  private readonly nameRng = new Rng();

  /** The person's name (the same on all their accounts). */
  personName(p: number): { first: string; last: string; display: string } {
    const hit = this.nameCache.get(p);
    if (hit) return hit;
    const name = personName(this.nameRng.reseed(this.seed, TAG.name, p));
    if (this.nameCache.size > 4096) this.nameCache.clear();
    this.nameCache.set(p, name);
    return name;
  }

  /** The public person id (a keyed permutation, so ids say nothing about community or bot status). */
  personId(p: number): string {
    const width = String(Math.max(1, this.persons - 1)).length;
    return `p${String(permute(p, this.persons, hash(this.seed, TAG.order, 1))).padStart(width, "0")}`;
  }

  private fillIds(a: number): number {
    const slot = a & (this.idCacheKey.length - 1);
    if (this.idCacheKey[slot] === a) return slot;
    const n = this.aNet[a]!;
    const net = NETWORKS[n]!;
    const p = this.aPerson[a]!;
    const u = this.aU[a]!;
    const h = hash(this.seed, TAG.account, a, 7);
    const bot = this.pBot[p]!;
    // The name first: personName reseeds the same generator, so the stem's stream must start after it.
    const name = bot === BOT.none ? this.personName(p) : null;
    const rng = this.nameRng.reseed(this.seed, TAG.name, a, 1);
    const stem = name ? handleStem(rng, name.first, name.last) : botStem(rng, bot === BOT.farm ? "farm" : bot === BOT.ring ? "ring" : "bait");
    const handle = handleOf(net, stem, u);
    this.idCacheKey[slot] = a;
    this.idCacheHandle[slot] = handle;
    this.idCacheId[slot] = accountId(net, u, handle, h);
    return slot;
  }

  handle(a: number): string {
    return this.idCacheHandle[this.fillIds(a)]!;
  }

  accountIdOf(a: number): string {
    return this.idCacheId[this.fillIds(a)]!;
  }

  displayName(a: number): string {
    const p = this.aPerson[a]!;
    if (this.pBot[p] === BOT.none) return this.personName(p).display;
    const name = this.personName(p);
    return this.pBot[p] === BOT.farm ? name.first : `${name.first} ✨ ${this.pBot[p] === BOT.ring ? "promo" : "deals"}`;
  }
}
