import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runNight } from "../../src/cli/commands/nightly.ts";
import { addDays } from "../../src/lib/dates.ts";
import { idPattern } from "../../src/lib/forget.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { runBuild } from "../../src/runner/build.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { combinationColumns, isUniqueTest, loadProject, statementOf } from "../../src/runner/project.ts";
import { Warehouse } from "../../src/lib/warehouse.ts";
import { runCli } from "../helpers/cli.ts";
import { parquetRowsMatching, publishedDifferences } from "../helpers/published.ts";
import { tempDir } from "../helpers/warehouse.ts";
import { delayAndRepeat, queryWarehouse, quietContext, runNights, sampleWorld } from "../helpers/world.ts";
import type { Context } from "../../src/cli/context.ts";

/**
 * Nightly operations end to end (issue 6): idempotent re-runs, kill -9 at random moments, one writer while
 * `clout sql` keeps answering, opt-out that really deletes, and a backfill equal to nights run one by one.
 * One small world is generated once; each scenario works on its own copy of the data directory.
 */
const END = "2026-11-24";
const DAYS = 8;
const FIRST = addDays(END, -(DAYS - 1));
const SEVENTH = addDays(END, -1);

let world: Context; // exports only
let clean: Context; // nights FIRST..SEVENTH run one by one

function copyData(from: Context): Context {
  const dir = tempDir("clout-copy-");
  fs.cpSync(from.layout.root, dir, { recursive: true, verbatimSymlinks: true });
  return quietContext(dir);
}

beforeAll(async () => {
  world = await sampleWorld({ people: 500, days: DAYS, end: END, seed: 3 });
  // late and repeated records, so that the models computed from the new partitions meet every late arrival
  const { moved, copied } = delayAndRepeat(world, FIRST, END);
  expect(moved).toBeGreaterThan(1000);
  expect(copied).toBeGreaterThan(500);
  clean = copyData(world);
  // clean's nights merge every merge table, however small (sql/project.yml's merge_min_rows and changed_since_min_rows
  // would replace most of this world's tables whole), and read every change log however much changed (a 500-person
  // world's night changes more than changed_keys_max_share of its content), so the tests below exercise the merge,
  // upsert and change-log paths
  const project = tempDir("clout-merge-project-");
  fs.cpSync(path.join(INSTALL_DIR, "sql"), path.join(project, "sql"), { recursive: true });
  const yml = path.join(project, "sql", "project.yml");
  fs.writeFileSync(yml, fs.readFileSync(yml, "utf8").replace(/^merge_min_rows: \d+$/m, "merge_min_rows: 0").replace(/^changed_since_min_rows: \d+$/m, "changed_since_min_rows: 0").replace(/^changed_keys_max_share: [\d.]+$/m, "changed_keys_max_share: 1000000"));
  clean.config.projectDir = project;
  await runNights(clean, FIRST, SEVENTH);
}, 300_000);

