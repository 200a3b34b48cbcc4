import path from "node:path";
import { performance } from "node:perf_hooks";
import { addDays } from "../../src/lib/dates.ts";
import { writeJsonAtomic } from "../../src/lib/files.ts";
import { NETWORKS, type EntitySpec, type Network, type NetworkSpec, type WorldEvent } from "../types.ts";
import { validateRecord } from "../validate.ts";
import { DayGenerator } from "./daily.ts";
import { loadNetworks } from "./networks.ts";
import type { Topic } from "./topics.ts";
import { IDENTITY_HEADER, identityRows, percentileOf, personsWithAccounts, truthRecord } from "./truth.ts";
import { BOT, World } from "./world.ts";
import { ExportDay, LineFile, type EntityFile } from "./writer.ts";

/**
 * `clout generate` as a library: build the world, then write it day by day —
 *   <out>/exports/<network>/<date>/<entity>.jsonl[.gz] (or .csv[.gz])   what each network delivers
 *   <out>/exports/identities/<date>/identities.csv[.gz]                 links, cumulative each day
 *   <out>/ground_truth/people.jsonl, world.json                         the truth, for evaluation only
 * Same options and seed → byte-identical files.
 */
export interface GenerateOptions {
  /** The data root: exports/ and ground_truth/ go below it. */
  out: string;
  people: number;
  days: number;
  /** Last day, YYYY-MM-DD. */
  end: string;
  seed: number;
  gzip: boolean;
  topics: Topic[];
  /** The network modules (default: pipelines/networks/*). */
  specs?: Partial<Record<Network, NetworkSpec>>;
  /**
   * Check emitted records against their entity's schema: "all" (tests), "sample" (the first 200 records of
   * each entity each day; the default) or "none".
   */
  validate?: "all" | "sample" | "none";
  onProgress?: (p: Progress) => void;
  /** World internals for tests (see WorldOptions.idCacheBits). */
  idCacheBits?: number;
  /**
   * How active people are, > 0 (default 1: the world as it always was, byte for byte). Scales posting (and so
   * the engagement posts draw), ring and reply-bait bots' output and the follows made during the window:
   * 0.1 ≈ a tenth of the content and interaction records. See WorldOptions.activity.
   */
  activity?: number;
}

export interface Progress {
  phase: "world" | "day" | "done";
  step: string;
  day: number;
  days: number;
  records: number;
  elapsedMs: number;
}

export interface GenerateSummary {
  start: string;
  end: string;
  people: number;
  bots: number;
  accounts: number;
  records: Record<string, number>;
  bytes: Record<string, number>;
  totalRecords: number;
  totalBytes: number;
  durationMs: number;
  /** Network modules that could not be used, emit errors, schema rejects: precise, one line each. */
  problems: string[];
  fakeFollowsPerBuyer: number;
  buyers: number;
  activity: number;
  /**
   * Engagement events written (what the warehouse's int_interactions_unioned is made of, before its dedupe):
   * likes/reactions, shares, follows, subscriptions, check-ins with, replies, comments, reposts, quotes and
   * mentions. `window`: made inside the generated days, by action in `byAction`; `backfill`: the follow graph
   * as it stood before the window, delivered on the first day.
   */
  interactions: { window: number; backfill: number; byAction: Record<string, number> };
}

/** A CSV entity's header, learnt by emitting a made-up event of each kind (before any real record exists). */
function probeHeaders(spec: NetworkSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!spec.entities.some((e) => e.format === "csv")) return out;
  const net = spec.name as Network;
  const probes: WorldEvent[] = [
    { kind: "interaction", network: net, interactionId: "probe-follow", actorAccountId: "probe1", actorHandle: "a", targetAccountId: "probe2", targetHandle: "b", action: "follow", occurredAtMs: Date.UTC(2024, 0, 1) },
    { kind: "interaction", network: net, interactionId: "probe-reaction", actorAccountId: "probe1", actorHandle: "a", targetAccountId: "probe2", targetHandle: "b", targetContentId: "probe3", action: "reaction", reactionType: "like", occurredAtMs: Date.UTC(2024, 0, 1) },
  ];
  for (const e of probes) {
    try {
      for (const em of spec.emit?.(e) ?? []) if (!out.has(em.entity)) out.set(em.entity, Object.keys(em.record));
    } catch {
      // A probe the module does not accept teaches nothing.
    }
  }
  return out;
}

