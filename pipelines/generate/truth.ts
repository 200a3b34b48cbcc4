import { NETWORKS } from "../types.ts";
import { ACTIVITY, BOT, BOT_KINDS, MAX_TOPICS, NEVER, type World } from "./world.ts";

/**
 * What the world really is, for evaluation only (ground_truth/, outside exports/: scoring never reads it),
 * and the identity links people made (exports/identities/<date>/identities.csv).
 */

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** Each person's accounts, in person order, without a lookup per person (one cursor per network). */
export function* personsWithAccounts(w: World): Generator<{ p: number; accounts: number[] }> {
  const cursor = w.netStart.slice(0, NETWORKS.length);
  for (let p = 0; p < w.persons; p++) {
    const accounts: number[] = [];
    for (let n = 0; n < NETWORKS.length; n++) {
      const c = cursor[n]!;
      if (c < w.netStart[n + 1]! && w.aPerson[c] === p) {
        accounts.push(c);
        cursor[n] = c + 1;
      }
    }
    yield { p, accounts };
  }
}

function groupOf(w: World, p: number): string | null {
  switch (w.pBot[p]) {
    case BOT.ring:
      return `ring-${w.pGroup[p]}`;
    case BOT.farm:
      return `farm-${NETWORKS[w.farms[w.pGroup[p]!]!.network]}`;
    case BOT.bait:
      return `bait-${NETWORKS[w.pMain[p]!]}`;
    default:
      return null;
  }
}

/** One ground-truth line per person (people and bots). */
export function truthRecord(w: World, p: number, accounts: number[], dateOf: (day: number) => string, percentile: (x: number) => number): Record<string, unknown> {
  const bot = w.pBot[p]!;
  const topics = [];
  for (let i = 0; i < w.pNT[p]!; i++) {
    const t = w.topics[w.pTop[p * MAX_TOPICS + i]!]!;
    topics.push({ topic_id: t.id, slug: t.slug, weight: round(w.pTopW[p * MAX_TOPICS + i]!) });
  }
  const bought = w.buyers.filter((b) => b.person === p);
  const linkDay = w.pLinkDay[p]!;
  return {
    person_id: w.personId(p),
    display_name: w.personName(p).display,
    is_bot: bot !== BOT.none,
    bot_kind: bot === BOT.none ? null : BOT_KINDS[bot],
    bot_group: groupOf(w, p),
    influence: round(w.pInfl[p]!),
    influence_percentile: bot === BOT.none ? round(percentile(w.pInfl[p]!), 2) : null,
    activity: ACTIVITY[w.pClass[p]!],
    posts_per_day: round(w.pPost[p]!),
    engagement_rate: round(w.pEng[p]!),
    utc_offset_minutes: w.pTz[p],
    topics,
    identity_linked: linkDay !== NEVER,
    linked_on: linkDay === NEVER ? null : linkDay < 0 ? "before" : dateOf(linkDay),
    bought_followers: bought.length === 0 ? null : bought.map((b) => ({ network: NETWORKS[b.network], account_id: w.accountIdOf(b.account), count: b.count, on: dateOf(b.day) })),
    accounts: accounts.map((a) => ({
      network: NETWORKS[w.aNet[a]!],
      account_id: w.accountIdOf(a),
      handle: w.handle(a),
      influence: round(w.aInfl[a]!),
      organic_followers: w.followerCount(a),
      following: w.outDeg[a],
    })),
  };
}

/** Influence percentile among people (0–100), from a sorted copy. */
export function percentileOf(w: World): (x: number) => number {
  const sorted = w.pInfl.slice(0, w.humans).sort();
  return (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return (100 * lo) / sorted.length;
  };
}

export const IDENTITY_HEADER = ["person_id", "network", "account_id", "display_name"];

/** identities.csv rows of day `d`: cumulative — every link made on or before that day. */
export function* identityRows(w: World, d: number): Generator<string[]> {
  for (const { p, accounts } of personsWithAccounts(w)) {
    const linkDay = w.pLinkDay[p]!;
    if (linkDay === NEVER || linkDay > d || accounts.length < 2) continue;
    const pid = w.personId(p);
    const name = w.personName(p).display;
    for (const a of accounts) yield [pid, NETWORKS[w.aNet[a]!]!, w.accountIdOf(a), name];
  }
}
