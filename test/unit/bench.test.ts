import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BENCH_STAGES, comparison, CURVE_DEFAULTS, median, roundsComparison, runBench, stagesFor, curveSummary, defaultOut, formatCurveTable, formatTable, linearFit, memoryCheck, parseTier, stageResult, TIER_SPECS, writeResult, type BenchResult, type CurvePoint, type CurveResult } from "../../bench/run.ts";
import { benchCommand, benchPlan, curveDaysOf, ingestRoundsOf, sizesOf, tierOf, untilOf } from "../../src/cli/commands/bench.ts";
import { UserError } from "../../src/lib/errors.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/warehouse.ts";

/** A result as the bench writes it, from a stubbed stage list (no stage is run). */
function stubbed(): BenchResult {
  return {
    tier: "s",
    machine: { cpus: 2, mem_gb: 24, node: "v20.20.2", duckdb: "v1.5.6" },
    started_at: "2026-11-25T18:00:00.000Z",
    params: { people: 10_000, days: 7, start: "2026-11-18", end: "2026-11-24", seed: 42, activity: 1, memory_limit: "4GB", threads: 2, note: "stub" },
    stages: [stageResult("generate", 2, 1000, 150.04), stageResult("ingest", 0.5, 1000, 200, { files: 3 }), stageResult("test", 0, 10, 99)],
    comparisons: [comparison("pagerank-vs-igraph", 3, 1.5, "stub"), comparison("ingest-vs-duckdb-read_json", 1, 0, "peer too fast to time")],
    total_s: 3.5,
    errors: [],
  };
}

