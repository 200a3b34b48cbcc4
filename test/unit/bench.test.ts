import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { comparison, defaultOut, formatTable, parseTier, stageResult, writeResult, type BenchResult } from "../../bench/run.ts";
import { benchCommand, tierOf } from "../../src/cli/commands/bench.ts";
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
    params: { people: 10_000, days: 7, start: "2026-11-18", end: "2026-11-24", seed: 42, memory_limit: "4GB", threads: 2, note: "stub" },
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
