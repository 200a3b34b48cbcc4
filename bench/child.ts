/**
 * Runs one benchmark stage in this (child) process and writes its outcome, its own timing and the process's
 * peak RSS (process.resourceUsage().maxRSS) as JSON to the file named by argv[3].
 *
 *   node bench/child.js <stage> <result.json> '<StageParams JSON>'   (spawned by bench/run.ts)
 */
import fs from "node:fs";
import { STAGES, type StageParams } from "./stages.ts";

const [stage, resultFile, params] = process.argv.slice(2) as [string, string, string];
const fn = STAGES[stage];
let out: Record<string, unknown>;
const t0 = performance.now();
try {
  if (!fn) throw new Error(`unknown stage ${JSON.stringify(stage)}`);
  const r = await fn(JSON.parse(params) as StageParams);
  out = { ok: true, seconds: (performance.now() - t0) / 1000, ...r };
} catch (err) {
  out = { ok: false, seconds: (performance.now() - t0) / 1000, error: (err as Error).stack ?? String(err) };
}
out.peak_rss_mb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
fs.writeFileSync(resultFile, JSON.stringify(out));
process.exit(0);