describe("nightly", () => {
  it("publishes every mart, and re-running a night leaves every published table identical", async () => {
    expect(fs.readdirSync(clean.layout.published)).toEqual(
      expect.arrayContaining(["dim_people.parquet", "fct_person_scores.parquet", "fct_score_explanations.parquet", "fct_topic_trends.parquet", "score_calibration.parquet"]),
    );
    const again = copyData(clean);
    await runNight(again, { date: SEVENTH });
    expect(await publishedDifferences(clean.layout.root, again.layout.root)).toEqual([]);
  }, 120_000);

  it("after the first night, the uniqueness tests of merge and incremental tables, and the row tests of incremental ones, check only the rows written since; every row agrees", async () => {
    // the tests with a partial form: every unique and unique_combination test on a merge or incremental model, and
    // every not_null, accepted_values and expression test on an incremental model (none of this project's
    // expressions there reads another row or table, or changes between runs)
    const project = loadProject(INSTALL_DIR);
    const kindOf = (t: unknown) => (typeof t === "string" ? t : Object.keys(t as object)[0]!);
    const withForm = [...project.models.values()]
      .filter((m) => m.materialized === "merge" || m.materialized === "incremental")
      .flatMap((m) => [
        ...Object.entries(m.config.columns ?? {}).flatMap(([c, spec]) =>
          (spec?.tests ?? []).flatMap((t) =>
            isUniqueTest(t) ? [`unique__${m.name}__${c}`] : m.materialized === "incremental" && ["not_null", "accepted_values", "expression"].includes(kindOf(t)) ? [`${kindOf(t)}__${m.name}__${c}`] : [],
          ),
        ),
        ...(m.config.tests ?? []).flatMap((t, i) =>
          "unique_combination" in t
            ? [`unique_combination__${m.name}__${combinationColumns(t.unique_combination).join("__")}`]
            : m.materialized === "incremental" && "expression" in t
              ? [`expression__${m.name}__${i + 1}`]
              : [],
        ),
      ])
      .sort();
    expect(withForm.length).toBeGreaterThan(75);
    expect(withForm).toEqual(expect.arrayContaining(["not_null__fct_person_scores__score", "expression__fct_person_scores__2", "accepted_values__fct_score_explanations__component"]));
    const nights = await queryWarehouse<{ run_id: string; d: string }>(clean, "select run_id, run_date::varchar as d from meta.runs where command = 'nightly' order by started_at");
    expect(nights.map((n) => n.d)).toEqual(Array.from({ length: 7 }, (_, i) => addDays(FIRST, i)));
    const partialOf = async (runId: string) =>
      (await queryWarehouse<{ t: string }>(clean, "select test_name as t from meta.test_results where run_id = $1 and status = 'pass' and message similar to 'checked [0-9,]+ written keys?, not every row; --full checks every row' order by 1", [runId])).map((r) => r.t);
    // the first night's tests run whole; from the second on, every such test checks only what was written since
    expect(await partialOf(nights[0]!.run_id)).toEqual([]);
    for (const n of nights.slice(1)) expect(await partialOf(n.run_id), n.d).toEqual(withForm);
    // and checking every row of a copy finds the same: nothing
    const data = copyData(clean);
    const r = await runCli(["--data-dir", data.layout.root, "test", "--full"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/written key/);
    expect(await queryWarehouse(data, "select count(*)::integer as n from meta.test_results where run_id = (select max(run_id) from meta.runs where command = 'test') and message is not null")).toEqual([{ n: 0 }]);
    // every test passed whole, so the next run checks only what was written since: nothing
    const again = await runCli(["--data-dir", data.layout.root, "test", "--select", "int_interactions_unioned"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/pass {3}unique_combination__int_interactions_unioned__network__origin__interaction_id {2}\d+\.\d+s {2}\(checked 0 written keys, not every row; --full checks every row\)/);
  }, 120_000);

  it("a backfill over a week equals the same nights run one by one", async () => {
    const data = copyData(world);
    const r = await runCli(["--data-dir", data.layout.root, "nightly", "--from", FIRST, "--to", SEVENTH]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`backfill ${FIRST}..${SEVENTH}: 7 nights ok`);
    expect(await publishedDifferences(clean.layout.root, data.layout.root)).toEqual([]);
  }, 180_000);

  it("merge models, and caches written by comparison, changed night by night, hold exactly the rows a full rebuild gives", async () => {
    // clean's seven nights merged each staging and core table into the last one's rows; rebuild those tables from
    // scratch in a copy and compare every row of every one of them
    const runs = await queryWarehouse<{ model: string; message: string }>(clean, "select model, message from meta.model_runs where materialized = 'merge' and status = 'success'");
    const changed = runs.map((r) => /^merged(?: since [\d-]+)?: \+([\d,]+) −([\d,]+) rows/.exec(r.message)).filter((m) => m !== null);
    expect(changed.length).toBeGreaterThan(6 * 30); // nights after the first merged rather than replaced
    expect(changed.some((m) => m[1] !== "0" && m[2] !== "0")).toBe(true); // rows changed, not only added
    const project = loadProject(INSTALL_DIR);
    const merged = [...project.models.values()].filter((m) => m.materialized === "merge");
    // every model that can was computed from the new partitions on each of the six nights after the first
    const partial = merged.filter((m) => m.config.reads_changed_since && !m.name.startsWith("stg_generic__")).map((m) => m.name);
    expect(partial.length).toBeGreaterThan(0);
    const sinceNights = (name: string) => runs.filter((r) => r.model === name && /^merged since /.test(r.message)).length;
    expect(partial.filter((n) => sinceNights(n) !== 6)).toEqual([]);
    // and every model reading its sources' change logs was computed from their changed keys on each of those nights
    const keyed = merged.filter((m) => m.config.changed_keys).map((m) => m.name);
    expect(keyed).toEqual(expect.arrayContaining(["int_content_unioned", "int_content_interactions", "int_interactions_unioned", "int_engagements_windowed", "int_engagement_pairs"]));
    const keyedRuns = runs.filter((r) => keyed.includes(r.model));
    expect(keyedRuns.filter((r) => !/^merged [\d,]+ changed keys: |^replaced: first run$/.test(r.message)).map((r) => `${r.model}: ${r.message}`)).toEqual([]);
    expect(keyedRuns.length).toBe(7 * keyed.length);
    // topic matching's cache was written by comparison on each night after the first
    const caches = [...project.models.values()].filter((m) => m.materialized === "cache" && m.config.unique_key);
    expect(caches.map((m) => m.name)).toEqual(["int_text_topic_matches"]);
    const cacheRuns = await queryWarehouse<{ message: string | null }>(clean, "select message from meta.model_runs where model = 'int_text_topic_matches' and status = 'success' order by started_at");
    expect(cacheRuns.map((r) => r.message ?? "whole")).toEqual(["whole", ...Array.from({ length: 6 }, () => expect.stringMatching(/^compared: \+[\d,]+ −[\d,]+ rows$/))]);
    expect(cacheRuns.some((r) => r.message !== null && !r.message.startsWith("compared: +0 "))).toBe(true); // new texts' rows were inserted
    const data = copyData(clean);
    expect(merged.map((m) => m.name)).toEqual(expect.arrayContaining(["stg_twitter__tweets", "int_interactions_unioned", "int_content_unioned", "int_accounts_resolved"]));
    const wh = await Warehouse.open({ path: data.layout.warehouse, threads: 2 });
    try {
      await wh.run("set variable lake_root = $1::varchar", [data.layout.lake]);
      const graph = await buildGraph(project, wh);
      const order = graph.order.filter((n) => merged.some((m) => m.name === n) || caches.some((m) => m.name === n));
      const rebuilt = await runBuild(wh, graph, { runId: "full", runDate: SEVENTH, selected: order, fullRefresh: true, recordRun: false });
      expect(rebuilt.results.map((r) => r.message ?? "cache emptied")).toEqual(order.map((n) => (caches.some((m) => m.name === n) ? "cache emptied" : "replaced: --full-refresh")));
      await wh.run(`attach '${clean.layout.warehouse.replace(/'/g, "''")}' as clean (read_only)`);
      const [differing, empty]: string[][] = [[], []];
      for (const m of [...merged, ...caches]) {
        const t = `${m.schema}.${m.name}`;
        const row = await wh.one<{ a: number; b: number; n: number }>(
          `select (select count(*) from (from ${t} except all from clean.${t}))::integer as a,
                  (select count(*) from (from clean.${t} except all from ${t}))::integer as b,
                  (select count(*) from ${t})::integer as n`,
        );
        if (row!.a !== 0 || row!.b !== 0) differing.push(`${t}: ${row!.a} rows only in the rebuild, ${row!.b} only in the merged table`);
        if (row!.n === 0) empty.push(m.name);
      }
      expect(differing).toEqual([]);
      // the sample world has no generic exports, and a week of 500 people may have no Reddit comments
      expect(empty.filter((n) => !["stg_generic__content", "stg_generic__interactions", "stg_reddit__comments"].includes(n))).toEqual([]);
    } finally {
      wh.close();
    }
  }, 180_000);

  it("kill -9 at random moments leaves the last good publish readable; the next run ends where a clean run ends", async () => {
    const data = copyData(world);
    await runNights(data, FIRST, addDays(SEVENTH, -1));
    const lastGood = copyData(data);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [path.join(INSTALL_DIR, "src/bin/clout.js"), "--data-dir", data.layout.root, "nightly", "--date", SEVENTH], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, 700 + rand() * 5000));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("close", r));
      // whatever moment it died at, the last good publish is there and whole (the one before, or the new one)
      const vsBefore = await publishedDifferences(lastGood.layout.root, data.layout.root);
      if (vsBefore.length > 0) expect(await publishedDifferences(clean.layout.root, data.layout.root)).toEqual([]);
    }
    const r = await runCli(["--data-dir", data.layout.root, "nightly", "--date", SEVENTH]);
    expect(r.code).toBe(0);
    expect(await publishedDifferences(clean.layout.root, data.layout.root)).toEqual([]);
  }, 240_000);

  it("refuses a second nightly while one runs, naming it, while `clout sql` answers", async () => {
    const data = copyData(clean);
    const child = spawn(process.execPath, [path.join(INSTALL_DIR, "src/bin/clout.js"), "--data-dir", data.layout.root, "nightly", "--date", END], { stdio: "ignore" });
    const lock = path.join(data.layout.root, "clout.lock");
    for (let i = 0; i < 100 && !fs.existsSync(lock); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(lock)).toBe(true);
    const second = await runCli(["--data-dir", data.layout.root, "nightly", "--date", END]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^error: another nightly is running: run \\S+ \\(PID ${child.pid}, started `));
    const sql = await runCli(["--data-dir", data.layout.root, "sql", "-c", "select count(*) as people from dim_people", "--format", "csv"]);
    expect(sql.stderr).toBe("");
    expect(sql.stdout).toMatch(/^people\n\d+\n$/);
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
  }, 180_000);

  it("fails loudly and keeps the last good publish: too many rejects, then a failing data test", async () => {
    const data = copyData(clean);
    const tweets = path.join(data.layout.exports, "twitter", END, "tweets.jsonl");
    const good = fs.readFileSync(tweets, "utf8");
    const lines = good.trim().split("\n").length;
    fs.appendFileSync(tweets, `${"{not json\n".repeat(Math.ceil(lines * 0.2))}`);
    const r = await runCli(["--data-dir", data.layout.root, "nightly", "--date", END]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: nightly 2026-11-24 failed at ingest: twitter: .*tweets\.jsonl: reject rate \d+\.\d% exceeds 5\.0%/);
    expect(await publishedDifferences(clean.layout.root, data.layout.root)).toEqual([]);
    // a model whose output breaks a declared test: the night builds, tests, fails, publishes nothing
    fs.writeFileSync(tweets, good);
    const project = tempDir("clout-project-");
    fs.cpSync(path.join(INSTALL_DIR, "sql"), path.join(project, "sql"), { recursive: true });
    const dim = path.join(project, "sql", "marts", "core", "dim_people.sql");
    fs.writeFileSync(dim, fs.readFileSync(dim, "utf8").replace("select * from final", "select * from final union all select * from final"));
    const t = await runCli(["--data-dir", data.layout.root, "--project", project, "nightly", "--date", END]);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/^error: nightly 2026-11-24 failed its data tests: tests: \d+ pass, [1-9]\d* fail/);
    expect(await publishedDifferences(clean.layout.root, data.layout.root)).toEqual([]);
    const runs = (await runCli(["--data-dir", data.layout.root, "status", "--json"])).stdout;
    const statuses = (JSON.parse(runs) as { runs: { command: string; status: string }[] }).runs.filter((x) => x.command === "nightly").slice(0, 2).map((x) => x.status);
    expect(statuses).toEqual(["error", "error"]);
  }, 240_000);

  it("no model plans a blockwise nested-loop join between two growing inputs (quadratic: e.g. a filter on one side in a join's ON)", async () => {
    // stg_tiktok__comments once had `left join … on parent.content_id = c.parent_content_id and c.content_type = 'reply'`:
    // DuckDB cannot hash that condition and compared every comment with every comment.
    const wh = await Warehouse.open({ path: clean.layout.warehouse, readOnly: true, threads: 1 });
    try {
      await wh.run("set variable lake_root = $1::varchar", [clean.layout.lake]);
      await wh.run("set variable run_date = $1::date", [SEVENTH]);
      const found: string[] = [];
      const models = [...loadProject(INSTALL_DIR).models.values()];
      expect(models.length).toBeGreaterThan(50);
      for (const m of models) {
        const plan = (await wh.all<{ explain_value: string }>(`explain ${statementOf(m.sql)}`)).map((r) => r.explain_value).join("\n");
        expect(plan, m.file).toMatch(/SEQ_SCAN|READ_PARQUET|TABLE_SCAN|DUMMY_SCAN|COLUMN_DATA_SCAN|CTE_SCAN|EMPTY_RESULT/);
        if (plan.includes("BLOCKWISE_NL_JOIN")) found.push(m.file);
      }
      // the one allowed: its small side is the two as-of dates, so it stays linear in the factors
      expect(found).toEqual(["sql/intermediate/scoring/int_person_factors_smoothed.sql"]);
    } finally {
      wh.close();
    }
  }, 120_000);

  it("forget removes every row holding the person's ids, and they stay forgotten after the next night", async () => {
    const data = copyData(clean);
    const wh = await Warehouse.open({ path: data.layout.warehouse, readOnly: true });
    const person = (await wh.one<{ person_id: string }>("select person_id from marts.dim_people where account_count >= 2 and is_linked order by person_id limit 1"))!.person_id;
    const ids = (await wh.all<{ id: string }>("select account_id as id from marts.dim_accounts where person_id = $1 union select handle from marts.dim_accounts where person_id = $1 and handle is not null", [person])).map((r) => r.id);
    wh.close();
    const pattern = idPattern([person, ...ids]);
    expect((await parquetRowsMatching(data.layout.root, pattern)).length).toBeGreaterThan(0);
    const r = await runCli(["--data-dir", data.layout.root, "forget", person]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const check = async () => {
      expect(await parquetRowsMatching(data.layout.root, pattern)).toEqual([]);
      const w = await Warehouse.open({ path: data.layout.warehouse, readOnly: true });
      try {
        const tables = await w.all<{ s: string; t: string }>("select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE'");
        for (const { s, t } of tables) {
          const n = await w.one<{ n: number }>(`select count(*)::integer as n from "${s}"."${t}" as r where regexp_matches(r::varchar, $1)`, [pattern]);
          expect({ table: `${s}.${t}`, n: n!.n }).toEqual({ table: `${s}.${t}`, n: 0 });
        }
      } finally {
        w.close();
      }
      const re = new RegExp(pattern);
      for (const dir of ["exports", "ground_truth"]) {
        const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
        for (const f of walk(path.join(data.layout.root, dir))) expect(fs.readFileSync(f, "utf8").split("\n").filter((l) => re.test(l))).toEqual([]);
      }
    };
    await check();
    // the next night's exports were generated before the opt-out: put the person back in them, as a network would
    fs.rmSync(path.join(data.layout.root, "exports", "twitter", END), { recursive: true, force: true });
    fs.cpSync(path.join(world.layout.root, "exports", "twitter", END), path.join(data.layout.root, "exports", "twitter", END), { recursive: true });
    await runNight(data, { date: END });
    await check();
  }, 240_000);
});
