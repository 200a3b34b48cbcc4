import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { warehouseFileInfo } from "../../src/lib/compact.ts";
import { pagerank } from "../../src/lib/pagerank.ts";
import { scrubWarehouse } from "../../src/lib/forget.ts";
import { Warehouse } from "../../src/lib/warehouse.ts";
import { CHECKPOINT_ROWS, ModelFailedError, runBuild } from "../../src/runner/build.ts";
import { buildCatalog } from "../../src/runner/catalog.ts";
import { columnsUsed, compileTests, duplicatesSql, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph, select } from "../../src/runner/graph.ts";
import { CHANGED_SINCE_MIN_ROWS, MERGE_MIN_ROWS, loadProject } from "../../src/runner/project.ts";
import { lakePartitions } from "../../pipelines/sources.ts";
import { fixtureProject, writeFixture } from "../helpers/fixture.ts";
import { memoryWarehouse, tempDir } from "../helpers/warehouse.ts";

let wh: Warehouse;
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

async function build(
  dir: string,
  opts: { selector?: string; runDate?: string; artifactsDir?: string; fullRefresh?: boolean; lakePartitions?: (source: string) => Map<string, string> | undefined } = {},
) {
  const graph = await buildGraph(loadProject(dir), wh);
  const selected = select(graph, opts.selector);
  return runBuild(wh, graph, { runId: `r-${Math.random().toString(36).slice(2)}`, runDate: opts.runDate ?? "2026-11-24", selected, ...opts });
}

/** Loading a fixture project of `files` and making its graph fails with a message matching `re`. */
async function refused(files: Record<string, string>, re: RegExp): Promise<void> {
  await expect((async () => buildGraph(loadProject(fixtureProject(files)), wh))()).rejects.toThrow(re);
}

const chain = {
  "staging/stg_people.sql": "-- people\nselect * from (values (1, 'ann'), (2, 'bob')) as t(person_id, name)",
  "staging/stg_events.sql": "select * from (values (1, 10), (1, 5), (2, 7)) as t(person_id, points)",
  "intermediate/int_points_summed.sql": "with e as (select * from staging.stg_events)\nselect person_id, sum(points) as points from e group by person_id",
  "marts/dim_people.sql": "select p.person_id, p.name, s.points from staging.stg_people p join intermediate.int_points_summed s using (person_id)",
  "marts/fct_other.sql": "select count(*) as n from marts.dim_people",
};

describe("dependency graph", () => {
  it("orders models so every dependency comes first, including JOIN … USING and subqueries", async () => {
    const dir = fixtureProject({
      ...chain,
      "marts/fct_sub.sql": "select * from staging.stg_people where person_id in (select person_id from intermediate.int_points_summed)",
    });
    const graph = await buildGraph(loadProject(dir), wh);
    const pos = (n: string) => graph.order.indexOf(n);
    expect(graph.nodes.get("dim_people")!.dependsOn.sort()).toEqual(["int_points_summed", "stg_people"]);
    expect(graph.nodes.get("fct_sub")!.dependsOn.sort()).toEqual(["int_points_summed", "stg_people"]);
    expect(pos("stg_events")).toBeLessThan(pos("int_points_summed"));
    expect(pos("int_points_summed")).toBeLessThan(pos("dim_people"));
    expect(pos("dim_people")).toBeLessThan(pos("fct_other"));
    const result = await build(dir);
    expect(result.results.map((r) => r.status)).toEqual(Array(6).fill("success"));
    expect(await wh.all("select person_id, name, points::integer as points from marts.dim_people order by 1")).toEqual([
      { person_id: 1, name: "ann", points: 15 },
      { person_id: 2, name: "bob", points: 7 },
    ]);
  });

  it("ignores CTE names and records raw sources", async () => {
    const dir = fixtureProject({ "staging/stg_x.sql": "with stg_y as (select 1 as a) select * from stg_y, raw.twitter__tweets" });
    const graph = await buildGraph(loadProject(dir), wh);
    expect(graph.nodes.get("stg_x")!.dependsOn).toEqual([]);
    expect(graph.nodes.get("stg_x")!.sources).toEqual(["raw.twitter__tweets"]);
  });

  it("names the cycle", async () => {
    const dir = fixtureProject({
      "intermediate/int_a.sql": "select * from intermediate.int_c",
      "intermediate/int_b.sql": "select * from intermediate.int_a",
      "intermediate/int_c.sql": "select * from intermediate.int_b",
      "marts/ok.sql": "select 1 as x",
    });
    await expect(buildGraph(loadProject(dir), wh)).rejects.toThrow(/cycle in models: int_(a|b|c) → int_(a|b|c) → int_(a|b|c) → int_\1/);
  });

  it("refuses a reference to a missing model, naming the file", async () => {
    const dir = fixtureProject({ "marts/fct_a.sql": "select * from intermediate.int_missing" });
    await expect(buildGraph(loadProject(dir), wh)).rejects.toThrow(`"sql/marts/fct_a.sql" references missing model "intermediate.int_missing"`);
  });

  it("refuses a model that does not parse, naming the file", async () => {
    const dir = fixtureProject({ "marts/fct_a.sql": "selec 1" });
    await expect(buildGraph(loadProject(dir), wh)).rejects.toThrow(/cannot parse "sql\/marts\/fct_a.sql": syntax error/);
  });

  it("refuses two models with one name", async () => {
    const dir = fixtureProject({ "staging/a/stg_x.sql": "select 1 as a", "staging/b/stg_x.sql": "select 2 as a" });
    expect(() => loadProject(dir)).toThrow(/model "stg_x" is defined twice/);
  });
});

describe("selection", () => {
  it("supports model, model+, +model, +model+, layer: and unions", async () => {
    const graph = await buildGraph(loadProject(fixtureProject(chain)), wh);
    expect(select(graph, "dim_people")).toEqual(["dim_people"]);
    expect(select(graph, "int_points_summed+")).toEqual(["int_points_summed", "dim_people", "fct_other"]);
    expect(select(graph, "+dim_people")).toEqual(["stg_events", "stg_people", "int_points_summed", "dim_people"]);
    expect(select(graph, "+int_points_summed+")).toEqual(["stg_events", "int_points_summed", "dim_people", "fct_other"]);
    expect(select(graph, "layer:staging")).toEqual(["stg_events", "stg_people"]);
    expect(select(graph, "layer:staging fct_other,dim_people")).toEqual(["stg_events", "stg_people", "dim_people", "fct_other"]);
    expect(select(graph, undefined)).toHaveLength(5);
    expect(() => select(graph, "dim_peple")).toThrow(`no model named "dim_peple" in --select`);
    expect(() => select(graph, "layer:gold")).toThrow(`unknown layer "gold"`);
    expect(() => select(graph, "a.b")).toThrow(`cannot read selector "a.b"`);
  });
});

describe("materializations", () => {
  it("a pagerank model notes its edges, graphs and iterations, and whether they converged", async () => {
    // a 3-cycle with a spoke in one graph, a single edge in another
    const edges = "select * from (values ('a', 'x', 'y', 1.0), ('a', 'y', 'z', 1.0), ('a', 'z', 'x', 1.0), ('a', 'w', 'x', 0.5), ('b', 'p', 'q', 1.0)) as t(graph, src, dst, weight)";
    const run = async (yml: string) => {
      const dir = fixtureProject({ "intermediate/int_rank.sql": edges, "intermediate/int_rank.yml": yml });
      const result = await build(dir);
      const r = result.results.find((x) => x.name === "int_rank")!;
      expect(r).toMatchObject({ status: "success", row_count: 6 });
      const row = await wh.one<{ message: string }>("select message from meta.model_runs where model = 'int_rank' order by started_at desc limit 1");
      expect(row!.message).toBe(r.message);
      return r.message!;
    };
    // the library alone, on the same edges, gives the iterations the note must show
    await wh.run(`create or replace table main.e as ${edges}`);
    const alone = await pagerank(wh, { edges: "main.e", out: "main.r" });
    expect(alone.converged).toBe(true);
    expect(await run("materialized: pagerank\n")).toMatch(
      new RegExp(`^5 edges, 2 graphs, ${alone.iterations} iterations, converged: edges \\d+\\.\\d\\d s, ranks \\d+\\.\\d\\d s$`),
    );
    expect(await run("materialized: pagerank\npagerank: {max_iter: 2}\n")).toMatch(/^5 edges, 2 graphs, 2 iterations, not converged: /);
  });

  it("views and tables land in the layer's schema; per-model yml overrides the layer default", async () => {
    const dir = fixtureProject({ ...chain, "marts/fct_other.yml": "materialized: view\n" });
    await build(dir);
    const kinds = await wh.all(`select table_schema as s, table_name as t, table_type as k from information_schema.tables where table_schema in ('staging','intermediate','marts') order by 1, 2`);
    expect(kinds).toEqual([
      { s: "intermediate", t: "int_points_summed", k: "BASE TABLE" },
      { s: "marts", t: "dim_people", k: "BASE TABLE" },
      { s: "marts", t: "fct_other", k: "VIEW" },
      { s: "staging", t: "stg_events", k: "VIEW" },
      { s: "staging", t: "stg_people", k: "VIEW" },
    ]);
  });

  it("incremental by date replaces one date's rows and never duplicates", async () => {
    const dir = fixtureProject({
      "staging/stg_src.sql": "select * from (values (1, 'a'), (2, 'b'), (3, 'c')) as t(id, v)",
      "marts/fct_daily.sql": "select getvariable('run_date')::date as score_date, id, v from staging.stg_src",
      "marts/fct_daily.yml": "materialized: incremental\ndate_column: score_date\n",
    });
    await build(dir, { runDate: "2026-11-01" });
    await build(dir, { runDate: "2026-11-02" });
    await build(dir, { runDate: "2026-11-02" });
    writeFixture(dir, "staging/stg_src.sql", "select * from (values (1, 'A'), (2, 'B')) as t(id, v)");
    await build(dir, { runDate: "2026-11-01" });
    const rows = await wh.all("select score_date::varchar as d, count(*)::integer as n, string_agg(v, '' order by id) as vs from marts.fct_daily group by 1 order by 1");
    expect(rows).toEqual([
      { d: "2026-11-01", n: 2, vs: "AB" },
      { d: "2026-11-02", n: 3, vs: "abc" },
    ]);
    // --full-refresh drops history and keeps only the run date.
    await build(dir, { runDate: "2026-11-03", fullRefresh: true });
    expect(await wh.all("select distinct score_date::varchar as d from marts.fct_daily")).toEqual([{ d: "2026-11-03" }]);
  });

  it("refuses an incremental model whose rows are not all of the run date, leaving the table as it was", async () => {
    const dir = fixtureProject({
      "marts/fct_daily.sql": "select getvariable('run_date')::date as score_date, 1 as id",
      "marts/fct_daily.yml": "materialized: incremental\ndate_column: score_date\n",
    });
    await build(dir, { runDate: "2026-11-01" });
    writeFixture(dir, "marts/fct_daily.sql", "select date '2026-10-01' as score_date, 1 as id");
    await expect(build(dir, { runDate: "2026-11-02" })).rejects.toThrow(/1 rows whose score_date is not the run date/);
    expect(await wh.all("select score_date::varchar as d from marts.fct_daily")).toEqual([{ d: "2026-11-01" }]);
  });
});