describe("bench results", () => {
  it("derives rows_per_s and ratio, guarding zero times", () => {
    const r = stubbed();
    expect(r.stages[0]).toEqual({ name: "generate", seconds: 2, rows: 1000, rows_per_s: 500, peak_rss_mb: 150 });
    expect(r.stages[1]).toMatchObject({ rows_per_s: 2000, extra: { files: 3 } });
    expect(r.stages[2]!.rows_per_s).toBe(0);
    expect(r.comparisons[0]).toEqual({ name: "pagerank-vs-igraph", ours_s: 3, peer_s: 1.5, ratio: 2, detail: "stub" });
    expect(r.comparisons[1]!.ratio).toBe(0);
  });

  it("writes the JSON with the documented shape, atomically, creating the folder", () => {
    const dir = tempDir("clout-bench-test-");
    const file = path.join(dir, "nested", "out.json");
    writeResult(file, stubbed());
    expect(fs.readdirSync(path.dirname(file))).toEqual(["out.json"]);
    const back = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResult;
    expect(Object.keys(back)).toEqual(expect.arrayContaining(["tier", "machine", "started_at", "stages", "comparisons"]));
    expect(Object.keys(back.machine).sort()).toEqual(["cpus", "duckdb", "mem_gb", "node"]);
    for (const s of back.stages) expect(Object.keys(s).slice(0, 5)).toEqual(["name", "seconds", "rows", "rows_per_s", "peak_rss_mb"]);
    for (const c of back.comparisons) expect(Object.keys(c)).toEqual(["name", "ours_s", "peer_s", "ratio", "detail"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names the default output by tier and timestamp under bench-results/", () => {
    expect(defaultOut("m", new Date("2026-11-25T18:01:02.345Z"))).toBe(path.join(INSTALL_DIR, "bench-results", "bench-m-20261125T180102Z.json"));
  });

  it("prints one table line per stage and per comparison", () => {
    const lines = formatTable(stubbed());
    expect(lines.some((l) => /^generate\s+2\.00\s+1,000\s+500\s+150$/.test(l))).toBe(true);
    expect(lines.some((l) => /^pagerank-vs-igraph\s+3\.00\s+1\.50\s+2\.00×$/.test(l))).toBe(true);
  });

  it("checks the highest stage's peak RSS against the memory limit the stages ran with", () => {
    const stages = [stageResult("ingest", 1, 1, 1200), stageResult("build", 1, 1, 3900.5), stageResult("test", 1, 1, 3000)];
    // 4GB = 4e9 bytes = 3814.7 MiB: the build's 3900.5 MiB is over it
    expect(memoryCheck(stages, "4GB")).toEqual({ limit: "4GB", limit_mib: 3814.7, peak_rss_mib: 3900.5, stage: "build", within_limit: false });
    expect(memoryCheck(stages, "4GiB")).toMatchObject({ limit_mib: 4096, within_limit: true });
    expect(memoryCheck([], "4GB")).toBeUndefined();
    expect(memoryCheck(stages, "80%")).toBeUndefined();
    const r = { ...stubbed(), memory: memoryCheck(stages, "4GB")! };
    expect(formatTable(r)).toContain("memory: peak RSS 3,901 MiB (build) against the 4GB limit (3,815 MiB): 1.02× over");
    r.memory = memoryCheck(stages, "4GiB")!;
    expect(formatTable(r)).toContain("memory: peak RSS 3,901 MiB (build) against the 4GiB limit (4,096 MiB): within");
  });
});

describe("bench --tier", () => {
  it("accepts s, m, l and rejects anything else with the value quoted", () => {
    expect(["s", "m", "l"].map(parseTier)).toEqual(["s", "m", "l"]);
    expect(() => tierOf("x")).toThrow(UserError);
    expect(() => tierOf("x")).toThrow('invalid --tier "x"');
    expect(() => tierOf("S")).toThrow('invalid --tier "S"');
  });

  it("the command rejects --tier x before running anything", async () => {
    const cmd = benchCommand().exitOverride();
    await expect(cmd.parseAsync(["node", "bench", "--tier", "x"])).rejects.toThrow('invalid --tier "x"');
  });

  const registered = /benchCommand\(\)/.test(fs.readFileSync(path.join(INSTALL_DIR, "src/cli/main.ts"), "utf8"));
  it.runIf(registered)("the real binary: `clout bench --tier x` → error with the value quoted, exit 1", async () => {
    const r = await runCli(["bench", "--tier", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: invalid --tier "x"');
  });
});

describe("bench comparisons in rounds", () => {
  it("takes the median: the middle value, or the mean of the two middle ones", () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it("compares medians and keeps every round, in the order run", () => {
    // ours 10, 8, 12 → 10; peer 4, 6, 5 → 5; 10 / 5 = 2
    expect(roundsComparison("x", [10, 8, 12], [4, 6, 5], "d")).toEqual({ name: "x", ours_s: 10, peer_s: 5, ratio: 2, detail: "d", rounds: { ours_s: [10, 8, 12], peer_s: [4, 6, 5] } });
    // one round is a plain comparison
    expect(roundsComparison("x", [3], [2], "d")).toEqual(comparison("x", 3, 2, "d"));
  });

  it("runs ingest again in a scratch data root between the peer's rounds (a small world, two rounds)", async () => {
    const out = path.join(tempDir(), "bench.json");
    const lines: string[] = [];
    const { result, root } = await runBench({ tier: "s", spec: { people: 150, days: 2 }, until: "ingest", pagerank: false, ingestRounds: 2, out, keep: true, onLine: (t) => lines.push(t) });
    try {
      expect(result.errors).toEqual([]);
      const c = result.comparisons.find((x) => x.name === "ingest-vs-duckdb-read_json")!;
      const stage = result.stages.find((x) => x.name === "ingest")!;
      expect(c.rounds!.ours_s).toHaveLength(2);
      expect(c.rounds!.peer_s).toHaveLength(2);
      // the first round is the stage itself; the second is a re-run that landed something
      expect(c.rounds!.ours_s[0]).toBe(stage.seconds);
      expect(c.rounds!.ours_s[1]).toBeGreaterThan(0);
      expect(lines.some((l) => /round 2: ingest again \d+\.\d\ds/.test(l))).toBe(true);
      expect(c.ours_s).toBeCloseTo((c.rounds!.ours_s[0]! + c.rounds!.ours_s[1]!) / 2, 2);
      expect(c.peer_s).toBeCloseTo((c.rounds!.peer_s[0]! + c.rounds!.peer_s[1]!) / 2, 2);
      expect(c.detail).toMatch(/^2 rounds alternating/);
      // the one-file peer runs once, against the stage
      expect(result.comparisons.find((x) => x.name === "ingest-vs-duckdb-read_json-one-file")).toMatchObject({ ours_s: stage.seconds });
      expect(result.comparisons.some((x) => x.name === "pagerank-vs-igraph")).toBe(false);
      // the scratch roots are gone; the run's own lake is whole
      const tmp = path.dirname(root);
      expect(fs.readdirSync(tmp).filter((d) => d.startsWith("reingest-"))).toEqual([]);
      expect(fs.existsSync(path.join(root, "lake", "raw", "twitter", "tweets"))).toBe(true);
      expect(JSON.parse(fs.readFileSync(out, "utf8")).comparisons[0].rounds.ours_s).toHaveLength(2);
    } finally {
      fs.rmSync(path.dirname(root), { recursive: true, force: true });
    }
  }, 120_000);
});

describe("bench tiers", () => {
  it("tier m: 1M people, 90 days, a quarter of the default activity (for ≥ 30M interactions); s and l at the default", () => {
    expect(TIER_SPECS.m).toMatchObject({ people: 1_000_000, days: 90, activity: 0.25, nightlyIncremental: true });
    expect(TIER_SPECS.m.note).toMatch(/activity 0\.25/i);
    expect(TIER_SPECS.s.activity).toBe(1);
    expect(TIER_SPECS.l.activity).toBe(1);
  });

  it("the table names a non-default activity and the generator's interactions", () => {
    const r = stubbed();
    r.params.activity = 0.25;
    r.params.interactions = { window: 1_234_567, backfill: 10, byAction: { reaction: 1_234_567 } };
    expect(formatTable(r)[0]).toMatch(/^tier s: 10,000 people, 7 days 2026-11-18\.\.2026-11-24, activity 0\.25 \(1,234,567 interactions generated in the window\);/);
    expect(formatTable(stubbed())[0]).not.toMatch(/activity/);
  });
});

describe("bench curve: the least-squares fit", () => {
  it("fits a noisy line: values worked out by hand", () => {
    // x̄ = 2.5, ȳ = 4.75; Sxx = 5, Sxy = 9.5 → slope 1.9, intercept 4.75 − 1.9·2.5 = 0;
    // residuals 0.1, 0.2, −0.7, 0.4 → SSres = 0.7; SStot = 18.75 → R² = 1 − 0.7/18.75 = 0.962666…
    const f = linearFit([1, 2, 3, 4], [2, 4, 5, 8])!;
    expect(f.n).toBe(4);
    expect(f.slope).toBeCloseTo(1.9, 12);
    expect(f.intercept).toBeCloseTo(0, 12);
    expect(f.r2).toBeCloseTo(0.9626666666666667, 12);
  });

  it("recovers an exact line with R² 1, and a flat one", () => {
    const f = linearFit([0.5, 1, 2, 4], [3.5, 5, 8, 14])!; // y = 3x + 2
    expect(f.slope).toBeCloseTo(3, 12);
    expect(f.intercept).toBeCloseTo(2, 12);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(linearFit([1, 2, 3], [7, 7, 7])).toEqual({ slope: 0, intercept: 7, r2: 1, n: 3 });
  });

  it("has no fit below two points or when every x is the same", () => {
    expect(linearFit([], [])).toBeNull();
    expect(linearFit([1], [2])).toBeNull();
    expect(linearFit([2, 2, 2], [1, 2, 3])).toBeNull();
  });

  const point = (people: number, interactions: number, build: number, records: number, ingest: number): CurvePoint => ({
    people,
    export_records: records,
    generated_interactions: interactions,
    interaction_rows: interactions,
    model_rows: 0,
    generate_s: 1,
    ingest_s: ingest,
    build_s: build,
    peak_rss_mb: { generate: 100, ingest: 200, build: 300 },
    build_s_per_m_interactions: build / (interactions / 1e6),
    ingest_s_per_m_records: ingest / (records / 1e6),
  });

  it("summarises a curve: build seconds per million interactions, and the largest-vs-smallest ratio", () => {
    // build = 10 s per M interactions + 2 s at 1, 2, 4, 8 M: 12, 22, 42, 82 s. Per M: 12 at the smallest,
    // 82 / 8 = 10.25 at the largest → ratio 10.25 / 12 = 0.854166… (0.854). Ingest: 5 s per M records, no
    // intercept (5, 10, 20, 40 s for 1, 2, 4, 8 M records) → ratio 1. Given out of order: sorted by people.
    const pts = [point(8000, 8e6, 82, 8e6, 40), point(1000, 1e6, 12, 1e6, 5), point(4000, 4e6, 42, 4e6, 20), point(2000, 2e6, 22, 2e6, 10)];
    const s = curveSummary(pts);
    expect(s.fit.build_s_vs_m_interactions).toEqual({ slope: 10, intercept: 2, r2: 1, n: 4 });
    expect(s.fit.ingest_s_vs_m_records).toEqual({ slope: 5, intercept: 0, r2: 1, n: 4 });
    expect(s.linearity.build_s_per_m_interactions).toEqual({ smallest: 12, largest: 10.25, ratio: 0.854 });
    expect(s.linearity.ingest_s_per_m_records).toEqual({ smallest: 5, largest: 5, ratio: 1 });
    expect(curveSummary(pts.slice(0, 1)).fit.build_s_vs_m_interactions).toBeNull();
    expect(curveSummary(pts.slice(0, 1)).linearity.build_s_per_m_interactions).toBeNull();
  });

  it("prints one line per size and the fit", () => {
    const pts = [point(1000, 1e6, 12, 1e6, 5), point(2000, 2e6, 22, 2e6, 10), point(4000, 4e6, 42, 4e6, 20), point(8000, 8e6, 82, 8e6, 40)];
    const r: CurveResult = {
      kind: "curve",
      machine: { cpus: 2, mem_gb: 24, node: "v20.20.2", duckdb: "v1.5.6" },
      started_at: "2026-11-25T18:00:00.000Z",
      params: { sizes: [1000, 2000, 4000, 8000], days: 90, start: "2026-08-27", end: "2026-11-24", activity: 0.25, seed: 42, memory_limit: "8GB", threads: 2 },
      points: pts,
      ...curveSummary(pts),
      total_s: 200,
      errors: [],
    };
    const lines = formatCurveTable(r);
    expect(lines[0]).toMatch(/^curve: 4 sizes, 90 days 2026-08-27\.\.2026-11-24, activity 0\.25/);
    expect(lines.some((l) => /^\s+8,000\s+8,000,000\s+8,000,000\s+1\.0\s+40\.0\s+82\.0\s+10\.25\s+5\.00\s+100 \/ 200 \/ 300$/.test(l))).toBe(true);
    expect(lines).toContain("build: 10.000 s per million interactions + 2.00 s (least squares over 4 sizes, R² 1.0000)");
    expect(lines.some((l) => l.startsWith("linearity: build seconds per interaction at the largest size ÷ at the smallest = 0.85"))).toBe(true);
    const dir = tempDir("clout-bench-curve-");
    const file = path.join(dir, "curve.json");
    writeResult(file, r);
    const back = JSON.parse(fs.readFileSync(file, "utf8")) as CurveResult;
    expect(Object.keys(back)).toEqual(["kind", "machine", "started_at", "params", "points", "fit", "linearity", "total_s", "errors"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names the default curve output under bench-results/", () => {
    expect(defaultOut("curve", new Date("2026-11-25T18:01:02.345Z"))).toBe(path.join(INSTALL_DIR, "bench-results", "bench-curve-20261125T180102Z.json"));
  });
});

describe("bench --curve flags", () => {
  it("reads --sizes: at least four different whole numbers of people, sorted", () => {
    expect(sizesOf("50000,100000,200000,400000")).toEqual([50_000, 100_000, 200_000, 400_000]);
    expect(sizesOf(" 4000, 500,1000 ,2000")).toEqual([500, 1000, 2000, 4000]);
  });

  it.each([
    ["1000,2000,3000", /3 sizes, the curve needs at least 4/],
    ["1000,2000,abc,4000", /^invalid --sizes "1000,2000,abc,4000"$/],
    ["50,100,200,400", /^invalid --sizes "50,100,200,400"$/],
    ["1000,1000,2000,4000", /a size is repeated/],
    ["1000,2000,4000,8000,", /^invalid --sizes/],
    ["1000,2000,4000,20000000", /^invalid --sizes/],
    ["", /^invalid --sizes ""$/],
  ])("rejects --sizes %j as a user error with a hint", (raw, message) => {
    let err: unknown;
    try {
      sizesOf(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).hint).toMatch(/at least 4 different whole numbers of people/);
  });

  it("reads --days from 1 to 366", () => {
    expect(curveDaysOf("90")).toBe(90);
    for (const bad of ["0", "367", "7.5", "x"]) expect(() => curveDaysOf(bad)).toThrow(`invalid --days "${bad}"`);
  });

  it("plans a tier, or a curve with tier m's shape by default", () => {
    expect(benchPlan({ tier: "s", curve: false }, false)).toEqual({ kind: "tier", tier: "s" });
    expect(benchPlan({ tier: "m", curve: false }, true)).toEqual({ kind: "tier", tier: "m" });
    expect(benchPlan({ tier: "s", curve: true }, false)).toEqual({ kind: "curve", sizes: [...CURVE_DEFAULTS.sizes], days: 90, activity: 0.25 });
    expect(CURVE_DEFAULTS.sizes.length).toBeGreaterThanOrEqual(4);
    expect(benchPlan({ tier: "s", curve: true, sizes: "500,1000,2000,4000", days: "7", activity: "1" }, false)).toEqual({ kind: "curve", sizes: [500, 1000, 2000, 4000], days: 7, activity: 1 });
  });

  it("plans a tier with fewer days, or stopping after a stage", () => {
    expect(benchPlan({ tier: "m", curve: false, days: "7", until: "ingest" }, true)).toEqual({ kind: "tier", tier: "m", days: 7, until: "ingest" });
    expect(benchPlan({ tier: "s", curve: false, until: "publish" }, false)).toEqual({ kind: "tier", tier: "s", until: "publish" });
    expect(() => benchPlan({ tier: "s", curve: false, days: "0" }, false)).toThrow('invalid --days "0"');
    expect(() => benchPlan({ tier: "s", curve: false, until: "deploy" }, false)).toThrow('invalid --until "deploy" for tier s');
    // tier s runs no incremental night; tier m does
    expect(() => untilOf("nightly-incremental", "s")).toThrow(UserError);
    expect(untilOf("nightly-incremental", "m")).toBe("nightly-incremental");
    expect(() => benchPlan({ tier: "s", curve: true, until: "ingest" }, false)).toThrow("--until is a --tier option");
  });

  it("reads --ingest-rounds from 1 to 9, with a tier only", () => {
    expect(benchPlan({ tier: "s", curve: false, ingestRounds: "5" }, false)).toEqual({ kind: "tier", tier: "s", ingestRounds: 5 });
    expect(ingestRoundsOf(" 1 ")).toBe(1);
    for (const bad of ["0", "10", "2.5", "-1", "three", ""]) expect(() => ingestRoundsOf(bad)).toThrow(`invalid --ingest-rounds ${JSON.stringify(bad)}`);
    expect(() => benchPlan({ tier: "s", curve: true, ingestRounds: "3" }, false)).toThrow("--ingest-rounds is a --tier option");
    expect(TIER_SPECS.s.ingestRounds).toBe(3);
  });

  it("cuts the stage list after --until, and knows which stages a tier runs", () => {
    expect(stagesFor({ nightlyIncremental: true, site: true })).toEqual([...BENCH_STAGES]);
    expect(stagesFor({ nightlyIncremental: false, site: true })).toEqual(["generate", "ingest", "build", "test", "publish", "site"]);
    expect(stagesFor({ nightlyIncremental: true, site: false, until: "ingest" })).toEqual(["generate", "ingest"]);
    expect(stagesFor({ nightlyIncremental: true, site: true, until: "nightly-incremental" })).toEqual([...BENCH_STAGES]);
    expect(() => stagesFor({ nightlyIncremental: false, site: false, until: "site" })).toThrow('stage "site" is not part of this run');
  });

  it("refuses curve options without --curve, --curve with an explicit --tier, and a bad --activity", () => {
    expect(() => benchPlan({ tier: "s", curve: false, sizes: "500,1000,2000,4000" }, false)).toThrow("--sizes is a --curve option");
    expect(() => benchPlan({ tier: "s", curve: false, activity: "0.5" }, false)).toThrow("--activity is a --curve option");
    expect(() => benchPlan({ tier: "m", curve: true }, true)).toThrow('--curve and --tier "m" cannot be combined');
    expect(() => benchPlan({ tier: "s", curve: true, activity: "0" }, false)).toThrow('invalid --activity "0"');
    expect(() => benchPlan({ tier: "s", curve: true, activity: "0" }, false)).toThrow(UserError);
  });

  it("the command rejects bad curve flags before running anything", async () => {
    await expect(benchCommand().exitOverride().parseAsync(["node", "bench", "--curve", "--sizes", "1000,2000"])).rejects.toThrow(/the curve needs at least 4/);
    await expect(benchCommand().exitOverride().parseAsync(["node", "bench", "--curve", "--tier", "s"])).rejects.toThrow("--curve and --tier");
    await expect(benchCommand().exitOverride().parseAsync(["node", "bench", "--sizes", "1000,2000,4000,8000"])).rejects.toThrow("--sizes is a --curve option");
  });

  const registered = /benchCommand\(\)/.test(fs.readFileSync(path.join(INSTALL_DIR, "src/cli/main.ts"), "utf8"));
  it.runIf(registered)("the real binary: `clout bench --curve --sizes 10` → one error line and a hint, exit 1", async () => {
    const r = await runCli(["bench", "--curve", "--sizes", "10"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid --sizes "10"$/m);
    expect(r.stderr).toMatch(/^hint: at least 4 different whole numbers of people/m);
  });
});
