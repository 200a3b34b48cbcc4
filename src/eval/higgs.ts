import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { ingest } from "../../pipelines/ingest/ingest.ts";
import { genericSpec, parseGenericFlags } from "../../pipelines/networks/generic.ts";
import type { NetworkSpec } from "../../pipelines/types.ts";
import { buildModels } from "../cli/commands/build.ts";
import type { Context } from "../cli/context.ts";
import { Output } from "../cli/output.ts";
import type { CloutConfig } from "../lib/config.ts";
import { DataLayout, INSTALL_DIR } from "../lib/paths.ts";
import { newRunId } from "../lib/runid.ts";
import { Warehouse } from "../lib/warehouse.ts";
import { predictiveValidity, type Predictor } from "./predictive.ts";

/**
 * Predictive validity on real data: the SNAP Higgs Twitter activity (1–7 July 2012; De Domenico et al.,
 * Sci. Rep. 3:2980, 2013). The file is landed through the generic adapter, exactly as
 *   clout ingest --network generic --file higgs-activity_time.txt.gz --delimiter space --no-header \
 *     --columns actor_id=1,target_id=2,occurred_at=3,action=4 --actions RT=repost,MT=mention,RE=reply \
 *     --rows-network higgs --time epoch_s
 * would, into a temporary data directory (removed afterwards); the models are built for the score date
 * 2012-07-04, so the score reads 1–4 July only (the window ends on the run date: later events cannot leak
 * in). The outcome is the engagement each person receives on 5–7 July (from the interactions table); Higgs
 * has no follower layer and no posts, so the baseline is the raw engagement received on 1–4 July, and the
 * people are those with an engaged audience on 1–4 July.
 */
export const HIGGS_FILE = "higgs-activity_time.txt.gz";
export const HIGGS_SCORE_DATE = "2012-07-04";
export const HIGGS_END = "2012-07-07";
/** The date partition the whole file lands in (the day after its last event: one delivery). */
export const HIGGS_DELIVERY_DATE = "2012-07-08";

export const HIGGS_MAPPING = {
  delimiter: "space",
  header: false,
  columns: "actor_id=1,target_id=2,occurred_at=3,action=4",
  actions: "RT=repost,MT=mention,RE=reply",
  network: "higgs",
  time: "epoch_s",
} as const;

export interface HiggsValidity {
  file: string;
  lines_read: number;
  accepted: number;
  rejected: number;
  score_date: string;
  outcome_from: string;
  outcome_to: string;
  /** people with an engaged audience on 1–4 July, the population of both correlations */
  people: number;
  /** people with any activity (either side) up to the score date */
  people_seen: number;
  predictors: Predictor[];
  winner: Predictor["name"] | null;
  seconds: number;
}

export interface HiggsOptions {
  /** the activity file (higgs-activity_time.txt.gz) */
  file: string;
  /** the models project (the folder holding sql/); default this installation */
  projectDir?: string;
  memoryLimit?: string;
  threads?: number;
  /** where to put the temporary data directory (default the OS temp dir); it is removed afterwards */
  tmpRoot?: string;
  onProgress?: (text: string) => void;
}

function silentContext(dataDir: string, config: Pick<CloutConfig, "projectDir" | "memoryLimit" | "threads">, onProgress?: (text: string) => void): Context {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = String(chunk).trim();
      if (line && onProgress) onProgress(`higgs: ${line.split("\n").pop()!.trim().slice(0, 80)}`);
      done();
    },
  });
  return {
    config: { dataDir, ...config },
    layout: new DataLayout(dataDir),
    out: new Output(sink, sink, false),
  };
}

export async function higgsValidity(opts: HiggsOptions): Promise<HiggsValidity> {
  const t0 = Date.now();
  const file = path.resolve(opts.file);
  if (!fs.existsSync(file)) throw new Error(`no Higgs activity file at ${file}`);
  const tmp = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), "clout-higgs-"));
  try {
    const ctx = silentContext(tmp, { projectDir: opts.projectDir ?? INSTALL_DIR, memoryLimit: opts.memoryLimit ?? "2GB", threads: opts.threads ?? 2 }, opts.onProgress);
    const mapping = parseGenericFlags({ ...HIGGS_MAPPING });
    const source: NetworkSpec = { name: "generic", entities: [genericSpec(mapping)] };
    opts.onProgress?.("higgs: landing the activity file through the generic adapter…");
    const runId = newRunId();
    const reports = await ingest({
      layout: ctx.layout,
      runId,
      dates: [HIGGS_DELIVERY_DATE],
      sources: [source],
      rejectThreshold: 0.05,
      memoryLimit: ctx.config.memoryLimit,
      fileOverride: (s, entity) => (s === "generic" && entity === "interactions" ? file : undefined),
      delimitedOptions: () => ({ delimiter: mapping.delimiter ?? " ", header: mapping.header }),
      onProgress: (t) => opts.onProgress?.(`higgs: ${t}`),
    });
    const files = reports.flatMap((r) => r.files).filter((f) => f.status !== "missing");
    const failed = reports.find((r) => r.status === "failed");
    if (failed) throw new Error(`landing ${file} failed: ${failed.message}`);
    const lines = files.reduce((s, f) => s + f.lines_read, 0);
    const accepted = files.reduce((s, f) => s + f.accepted, 0);
    const rejected = files.reduce((s, f) => s + f.rejected, 0);

    const wh = await Warehouse.open({ path: ctx.layout.warehouse, memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads });
    try {
      opts.onProgress?.(`higgs: building the models for ${HIGGS_SCORE_DATE}…`);
      await buildModels(ctx, wh, { runId, runDate: HIGGS_SCORE_DATE, selector: "+fct_person_scores", command: "evaluate" });
      const p = await predictiveValidity(wh, { scoreDate: HIGGS_SCORE_DATE, end: HIGGS_END });
      const seen = await wh.one<{ n: number }>(
        "select count(distinct person_id)::integer as n from intermediate.int_accounts_resolved where first_seen_at < ($1::date + 1)::timestamptz",
        [HIGGS_SCORE_DATE],
      );
      return {
        file,
        lines_read: lines,
        accepted,
        rejected,
        score_date: p.score_date,
        outcome_from: p.outcome_from,
        outcome_to: p.outcome_to,
        people: p.people,
        people_seen: seen?.n ?? 0,
        predictors: p.predictors,
        winner: p.winner,
        seconds: (Date.now() - t0) / 1000,
      };
    } finally {
      wh.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