describe("merge models", () => {
  // A keyed source whose rows the test edits between builds; the model copies it with a list and a NULL-able column.
  const source = (rows: string) => `select * from (values ${rows}) as t(id, v, tags)`;
  const mergeProject = (rows: string, minRows = 0) => {
    const dir = fixtureProject({
      "staging/stg_src.sql": source(rows),
      "intermediate/int_copy.sql": "select id, v, tags, len(tags) as n_tags from staging.stg_src",
      "intermediate/int_copy.yml": "materialized: merge\nunique_key: [id]\ncolumns:\n  id:\n    tests: [unique]\n",
    });
    writeFixture(dir, "project.yml", `name: fixture\nmerge_min_rows: ${minRows}\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n  marts: {materialized: table}\n`);
    return dir;
  };
  const rows = async () =>
    (await wh.all<{ id: number; v: string | null; t: string }>("select id, v, tags::varchar as t from intermediate.int_copy order by id")).map((r) => `${r.id}:${r.v}:${r.t}`);
  const note = (b: Awaited<ReturnType<typeof build>>) => b.results.find((r) => r.name === "int_copy")!.message;

  it("ends with exactly the query's rows, writing only those that changed (NULLs and lists included)", async () => {
    const dir = mergeProject("(1, 'a', ['x']), (2, 'b', []), (3, NULL, ['y', 'z']), (4, 'd', NULL)");
    expect(note(await build(dir))).toBe("replaced: first run");
    expect(await rows()).toEqual(["1:a:[x]", "2:b:[]", "3:null:[y, z]", "4:d:null"]);
    // nothing changed: nothing written
    expect(note(await build(dir))).toBe("merged: +0 −0 rows");
    // 1 unchanged, 2 gone, 3's NULL becomes a value, 4's list changes from NULL to empty, 5 new
    writeFixture(dir, "staging/stg_src.sql", source("(1, 'a', ['x']), (3, 'c', ['y', 'z']), (4, 'd', []), (5, NULL, NULL)"));
    const b = await build(dir);
    expect(note(b)).toBe("merged: +3 −3 rows");
    expect(b.results.find((r) => r.name === "int_copy")!.row_count).toBe(4);
    expect(await rows()).toEqual(["1:a:[x]", "3:c:[y, z]", "4:d:[]", "5:null:null"]);
    // the same rows as a table built from scratch
    const merged = await wh.all("select * from intermediate.int_copy order by id");
    await build(dir, { fullRefresh: true });
    expect(await wh.all("select * from intermediate.int_copy order by id")).toEqual(merged);
  });

  it("replaces the table whole on --full-refresh and when its columns or their types change, and says why", async () => {
    const dir = mergeProject("(1, 'a', ['x'])");
    await build(dir);
    expect(note(await build(dir, { fullRefresh: true }))).toBe("replaced: --full-refresh");
    writeFixture(dir, "intermediate/int_copy.sql", "select id, v, tags, len(tags)::integer as n_tags from staging.stg_src");
    expect(note(await build(dir))).toBe("replaced: columns changed");
    expect(await wh.all("select data_type as t from information_schema.columns where table_name = 'int_copy' and column_name = 'n_tags'")).toEqual([{ t: "INTEGER" }]);
    writeFixture(dir, "intermediate/int_copy.sql", "select id, v from staging.stg_src");
    expect(note(await build(dir))).toBe("replaced: columns changed");
    expect(await wh.all("select * from intermediate.int_copy")).toEqual([{ id: 1, v: "a" }]);
  });

  it("replaces a table under merge_min_rows whole (the same rows), and merges once it holds that many", async () => {
    const dir = mergeProject("(1, 'a', ['x']), (2, 'b', [])", 3);
    expect(loadProject(dir).mergeMinRows).toBe(3);
    await build(dir);
    writeFixture(dir, "staging/stg_src.sql", source("(1, 'a', ['x']), (2, 'B', []), (3, 'c', [])"));
    expect(note(await build(dir))).toBe("replaced: small (2 rows < merge_min_rows 3)");
    expect(await rows()).toEqual(["1:a:[x]", "2:B:[]", "3:c:[]"]);
    writeFixture(dir, "staging/stg_src.sql", source("(1, 'a', ['x']), (2, 'B', []), (3, 'C', [])"));
    expect(note(await build(dir))).toBe("merged: +1 −1 rows");
    expect(await rows()).toEqual(["1:a:[x]", "2:B:[]", "3:C:[]"]);
    expect(loadProject(fixtureProject({ "intermediate/int_x.sql": "select 1 as x" })).mergeMinRows).toBe(MERGE_MIN_ROWS);
    expect(loadProject(fixtureProject({ "intermediate/int_x.sql": "select 1 as x" })).changedSinceMinRows).toBe(CHANGED_SINCE_MIN_ROWS);
  });

  it("leaves the table as it was when the query fails", async () => {
    const dir = mergeProject("(1, 'a', ['x']), (2, 'b', [])");
    await build(dir);
    writeFixture(dir, "staging/stg_src.sql", "select 1 as id, 'a' as v, ['x'] as tags union all select 2, 'b', [error('boom')]");
    await expect(build(dir)).rejects.toThrow(/boom/);
    expect(await rows()).toEqual(["1:a:[x]", "2:b:[]"]);
  });

  it("needs a unique_key that its tests check, and that the query returns", async () => {
    const noKey = fixtureProject({ "intermediate/int_m.sql": "select 1 as id", "intermediate/int_m.yml": "materialized: merge\n" });
    expect(() => loadProject(noKey)).toThrow(/merge model "int_m" has no unique_key/);
    // a test on columns outside the key does not hold it unique; one on some of its columns does (a stronger test)
    const untested = fixtureProject({ "intermediate/int_m.sql": "select 1 as id, 2 as k, 3 as j", "intermediate/int_m.yml": "materialized: merge\nunique_key: [id, k]\ntests:\n  - unique_combination: [id, j]\n" });
    expect(() => loadProject(untested)).toThrow(/merge model "int_m" has no uniqueness test on its unique_key \[id, k\]/);
    const part = fixtureProject({ "intermediate/int_m.sql": "select 1 as id, 2 as k", "intermediate/int_m.yml": "materialized: merge\nunique_key: [id, k]\ntests:\n  - unique_combination: [id]\n" });
    expect(loadProject(part).models.get("int_m")!.materialized).toBe("merge");
    const tested = fixtureProject({ "intermediate/int_m.sql": "select 1 as id, 2 as k", "intermediate/int_m.yml": "materialized: merge\nunique_key: [k, id]\ntests:\n  - unique_combination: [id, k]\n" });
    expect(loadProject(tested).models.get("int_m")!.materialized).toBe("merge");
    const wrongKey = fixtureProject({ "intermediate/int_m.sql": "select 1 as id", "intermediate/int_m.yml": "materialized: merge\nunique_key: [key]\ncolumns:\n  key:\n    tests: [unique]\n" });
    writeFixture(wrongKey, "project.yml", "name: fixture\nmerge_min_rows: 0\nlayers:\n  intermediate: {materialized: table}\n");
    await build(wrongKey);
    await expect(build(wrongKey)).rejects.toThrow(/unique_key names "key", which its query does not return/);
  });
});

