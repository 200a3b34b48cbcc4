import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { DataLayout } from "../src/lib/paths.ts";
import { ident, type Warehouse } from "../src/lib/warehouse.ts";
import type { NetworkSpec } from "./types.ts";

/**
 * The source views staging reads: `raw.<source>__<entity>` over
 * data/lake/raw/<source>/<entity>/dt=*\/*.parquet, with the landed columns, `_source_file`,
 * `_source_line` and the partition date `dt` (DATE). The lake's location is the session variable
 * `lake_root` (set from the configuration as a parameter), so the view text holds no path from a person.
 * An entity never landed gets an empty view with the same columns, so every model binds from day one.
 * To query them by hand in the DuckDB CLI: `set variable lake_root = 'data/lake';` then
 * `select * from read_parquet(getvariable('lake_root') || '/raw/twitter/tweets/dt=*\/*.parquet', hive_partitioning = true)`.
 */
export async function createRawViews(wh: Warehouse, layout: DataLayout, sources: NetworkSpec[]): Promise<void> {
  await wh.run("create schema if not exists raw");
  await wh.run("set variable lake_root = $1::varchar", [layout.lake]);
  for (const source of sources) {
    for (const spec of source.entities) {
      const view = `raw.${ident(`${source.name}__${spec.entity}`)}`;
      const dir = path.join(layout.lake, "raw", source.name, spec.entity);
      const landed = fs.existsSync(dir) && fs.readdirSync(dir).some((d) => d.startsWith("dt=") && fs.readdirSync(path.join(dir, d)).some((f) => f.endsWith(".parquet")));
      // source and entity names come from code (pipelines/networks), never from a person.
      const sql = landed
        ? `select * from read_parquet(getvariable('lake_root') || '/raw/${source.name}/${spec.entity}/dt=*/*.parquet', hive_partitioning = true, union_by_name = true)`
        : `select ${[...spec.columns.map((c) => `cast(null as ${c.type}) as ${ident(c.name)}`), "cast(null as varchar) as _source_file", "cast(null as bigint) as _source_line", "cast(null as date) as dt"].join(", ")} where false`;
      await wh.run(`create or replace view ${view} as ${sql}`);
    }
  }
}

/**
 * A Parquet file's identity: its size and a hash of its footer (the metadata DuckDB wrote last: row counts, column
 * statistics and offsets of every row group). Landing different records or scrubbing one changes it; copying the lake
 * elsewhere (new modification times, new inodes) does not.
 */
function parquetSignature(file: string): string {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const tail = Buffer.alloc(8);
    if (size < 12 || fs.readSync(fd, tail, 0, 8, size - 8) !== 8 || tail.toString("latin1", 4) !== "PAR1") return `${size}:not-parquet`;
    const footerLength = Math.min(tail.readUInt32LE(0), size - 8);
    const footer = Buffer.alloc(footerLength);
    fs.readSync(fd, footer, 0, footerLength, size - 8 - footerLength);
    return `${size}:${createHash("sha256").update(footer).digest("hex").slice(0, 32)}`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What each landed partition of a source view holds now, to tell later whether it changed: `dt` → its files' names
 * and signatures (parquetSignature). Ingest swaps a partition in whole and `clout forget` rewrites its files, so
 * either changes it. Undefined for a view that is not a lake source (`raw.<source>__<entity>`).
 */
export function lakePartitions(lake: string, view: string): Map<string, string> | undefined {
  const m = /^raw\.([a-z0-9_]+?)__([a-z0-9_]+)$/.exec(view);
  if (!m) return undefined;
  const dir = path.join(lake, "raw", m[1]!, m[2]!);
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const d of fs.readdirSync(dir)) {
    const dt = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(d)?.[1];
    if (!dt) continue;
    const files = fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith(".parquet")).sort();
    if (files.length > 0) out.set(dt, files.map((f) => `${f}:${parquetSignature(path.join(dir, d, f))}`).join(","));
  }
  return out;
}
