/**
 * The floor of ingest's validation: every JSONL record of a data root's exports, read into memory first, then
 * only what no ingest can skip in JavaScript — JSON.parse (with big-integer quoting), zod and toRow — on one
 * thread, three rounds. Compare with the bench's `ingest-vs-duckdb-read_json` (docs/performance.md).
 *
 *   npx tsx bench/ingest-floor.ts <data-root>
 */
import fs from "node:fs";
import path from "node:path";
import { parseJsonLine } from "../pipelines/ingest/jsonl.ts";
import { SOURCES } from "../pipelines/registry.ts";
import type { EntitySpec } from "../pipelines/types.ts";
import { validateRecord } from "../pipelines/validate.ts";

const root = process.argv[2];
if (!root || !fs.existsSync(path.join(root, "exports"))) {
  console.error(`error: no exports/ under ${JSON.stringify(root ?? "")}\nhint: npx tsx bench/ingest-floor.ts <data-root written by clout generate>`);
  process.exit(1);
}
const work: { spec: EntitySpec<unknown>; lines: string[] }[] = [];
let bytes = 0;
for (const source of Object.values(SOURCES)) {
  const dir = path.join(root, "exports", source.name);
  if (!fs.existsSync(dir)) continue;
  for (const date of fs.readdirSync(dir).sort()) {
    for (const spec of source.entities) {
      const file = path.join(dir, date, `${spec.entity}.jsonl`);
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, "utf8");
      bytes += Buffer.byteLength(text);
      work.push({ spec, lines: text.split("\n").filter((l) => l !== "") });
    }
  }
}
const records = work.reduce((n, w) => n + w.lines.length, 0);
for (let round = 1; round <= 3; round++) {
  let t = performance.now();
  let parsed = 0;
  for (const w of work) for (const line of w.lines) if (parseJsonLine(line).ok) parsed++;
  const parseS = (performance.now() - t) / 1000;
  t = performance.now();
  let valid = 0;
  for (const w of work) {
    for (const line of w.lines) {
      const p = parseJsonLine(line);
      if (p.ok && validateRecord(w.spec, p.value).ok) valid++;
    }
  }
  const allS = (performance.now() - t) / 1000;
  console.log(
    `round ${round}: ${work.length} JSONL files, ${records} records (${parsed} parsed, ${valid} valid), ${(bytes / 1e6).toFixed(0)} MB: ` +
      `JSON.parse ${parseS.toFixed(2)} s; JSON.parse + zod + toRow ${allS.toFixed(2)} s = ${((allS / records) * 1e6).toFixed(2)} µs a record`,
  );
}
