import fs from "node:fs";
import path from "node:path";

/** Write a file so that readers see the old content or the new, never half of it (write aside, rename). */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, data: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * How Clout writes the Parquet files people read: the published marts and pipeline tables, `clout sql --format
 * parquet`, and the lake files `clout forget` rewrites. zstd at level 1: at tier m, publishing the marts took 19.7–22.9 s
 * at level 1 against 25.2–28.0 s at DuckDB's default level (0.79×, four alternated runs each), for 1.2% more bytes
 * (1,625 against 1,605 MB). docs/performance.md, "Publish: zstd at level 1".
 */
export const PARQUET_OPTIONS = "format parquet, compression zstd, compression_level 1";
