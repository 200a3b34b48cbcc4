import { Command, Option } from "commander";
import { BENCH_STAGES, CURVE_DEFAULTS, formatCurveTable, formatTable, parseTier, runBench, runCurve, TIER_SPECS, TIERS, type BenchStage, type Tier } from "../../../bench/run.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { contextOf } from "../context.ts";
import { activityOf } from "./generate.ts";

/** The tier flag: s, m or l; anything else is a user error naming the value. */
export function tierOf(raw: string): Tier {
  try {
    return parseTier(raw);
  } catch {
    throw new UserError(`invalid --tier ${quote(raw)}`, `one of ${TIERS.join(", ")} (s ≈ 10k people, m ≈ 1M, l ≈ 10M)`);
  }
}

const MIN_SIZES = 4;

/** `--sizes 12500,25000,50000,100000`: at least four distinct whole numbers of people (100 to 10,000,000), sorted. */
export function sizesOf(raw: string): number[] {
  const hint = `at least ${MIN_SIZES} different whole numbers of people, comma-separated, each from 100 to 10,000,000, e.g. --sizes ${CURVE_DEFAULTS.sizes.join(",")}`;
  const parts = raw.split(",").map((x) => x.trim());
  const sizes = parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 100 || n > 10_000_000)) throw new UserError(`invalid --sizes ${quote(raw)}`, hint);
  if (new Set(sizes).size !== sizes.length) throw new UserError(`invalid --sizes ${quote(raw)}: a size is repeated`, hint);
  if (sizes.length < MIN_SIZES) throw new UserError(`invalid --sizes ${quote(raw)}: ${sizes.length} size${sizes.length === 1 ? "" : "s"}, the curve needs at least ${MIN_SIZES}`, hint);
  return sizes.sort((a, b) => a - b);
}

/** `--days` of a tier's or the curve's world: a whole number from 1 to 366. */
export function curveDaysOf(raw: string): number {
  const s = raw.trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 366)) throw new UserError(`invalid --days ${quote(raw)}`, "a whole number of days from 1 to 366 (the models' windows are 90 days)");
  return n;
}

export interface BenchFlags {
  tier: string;
  curve: boolean;
  sizes?: string;
  days?: string;
  activity?: string;
  until?: string;
  ingestRounds?: string;
}

export type BenchPlan = { kind: "tier"; tier: Tier; days?: number; until?: BenchStage; ingestRounds?: number } | { kind: "curve"; sizes: number[]; days: number; activity: number };

/** `--until <stage>`: one of the tier's stages (nightly-incremental only where the tier runs one). */
export function untilOf(raw: string, tier: Tier): BenchStage {
  const stages = BENCH_STAGES.filter((s) => s !== "nightly-incremental" || TIER_SPECS[tier].nightlyIncremental);
  if (!(stages as readonly string[]).includes(raw)) throw new UserError(`invalid --until ${quote(raw)} for tier ${tier}`, `one of ${stages.join(", ")}: the last stage to run (the comparisons still run), e.g. --until ingest`);
  return raw as BenchStage;
}

/** `--ingest-rounds <n>`: how many times the ingest comparison runs both sides, a whole number from 1 to 9. */
export function ingestRoundsOf(raw: string): number {
  const s = raw.trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 9)) throw new UserError(`invalid --ingest-rounds ${quote(raw)}`, "a whole number from 1 to 9: rounds of our ingest and DuckDB's alternating, compared by their medians (tier s runs 3)");
  return n;
}

/** What to run, from the flags; `tierGiven` = --tier was on the command line (not its default). Throws UserError. */
export function benchPlan(flags: BenchFlags, tierGiven: boolean): BenchPlan {
  if (!flags.curve) {
    for (const f of ["sizes", "activity"] as const) {
      if (flags[f] !== undefined) throw new UserError(`--${f} is a --curve option`, `add --curve to measure a curve (e.g. clout bench --curve --${f} ${flags[f]}), or drop --${f}`);
    }
    const tier = tierOf(flags.tier);
    return {
      kind: "tier",
      tier,
      ...(flags.days !== undefined ? { days: curveDaysOf(flags.days) } : {}),
      ...(flags.until !== undefined ? { until: untilOf(flags.until, tier) } : {}),
      ...(flags.ingestRounds !== undefined ? { ingestRounds: ingestRoundsOf(flags.ingestRounds) } : {}),
    };
  }
  for (const f of ["until", "ingestRounds"] as const) {
    const flag = f === "until" ? "--until" : "--ingest-rounds";
    if (flags[f] !== undefined) throw new UserError(`${flag} is a --tier option`, `the curve always runs generate → ingest → build at each size, with no comparisons; drop ${flag}`);
  }
  if (tierGiven) throw new UserError(`--curve and --tier ${quote(flags.tier)} cannot be combined`, "--curve runs its own sizes (--sizes); drop --tier, or drop --curve to run a tier");
  return {
    kind: "curve",
    sizes: flags.sizes === undefined ? [...CURVE_DEFAULTS.sizes] : sizesOf(flags.sizes),
    days: flags.days === undefined ? CURVE_DEFAULTS.days : curveDaysOf(flags.days),
    activity: flags.activity === undefined ? CURVE_DEFAULTS.activity : activityOf(flags.activity),
  };
}

