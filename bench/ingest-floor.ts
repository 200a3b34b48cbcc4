/**
 * The floor of ingest's validation: every record of a data root's exports (JSONL and CSV), read with ingest's
 * own line reader about 1 MB at a time (not timed), then only what no ingest can skip in JavaScript — JSON.parse (read
 * again with big integers quoted when rejected, as ingest does) or the CSV split, zod and toRow — on one thread. Compare with the bench's
 * `ingest-vs-duckdb-read_json` (docs/performance.md): ingest spreads this over its worker threads, so the floor's
 * wall time on N cores is about its seconds / N.
 *
 *   npx tsx bench/ingest-floor.ts <data-root> [rounds, default 3]
 */
import fs from "node:fs";
import path from "node:path";
import { rowObject, splitDelimited } from "../pipelines/ingest/csv.ts";
import { parseJsonLine, validateJsonLine } from "../pipelines/ingest/jsonl.ts";
import { readLineBatches } from "../pipelines/ingest/lines.ts";
import { SOURCES } from "../pipelines/registry.ts";
import type { EntitySpec } from "../pipelines/types.ts";
import { validateRecord } from "../pipelines/validate.ts";

const root = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
if (!root || !fs.existsSync(path.join(root, "exports")) || !(Number.isInteger(rounds) && rounds >= 1)) {
  console.error(`error: no exports/ under ${JSON.stringify(root ?? "")}, or a bad round count\nhint: npx tsx bench/ingest-floor.ts <data-root written by clout generate> [rounds]`);
  process.exit(1);
}
const files: { spec: EntitySpec<unknown>; file: string }[] = [];
for (const source of Object.values(SOURCES)) {
  const dir = path.join(root, "exports", source.name);
  if (!fs.existsSync(dir)) continue;
  for (const date of fs.readdirSync(dir).sort()) {
    for (const spec of source.entities) {
      const file = path.join(dir, date, `${spec.entity}.${spec.format === "csv" ? "csv" : "jsonl"}`);
      if (fs.existsSync(file)) files.push({ spec, file });
    }
  }
}

/** One file's record (or undefined when it cannot be split/parsed), as ingest's line loop makes it. */
function recordOf(spec: EntitySpec<unknown>, line: string, header: string[] | null): unknown {
  if (spec.format === "csv") {
    const split = splitDelimited(line, ",");
    return split.ok ? rowObject(split.fields, header) : undefined;
  }
  const p = parseJsonLine(line, false);
  return p.ok ? p.value : undefined;
}

/** Whether ingest accepts the line, as its line loop decides it (pipelines/ingest/land.ts). */
function accepts(spec: EntitySpec<unknown>, line: string, header: string[] | null): boolean {
  if (spec.format !== "csv") return validateJsonLine(spec, line).ok;
  const r = recordOf(spec, line, header);
  return r !== undefined && validateRecord(spec, r).ok;
}

for (let round = 1; round <= rounds; round++) {
  let records = 0;
  let bytes = 0;
  let valid = 0;
  let parseS = 0;
  let allS = 0;
  for (const { spec, file } of files) {
    bytes += fs.statSync(file).size;
    let names: string[] | null = null;
    // ingest's own line reader, about 1 MB of lines at a time; only the work on each batch is timed
    for await (const batch of readLineBatches(file)) {
      const lines = batch.map((l) => l.text).filter((l) => l !== "");
      if (spec.format === "csv" && names === null) {
        const header = splitDelimited(lines.shift() ?? "", ",");
        names = header.ok ? header.fields : [];
      }
      records += lines.length;
      let t = performance.now();
      for (const line of lines) recordOf(spec, line, names);
      parseS += (performance.now() - t) / 1000;
      t = performance.now();
      for (const line of lines) if (accepts(spec, line, names)) valid++;
      allS += (performance.now() - t) / 1000;
    }
  }
  console.log(
    `round ${round}: ${files.length} files, ${records} records (${valid} valid), ${(bytes / 1e6).toFixed(0)} MB: ` +
      `JSON.parse / CSV split ${parseS.toFixed(2)} s; + zod + toRow ${allS.toFixed(2)} s = ${((allS / records) * 1e6).toFixed(2)} µs a record (one thread)`,
  );
}
