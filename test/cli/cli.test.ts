import { describe, expect, it } from "vitest";
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
  });
});