export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  const t0 = performance.now();
  const start = addDays(opts.end, -(opts.days - 1));
  const problems: string[] = [];
  let specs = opts.specs;
  if (!specs) {
    const loaded = await loadNetworks();
    specs = loaded.specs;
    problems.push(...loaded.problems);
  }
  const validate = opts.validate ?? "sample";
  const activity = opts.activity ?? 1;
  if (typeof activity !== "number" || !Number.isFinite(activity) || activity <= 0) throw new Error(`generate: activity must be a number > 0, got ${String(opts.activity)}`);
  const progress = (p: Omit<Progress, "elapsedMs">) => opts.onProgress?.({ ...p, elapsedMs: performance.now() - t0 });
  const world = World.build({ people: opts.people, days: opts.days, start, seed: opts.seed, topics: opts.topics, specs, activity, ...(opts.idCacheBits ? { idCacheBits: opts.idCacheBits } : {}) }, (step) =>
    progress({ phase: "world", step, day: 0, days: opts.days, records: 0 }),
  );
  const exportsDir = path.join(opts.out, "exports");
  const truthDir = path.join(opts.out, "ground_truth");

  // Ground truth first: it does not change day to day.
  progress({ phase: "world", step: "ground truth", day: 0, days: opts.days, records: 0 });
  const dateOf = (d: number) => addDays(start, d);
  const pct = percentileOf(world);
  const people = new LineFile(path.join(truthDir, "people.jsonl"), false);
  try {
    for (const { p, accounts } of personsWithAccounts(world)) {
      people.write(JSON.stringify(truthRecord(world, p, accounts, dateOf, pct)));
      if ((p & 4095) === 0) await people.drain();
    }
  } catch (err) {
    people.abort();
    throw err;
  }
  await people.close();

  // The export files every day has, empty or not.
  const loaded = NETWORKS.filter((n) => specs[n]);
  const entities: EntityFile[] = [];
  const entitySpecs = new Map<string, EntitySpec<any>>();
  for (const n of loaded) {
    const spec = specs[n]!;
    const headers = probeHeaders(spec);
    for (const e of spec.entities) {
      entities.push({ network: n, entity: e.entity, format: e.format, ...(e.format === "csv" && headers.get(e.entity) ? { header: headers.get(e.entity)! } : {}) });
      entitySpecs.set(`${n}/${e.entity}`, e);
    }
  }
  entities.push({ network: "identities", entity: "identities", format: "csv", header: IDENTITY_HEADER });

  const records: Record<string, number> = Object.fromEntries([...loaded, "identities"].map((n) => [n, 0]));
  const bytes: Record<string, number> = Object.fromEntries([...loaded, "identities"].map((n) => [n, 0]));
  const problemCount = new Map<string, number>();
  const problem = (key: string, text: string) => {
    const c = problemCount.get(key) ?? 0;
    problemCount.set(key, c + 1);
    if (c === 0) problems.push(text);
  };
  let total = 0;
  const interactions = { window: 0, backfill: 0, byAction: {} as Record<string, number> };
  const windowStartMs = Date.parse(`${start}T00:00:00Z`);
  const engaged = (action: string, atMs: number, n = 1) => {
    if (atMs < windowStartMs) interactions.backfill += n;
    else {
      interactions.window += n;
      interactions.byAction[action] = (interactions.byAction[action] ?? 0) + n;
    }
  };
  let day: ExportDay | null = null;
  let validatedToday = new Map<string, number>();
  const sink = (n: number, event: WorldEvent) => {
    const net = NETWORKS[n]!;
    const spec = specs[net];
    if (!spec?.emit) return;
    let emitted;
    try {
      emitted = spec.emit(event);
    } catch (err) {
      problem(`${net}:emit:${event.kind}`, `${net}: emit threw on a ${event.kind} event${"contentType" in event ? ` (${event.contentType})` : "action" in event ? ` (${event.action})` : ""}: ${(err as Error).message}`);
      return;
    }
    if (emitted.length > 0) {
      if (event.kind === "interaction") engaged(event.action, event.occurredAtMs);
      else if (event.kind === "content") {
        if (event.parent) engaged(event.contentType, event.createdAtMs);
        const mentions = event.mentions.filter((m) => m.accountId !== event.parent?.accountId && m.accountId !== event.accountId).length;
        if (mentions > 0) engaged("mention", event.createdAtMs, mentions);
      }
    }
    for (const em of emitted) {
      if (validate !== "none") {
        const key = `${net}/${em.entity}`;
        const seen = validatedToday.get(key) ?? 0;
        if (validate === "all" || seen < 200) {
          validatedToday.set(key, seen + 1);
          const es = entitySpecs.get(key);
          if (es) {
            const v = validateRecord(es, JSON.parse(JSON.stringify(em.record)));
            if (!v.ok) problem(`${key}:reject`, `${key}: the module's own schema rejects what its emit wrote: ${v.reason} — record ${JSON.stringify(em.record).slice(0, 300)}`);
          }
        }
      }
      day!.write(net, em.entity, em.record);
      records[net]!++;
      total++;
    }
  };
  const gen = new DayGenerator(world, sink);
  for (let d = 0; d < opts.days; d++) {
    const date = dateOf(d);
    validatedToday = new Map();
    day = new ExportDay(exportsDir, date, entities, opts.gzip);
    try {
      const it = gen.day(d);
      let step = 0;
      for (let r = it.next(); !r.done; r = it.next()) {
        if ((++step & 7) === 0) {
          await day.drain();
          progress({ phase: "day", step: date, day: d, days: opts.days, records: total });
        }
      }
      let rows = 0;
      for (const row of identityRows(world, d)) {
        day.write("identities", "identities", Object.fromEntries(IDENTITY_HEADER.map((h, i) => [h, row[i]])));
        if ((++rows & 4095) === 0) await day.drain();
      }
      records.identities! += rows;
      total += rows;
      for (const [net, b] of await day.close()) bytes[net] = (bytes[net] ?? 0) + b;
    } catch (err) {
      day.abort();
      throw err;
    }
    progress({ phase: "day", step: date, day: d + 1, days: opts.days, records: total });
  }
  for (const [key, c] of problemCount) if (c > 1) problems.push(`${key}: ${c} times in all`);

  const bots = world.persons - world.humans;
  const summary: GenerateSummary = {
    start,
    end: opts.end,
    people: world.humans,
    bots,
    accounts: world.accounts,
    records,
    bytes,
    totalRecords: total,
    totalBytes: Object.values(bytes).reduce((a, b) => a + b, 0),
    durationMs: performance.now() - t0,
    problems,
    fakeFollowsPerBuyer: world.fakePerBuyer,
    buyers: world.buyers.length,
    activity,
    interactions: { ...interactions, byAction: Object.fromEntries(Object.entries(interactions.byAction).sort(([a], [b]) => a.localeCompare(b))) },
  };
  // world.json: the parameters and sizes (no timings: the file is part of the deterministic output).
  writeJsonAtomic(path.join(truthDir, "world.json"), {
    seed: opts.seed,
    people: world.humans,
    days: opts.days,
    start,
    end: opts.end,
    // Only when not the default, so worlds made before the option existed keep their bytes.
    ...(activity !== 1 ? { activity } : {}),
    persons: world.persons,
    accounts: world.accounts,
    accounts_by_network: Object.fromEntries(NETWORKS.map((n, i) => [n, { accounts: world.netStart[i + 1]! - world.netStart[i]!, bots: world.netStart[i + 1]! - world.netBots[i]! }])),
    follow_edges_before_window: world.inAdj.length,
    adversaries: {
      follower_farms: world.farms.map((f) => ({ network: NETWORKS[f.network], accounts: f.size })),
      buyers: world.buyers.map((b) => ({ person_id: world.personId(b.person), network: NETWORKS[b.network], account_id: world.accountIdOf(b.account), fake_follows: b.count, on: dateOf(b.day) })),
      engagement_rings: world.rings.map((r, i) => ({ ring: `ring-${i}`, network: NETWORKS[r.network], members: r.size, topic: world.topics[r.topic]!.slug })),
      reply_bait_bots: Object.fromEntries(NETWORKS.map((n, i) => [n, world.baitCount[i]!]).filter(([, c]) => (c as number) > 0)),
    },
    bot_persons: { engagement_ring: count(world, BOT.ring), reply_bait: count(world, BOT.bait), follower_farm: count(world, BOT.farm) },
    records,
    identities_delivery: "cumulative: each day's identities.csv holds every link made on or before that day",
    modules_skipped: NETWORKS.filter((n) => !specs[n]),
  });
  return summary;
}

function count(w: World, kind: number): number {
  let c = 0;
  for (let p = w.humans; p < w.persons; p++) if (w.pBot[p] === kind) c++;
  return c;
}


