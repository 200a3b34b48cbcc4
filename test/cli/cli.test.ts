import { describe, expect, it } from "vitest";
import { machineHint } from "../../src/lib/errors.ts";
import { runCli } from "../helpers/cli.ts";
import { fixtureProject, writeFixture } from "../helpers/fixture.ts";
import { tempDir } from "../helpers/warehouse.ts";

describe("clout CLI (the real binary)", () => {
  it("--help lists the commands that exist", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["build", "test", "status", "demo"]) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(r.stdout).toContain("--data-dir <dir>");
  });

  it("a bad command prints error: and exits 1", async () => {
    const r = await runCli(["bogus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown command 'bogus'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a bad flag prints error: and exits 1", async () => {
    const r = await runCli(["build", "--nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown option '--nope'/);
  });

  it("a bad value is quoted with a hint, and no stack trace", async () => {
    const data = tempDir();
    const r = await runCli(["build", "--date", "2026-13-01", "--data-dir", data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: invalid --date "2026-13-01": not a real calendar date\nhint: use YYYY-MM-DD, e.g. 2026-11-24\n`);
    const m = await runCli(["status", "--memory-limit", "lots", "--data-dir", data]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/^error: invalid memoryLimit "lots": a size like 4GB or 512MiB\nhint: /);
  });

  it("build, test and status work end to end on a project, with configuration from the environment", async () => {
    const data = tempDir();
    const project = fixtureProject({
      "staging/stg_a.sql": "-- a: one row per id\nselect range as id from range(3)",
      "marts/fct_a.sql": "select getvariable('run_date')::date as score_date, id from staging.stg_a",
      "marts/fct_a.yml": "materialized: incremental\ndate_column: score_date\ncolumns:\n  id:\n    tests: [not_null, unique]\n",
      "intermediate/int_seen.sql": "select id from intermediate.int_seen union select id from staging.stg_a",
      "intermediate/int_seen.yml": "materialized: cache\ncolumns:\n  id: {data_type: bigint}\n",
    });
    const env = { CLOUT_DATA_DIR: data, CLOUT_PROJECT_DIR: project };
    const b = await runCli(["build", "--date", "2026-11-24"], { env });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/ok\s+incremental marts\.fct_a\s+\S+\s+3 rows/);
    const t = await runCli(["test"], { env });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("tests: 2 pass, 0 fail, 0 warn, 0 error");
    // A second date makes `unique` on id fail: the failure is printed with sample rows and exits 1.
    await runCli(["build", "--date", "2026-11-25"], { env });
    const f = await runCli(["test", "--select", "fct_a"], { env });
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/FAIL\s+unique__fct_a__id \(sql\/marts\/fct_a\.yml\): 3 offending rows/);
    expect(f.stderr).toMatch(/^error: 1 data test failed\nhint: /);
    const s = await runCli(["status", "--json"], { env });
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout);
    expect(status.runs.map((r: { command: string; status: string }) => `${r.command}:${r.status}`)).toEqual(["test:error", "build:success", "test:success", "build:success"]);
    expect(status.caches).toEqual([{ model: "int_seen", started_empty: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), reason: "first run" }]);
    const text = await runCli(["status"], { env });
    expect(text.stdout).toMatch(/^caches \(kept between builds.*\n  model +started_empty +reason\n  [- ]+\n  int_seen +\S+ \S+ +first run$/m);
    // a model that fails: error line names the model and file, exit 1
    writeFixture(project, "marts/fct_a.sql", "select nope from staging.stg_a");
    const e = await runCli(["build", "--select", "fct_a"], { env });
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/^error: model "fct_a" \(sql\/marts\/fct_a\.sql\) failed: Binder Error: .*nope/);
    expect(e.stderr).toMatch(/\nhint: tables from the last good run are unchanged; fix the SQL/);
  });

  it("says a model that ran out of memory needs memory, not a fix to its SQL", async () => {
    const data = tempDir();
    // one list of 50M integers cannot spill to disk: about 400 MB in one value, under a 64 MB limit
    const project = fixtureProject({ "marts/fct_big.sql": "select list(range) as l from range(50000000)" });
    const r = await runCli(["build", "--memory-limit", "64MB", "--threads", "1"], { env: { CLOUT_DATA_DIR: data, CLOUT_PROJECT_DIR: project } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: model "fct_big" \(sql\/marts\/fct_big\.sql\) failed: Out of Memory Error: /);
    expect(r.stderr).toMatch(/\nhint: DuckDB ran out of memory: raise --memory-limit/);
    expect(r.stderr).not.toMatch(/fix the SQL|bug in Clout/);
  });

  it("machineHint: a full disk or DuckDB out of memory, found along an error's causes; nothing for other errors", () => {
    expect(machineHint(new Error('IO Error: Could not write file "x.parquet": No space left on device'))).toMatch(/^the disk is full/);
    expect(machineHint(new Error("write failed", { cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }) }))).toMatch(/^the disk is full/);
    expect(machineHint("Out of Memory Error: could not allocate block of size 256.0 KiB")).toMatch(/^DuckDB ran out of memory/);
    expect(machineHint(new Error("Binder Error: column nope not found"))).toBeUndefined();
  });
});