/**
 * `clout bench --tier s|m|l [--out FILE]`: the stages on a fresh temporary data root (never the data
 * directory), each in its own process, plus the side-by-side comparisons; JSON to --out and a table.
 * `clout bench --curve [--sizes A,B,C,D] [--days D] [--activity X] [--out FILE]`: generate → ingest → build at
 * each size of one world shape, each on its own temporary data root; JSON with a least-squares fit of build
 * seconds against interactions, and a table.
 */
export function benchCommand(): Command {
  return new Command("bench")
    .description("benchmark generate → ingest → build → test → publish (→ site) on a fresh temporary data root, with peer comparisons; or, with --curve, how time grows with the number of interactions")
    .addOption(new Option("--tier <tier>", "s ≈ 10k people, m ≈ 1M, l ≈ 10M").default("s"))
    .option("--curve", "instead of a tier: generate → ingest → build at several sizes of one world, and fit seconds against interactions", false)
    .option("--sizes <list>", `with --curve: people at each size, comma-separated, at least ${MIN_SIZES} (default ${CURVE_DEFAULTS.sizes.join(",")})`)
    .option("--days <d>", `days of activity (a tier's default: s ${TIER_SPECS.s.days}, m ${TIER_SPECS.m.days} of history; with --curve, in each world, default ${CURVE_DEFAULTS.days})`)
    .option("--activity <x>", `with --curve: the generator's activity, in (0, 10] (default ${CURVE_DEFAULTS.activity}, as tier m); DuckDB gets ${CURVE_DEFAULTS.memoryLimit} unless --memory-limit is given`)
    .option("--until <stage>", `with a tier: the last stage to run, one of ${BENCH_STAGES.join(", ")} (the comparisons still run; e.g. --tier m --days 7 --until ingest measures the ingest and PageRank comparisons at tier m without the build)`)
    .option("--ingest-rounds <n>", `with a tier: rounds of the ingest comparison, ours and DuckDB's alternating, compared by their medians (default: s ${TIER_SPECS.s.ingestRounds}, m ${TIER_SPECS.m.ingestRounds}, l ${TIER_SPECS.l.ingestRounds}; each extra round lands the tier's exports again)`)
    .option("--out <file>", "where the JSON goes (default bench-results/bench-<tier|curve>-<timestamp>.json)")
    .option("--keep", "keep the temporary data root(s)", false)
    .action(async (flags: BenchFlags & { out?: string; keep: boolean }, cmd: Command) => {
      const source = cmd.getOptionValueSource("tier");
      const plan = benchPlan(flags, source !== undefined && source !== "default");
      const ctx = contextOf(cmd);
      if (plan.kind === "curve") {
        // The curve's own DuckDB memory limit (like each tier's) unless --memory-limit is given.
        const memoryFlag = cmd.optsWithGlobals<{ memoryLimit?: string }>().memoryLimit !== undefined;
        const { result, file } = await runCurve({
          sizes: plan.sizes,
          days: plan.days,
          activity: plan.activity,
          threads: ctx.config.threads,
          memoryLimit: memoryFlag ? ctx.config.memoryLimit : CURVE_DEFAULTS.memoryLimit,
          keep: flags.keep,
          onLine: (t) => ctx.out.line(t),
          ...(flags.out ? { out: flags.out } : {}),
        });
        ctx.out.line("");
        for (const l of formatCurveTable(result)) ctx.out.line(l);
        ctx.out.line(`results: ${file}`);
        if (result.errors.length) throw new UserError(`bench curve had ${result.errors.length} error(s): ${result.errors[0]}`, `the partial results are in ${file}`);
        return;
      }
      const tier = plan.tier;
      const { result, file, root } = await runBench({
        tier,
        ...(plan.days !== undefined ? { spec: { days: plan.days } } : {}),
        ...(plan.until !== undefined ? { until: plan.until } : {}),
        ...(plan.ingestRounds !== undefined ? { ingestRounds: plan.ingestRounds } : {}),
        keep: flags.keep, threads: ctx.config.threads, onLine: (t) => ctx.out.line(t), ...(flags.out ? { out: flags.out } : {}) });
      ctx.out.line("");
      for (const l of formatTable(result)) ctx.out.line(l);
      ctx.out.line(`results: ${file}${flags.keep ? `; data root kept at ${root}` : ""}`);
      if (result.errors.length) throw new UserError(`bench tier ${tier} had ${result.errors.length} error(s): ${result.errors[0]}`, `the partial results are in ${file}`);
    });
}