describe("merge models computed from the new partitions (reads_changed_since)", () => {
  // A lake of one source, raw.src__items (id, v, dt), and a model keeping each id's latest v (latest dt wins) and its
  // first landing date; on a plain night it reads only the ids landed since changed_since.
  const lake = () => tempDir("clout-lake-");
  const land = async (root: string, dt: string, rows: string, entity = "items", columns = "id, v") => {
    const dir = path.join(root, "raw", "src", entity, `dt=${dt}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await wh.run(`copy (select * from (values ${rows}) as t(${columns})) to '${path.join(dir, "part-0.parquet")}' (format parquet)`);
  };
  const modelSql = `-- items
with changed as (select id from raw.src__items where dt >= getvariable('changed_since'))
select id, arg_max(v, dt) as v, min(dt) as first_dt
from raw.src__items
where getvariable('changed_since') is null or id in (select id from changed)
group by id`;
  const setup = async (first: string) => {
    const root = lake();
    await land(root, "2026-11-01", first);
    const dir = fixtureProject({
      "staging/stg_items.sql": modelSql,
      "staging/stg_items.yml": "materialized: merge\nunique_key: [id]\nreads_changed_since: true\ncolumns:\n  id:\n    tests: [unique]\n",
    });
    writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 0\nchanged_since_min_rows: 0\nlayers:\n  staging: {materialized: view}\n");
    await wh.run("create schema if not exists raw");
    await wh.run(`create or replace view raw.src__items as select * from read_parquet('${root}/raw/src/items/dt=*/*.parquet', hive_partitioning = true)`);
    return { root, dir, run: (o: { fullRefresh?: boolean } = {}) => build(dir, { ...o, lakePartitions: (s) => lakePartitions(root, s) }) };
  };
  const note = (b: Awaited<ReturnType<typeof build>>) => b.results.find((r) => r.name === "stg_items")!.message;
  const table = async () =>
    (await wh.all<{ id: number; v: string; d: string }>("select id, v, first_dt::varchar as d from staging.stg_items order by id")).map((r) => `${r.id}:${r.v}:${r.d}`);
  /** The rows a whole build gives, from a copy of the model as a plain query. */
  const wholeRows = async (sql = modelSql) =>
    (await wh.all<{ id: number; v: string; d: string }>(`select id, v, first_dt::varchar as d from (${sql.replace("-- items\n", "")}) order by id`)).map((r) => `${r.id}:${r.v}:${r.d}`);

  it("on nights that only add partitions, upserts the keys the query returns; the rows equal a whole build", async () => {
    const { root, dir, run } = await setup("(1, 'a'), (2, 'b')");
    expect(note(await run())).toBe("replaced: first run");
    // its test passes, so the build logs the keys it writes from now on (the data tests' "partial write")
    await runTests(wh, compileTests(await buildGraph(loadProject(dir), wh)), { runId: "verify" });
    expect(note(await run())).toBe("unchanged: no new partitions");
    // a copy of the lake (new modification times and inodes) holds the same partitions
    const copy = lake();
    fs.cpSync(path.join(root, "raw"), path.join(copy, "raw"), { recursive: true });
    await wh.run(`create or replace view raw.src__items as select * from read_parquet('${copy}/raw/src/items/dt=*/*.parquet', hive_partitioning = true)`);
    expect(note(await build(dir, { lakePartitions: (s) => lakePartitions(copy, s) }))).toBe("unchanged: no new partitions");
    await wh.run(`create or replace view raw.src__items as select * from read_parquet('${root}/raw/src/items/dt=*/*.parquet', hive_partitioning = true)`);
    // a new partition: id 2 changes (latest dt wins, first_dt stays), id 3 is new, id 1 is not read at all
    await land(root, "2026-11-02", "(2, 'B'), (3, 'c')");
    const b = await run();
    expect(note(b)).toBe("merged since 2026-11-02: +2 −1 rows");
    expect(b.results[0]!.row_count).toBe(3);
    const hashes = (sql: string) => wh.all<{ h: string }>(`select h::varchar as h from (${sql}) order by 1`);
    expect(await hashes("select key_hash as h from meta.test_written_keys where model = 'stg_items'")).toEqual(await hashes("select hash(id) as h from staging.stg_items where id in (2, 3)"));
    expect(await table()).toEqual(["1:a:2026-11-01", "2:B:2026-11-01", "3:c:2026-11-02"]);
    expect(await table()).toEqual(await wholeRows());
    // two nights at once: the first new date is the one it reads from
    await land(root, "2026-11-03", "(1, 'A')");
    await land(root, "2026-11-04", "(4, 'd')");
    expect(note(await run())).toBe("merged since 2026-11-03: +2 −1 rows");
    expect(await table()).toEqual(await wholeRows());
    // a backfilled older date is still only new partitions: every key landed from that date on is recomputed
    await land(root, "2026-10-31", "(3, 'zz'), (5, 'e')");
    expect(note(await run())).toBe("merged since 2026-10-31: +5 −4 rows");
    expect(await table()).toEqual(await wholeRows());
    expect(await wh.one("select getvariable('changed_since') as v")).toEqual({ v: null });
    // a table under changed_since_min_rows is replaced whole (merge_min_rows does not apply), with today's lake
    // state: the next night reads only what landed after it
    const minRows = (n: number, merge = 1000) =>
      writeFixture(dir, "project.yml", `name: fixture\nmerge_min_rows: ${merge}\nchanged_since_min_rows: ${n}\nlayers:\n  staging: {materialized: view}\n`);
    minRows(1000);
    await land(root, "2026-11-05", "(6, 'f')");
    expect(note(await run())).toBe("replaced: small (5 rows < changed_since_min_rows 1,000)");
    minRows(0);
    await land(root, "2026-11-06", "(7, 'g')");
    expect(note(await run())).toBe("merged since 2026-11-06: +1 −0 rows");
    expect(await table()).toEqual(await wholeRows());
    // an edited model whose table is under merge_min_rows is replaced whole once, and the next night is computed
    // from its new partitions again (its state used to stay behind, so it was replaced whole every night)
    minRows(0, 1000);
    const edited = modelSql.replace("arg_max(v, dt)", "lower(arg_max(v, dt))");
    writeFixture(dir, "staging/stg_items.sql", edited);
    expect(note(await run())).toBe("replaced: small (7 rows < merge_min_rows 1,000)");
    await land(root, "2026-11-07", "(8, 'h')");
    expect(note(await run())).toBe("merged since 2026-11-07: +1 −0 rows");
    expect(await table()).toEqual(await wholeRows(edited));
  });

  it("computes the model whole when a partition it read was re-landed or removed, or its SQL changed, and says why", async () => {
    const { root, dir, run } = await setup("(1, 'a'), (2, 'b')");
    await land(root, "2026-11-02", "(2, 'B')");
    await run();
    // re-landing a date with a key fewer: only a whole computation can tell that 2's latest copy is now the older one
    await land(root, "2026-11-02", "(3, 'c')");
    expect(note(await run())).toBe("merged: +2 −1 rows, whole: raw.src__items dt=2026-11-02 re-landed or rewritten");
    expect(await table()).toEqual(["1:a:2026-11-01", "2:b:2026-11-01", "3:c:2026-11-02"]);
    expect(await table()).toEqual(await wholeRows());
    fs.rmSync(path.join(root, "raw", "src", "items", "dt=2026-11-02"), { recursive: true });
    expect(note(await run())).toBe("merged: +0 −1 rows, whole: raw.src__items dt=2026-11-02 removed");
    expect(await table()).toEqual(["1:a:2026-11-01", "2:b:2026-11-01"]);
    writeFixture(dir, "staging/stg_items.sql", modelSql.replace("arg_max(v, dt)", "upper(arg_max(v, dt))"));
    expect(note(await run())).toBe("merged: +2 −2 rows, whole: definition changed");
    expect(note(await run({ fullRefresh: true }))).toBe("replaced: --full-refresh");
    expect(note(await run())).toBe("unchanged: no new partitions");
  });

  it("leaves the table and the recorded lake as they were when the query fails, and changed_since NULL", async () => {
    const { root, dir, run } = await setup("(1, 'a')");
    await run();
    // a new partition that cannot be read
    const bad = path.join(root, "raw", "src", "items", "dt=2026-11-02");
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, "part-0.parquet"), "not parquet");
    await expect(run()).rejects.toThrow(/part-0\.parquet/);
    expect(await table()).toEqual(["1:a:2026-11-01"]);
    expect(await wh.one("select getvariable('changed_since') as v")).toEqual({ v: null });
    await land(root, "2026-11-02", "(2, 'b')");
    expect(note(await run())).toBe("merged since 2026-11-02: +1 −0 rows");
    // without the lake's partitions (e.g. a test's raw tables) the model is computed whole, as any merge model
    expect(note(await build(dir))).toBe("merged: +0 −0 rows");
  });

  it("is refused unless the model is a merge that reads changed_since, not run_date, from the lake only", async () => {
    const yml = "materialized: merge\nunique_key: [id]\nreads_changed_since: true\ncolumns:\n  id:\n    tests: [unique]\n";
    await wh.run("create schema if not exists raw; create or replace table raw.src__items (id integer, dt date)");
    await refused({ "staging/stg_a.sql": "select id from raw.src__items", "staging/stg_a.yml": yml }, /never reads getvariable\('changed_since'\)/);
    await refused({ "staging/stg_a.sql": "select id from raw.src__items where getvariable('changed_since') is null", "staging/stg_a.yml": yml.replace("merge", "table") }, /table model "stg_a" sets reads_changed_since/);
    await refused(
      { "staging/stg_a.sql": "select id, getvariable('run_date') as d from raw.src__items where getvariable('changed_since') is null", "staging/stg_a.yml": yml },
      /reads getvariable\('run_date'\)/,
    );
    await refused(
      {
        "staging/stg_b.sql": "select 1 as id",
        "staging/stg_a.sql": "select id from raw.src__items where getvariable('changed_since') is null or id in (select id from staging.stg_b)",
        "staging/stg_a.yml": yml,
      },
      /reads "stg_b", which is not the lake/,
    );
  });

  describe("with tombstones (tombstone_column)", () => {
    // A lake of events (id, op, v, dt): 'create' lands a row (latest dt wins), 'delete' removes the id whatever date
    // either landed on. On a plain night the model returns the ids landed since, each as its row or, deleted, as a
    // tombstone; a reader (changed_keys) follows it row for row.
    const landEvents = (root: string, dt: string, rows: string) => land(root, dt, rows, "events", "id, op, v");
    const eventsSql = `-- events
with changed as (select id from raw.src__events where dt >= getvariable('changed_since')),
source as (select * from raw.src__events where getvariable('changed_since') is null or id in (select id from changed)),
deletes as (select distinct id from source where op = 'delete'),
live as (select id, arg_max(v, dt) as v from source where op = 'create' and id not in (select id from deletes) group by id)
select id, v, false as _deleted from live
union all
select id, null, true from deletes where getvariable('changed_since') is not null`;
    const eventsYml = "materialized: merge\nunique_key: [id]\nreads_changed_since: true\ntombstone_column: _deleted\ncolumns:\n  id:\n    tests: [unique]\n";
    const readerSql = `select id, v || '!' as w from staging.stg_events
where getvariable('changed_keys') is null or hash(id) in (select unnest(getvariable('changed_keys')::ubigint[]))`;
    const setupEvents = async () => {
      const root = lake();
      await landEvents(root, "2026-11-01", "(1, 'create', 'a'), (2, 'create', 'b'), (3, 'create', 'c'), (4, 'delete', null)");
      const dir = fixtureProject({
        "staging/stg_events.sql": eventsSql,
        "staging/stg_events.yml": eventsYml,
        "intermediate/int_reader.sql": readerSql,
        "intermediate/int_reader.yml": "materialized: merge\nunique_key: [id]\nchanged_keys: [id]\ncolumns:\n  id:\n    tests: [unique]\n",
      });
      writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 0\nchanged_since_min_rows: 0\nchanged_keys_max_share: 1000\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n");
      await wh.run("create schema if not exists raw");
      await wh.run(`create or replace view raw.src__events as select * from read_parquet('${root}/raw/src/events/dt=*/*.parquet', hive_partitioning = true)`);
      return { root, dir, run: (o: { fullRefresh?: boolean } = {}) => build(dir, { ...o, lakePartitions: (s) => lakePartitions(root, s) }) };
    };
    const rows = async (sql: string) => (await wh.all<{ k: string }>(`select id || ':' || coalesce(v, '-') as k from (${sql}) order by id`)).map((r) => r.k);
    /** What a whole build gives: the model's table as a plain query over today's lake (changed_since NULL). */
    const wholeEvents = (dir: string) => rows(loadProject(dir).models.get("stg_events")!.sql);
    const note2 = (b: Awaited<ReturnType<typeof build>>, name: string) => b.results.find((r) => r.name === name)!.message;

    it("deletes the rows of the keys it returns as tombstones, stores no tombstone column, and its readers follow", async () => {
      const { root, dir, run } = await setupEvents();
      expect(note2(await run(), "stg_events")).toBe("replaced: first run");
      expect(await rows("select * from staging.stg_events")).toEqual(["1:a", "2:b", "3:c"]);
      // the table holds the model's columns but the tombstone one
      expect((await wh.all<{ c: string }>("select column_name as c from information_schema.columns where table_name = 'stg_events' order by ordinal_position")).map((r) => r.c)).toEqual(["id", "v"]);
      await runTests(wh, compileTests(await buildGraph(loadProject(dir), wh)), { runId: "verify" });
      // 2 is deleted, 3 changes, 5 is new, 6 is created and deleted on the same night, 4's delete lands again, and
      // 7 is deleted before it is created (its create lands the night after)
      await landEvents(root, "2026-11-02", "(2, 'delete', null), (3, 'create', 'C'), (5, 'create', 'e'), (6, 'create', 'f'), (6, 'delete', null), (4, 'delete', null), (7, 'delete', null)");
      const b = await run();
      expect(note2(b, "stg_events")).toBe("merged since 2026-11-02: +2 −2 rows");
      expect(await rows("select * from staging.stg_events")).toEqual(["1:a", "3:C", "5:e"]);
      expect(await rows("select * from staging.stg_events")).toEqual(await wholeEvents(dir));
      // only the rows inserted are logged for the tests, not the tombstones
      const hashes = (sql: string) => wh.all<{ h: string }>(`select h::varchar as h from (${sql}) order by 1`);
      expect(await hashes("select key_hash as h from meta.test_written_keys where model = 'stg_events'")).toEqual(await hashes("select hash(id) as h from (values (3), (5)) as t(id)"));
      // the reader lost 2 through the change log (2 and 3 gone, 3 and 5 written: three keys)
      expect(note2(b, "int_reader")).toBe("merged 3 changed keys: +2 −2 rows");
      expect(await rows("select id, w as v from intermediate.int_reader")).toEqual(["1:a!", "3:C!", "5:e!"]);
      await landEvents(root, "2026-11-03", "(7, 'create', 'g'), (8, 'create', 'h')");
      expect(note2(await run(), "stg_events")).toBe("merged since 2026-11-03: +1 −0 rows");
      expect(await rows("select * from staging.stg_events")).toEqual(["1:a", "3:C", "5:e", "8:h"]);
      expect(await rows("select * from staging.stg_events")).toEqual(await wholeEvents(dir));
      // a whole build (--full-refresh) keeps no tombstone: the same rows
      expect(note2(await run({ fullRefresh: true }), "stg_events")).toBe("replaced: --full-refresh");
      expect(await rows("select * from staging.stg_events")).toEqual(["1:a", "3:C", "5:e", "8:h"]);
    });

    it("is refused without reads_changed_since, with the column in the key or never named, and fails without the column", async () => {
      await wh.run("create schema if not exists raw; create or replace table raw.src__events (id integer, op varchar, v varchar, dt date)");
      await refused({ "staging/stg_a.sql": eventsSql, "staging/stg_a.yml": eventsYml.replace("reads_changed_since: true\n", "") }, /sets tombstone_column without reads_changed_since/);
      await refused({ "staging/stg_a.sql": eventsSql, "staging/stg_a.yml": eventsYml.replace("tombstone_column: _deleted", "tombstone_column: id") }, /tombstone_column "id" is in its unique_key/);
      await refused({ "staging/stg_a.sql": eventsSql.replaceAll("_deleted", "gone"), "staging/stg_a.yml": eventsYml }, /tombstone_column "_deleted" but its SQL never names it/);
      // named only in a comment: the build says the query does not return it
      const dir = fixtureProject({ "staging/stg_a.sql": `-- _deleted\n${eventsSql.replaceAll("_deleted", "gone")}`, "staging/stg_a.yml": eventsYml });
      await expect(build(dir)).rejects.toThrow(/returns no BOOLEAN column "_deleted", its tombstone_column/);
    });
  });
});

describe("merge models computed from their sources' change logs (changed_keys)", () => {
  // Two merge staging models of keyed rows (a: ids 1-100, b: ids 1-20; edits: id → value, or null to drop it), and a
  // union of them that follows them row for row, times a factor from a one-row table (a source without a log,
  // compared by checksum).
  const source = (net: string, edits: Record<number, number | null> = {}) =>
    `select '${net}' as net, i as id, coalesce(e.v, i * 10) as v
from range(1, ${net === "a" ? 101 : 21}) as r(i) left join (select * from (values ${Object.entries({ 0: 0, ...edits })
      .map(([id, v]) => `(${id}, ${v === null ? "-1" : v})`)
      .join(", ")}) as x(id, v)) as e on e.id = r.i
where e.v is distinct from -1`;
  const stagingYml = "materialized: merge\nunique_key: [id]\ncolumns:\n  id:\n    tests: [unique]\n";
  const unionSql = (factor = "f.factor") => `-- union
with u as (select net, id, v from staging.stg_a union all select net, id, v from staging.stg_b)
select u.net, u.id, u.v * ${factor} as v
from u cross join intermediate.int_factor as f
where getvariable('changed_keys') is null or hash(u.net, u.id) in (select unnest(getvariable('changed_keys')::ubigint[]))`;
  const unionYml = "materialized: merge\nunique_key: [net, id]\nchanged_keys: [net, id]\ntests:\n  - unique_combination: [net, id]\n";
  const setup = () => {
    const dir = fixtureProject({
      "staging/stg_a.sql": source("a"),
      "staging/stg_a.yml": stagingYml,
      "staging/stg_b.sql": source("b"),
      "staging/stg_b.yml": stagingYml,
      "intermediate/int_factor.sql": "select 2 as factor",
      "intermediate/int_union.sql": unionSql(),
      "intermediate/int_union.yml": unionYml,
    });
    writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 0\nchanged_since_min_rows: 0\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n");
    return dir;
  };
  const note = (b: Awaited<ReturnType<typeof build>>, name = "int_union") => b.results.find((r) => r.name === name)!.message;
  const table = async () => (await wh.all<{ k: string }>("select net || ':' || id || '=' || v as k from intermediate.int_union order by net, id")).map((r) => r.k);
  /** The rows the union's query gives over today's sources, as a plain query (changed_keys NULL). */
  const whole = async () =>
    (await wh.all<{ k: string }>(`select net || ':' || id || '=' || v as k from (${unionSql().replace("-- union\n", "")}) order by net, id`)).map((r) => r.k);
  const logged = async () => (await wh.all<{ m: string; n: number }>("select model as m, count(*)::integer as n from meta.change_log group by model order by model")).map((r) => `${r.m}:${r.n}`);

  it("deletes and recomputes only the keys its sources changed; the rows equal a whole build", async () => {
    const dir = setup();
    expect(note(await build(dir))).toBe("replaced: first run");
    expect(await table()).toEqual(await whole());
    // its tests pass, so the build logs the keys it writes from now on (the data tests' "partial write")
    await runTests(wh, compileTests(await buildGraph(loadProject(dir), wh)), { runId: "verify" });
    // nothing changed upstream: nothing to do
    const quiet = await build(dir);
    expect([note(quiet, "stg_a"), note(quiet)]).toEqual(["merged: +0 −0 rows", "unchanged: no changed keys"]);
    // a: 2 changes, 3 goes; b: 7 changes
    writeFixture(dir, "staging/stg_a.sql", source("a", { 2: 222, 3: null }));
    writeFixture(dir, "staging/stg_b.sql", source("b", { 7: 777 }));
    const b = await build(dir);
    expect([note(b, "stg_a"), note(b, "stg_b")]).toEqual(["merged: +1 −2 rows", "merged: +1 −1 rows"]);
    expect(note(b)).toBe("merged 3 changed keys: +2 −3 rows");
    expect(await table()).toEqual(await whole());
    const hashes = (sql: string) => wh.all<{ h: string }>(`select h::varchar as h from (${sql}) order by 1`);
    expect(await hashes("select key_hash as h from meta.test_written_keys where model = 'int_union'")).toEqual(
      await hashes("select hash(net, id) as h from intermediate.int_union where (net = 'a' and id = 2) or (net = 'b' and id = 7)"),
    );
    expect(await table()).toContain("a:2=444");
    expect(await table()).not.toContain("a:3=60");
    // every entry was read by the union's build: none is kept
    expect(await logged()).toEqual([]);
    expect(await wh.one("select getvariable('changed_keys') as v")).toEqual({ v: null });
    // a key that comes back
    writeFixture(dir, "staging/stg_a.sql", source("a", { 2: 222 }));
    expect(note(await build(dir))).toBe("merged 1 changed keys: +1 −0 rows");
    expect(await table()).toEqual(await whole());
  });

  it("reads what its sources changed over several builds, including one that did not build it", async () => {
    const dir = setup();
    await build(dir);
    writeFixture(dir, "staging/stg_a.sql", source("a", { 5: 5 }));
    await build(dir, { selector: "stg_a" });
    writeFixture(dir, "staging/stg_a.sql", source("a", { 5: 5, 6: null }));
    await build(dir, { selector: "stg_a" });
    expect(await logged()).toEqual(["stg_a:3"]);
    expect(note(await build(dir))).toBe("merged 2 changed keys: +1 −2 rows");
    expect(await table()).toEqual(await whole());
    expect(await logged()).toEqual([]);
    // a source with no log (a warehouse from before change logs, or a source that has not written since): the reader
    // is computed whole once and starts the log, so the source's next write is read as keys
    await wh.run("delete from meta.change_log_state where model = 'stg_b'");
    expect(note(await build(dir, { selector: "stg_a int_factor int_union" }))).toBe("merged: +0 −0 rows, whole: stg_b has no change log yet");
    expect(note(await build(dir, { selector: "stg_a int_factor int_union" }))).toBe("unchanged: no changed keys");
    writeFixture(dir, "staging/stg_b.sql", source("b", { 1: 1 }));
    expect(note(await build(dir))).toBe("merged 1 changed keys: +1 −1 rows");
    expect(await table()).toEqual(await whole());
  });

  it("computes itself whole when a source was replaced whole, another source changed, or its SQL changed, and says why", async () => {
    const dir = setup();
    await build(dir);
    await build(dir, { selector: "stg_b", fullRefresh: true });
    expect(note(await build(dir))).toBe("merged: +0 −0 rows, whole: stg_b was replaced whole");
    writeFixture(dir, "intermediate/int_factor.sql", "select 3 as factor");
    expect(note(await build(dir))).toBe("merged: +120 −120 rows, whole: int_factor changed");
    expect(await table()).toEqual(await whole());
    writeFixture(dir, "intermediate/int_union.sql", unionSql("f.factor + 0"));
    expect(note(await build(dir))).toBe("merged: +0 −0 rows, whole: definition changed");
    // more changed keys than changed_keys_max_share (0.25 by default) of the table: the whole query is cheaper
    writeFixture(dir, "staging/stg_a.sql", source("a", Object.fromEntries(Array.from({ length: 60 }, (_, i) => [i + 1, 1]))));
    expect(note(await build(dir))).toBe("merged: +60 −60 rows, whole: 60 changed keys > changed_keys_max_share 0.25 of 120 rows");
    // a source under merge_min_rows is replaced: the rows that differ before and after are its log
    writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 50\nchanged_since_min_rows: 0\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n");
    writeFixture(dir, "staging/stg_b.sql", source("b", { 9: 9 }));
    const b = await build(dir);
    expect(note(b, "stg_b")).toBe("replaced: small (20 rows < merge_min_rows 50)");
    expect(note(b)).toBe("merged 1 changed keys: +1 −1 rows");
    expect(await table()).toEqual(await whole());
    expect(note(await build(dir, { fullRefresh: true }))).toBe("replaced: --full-refresh");
  });

  it("computes itself whole after `clout forget` deleted rows behind the models' backs", async () => {
    const dir = setup();
    await build(dir);
    // forget deletes the rows that name someone from every table, here stg_a's row 5 but not the union's (v differs),
    // and the source no longer yields it (its lake was scrubbed): stg_a writes nothing, so no log names key 5
    expect(await scrubWarehouse(wh, "'net': a, 'id': 5, 'v': 50\\}")).toBe(1);
    writeFixture(dir, "staging/stg_a.sql", source("a", { 5: null }));
    const b = await build(dir);
    expect([note(b, "stg_a"), note(b)]).toEqual(["merged: +0 −0 rows", "merged: +0 −1 rows, whole: no recorded change-log state"]);
    expect(await table()).toEqual(await whole());
  });

  it("leaves the table and its state as they were when the query fails, and changed_keys NULL", async () => {
    const dir = setup();
    await build(dir);
    const before = await table();
    writeFixture(dir, "staging/stg_a.sql", source("a", { 4: 4 }));
    writeFixture(dir, "intermediate/int_union.sql", unionSql("f.factor").replace("u.v * f.factor as v", "u.v * f.factor + error('boom')::integer as v"));
    await expect(build(dir)).rejects.toThrow(/boom/);
    expect(await table()).toEqual(before);
    expect(await wh.one("select getvariable('changed_keys') as v")).toEqual({ v: null });
    // stg_a's entry is still there for the next build
    expect(await logged()).toEqual(["stg_a:2"]);
  });

  it("is refused unless the model is a merge that reads changed_keys over a part of its key, not the lake or run_date", async () => {
    const refused = async (files: Record<string, string>, re: RegExp) => {
      let err: unknown;
      try {
        await buildGraph(loadProject(fixtureProject(files)), wh).then((g) => runBuild(wh, g, { runId: "r", runDate: "2026-11-24", selected: [] }));
      } catch (e) {
        err = e;
      }
      expect(String(err)).toMatch(re);
    };
    const src = { "staging/stg_a.sql": source("a"), "staging/stg_a.yml": stagingYml };
    const sql = "select net, id from staging.stg_a where getvariable('changed_keys') is null or hash(net, id) in (select unnest(getvariable('changed_keys')::ubigint[]))";
    await refused({ ...src, "intermediate/int_u.sql": sql, "intermediate/int_u.yml": unionYml.replace("merge", "table") }, /table model "int_u" sets changed_keys/);
    await refused({ ...src, "intermediate/int_u.sql": sql, "intermediate/int_u.yml": unionYml.replace("changed_keys: [net, id]", "changed_keys: [net, v]") }, /changed_keys name "v", not in its unique_key/);
    await refused({ ...src, "intermediate/int_u.sql": "select net, id from staging.stg_a", "intermediate/int_u.yml": unionYml }, /never reads getvariable\('changed_keys'\)/);
    await refused({ ...src, "intermediate/int_u.sql": `${sql} and getvariable('run_date') is not null`, "intermediate/int_u.yml": unionYml }, /reads getvariable\('run_date'\)/);
    await refused(
      { ...src, "intermediate/int_u.sql": sql, "intermediate/int_u.yml": unionYml, "intermediate/int_v.sql": sql, "intermediate/int_v.yml": unionYml.replace("[net, id]\ntests", "[id]\ntests").replace("changed_keys: [net, id]", "changed_keys: [id]") },
      /models reading "stg_a" disagree on the columns of its change log/,
    );
  });
});

describe("changed_keys_via: sources logged by other columns", () => {
  // Actions (stg_act: id, actor, target, day; 60 of them over days 1-6) and their accounts' people (stg_acct), and a
  // window of days (int_days: the three days ending on the run date's day of the month minus 18, a merge table whose
  // log is its days). int_w follows stg_act row for row, keeps the actions in the window between two people, and
  // names the days and accounts as changed_keys_via.
  const actSql = (edits: Record<number, number> = {}) =>
    `select i as id, 'a' || (i % 7) as actor, 'a' || ((i * 3 + ${edits[0] ?? 1}) % 7) as target, 1 + i % 6 as day from range(1, 61) as r(i)`;
  const acctSql = (moved: Record<string, string> = {}) =>
    `select acct, coalesce(m.person, 'p' || (n % 4)) as person from (select 'a' || n as acct, n from range(0, 7) as r(n)) left join (select * from (values ${Object.entries({ zz: "none", ...moved })
      .map(([a, p]) => `('${a}', '${p}')`)
      .join(", ")}) as x(a, person)) as m on m.a = acct`;
  const wSql = `-- actions in the window between two people
with acts as (
    select * from staging.stg_act
    where getvariable('changed_keys') is null or hash(id) in (select unnest(getvariable('changed_keys')::ubigint[]))
)
select a.id, a.day, pa.person as actor_person, pt.person as target_person
from acts as a
join staging.stg_acct as pa on pa.acct = a.actor
join staging.stg_acct as pt on pt.acct = a.target
where a.day in (select day from intermediate.int_days) and pa.person <> pt.person`;
  const via = (rowsOf = "stg_act", match = "[[actor], [target]]") =>
    `materialized: merge\nunique_key: [id]\nchanged_keys: [id]\nchanged_keys_via:\n  stg_acct:\n    log: [acct]\n    rows_of: ${rowsOf}\n    match: ${match}\n  int_days:\n    log: [day]\n    rows_of: stg_act\n    match: [[day]]\ntests:\n  - unique_combination: [id]\n`;
  const setup = () => {
    const dir = fixtureProject({
      "staging/stg_act.sql": actSql(),
      "staging/stg_act.yml": "materialized: merge\nunique_key: [id]\ncolumns:\n  id:\n    tests: [unique]\n",
      "staging/stg_acct.sql": acctSql(),
      "staging/stg_acct.yml": "materialized: merge\nunique_key: [acct]\ncolumns:\n  acct:\n    tests: [unique]\n",
      "intermediate/int_days.sql": "select unnest(range(day(getvariable('run_date')::date) - 20, day(getvariable('run_date')::date) - 17)) as day",
      "intermediate/int_days.yml": "materialized: merge\nunique_key: [day]\ncolumns:\n  day:\n    tests: [unique]\n",
      "intermediate/int_w.sql": wSql,
      "intermediate/int_w.yml": via(),
    });
    writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 0\nchanged_since_min_rows: 0\nchanged_keys_max_share: 1000\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n");
    return dir;
  };
  const note = (b: Awaited<ReturnType<typeof build>>, name = "int_w") => b.results.find((r) => r.name === name)!.message;
  const table = async () => (await wh.all<{ k: string }>("select id || '@' || day || ':' || actor_person || '>' || target_person as k from intermediate.int_w order by id")).map((r) => r.k);
  /** The query's rows over today's sources and window, computed whole (changed_keys NULL). */
  const whole = async () =>
    (await wh.all<{ k: string }>(`select id || '@' || day || ':' || actor_person || '>' || target_person as k from (${wSql.replace(/^-- .*\n/, "")}) order by id`)).map((r) => r.k);

  it("recomputes the actions of the days that entered or left the window and of the accounts whose person changed", async () => {
    const dir = setup();
    // run date the 21st: days 1-3
    expect(note(await build(dir, { runDate: "2026-11-21" }))).toBe("replaced: first run");
    expect(await table()).toEqual(await whole());
    expect(new Set((await table()).map((k) => k.split(/[@:]/)[1]))).toEqual(new Set(["1", "2", "3"]));
    // nothing changed
    expect(note(await build(dir, { runDate: "2026-11-21" }))).toBe("unchanged: no changed keys");
    // the window moves a day (day 1 leaves, day 4 enters): the 20 actions of those days, and nothing else
    expect(note(await build(dir, { runDate: "2026-11-22" }))).toMatch(/^merged 20 changed keys: \+\d+ −\d+ rows$/);
    expect(await table()).toEqual(await whole());
    expect(new Set((await table()).map((k) => k.split(/[@:]/)[1]))).toEqual(new Set(["2", "3", "4"]));
    // account a2 moves to another person: its actions, on either side (ids whose actor or target is a2; a3 acts only on itself), whatever their day
    const a2 = (await wh.all<{ n: number }>("select count(*)::integer as n from staging.stg_act where 'a2' in (actor, target)"))[0]!.n;
    writeFixture(dir, "staging/stg_acct.sql", acctSql({ a2: "p9" }));
    const b = await build(dir, { runDate: "2026-11-22" });
    expect(note(b, "stg_acct")).toBe("merged: +1 −1 rows");
    expect(note(b)).toMatch(new RegExp(`^merged ${a2} changed keys: `));
    expect(await table()).toEqual(await whole());
    expect((await table()).some((k) => k.includes("p9"))).toBe(true);
    // an action's own change, a person change and a window move in one build; then back two days
    writeFixture(dir, "staging/stg_act.sql", actSql({ 0: 2 }));
    writeFixture(dir, "staging/stg_acct.sql", acctSql({ a2: "p9", a5: "p0" }));
    expect(note(await build(dir, { runDate: "2026-11-23" }))).toMatch(/^merged \d+ changed keys: /);
    expect(await table()).toEqual(await whole());
    expect(note(await build(dir, { runDate: "2026-11-21" }))).toMatch(/^merged 40 changed keys: /);
    expect(await table()).toEqual(await whole());
    expect(await wh.one("select count(*)::integer as n from meta.change_log")).toEqual({ n: 0 });
  });

  it("is refused when a via source is not a merge model it reads, rows_of is not one read by its changed_keys, or a match has the wrong width", async () => {
    const refused = async (yml: string, re: RegExp, extra: Record<string, string> = {}) => {
      const dir = setup();
      writeFixture(dir, "intermediate/int_w.yml", yml);
      for (const [f, t] of Object.entries(extra)) writeFixture(dir, f, t);
      await expect(build(dir)).rejects.toThrow(re);
    };
    await refused(via().replace("stg_acct:", "stg_other:"), /changed_keys_via names "stg_other", which is not a merge model it reads/);
    await refused(via("int_days"), /reads the rows of "int_days", which is not a merge model it reads by its changed_keys/);
    await refused(via("stg_acct"), /reads the rows of "stg_acct", which is not a merge model it reads by its changed_keys/);
    await refused(via("stg_act", "[[actor, target]]"), /matches \[actor, target\] against a log of \[acct\]/);
    await refused(via().replace("changed_keys: [id]\n", ""), /sets changed_keys_via without changed_keys/);
  });

  it("refuses a match whose types differ from its log's columns (a double's hash never meets a bigint's)", async () => {
    const dir = setup();
    writeFixture(dir, "intermediate/int_w.yml", via().replace("match: [[day]]", "match: [[day::double]]"));
    await build(dir, { runDate: "2026-11-21" });
    await expect(build(dir, { runDate: "2026-11-22" })).rejects.toThrow(/changed_keys_via "int_days": match \[day::double\] gives \(DOUBLE\), but its log's columns \[day\] are \(BIGINT\)/);
  });
});

// each of these holds for a cache written whole and for one written by comparison (a unique_key)
for (const keyed of [false, true]) describe(keyed ? "cache models with a unique_key" : "cache models", () => {
  // A cache of each distinct value's length, computed only for values it has not seen: computed_on says which
  // run computed a row, so the test sees what was kept and what was recomputed.
  const cacheSql = `-- cache
select fp, v_len, computed_on from intermediate.int_lengths where fp in (select hash(v) from staging.stg_src)
union all
select hash(v) as fp, length(v) as v_len, getvariable('run_date')::date as computed_on
from (select distinct v from staging.stg_src)
where hash(v) not in (select fp from intermediate.int_lengths)`;
  const cacheYml = `materialized: cache\n${keyed ? "unique_key: [fp]\n" : ""}columns:\n  fp: {data_type: ubigint${keyed ? ", tests: [unique]" : ""}}\n  v_len: {data_type: bigint}\n  computed_on: {data_type: date}\n`;
  const state = async () =>
    (await wh.all<{ v_len: number; d: string }>("select v_len::integer as v_len, computed_on::varchar as d from intermediate.int_lengths order by v_len")).map((r) => `${r.v_len}@${r.d}`);
  const reasons = async () => (await wh.all<{ r: string }>("select reset_reason as r from meta.cache_models where model = 'int_lengths'")).map((x) => x.r);
  /** A project of the cache over a source holding these values. */
  const cacheProject = (values: string[]) =>
    fixtureProject({
      "staging/stg_src.sql": `select * from (values ${values.map((v) => `('${v}')`).join(", ")}) as t(v)`,
      "intermediate/int_lengths.sql": cacheSql,
      "intermediate/int_lengths.yml": cacheYml,
    });

  it("keeps the rows it computed before, computes new ones only, and drops those whose input is gone", async () => {
    const dir = cacheProject(["a", "bb", "ccc"]);
    const graph = await buildGraph(loadProject(dir), wh);
    expect(graph.nodes.get("int_lengths")!.dependsOn).toEqual(["stg_src"]);
    await build(dir, { runDate: "2026-11-01" });
    expect(await state()).toEqual(["1@2026-11-01", "2@2026-11-01", "3@2026-11-01"]);
    expect(await reasons()).toEqual(["first run"]);
    writeFixture(dir, "staging/stg_src.sql", "select * from (values ('a'), ('bb'), ('dddd'), ('a')) as t(v)");
    const second = await build(dir, { runDate: "2026-11-02" });
    expect(await state()).toEqual(["1@2026-11-01", "2@2026-11-01", "4@2026-11-02"]);
    expect(second.results.find((r) => r.name === "int_lengths")!.row_count).toBe(3);
    // by comparison, only the new value's row was written, and the gone one's deleted
    expect(second.results.find((r) => r.name === "int_lengths")!.message ?? null).toBe(keyed ? "compared: +1 −1 rows" : null);
    expect(await reasons()).toEqual(["first run"]);
  });

  it("starts empty again when its SQL or columns change, or on --full-refresh, and records why", async () => {
    const dir = cacheProject(["a", "bb"]);
    await build(dir, { runDate: "2026-11-01" });
    writeFixture(dir, "intermediate/int_lengths.sql", cacheSql.replace("-- cache", "-- cache, edited"));
    await build(dir, { runDate: "2026-11-02" });
    expect(await state()).toEqual(["1@2026-11-02", "2@2026-11-02"]);
    expect(await reasons()).toEqual(["definition changed"]);
    await build(dir, { runDate: "2026-11-03" });
    expect(await state()).toEqual(["1@2026-11-02", "2@2026-11-02"]);
    await build(dir, { runDate: "2026-11-04", fullRefresh: true });
    expect(await state()).toEqual(["1@2026-11-04", "2@2026-11-04"]);
    expect(await reasons()).toEqual(["--full-refresh"]);
  });

  it("refuses a result whose columns differ from the declared ones, leaving the cache and its record as they were", async () => {
    const dir = cacheProject(["a"]);
    await build(dir, { runDate: "2026-11-01" });
    writeFixture(dir, "intermediate/int_lengths.sql", `select fp, v_len::integer as v_len, computed_on from (${cacheSql.replace("-- cache\n", "")})`);
    await expect(build(dir, { runDate: "2026-11-02" })).rejects.toThrow(/returned columns \(fp UBIGINT, v_len INTEGER, computed_on DATE\) but its \.yml declares \(fp UBIGINT, v_len BIGINT, computed_on DATE\)/);
    expect(await state()).toEqual(["1@2026-11-01"]);
    expect(await reasons()).toEqual(["first run"]);
  });
});

describe("cache models' definitions", () => {
  it("must declare every column's type; any other model reading itself is a cycle", async () => {
    const untyped = fixtureProject({
      "intermediate/int_lengths.sql": "select 1 as fp, 2 as v_len",
      "intermediate/int_lengths.yml": "materialized: cache\ncolumns:\n  fp: {data_type: bigint}\n  v_len: {description: the length}\n",
    });
    expect(() => loadProject(untyped)).toThrow(/cache model "int_lengths" must declare every column with its data_type \(missing on v_len\)/);
    // a cache written by comparison matches rows by its unique_key, which must be tested unique
    const untested = fixtureProject({
      "intermediate/int_lengths.sql": "select 1::ubigint as fp",
      "intermediate/int_lengths.yml": "materialized: cache\nunique_key: [fp]\ncolumns:\n  fp: {data_type: ubigint}\n",
    });
    expect(() => loadProject(untested)).toThrow(/cache model "int_lengths" has no uniqueness test on its unique_key \[fp\]/);
    const self = fixtureProject({ "intermediate/int_self.sql": "select * from intermediate.int_self" });
    await expect(buildGraph(loadProject(self), wh)).rejects.toThrow(/cycle in models: int_self → int_self/);
  });
});

describe("failures", () => {
  it("stops at the failing model with its name, file and DuckDB's message; last good tables stay intact", async () => {
    const dir = fixtureProject(chain);
    await build(dir);
    const before = await wh.all("select * from marts.dim_people order by person_id");
    writeFixture(dir, "intermediate/int_points_summed.sql", "select person_id, sum(points) as points from staging.stg_events group by person_id");
    writeFixture(dir, "marts/dim_people.sql", "select p.person_id, p.name, s.points, s.no_such_column from staging.stg_people p join intermediate.int_points_summed s using (person_id)");
    const err = await build(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFailedError);
    const e = err as ModelFailedError;
    expect(e.message).toContain(`model "dim_people" (sql/marts/dim_people.sql) failed:`);
    expect(e.message).toMatch(/no_such_column/);
    expect(e.result.results.map((r) => [r.name, r.status])).toEqual([
      ["stg_events", "success"],
      ["stg_people", "success"],
      ["int_points_summed", "success"],
      ["dim_people", "error"],
      ["fct_other", "skipped"],
    ]);
    expect(await wh.all("select * from marts.dim_people order by person_id")).toEqual(before);
    const runs = await wh.all<{ status: string; message: string }>("select status, message from meta.runs where run_id = $1", [e.result.run_id]);
    expect(runs[0]!.status).toBe("error");
    expect(runs[0]!.message).toMatch(/^dim_people: .*no_such_column/);
  });
});

describe("artifacts and meta", () => {
  it("records each model's status, duration and row count, writes run_results.json and a catalog", async () => {
    const artifacts = tempDir();
    const dir = fixtureProject({ ...chain, "marts/dim_people.yml": "description: one row per person\ncolumns:\n  person_id:\n    description: the person\n    tests: [not_null, unique]\n" });
    const result = await build(dir, { artifactsDir: artifacts });
    const file = path.join(artifacts, "runs", result.run_id, "run_results.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.status).toBe("success");
    expect(json.results.find((r: { name: string }) => r.name === "dim_people")).toMatchObject({ status: "success", row_count: 2, materialized: "table" });
    const meta = await wh.all("select model, status, row_count from meta.model_runs where run_id = $1 order by model", [result.run_id]);
    expect(meta).toContainEqual({ model: "dim_people", status: "success", row_count: 2 });
    expect(meta).toContainEqual({ model: "stg_people", status: "success", row_count: null });
    const graph = await buildGraph(loadProject(dir), wh);
    const catalog = await buildCatalog(wh, graph, compileTests(graph));
    const dim = catalog.models.find((m) => m.name === "dim_people")!;
    expect(dim).toMatchObject({ layer: "marts", materialized: "table", depends_on: ["int_points_summed", "stg_people"], built: true, description: "one row per person" });
    expect(dim.columns.map((c) => [c.name, c.description])).toEqual([["person_id", "the person"], ["name", null], ["points", null]]);
    expect(dim.tests).toEqual(["not_null__dim_people__person_id", "unique__dim_people__person_id"]);
  });
});

describe("the warehouse file", () => {
  it("does not double when a night rebuilds its tables: a replaced table's blocks are reused by the next one", async () => {
    const dir = fixtureProject({
      "intermediate/int_a.sql": "select i, 'a ' || i || repeat('x', 40) as v from range(300000) as r(i)",
      "intermediate/int_b.sql": "select i, 'b ' || i || repeat('y', 40) as v from range(300000) as r(i)",
      "marts/fct_c.sql": "select count(*) as n from int_a",
    });
    const file = path.join(tempDir("clout-file-"), "warehouse.duckdb");
    const fileWh = await Warehouse.open({ path: file, threads: 1, memoryLimit: "1GB" });
    try {
      const night = async () => {
        const graph = await buildGraph(loadProject(dir), fileWh);
        const r = await runBuild(fileWh, graph, { runId: `r-${Math.random().toString(36).slice(2)}`, runDate: "2026-11-24", selected: select(graph, undefined) });
        expect(r.status).toBe("success");
        return warehouseFileInfo(fileWh);
      };
      const first = await night();
      await night();
      const third = await night();
      // without a checkpoint after each model, every night wrote its tables into new blocks: about half the file free
      expect(third.free_share).toBeLessThan(0.35);
      expect(third.bytes).toBeLessThan(first.bytes * 1.6);
    } finally {
      fileWh.close();
    }
  });

  it("small tables share checkpoints (CHECKPOINT_ROWS) and the file still does not grow night after night", async () => {
    const files: Record<string, string> = {};
    // 40 tables of 3,000 rows: 120,000 rows a night, six checkpoints' worth at CHECKPOINT_ROWS 20,000
    for (let t = 0; t < 40; t++) files[`intermediate/int_t${t}.sql`] = `select i, 't${t} ' || i || repeat('z', 40) as v from range(3000) as r(i)`;
    expect(CHECKPOINT_ROWS).toBeLessThan(120_000);
    const dir = fixtureProject(files);
    const file = path.join(tempDir("clout-file-"), "warehouse.duckdb");
    const fileWh = await Warehouse.open({ path: file, threads: 1, memoryLimit: "1GB" });
    try {
      const sizes: number[] = [];
      for (let night = 0; night < 5; night++) {
        const graph = await buildGraph(loadProject(dir), fileWh);
        const r = await runBuild(fileWh, graph, { runId: `r-${night}`, runDate: "2026-11-24", selected: select(graph, undefined) });
        expect(r.status).toBe("success");
        sizes.push((await warehouseFileInfo(fileWh)).bytes);
      }
      // with a checkpoint only at the end of each build, every other night held two copies of the tables
      // (measured: 11.3, 22.3, 11.3, 22.3, 11.3 MB); with one every CHECKPOINT_ROWS rows, 11.5 to 13.6 MB
      expect(Math.max(...sizes)).toBeLessThan(sizes[0]! * 1.5);
    } finally {
      fileWh.close();
    }
  });
});

describe("data tests", () => {
  const files = {
    "marts/fct_s.sql": "select * from (values (1, 'a', 10), (2, 'b', 20), (2, 'x', null)) as t(id, kind, n)",
    "marts/dim_k.sql": "select * from (values ('a'), ('b')) as t(kind)",
    "marts/fct_s.yml": [
      "columns:",
      "  id:",
      "    tests: [not_null, unique]",
      "  kind:",
      "    tests:",
      "      - accepted_values: {values: [a, b]}",
      "      - relationships: {to: dim_k, field: kind, severity: warn}",
      "  n:",
      "    tests: [{not_null: {severity: warn}}]",
      "tests:",
      "  - unique_combination: [id, kind]",
      "  - expression: 'n is null or n > 0'",
    ].join("\n"),
    "marts/assert_positive_ids.sql": "-- Assert that ids are positive\nselect * from marts.fct_s where id <= 0",
    "marts/assert_two_kinds.sql": "-- Assert that there are exactly two kinds\n-- severity: warn\nselect count(*) as n from marts.dim_k having count(*) <> 3",
  };

  // what fct_s's declared tests give, as a table or as a view
  const fctSOutcomes = {
    not_null__fct_s__id: ["pass", 0],
    unique__fct_s__id: ["fail", 1],
    accepted_values__fct_s__kind: ["fail", 1],
    relationships__fct_s__kind__dim_k: ["warn", 1],
    not_null__fct_s__n: ["warn", 1],
    unique_combination__fct_s__id__kind: ["pass", 0],
    expression__fct_s__2: ["pass", 0],
  };

  it("duplicates found through the keys' hashes are exactly those of grouping by the keys, NULL keys included", async () => {
    // 2,000 rows over a few hundred keys: repeated keys, keys with NULLs (grouped together), single keys
    await wh.run(`create table keys as
      select case when i % 7 = 0 then null else 'n' || (i % 3) end as network,
             case when i % 11 = 0 then null else (i % 150)::varchar end as id,
             (i % 2)::integer as origin
      from range(2000) as r(i)
      union all select 'solo', 'x' || i, 0 from range(50) as r(i)`);
    const plain = "select network, id, origin, count(*) as n_rows from keys group by network, id, origin having count(*) > 1";
    const hashed = duplicatesSql("keys", "network, id, origin");
    const rows = (sql: string) => wh.all<{ network: string | null; id: string | null; origin: number; n_rows: number }>(`select * from (${sql}) order by all`);
    const expected = await rows(plain);
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.some((r) => r.network === null) && expected.some((r) => r.id === null)).toBe(true);
    expect(await rows(hashed)).toEqual(expected);
    // with a filter (the single-column unique test skips NULLs)
    expect(await rows(duplicatesSql("keys", "id", "id is not null"))).toEqual(await rows("select id, count(*) as n_rows from keys where id is not null group by id having count(*) > 1"));
    // no duplicates: nothing
    expect(await rows(duplicatesSql("keys", "network, id, origin", "network = 'solo'"))).toEqual([]);
  });

  it("pass and fail as they should, with severities and sample rows", async () => {
    const dir = fixtureProject(files);
    await build(dir);
    const graph = await buildGraph(loadProject(dir), wh);
    const results = await runTests(wh, compileTests(graph), { runId: "t1" });
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(Object.fromEntries(results.map((r) => [r.name, [r.status, r.failures]]))).toEqual({
      ...fctSOutcomes,
      assert_positive_ids: ["pass", 0],
      assert_two_kinds: ["warn", 1],
    });
    expect(byName.unique__fct_s__id!.sample).toEqual([{ id: 2, n_rows: 2 }]);
    expect(byName.accepted_values__fct_s__kind!.sample).toEqual([{ kind: "x", n_rows: 1 }]);
    const stored = await wh.all("select count(*)::integer as n from meta.test_results where run_id = 't1'");
    expect(stored).toEqual([{ n: 9 }]);
  });

  it("records every result in meta.test_results, a hundred a statement, each with its own outcome", async () => {
    // 130 columns, each with not_null; every third column is null in one row
    const cols = Array.from({ length: 130 }, (_, i) => i);
    const dir = fixtureProject({
      "marts/fct_wide.sql": `select ${cols.map((i) => `case when r = 1 and ${i} % 3 = 0 then null else ${i} end as c${i}`).join(", ")} from range(2) as t(r)`,
      "marts/fct_wide.yml": `columns:\n${cols.map((i) => `  c${i}:\n    tests: [not_null]`).join("\n")}\n`,
    });
    await build(dir);
    const graph = await buildGraph(loadProject(dir), wh);
    const results = await runTests(wh, compileTests(graph), { runId: "wide" });
    expect(results.length).toBe(130);
    const stored = await wh.all<{ test_name: string; status: string; failures: number; sample_json: string }>(
      "select test_name, status, failures::integer as failures, sample_json from meta.test_results where run_id = 'wide' order by test_name",
    );
    const expected = results.map((r) => ({ test_name: r.name, status: r.status, failures: r.failures, sample_json: JSON.stringify(r.sample) })).sort((a, b) => (a.test_name < b.test_name ? -1 : 1));
    expect(stored).toEqual(expected);
    expect(stored.filter((r) => r.status === "fail").length).toBe(44);
  });

  it("a view's tests run on one copy of it, with the same outcomes; a view that cannot run errs in each test", async () => {
    await wh.run("create sequence rows_computed");
    const dir = fixtureProject({
      ...files,
      "marts/fct_s.sql": "select id, kind, n from (values (1, 'a', 10), (2, 'b', 20), (2, 'x', null)) as t(id, kind, n) where nextval('rows_computed') > 0",
      "marts/fct_s.yml": `materialized: view\n${files["marts/fct_s.yml"]}`,
      "marts/fct_broken.sql": "select cast(v as integer) as id from (values ('1'), ('not a number')) as t(v)",
      "marts/fct_broken.yml": "materialized: view\ncolumns:\n  id:\n    tests: [not_null, unique]",
    });
    await build(dir);
    const graph = await buildGraph(loadProject(dir), wh);
    const declared = compileTests(graph).filter((t) => t.kind !== "sql");
    const results = await runTests(wh, declared, { runId: "t3" });
    expect(Object.fromEntries(results.map((r) => [r.name, [r.status, r.failures]]))).toEqual({
      ...fctSOutcomes,
      not_null__fct_broken__id: ["error", 0],
      unique__fct_broken__id: ["error", 0],
    });
    expect(results.find((r) => r.name === "accepted_values__fct_s__kind")!.sample).toEqual([{ kind: "x", n_rows: 1 }]);
    expect(results.find((r) => r.name === "unique__fct_broken__id")!.message).toMatch(/not a number/);
    // the view's 3 rows were computed once for its 7 tests (and the 4 failing ones' samples)
    expect(await wh.all("select currval('rows_computed')::integer as n")).toEqual([{ n: 3 }]);
    // and no copy is left behind
    expect(await wh.all("select count(*)::integer as n from duckdb_tables() where table_name = 'clout_test_subject'")).toEqual([{ n: 0 }]);
  });

  it("a view's copy for its tests holds only the columns they name", async () => {
    // `unused` fails when computed: copied whole, the view would make every test err
    const dir = fixtureProject({
      "marts/fct_v.sql": "select id, kind, cast(bad as integer) as unused from (values (1, 'a', 'x'), (2, 'b', 'y'), (2, 'c', 'z')) as t(id, kind, bad)",
      "marts/fct_v.yml": ["materialized: view", "columns:", "  id:", "    tests: [not_null, unique]", "tests:", `  - expression: '"KIND" <> ''c'''`].join("\n"),
    });
    await build(dir);
    const graph = await buildGraph(loadProject(dir), wh);
    const results = await runTests(wh, compileTests(graph), { runId: "t4" });
    expect(Object.fromEntries(results.map((r) => [r.name, [r.status, r.failures, r.message]]))).toEqual({
      not_null__fct_v__id: ["pass", 0, null],
      unique__fct_v__id: ["fail", 1, null],
      expression__fct_v__1: ["fail", 1, null],
    });
    // the sample rows carry the tested columns: id (the other tests') and kind (the expression's, named quoted and in capitals)
    expect(results.find((r) => r.name === "expression__fct_v__1")!.sample).toEqual([{ id: 2, kind: "c" }]);
  });

  it("columnsUsed: the columns SQL names, bare or quoted, in the view's order; all of them when it names none", async () => {
    const cols = ["network", "Account Id", "weight", "decay"];
    expect(await columnsUsed(wh, ['select * from t where not coalesce((WEIGHT >= 0 and "Account Id" <> \'\'), false)'], cols)).toEqual(["Account Id", "weight"]);
    expect(await columnsUsed(wh, ["select 1 from t where decay > 0", "select network from t"], cols)).toEqual(["network", "decay"]);
    expect(await columnsUsed(wh, ["select * from t where not coalesce((1 > 0), false)"], cols)).toEqual(cols);
    // a double quote inside a string or a comment pairs with nothing outside it; a string's words name no column
    expect(await columnsUsed(wh, [`select * from t where network <> '"' and "decay" > 0 -- "weight`], cols)).toEqual(["network", "decay"]);
    expect(await columnsUsed(wh, ["select * from t where network = 'weight'"], cols)).toEqual(["network"]);
    // SQL DuckDB cannot parse: every column
    expect(await columnsUsed(wh, ["select network from t where"], cols)).toEqual(cols);
  });

  it("select tests by model, and report a test that cannot run as an error", async () => {
    const dir = fixtureProject(files);
    const graph = await buildGraph(loadProject(dir), wh);
    const tests = selectTests(compileTests(graph), select(graph, "dim_k"));
    expect(tests.map((t) => t.name)).toEqual(["assert_two_kinds"]);
    const results = await runTests(wh, tests, { runId: "t2" }); // nothing built yet
    expect(results[0]!.status).toBe("error");
    expect(results[0]!.message).toMatch(/dim_k/);
  });
});

