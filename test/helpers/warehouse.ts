import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateRecord } from "../../pipelines/validate.ts";
import type { Emitted, EntitySpec, NetworkSpec } from "../../pipelines/types.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { ident, Warehouse } from "../../src/lib/warehouse.ts";
import { runBuild } from "../../src/runner/build.ts";
import { buildGraph, select } from "../../src/runner/graph.ts";
import { loadProject, statementOf } from "../../src/runner/project.ts";

/** A model file's SQL statement as the runner reads it; `file` is relative to the install dir (sql/…). */
export function modelSql(file: string): string {
  return statementOf(fs.readFileSync(path.join(INSTALL_DIR, file), "utf8"));
}

/** A fresh in-memory warehouse with the layer and meta schemas. */
export async function memoryWarehouse(): Promise<Warehouse> {
  return Warehouse.open({ path: ":memory:", threads: 1, memoryLimit: "1GB" });
}

/** A fresh temporary directory, removed by the caller (or left in /tmp). */
const made: string[] = [];

/** A fresh directory under the OS temp dir, removed after the test file's tests (test/setup.ts). */
export function tempDir(prefix = "clout-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Remove every directory tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Land fixture records the way ingest does — through the entity's zod schema and toRow — into a table
 * `raw.<network>__<entity>` with the landed columns plus `_source_file`, `_source_line` and `dt`.
 * Returns the rejects with their reasons. Appends when called twice (e.g. two dates).
 */
export async function loadRaw(
  wh: Warehouse,
  spec: EntitySpec<any>,
  records: unknown[],
  opts: { dt?: string; file?: string } = {},
): Promise<{ accepted: number; rejects: { line: number; reason: string }[] }> {
  const dt = opts.dt ?? "2026-11-24";
  const file = opts.file ?? `exports/${spec.network}/${dt}/${spec.entity}.jsonl`;
  const table = `raw.${ident(`${spec.network}__${spec.entity}`)}`;
  await wh.run("create schema if not exists raw");
  const cols = [...spec.columns.map((c) => `${ident(c.name)} ${c.type}`), "_source_file VARCHAR", "_source_line BIGINT", "dt DATE"];
  await wh.run(`create table if not exists ${table} (${cols.join(", ")})`);
  const rejects: { line: number; reason: string }[] = [];
  let accepted = 0;
  const placeholders = spec.columns
    .map((c, i) => (c.type === "TIMESTAMPTZ" ? `to_timestamp($${i + 1}::double / 1000)` : c.type === "VARCHAR[]" ? `$${i + 1}::json::varchar[]` : `$${i + 1}::${c.type}`))
    .join(", ");
  const n = spec.columns.length;
  for (const [i, record] of records.entries()) {
    const v = validateRecord(spec, record);
    if (!v.ok) {
      rejects.push({ line: i + 1, reason: v.reason });
      continue;
    }
    const values = v.row.map((x, j) => (spec.columns[j]!.type === "VARCHAR[]" && x !== null ? JSON.stringify(x) : x)) as (string | number | boolean | null)[];
    await wh.run(`insert into ${table} values (${placeholders}, $${n + 1}, $${n + 2}, $${n + 3}::date)`, [...values, file, i + 1, dt]);
    accepted++;
  }
  return { accepted, rejects };
}

/**
 * Land what a network module emitted, each entity's records through its own spec, once for every date given
 * (the same delivery twice: staging must keep one copy). Returns every reject, tagged with its entity.
 */
export async function landEmitted(wh: Warehouse, network: NetworkSpec, emitted: Emitted[], dates: string[]): Promise<{ entity: string; line: number; reason: string }[]> {
  const rejects: { entity: string; line: number; reason: string }[] = [];
  for (const dt of dates) {
    for (const spec of network.entities) {
      const records = emitted.filter((x) => x.entity === spec.entity).map((x) => x.record);
      const r = await loadRaw(wh, spec, records, { dt });
      rejects.push(...r.rejects.map((x) => ({ entity: spec.entity, ...x })));
    }
  }
  return rejects;
}

/** Build models of the real project (selector syntax as `clout build --select`) for a run date. */
export async function buildModels(wh: Warehouse, selector: string, runDate = "2026-11-24"): Promise<void> {
  const project = loadProject(INSTALL_DIR);
  const graph = await buildGraph(project, wh);
  await runBuild(wh, graph, { runId: `test-${Date.now()}`, runDate, selected: select(graph, selector) });
}
