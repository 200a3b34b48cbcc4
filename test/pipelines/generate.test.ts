import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate, type GenerateSummary } from "../../pipelines/generate/generate.ts";
import { loadNetworks } from "../../pipelines/generate/networks.ts";
import { loadTopics, parseTopics, type Topic } from "../../pipelines/generate/topics.ts";
import { identities } from "../../pipelines/networks/identities.ts";
import { NETWORKS, type EntitySpec, type Network, type NetworkSpec, type WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { activityOf, generateCommand } from "../../src/cli/commands/generate.ts";
import { runCli } from "../helpers/cli.ts";
import { UserError } from "../../src/lib/errors.ts";

const END = "2026-11-24";
const dirs: string[] = [];
const fresh = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `clout-gen-${prefix}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every file below `dir`, relative, sorted, with its sha256. */
function digest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

function readLines(file: string): string[] {
  const buf = fs.readFileSync(file);
  const text = (file.endsWith(".gz") ? zlib.gunzipSync(buf) : buf).toString("utf8");
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ",") out.push(cur), (cur = "");
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Records of one export file, as ingest would hand them to the schema. */
function recordsOf(file: string, format: "jsonl" | "csv"): Record<string, unknown>[] {
  const lines = readLines(file);
  if (format === "jsonl") return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  if (lines.length === 0) return [];
  const header = splitCsv(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(splitCsv(l).map((v, i) => [header[i]!, v])));
}

// ---- the world under test: 3,000 people, 7 days; canonical events tallied on their way to the modules ----

interface Tally {
  /** Engagements received (replies, comments, reposts, quotes, reactions, shares) per network:account. */
  received: Map<string, number>;
  /** Who engaged whom, for engagements received by bots. */
  edges: { network: string; actor: string; target: string }[];
  /** Actors of anything but follows. */
  actors: Set<string>;
  /** Follow / subscribe edges: target → actors. */
  followers: Map<string, string[]>;
  /** Original posts: network:account → creation times. */
  posts: { key: string; at: number }[];
  hashtags: string[][];
  rootsByNetwork: Map<string, number>;
  replyAuthors: Set<string>;
  /** Content and interaction ids seen, and how many were seen twice. */
  ids: Set<string>;
  duplicateIds: string[];
  /** network:account → every handle it was given. */
  handles: Map<string, Set<string>>;
}

function tallying(specs: Partial<Record<Network, NetworkSpec>>, tally: Tally): Partial<Record<Network, NetworkSpec>> {
  const out: Partial<Record<Network, NetworkSpec>> = {};
  for (const n of NETWORKS) {
    const spec = specs[n];
    if (!spec?.emit) continue;
    const emit = spec.emit;
    out[n] = {
      ...spec,
      emit: (e: WorldEvent) => {
        const seen = (acct: string, handle: string) => {
          const k = `${n}:${acct}`;
          const set = tally.handles.get(k) ?? new Set<string>();
          set.add(handle);
          tally.handles.set(k, set);
        };
        if (e.kind === "content") {
          seen(e.accountId, e.handle);
          if (e.parent) seen(e.parent.accountId, e.parent.handle);
          for (const m of e.mentions) seen(m.accountId, m.handle);
        } else if (e.kind === "interaction") {
          seen(e.actorAccountId, e.actorHandle);
          seen(e.targetAccountId, e.targetHandle);
        } else if (e.kind === "account") seen(e.accountId, e.handle);
        const id = e.kind === "content" ? `${n}:c:${e.contentId}` : e.kind === "interaction" ? `${n}:i:${e.interactionId}` : null;
        if (id !== null) {
          if (tally.ids.has(id) && tally.duplicateIds.length < 5) tally.duplicateIds.push(id);
          tally.ids.add(id);
        }
        if (e.kind === "content") {
          const me = `${n}:${e.accountId}`;
          tally.actors.add(me);
          if (e.parent) {
            tally.replyAuthors.add(me);
            if (e.parent.accountId !== e.accountId) {
              const k = `${n}:${e.parent.accountId}`;
              tally.received.set(k, (tally.received.get(k) ?? 0) + 1);
              tally.edges.push({ network: n, actor: me, target: k });
            }
          } else {
            tally.posts.push({ key: me, at: e.createdAtMs });
            tally.hashtags.push(e.hashtags);
            tally.rootsByNetwork.set(n, (tally.rootsByNetwork.get(n) ?? 0) + 1);
          }
        } else if (e.kind === "interaction") {
          const me = `${n}:${e.actorAccountId}`;
          const k = `${n}:${e.targetAccountId}`;
          if (e.action === "follow" || e.action === "subscribe") {
            const list = tally.followers.get(k) ?? [];
            list.push(me);
            tally.followers.set(k, list);
          } else {
            tally.actors.add(me);
            tally.received.set(k, (tally.received.get(k) ?? 0) + 1);
            tally.edges.push({ network: n, actor: me, target: k });
          }
        }
        return emit(e);
      },
    };
  }
  return out;
}

interface TruthPerson {
  person_id: string;
  is_bot: boolean;
  bot_kind: string | null;
  bot_group: string | null;
  influence: number;
  utc_offset_minutes: number;
  identity_linked: boolean;
  linked_on: string | null;
  bought_followers: { network: string; account_id: string; count: number }[] | null;
  accounts: { network: string; account_id: string; handle: string }[];
}

describe("clout generate: the sample world", () => {
  let topics: Topic[];
  let specs: Partial<Record<Network, NetworkSpec>>;
  let problems: string[];
  let out: string;
  let summary: GenerateSummary;
  let truth: TruthPerson[];
  const tally: Tally = { received: new Map(), edges: [], actors: new Set(), followers: new Map(), posts: [], hashtags: [], rootsByNetwork: new Map(), replyAuthors: new Set(), ids: new Set(), duplicateIds: [], handles: new Map() };
  const accountOwner = new Map<string, TruthPerson>();

  beforeAll(async () => {
    topics = loadTopics();
    ({ specs, problems } = await loadNetworks());
    out = fresh("world");
    summary = await generate({ out, people: 3000, days: 7, end: END, seed: 42, gzip: false, topics, specs: tallying(specs, tally), validate: "none", idCacheBits: 6 });
    truth = readLines(path.join(out, "ground_truth", "people.jsonl")).map((l) => JSON.parse(l) as TruthPerson);
    for (const p of truth) for (const a of p.accounts) accountOwner.set(`${a.network}:${a.account_id}`, p);
  });

  it("uses all ten network modules", () => {
    expect(problems).toEqual([]);
    expect(Object.keys(specs).sort()).toEqual([...NETWORKS].sort());
    expect(summary.problems).toEqual([]);
    for (const n of NETWORKS) expect(summary.records[n], n).toBeGreaterThan(0);
  });

  it("writes records that each network's own schema accepts, for every file of every day", () => {
    const all: [string, NetworkSpec][] = [...NETWORKS.map((n) => [n, specs[n]!] as [string, NetworkSpec]), ["identities", identities]];
    const rejects: string[] = [];
    let checked = 0;
    for (const [name, spec] of all) {
      for (let d = 0; d < 7; d++) {
        const date = new Date(Date.parse(`${END}T00:00:00Z`) - (6 - d) * 86_400_000).toISOString().slice(0, 10);
        for (const e of spec.entities as EntitySpec<unknown>[]) {
          const file = path.join(out, "exports", name, date, `${e.entity}.${e.format}`);
          expect(fs.existsSync(file), file).toBe(true);
          for (const [i, r] of recordsOf(file, e.format).entries()) {
            const v = validateRecord(e, r);
            checked++;
            if (!v.ok && rejects.length < 10) rejects.push(`${path.relative(out, file)}:${i + 1}: ${v.reason}`);
          }
        }
      }
    }
    expect(rejects).toEqual([]);
    expect(checked).toBe(Object.values(summary.records).reduce((a, b) => a + b, 0));
  });

  it("gives every post, reply, like, follow… an id of its own", () => {
    expect(tally.ids.size).toBeGreaterThan(50_000);
    expect(tally.duplicateIds).toEqual([]);
  });

  it("names each account by one handle everywhere, the one in the ground truth", () => {
    const truthHandle = new Map<string, string>();
    for (const p of truth) for (const a of p.accounts) truthHandle.set(`${a.network}:${a.account_id}`, a.handle);
    // (linkedin:probe… are the made-up events generate uses to learn a CSV header.)
    const bad = [...tally.handles].filter(([k, hs]) => !k.includes(":probe") && (hs.size !== 1 || truthHandle.get(k) !== [...hs][0]));
    expect(tally.handles.size).toBeGreaterThan(3000);
    expect(bad.slice(0, 3).map(([k, hs]) => `${k} ${[...hs].join("|")} truth=${truthHandle.get(k)}`)).toEqual([]);
  });

  it("keeps the ground truth outside exports/", () => {
    expect(fs.existsSync(path.join(out, "ground_truth", "people.jsonl"))).toBe(true);
    expect(fs.existsSync(path.join(out, "ground_truth", "world.json"))).toBe(true);
    const underExports = [...digest(path.join(out, "exports")).keys()];
    expect(underExports.filter((f) => /people|truth|world/.test(f))).toEqual([]);
    expect(underExports.every((f) => /^[a-z]+\/\d{4}-\d{2}-\d{2}\/[a-z_]+\.(jsonl|csv)$/.test(f))).toBe(true);
  });

  it("has heavy-tailed engagement: the top 1% of people's accounts get a large share, most get none", () => {
    const accounts = [...accountOwner].filter(([, p]) => !p.is_bot).map(([k, p]) => ({ got: tally.received.get(k) ?? 0, influence: p.influence }));
    accounts.sort((a, b) => b.got - a.got);
    const human = accounts.map((a) => a.got);
    const total = human.reduce((a, b) => a + b, 0);
    const top = human.slice(0, Math.ceil(human.length / 100)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(5000);
    expect(top / total).toBeGreaterThan(0.3);
    expect(human.filter((x) => x === 0).length / human.length).toBeGreaterThan(0.4);
    // A long tail, not a few winners only: many accounts get something.
    expect(human.filter((x) => x > 0).length).toBeGreaterThan(500);
    // Driven by latent influence: the most engaged accounts belong to far more influential people than the median.
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const topInfluence = median(accounts.slice(0, Math.ceil(accounts.length / 100)).map((a) => a.influence));
    expect(topInfluence / median(accounts.map((a) => a.influence))).toBeGreaterThan(5);
  });

  it("readers mostly engage with accounts they follow", () => {
    for (const n of ["twitter", "instagram", "bluesky"]) {
      const follows = new Set<string>();
      for (const [t, fs2] of tally.followers) if (t.startsWith(`${n}:`)) for (const f of fs2) follows.add(`${f}>${t}`);
      const human = tally.edges.filter((e) => e.network === n && !accountOwner.get(e.actor)?.is_bot && !accountOwner.get(e.target)?.is_bot);
      const share = human.filter((e) => follows.has(`${e.actor}>${e.target}`)).length / human.length;
      expect(human.length, n).toBeGreaterThan(100);
      expect(share, n).toBeGreaterThan(0.6);
    }
  });

  it("follow graph: heavy-tailed in-degree and reciprocity", () => {
    const organic = (l: string[]) => l.filter((f) => accountOwner.get(f)?.bot_kind !== "follower_farm");
    const inDeg = [...tally.followers.values()].map((l) => organic(l).length).sort((a, b) => b - a);
    const median = inDeg[Math.floor(inDeg.length / 2)]!;
    expect(inDeg[0]! / Math.max(1, median)).toBeGreaterThan(15);
    // Reciprocity on X: some follows are returned.
    const tw = new Set<string>();
    for (const [t, fs2] of tally.followers) if (t.startsWith("twitter:")) for (const f of fs2) tw.add(`${f}>${t}`);
    let mutual = 0;
    for (const e of tw) {
      const [f, t] = e.split(">");
      if (tw.has(`${t}>${f}`)) mutual++;
    }
    expect(mutual / tw.size).toBeGreaterThan(0.05);
  });

  it("labels bots, and each kind behaves as it should", () => {
    const kinds = new Map<string, number>();
    for (const p of truth) if (p.is_bot) kinds.set(p.bot_kind!, (kinds.get(p.bot_kind!) ?? 0) + 1);
    expect([...kinds.keys()].sort()).toEqual(["engagement_ring", "follower_farm", "reply_bait"]);
    const kindOf = (k: string) => accountOwner.get(k)?.bot_kind ?? null;
    // Follower farms follow en masse and never engage.
    expect([...tally.actors].filter((a) => kindOf(a) === "follower_farm")).toEqual([]);
    const buyers = truth.filter((p) => p.bought_followers);
    expect(buyers.length).toBeGreaterThanOrEqual(2);
    for (const b of buyers) {
      for (const bought of b.bought_followers!) {
        expect(bought.count).toBeGreaterThanOrEqual(1000);
        const fakes = (tally.followers.get(`${bought.network}:${bought.account_id}`) ?? []).filter((f) => kindOf(f) === "follower_farm");
        expect(new Set(fakes).size).toBe(bought.count);
      }
    }
    // Engagement rings engage each other: nearly all they receive comes from their own ring.
    const ringIn = tally.edges.filter((e) => kindOf(e.target) === "engagement_ring");
    const fromRing = ringIn.filter((e) => accountOwner.get(e.actor)?.bot_group === accountOwner.get(e.target)?.bot_group);
    expect(ringIn.length).toBeGreaterThan(100);
    expect(fromRing.length / ringIn.length).toBeGreaterThan(0.8);
    // Reply-bait bots reply and never post.
    const bait = [...tally.replyAuthors].filter((a) => kindOf(a) === "reply_bait");
    expect(bait.length).toBeGreaterThan(0);
    expect(tally.posts.filter((p) => kindOf(p.key) === "reply_bait")).toEqual([]);
  });

  it("puts most people on one network and 30–50% on two or more", () => {
    const people = truth.filter((p) => !p.is_bot);
    expect(people.length).toBe(3000);
    const multi = people.filter((p) => p.accounts.length >= 2).length / people.length;
    expect(multi).toBeGreaterThan(0.3);
    expect(multi).toBeLessThan(0.5);
    // Network popularity differs.
    const on = (n: string) => people.filter((p) => p.accounts.some((a) => a.network === n)).length;
    expect(on("twitter")).toBeGreaterThan(5 * on("mastodon"));
  });

  it("writes identities consistent with the ground truth (cumulative daily)", () => {
    const day = (d: string) => recordsOf(path.join(out, "exports", "identities", d, "identities.csv"), "csv");
    const last = day(END);
    const first = day("2026-11-18");
    const key = (r: Record<string, unknown>) => `${r.person_id}|${r.network}|${r.account_id}`;
    const lastKeys = new Set(last.map(key));
    expect(first.every((r) => lastKeys.has(key(r)))).toBe(true);
    const expected = new Set<string>();
    for (const p of truth) {
      if (!p.identity_linked) continue;
      expect(p.accounts.length).toBeGreaterThanOrEqual(2);
      for (const a of p.accounts) expected.add(`${p.person_id}|${a.network}|${a.account_id}`);
    }
    expect(lastKeys).toEqual(expected);
    expect(lastKeys.size).toBeGreaterThan(500);
  });

  it("posts follow the daily rhythm of each author's time zone and carry the taxonomy's hashtags", () => {
    let night = 0;
    for (const p of tally.posts) {
      const tz = accountOwner.get(p.key)!.utc_offset_minutes;
      const hour = new Date(p.at + tz * 60_000).getUTCHours();
      if (hour >= 1 && hour < 6) night++;
    }
    expect(night / tally.posts.length).toBeLessThan(0.1);
    const known = new Set(topics.flatMap((t) => t.hashtags.map((h) => h.toLowerCase())));
    const tags = tally.hashtags.flat();
    expect(tags.length).toBeGreaterThan(1000);
    expect(tags.every((t) => known.has(t))).toBe(true);
  });
});

describe("clout generate: --activity", () => {
  const newTally = (): Tally => ({ received: new Map(), edges: [], actors: new Set(), followers: new Map(), posts: [], hashtags: [], rootsByNetwork: new Map(), replyAuthors: new Set(), ids: new Set(), duplicateIds: [], handles: new Map() });
  const run = async (activity: number | undefined) => {
    const topics = loadTopics();
    const { specs } = await loadNetworks();
    const tally = newTally();
    const out = fresh(`activity${activity ?? "default"}`);
    const summary = await generate({ out, people: 1500, days: 4, end: END, seed: 5, gzip: false, topics, specs: tallying(specs, tally), validate: "none", ...(activity !== undefined ? { activity } : {}) });
    const truth = readLines(path.join(out, "ground_truth", "people.jsonl")).map((l) => JSON.parse(l) as TruthPerson);
    const owner = new Map<string, TruthPerson>();
    for (const p of truth) for (const a of p.accounts) owner.set(`${a.network}:${a.account_id}`, p);
    const world = JSON.parse(fs.readFileSync(path.join(out, "ground_truth", "world.json"), "utf8")) as Record<string, unknown>;
    return { summary, tally, truth, owner, world };
  };
  /** Engagements inside the window other than follows (follows are mostly the farms', which activity leaves alone). */
  const engagements = (s: GenerateSummary) => s.interactions.window - (s.interactions.byAction.follow ?? 0);

  it("0.25 gives clearly fewer interactions than 1 on the same seed; the same people, graph and bots of every kind, still at work", async () => {
    const full = await run(undefined);
    const quiet = await run(0.25);
    expect(full.summary.activity).toBe(1);
    expect(quiet.summary.activity).toBe(0.25);
    // The same world: people, bots, accounts, the follow graph, identities.
    expect(quiet.summary.people).toBe(full.summary.people);
    expect(quiet.summary.bots).toBe(full.summary.bots);
    expect(quiet.summary.accounts).toBe(full.summary.accounts);
    expect(quiet.summary.interactions.backfill).toBe(full.summary.interactions.backfill);
    expect(quiet.summary.records.identities).toBe(full.summary.records.identities);
    // About a quarter of the engagement, and of the posts.
    expect(engagements(full.summary)).toBeGreaterThan(3000);
    const ratio = engagements(quiet.summary) / engagements(full.summary);
    expect(ratio).toBeGreaterThan(0.12);
    expect(ratio).toBeLessThan(0.4);
    expect(quiet.summary.interactions.window).toBeLessThan(0.7 * full.summary.interactions.window);
    expect(quiet.tally.posts.length / full.tally.posts.length).toBeLessThan(0.4);
    // The summary's count agrees with the canonical events tallied on their way to the modules.
    const tallied = (t: Tally) => [...t.received.values()].reduce((a, b) => a + b, 0);
    expect(tallied(quiet.tally)).toBeLessThan(0.4 * tallied(full.tally));
    // Bots of every kind, and each still does its thing.
    const kinds = (truth: TruthPerson[]) => [...new Set(truth.filter((p) => p.is_bot).map((p) => p.bot_kind!))].sort();
    expect(kinds(quiet.truth)).toEqual(["engagement_ring", "follower_farm", "reply_bait"]);
    const kindOf = (k: string) => quiet.owner.get(k)?.bot_kind ?? null;
    const ringIn = quiet.tally.edges.filter((e) => kindOf(e.target) === "engagement_ring");
    expect(ringIn.filter((e) => quiet.owner.get(e.actor)?.bot_group === quiet.owner.get(e.target)?.bot_group).length).toBeGreaterThan(10);
    expect([...quiet.tally.replyAuthors].filter((a) => kindOf(a) === "reply_bait").length).toBeGreaterThan(0);
    expect([...quiet.tally.actors].filter((a) => kindOf(a) === "follower_farm")).toEqual([]);
    const buyers = quiet.truth.filter((p) => p.bought_followers);
    expect(buyers.length).toBeGreaterThanOrEqual(2);
    for (const b of buyers) {
      for (const bought of b.bought_followers!) {
        const fakes = (quiet.tally.followers.get(`${bought.network}:${bought.account_id}`) ?? []).filter((f) => kindOf(f) === "follower_farm");
        expect(new Set(fakes).size).toBe(bought.count);
      }
    }
    // Cross-network identities are the same.
    expect(quiet.truth.filter((p) => p.identity_linked).length).toBe(full.truth.filter((p) => p.identity_linked).length);
    expect(quiet.truth.filter((p) => p.identity_linked).length).toBeGreaterThan(100);
    // world.json names the activity only when it is not the default (older worlds keep their bytes).
    expect(full.world.activity).toBeUndefined();
    expect(quiet.world.activity).toBe(0.25);
  });

  it("refuses an activity that is not a number > 0", async () => {
    for (const activity of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(generate({ out: fresh("badact"), people: 100, days: 1, end: END, seed: 1, gzip: false, topics: loadTopics(), validate: "none", activity })).rejects.toThrow(/activity must be a number > 0/);
    }
  });
});

describe("clout generate: determinism", () => {
  const topics = parseTopics(
    [
      "topic_id,slug,display_name,parent_slugs,keywords,hashtags",
      "1,technology,Technology,,technology|tech,tech|technology",
      "2,programming,Programming,technology,programming|code|typescript,coding|programming",
      "3,sports,Sports,,sports|games,sports",
      "4,football,Football,sports,football|soccer|the league,football|soccer",
      "5,food,Food and Drink,,food|cooking|recipes,foodie|food",
    ].join("\n"),
  );
  const run = async (seed: number, gzip = false, idCacheBits?: number) => {
    const out = fresh(`det${seed}`);
    await generate({ out, people: 400, days: 3, end: END, seed, gzip, topics, validate: "none", ...(idCacheBits ? { idCacheBits } : {}) });
    return digest(out);
  };

  it("gives byte-identical files for the same seed and flags, and different ones for another seed", async () => {
    const a = await run(7);
    // A tiny id cache recomputes ids and handles all the time: the output must not depend on it.
    const b = await run(7, false, 3);
    expect(a.size).toBeGreaterThan(30);
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect(b).toEqual(a);
    const c = await run(8);
    expect([...c.keys()]).toEqual([...a.keys()]);
    const differing = [...a].filter(([f, h]) => c.get(f) !== h).length;
    expect(differing).toBeGreaterThan(a.size / 2);
  });

  it("is deterministic with --gzip too", async () => {
    const a = await run(9, true);
    const b = await run(9, true);
    expect([...a.keys()].every((f) => f.endsWith(".gz") || f.startsWith("ground_truth"))).toBe(true);
    expect(b).toEqual(a);
  });
});

describe("clout generate: flags", () => {
  const parse = async (args: string[]) => {
    let stderr = "";
    const cmd = generateCommand()
      .exitOverride()
      .configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
    try {
      await cmd.parseAsync(args, { from: "user" });
    } catch (err) {
      return { err, stderr };
    }
    return { err: null, stderr };
  };

  it.each([
    [["--people", "abc"], "'abc'"],
    [["--people", "10"], "'10'"],
    [["--days", "0"], "'0'"],
    [["--seed", "-1"], "'-1'"],
  ])("rejects %j with the value quoted", async (args, quoted) => {
    const { err, stderr } = await parse(args);
    expect(err).toBeInstanceOf(CommanderError);
    expect(stderr).toContain(quoted);
    expect(stderr).toMatch(/expected a whole number/);
  });

  it.each([["0"], ["-1"], ["10.5"], ["abc"], [""], ["0x1"], ["Infinity"]])("rejects --activity %j as a user error with the value and a hint", async (raw) => {
    const { err } = await parse(["--activity", raw, "--out", fresh("act-flag")]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`invalid --activity ${JSON.stringify(raw)}`);
    expect((err as UserError).hint).toMatch(/greater than 0 and at most 10/);
  });

  it("reads --activity as a number in (0, 10]", () => {
    expect(activityOf("0.25")).toBe(0.25);
    expect(activityOf(" 1 ")).toBe(1);
    expect(activityOf("10")).toBe(10);
    expect(activityOf(".5")).toBe(0.5);
    expect(activityOf("1e-1")).toBe(0.1);
    expect(() => activityOf("10.0001")).toThrow(UserError);
  });

  it("rejects an impossible --end and an --out inside ../shared", async () => {
    const bad = await parse(["--end", "2026-02-30", "--out", fresh("flags")]);
    expect(bad.err).toBeInstanceOf(UserError);
    expect((bad.err as UserError).message).toContain('"2026-02-30"');
    const shared = await parse(["--out", "../shared/sample", "--days", "1"]);
    expect(shared.err).toBeInstanceOf(UserError);
    expect((shared.err as UserError).message).toMatch(/inside/);
    expect((shared.err as UserError).hint).toBeTruthy();
  });

  it("runs through the real binary: a summary line on success, one error line and a hint otherwise", async () => {
    const out = fresh("bin");
    const ok = await runCli(["generate", "--people", "100", "--days", "1", "--end", END, "--out", out, "--gzip"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/generated 100 people \(\+[\d,]+ bots\), [\d,]+ accounts, [\d,]+ records \(twitter [\d,]+, .*\), [\d.]+ MB/);
    expect(fs.existsSync(path.join(out, "exports", "twitter", END, "tweets.jsonl.gz"))).toBe(true);
    const bad = await runCli(["generate", "--days", "400", "--out", out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*'400'/m);
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/);
    const act = await runCli(["generate", "--activity", "0", "--out", out]);
    expect(act.code).toBe(1);
    expect(act.stderr).toMatch(/^error: invalid --activity "0"$/m);
    expect(act.stderr).toMatch(/^hint: a number greater than 0 and at most 10/m);
  });
});