describe("tests after a partial write", () => {
  // int_copy: a merge keyed by id, tested unique on id (its key) and on (v, w) (not holding the key); its not_null
  // test on w has no partial form (a merge's row tests stay whole).
  // fct_daily: incremental by score_date, tested unique on (score_date, id) (holding the date) and on tag (not
  // holding it: a row with w < 4 has its v for a tag, which can repeat another row's of any day); and row by row:
  // w_ok not null (null for w = 39), kind among [even] ('odd' for w = 37), w_ok <> 38, and a model expression that
  // always holds. Its last expression reads int_copy (not about its row alone), so it has no partial form either.
  type Row = [id: number, v: string, w: number];
  const source = (rows: Row[]) =>
    rows.length === 0 ? "select 0 as id, 'z' as v, 0 as w where false" : `select * from (values ${rows.map(([id, v, w]) => `(${id}, '${v}', ${w})`).join(", ")}) as t(id, v, w)`;
  const setup = (rows: Row[]) => {
    const dir = fixtureProject({
      "staging/stg_src.sql": source(rows),
      "intermediate/int_copy.sql": "select id, v, w from staging.stg_src",
      "intermediate/int_copy.yml": "materialized: merge\nunique_key: [id]\ncolumns:\n  id:\n    tests: [unique]\n  w:\n    tests: [not_null]\ntests:\n  - unique_combination: [v, w]\n",
      "marts/fct_daily.sql": [
        "select getvariable('run_date')::date as score_date, id, case when w < 4 then v else id || '@' || getvariable('run_date') end as tag,",
        "  case when w = 39 then null else w end as w_ok, case when w = 37 then 'odd' else 'even' end as kind",
        "from intermediate.int_copy where id % 2 = 0",
      ].join("\n"),
      "marts/fct_daily.yml": [
        "materialized: incremental",
        "date_column: score_date",
        "columns:",
        "  tag:",
        "    tests: [unique]",
        "  w_ok:",
        "    tests: [not_null, {expression: 'w_ok <> 38'}]",
        "  kind:",
        "    tests: [{accepted_values: {values: [even]}}]",
        "tests:",
        "  - unique_combination: [score_date, id]",
        "  - expression: id > 0",
        "  - expression: id in (select id from intermediate.int_copy)",
        "",
      ].join("\n"),
    });
    writeFixture(dir, "project.yml", "name: fixture\nmerge_min_rows: 0\nlayers:\n  staging: {materialized: view}\n  intermediate: {materialized: table}\n  marts: {materialized: table}\n");
    return dir;
  };
  const testsOf = async (dir: string) => compileTests(await buildGraph(loadProject(dir), wh));
  const outcomes = (results: Awaited<ReturnType<typeof runTests>>) =>
    Object.fromEntries(results.map((r) => [r.name, `${r.status} ${r.failures}${r.message?.startsWith("checked") ? " partial" : ""}`]));
  const count = async (sql: string) => Number((await wh.one<{ n: number }>(`select count(*)::bigint as n from (${sql})`))!.n);

  it("over nights of random writes, give exactly what the whole test gives, checking only the written rows once passed", async () => {
    // a seeded generator: the same rounds every run
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const dir = setup([]);
    let partialRuns = 0;
    const partialFailures = new Set<string>();
    let latest = 0;
    for (let night = 1; night <= 30; night++) {
      const rows: Row[] = [];
      for (let id = 1; id <= 14; id++) if (rand(3) > 0) rows.push([id, "abcdefgh"[rand(8)]!, rand(40)]);
      writeFixture(dir, "staging/stg_src.sql", source(rows));
      // mostly the next date; now and then an earlier one again, whose rows the incremental model then replaces
      const day = latest > 1 && rand(4) === 0 ? 1 + rand(latest) : ++latest;
      await build(dir, { runDate: `2026-11-${String(day).padStart(2, "0")}` });
      const tests = (await testsOf(dir)).filter((t) => t.written);
      expect(tests.map((t) => t.name).sort()).toEqual([
        "accepted_values__fct_daily__kind",
        "expression__fct_daily__2",
        "expression__fct_daily__w_ok",
        "not_null__fct_daily__w_ok",
        "unique__fct_daily__tag",
        "unique__int_copy__id",
        "unique_combination__fct_daily__score_date__id",
        "unique_combination__int_copy__v__w",
      ]);
      // what each test gives over the whole table, before the run records anything
      const whole: Record<string, string> = {};
      for (const t of tests) {
        const n = await count(t.sql);
        whole[t.name] = `${n === 0 ? "pass" : "fail"} ${n}`;
      }
      const results = await runTests(wh, tests, { runId: `night-${night}` });
      const got = outcomes(results);
      for (const t of tests) {
        expect(got[t.name]!.replace(" partial", ""), `night ${night}: ${t.name}`).toBe(whole[t.name]);
        if (got[t.name]!.endsWith("partial")) {
          partialRuns++;
          if (got[t.name]!.startsWith("fail")) partialFailures.add(t.name);
        }
      }
    }
    // the partial form ran, and found duplicates on both tables and bad rows of each kind (on the nights this seed gives)
    expect(partialRuns).toBeGreaterThan(120);
    expect([...partialFailures].sort()).toEqual(
      expect.arrayContaining([
        "accepted_values__fct_daily__kind",
        "expression__fct_daily__w_ok",
        "not_null__fct_daily__w_ok",
        "unique__fct_daily__tag",
        "unique_combination__int_copy__v__w",
      ]),
    );
  });

  it("run whole after a replace, a --full-refresh, or another query or DuckDB, and after `clout forget`", async () => {
    const dir = setup([[1, "a", 1], [2, "b", 2], [4, "d", 4]]);
    await build(dir, { runDate: "2026-11-01" });
    // nothing has passed yet: the build logs nothing, and the tests run whole
    expect(await count("from meta.test_written_keys")).toBe(0);
    const partial = (rs: Awaited<ReturnType<typeof runTests>>) => rs.filter((r) => r.message?.startsWith("checked")).map((r) => r.name).sort();
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t1" }))).toEqual([]);
    expect(await count("from meta.test_verified")).toBe(8);
    // a merge that writes one row (id 2 changes), an incremental night: both logged, both tables' tests partial
    writeFixture(dir, "staging/stg_src.sql", source([[1, "a", 1], [2, "B", 2], [4, "d", 4]]));
    await build(dir, { runDate: "2026-11-02" });
    expect(await wh.all("select model, count(*)::integer as n from meta.test_written_keys group by model order by model")).toEqual([
      { model: "fct_daily", n: 1 },
      { model: "int_copy", n: 1 },
    ]);
    // the incremental model's written date is logged as a date, and its tests read only that date's rows
    expect(await wh.all("select key_date::varchar as d from meta.test_written_keys where model = 'fct_daily'")).toEqual([{ d: "2026-11-02" }]);
    expect(await wh.all("select key_date from meta.test_written_keys where model = 'int_copy'")).toEqual([{ key_date: null }]);
    const daily = (await testsOf(dir)).filter((t) => t.models[0] === "fct_daily" && t.written);
    expect(daily.length).toBe(6);
    for (const t of daily) expect(t.written!.sql).toContain(`"score_date" in (select key_date from meta.test_written_keys where model = 'fct_daily')`);
    let rs = await runTests(wh, await testsOf(dir), { runId: "t2" });
    const dailyRows = ["accepted_values__fct_daily__kind", "expression__fct_daily__2", "expression__fct_daily__w_ok", "not_null__fct_daily__w_ok"];
    const unique = ["unique__fct_daily__tag", "unique__int_copy__id", "unique_combination__fct_daily__score_date__id", "unique_combination__int_copy__v__w"];
    expect(partial(rs)).toEqual([...dailyRows, ...unique].sort());
    expect(rs.find((r) => r.name === "unique__int_copy__id")!.message).toBe("checked 1 written key, not every row; --full checks every row");
    // every test passed: the written keys are cleared
    expect(await count("from meta.test_written_keys")).toBe(0);
    // --full-refresh replaces both tables: whole again
    await build(dir, { runDate: "2026-11-03", fullRefresh: true });
    expect(await count("from meta.test_verified")).toBe(0);
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t3" }))).toEqual([]);
    // a replace for changed columns forgets int_copy's record; fct_daily's stays (its night is logged)
    writeFixture(dir, "intermediate/int_copy.sql", "select id, v, w::bigint as w from staging.stg_src");
    await build(dir, { runDate: "2026-11-04" });
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t4" }))).toEqual([...dailyRows, "unique__fct_daily__tag", "unique_combination__fct_daily__score_date__id"].sort());
    // a test whose query changed, or a record from another DuckDB, runs whole
    await wh.run("update meta.test_verified set sql_sha256 = 'other' where test_name = 'unique__int_copy__id'");
    await wh.run("update meta.test_verified set duckdb_version = 'v0.0.1' where test_name = 'unique__fct_daily__tag'");
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t5" }))).toEqual([...dailyRows, "unique_combination__fct_daily__score_date__id", "unique_combination__int_copy__v__w"].sort());
    // a record made when the hash covered the whole query only (before the partial form changed): whole once
    const t = (await testsOf(dir)).find((x) => x.name === "unique_combination__int_copy__v__w")!;
    await wh.run("update meta.test_verified set sql_sha256 = $1 where test_name = $2", [createHash("sha256").update(t.sql).digest("hex"), t.name]);
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t6" }))).not.toContain(t.name);
    expect(partial(await runTests(wh, await testsOf(dir), { runId: "t7" }))).toContain(t.name);
    // `clout forget` deletes rows behind the models' backs (and could match a logged hash's digits): whole again
    await scrubWarehouse(wh, "no such id");
    expect(await count("from meta.test_verified")).toBe(0);
  });

  it("still check every row on every n-th run (partial_tests_whole_every), for rows no log holds", async () => {
    const dir = setup([[1, "a", 1], [2, "b", 2]]);
    expect(loadProject(dir).partialTestsWholeEvery).toBe(7);
    await build(dir, { runDate: "2026-11-01" });
    const kinds: string[] = [];
    for (let run = 1; run <= 7; run++) {
      const rs = await runTests(wh, await testsOf(dir), { runId: `w${run}`, wholeEvery: 3 });
      kinds.push(rs.find((r) => r.name === "unique__int_copy__id")!.message?.startsWith("checked") ? "partial" : "whole");
    }
    expect(kinds).toEqual(["whole", "partial", "partial", "whole", "partial", "partial", "whole"]);
    expect(await wh.all("select partial_runs from meta.test_verified where test_name = 'unique__int_copy__id'")).toEqual([{ partial_runs: 0 }]);
    // 1: every run checks every row
    const once = await runTests(wh, await testsOf(dir), { runId: "w8", wholeEvery: 1 });
    expect(once.filter((r) => r.message !== null)).toEqual([]);
  });

  it("see a duplicate written behind the build's back only with --full, and then run whole until it is gone", async () => {
    const dir = setup([[1, "a", 1], [2, "b", 2], [3, "c", 3]]);
    await build(dir, { runDate: "2026-11-01" });
    await runTests(wh, await testsOf(dir), { runId: "t1" });
    // an ad-hoc insert is no write of the build's: nothing logs it, so the partial test cannot see it
    await wh.run("insert into intermediate.int_copy values (1, 'x', 5)");
    expect(outcomes(await runTests(wh, await testsOf(dir), { runId: "t2" }))["unique__int_copy__id"]).toBe("pass 0 partial");
    const full = await runTests(wh, await testsOf(dir), { runId: "t3", full: true });
    expect(outcomes(full)["unique__int_copy__id"]).toBe("fail 1");
    expect(full.find((r) => r.name === "unique__int_copy__id")!.sample).toEqual([{ id: 1, n_rows: 2 }]);
    // the failed test lost its record: whole, and failing, until the duplicate is gone
    expect(outcomes(await runTests(wh, await testsOf(dir), { runId: "t4" }))["unique__int_copy__id"]).toBe("fail 1");
    await wh.run("delete from intermediate.int_copy where v = 'x'");
    expect(outcomes(await runTests(wh, await testsOf(dir), { runId: "t5" }))["unique__int_copy__id"]).toBe("pass 0");
    expect(outcomes(await runTests(wh, await testsOf(dir), { runId: "t6" }))["unique__int_copy__id"]).toBe("pass 0 partial");
  });
});
