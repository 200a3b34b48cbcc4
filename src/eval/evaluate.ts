import fs from "node:fs";
import path from "node:path";
import { table } from "../cli/output.ts";
import { writeJsonAtomic } from "../lib/files.ts";
import { Warehouse } from "../lib/warehouse.ts";
import { higgsValidity, HIGGS_FILE, type HiggsValidity } from "./higgs.ts";
import { predictiveValidity, type PredictiveValidity, type Predictor } from "./predictive.ts";
import { groundTruthFile, worldValidity, type WorldValidity } from "./world.ts";

/**
 * `clout evaluate`: the validity checks of docs/methodology.md §12, as one JSON document and one table.
 * Each part runs when its data is there and is otherwise skipped with the reason:
 *   world       the generated world's ground truth (<data>/ground_truth/people.jsonl) and the warehouse
 *   predictive  the warehouse (any data: scores at t against engagement after t)
 *   higgs       the SNAP Higgs activity file (a temporary data directory of its own)
 */
export interface Skipped {
  skipped: string;
}

export interface Evaluation {
  generated_at: string;
  data_dir: string;
  world: WorldValidity | Skipped;
  predictive: PredictiveValidity | Skipped;
  higgs: HiggsValidity | Skipped;
}

export interface EvaluateOptions {
  dataDir: string;
  warehouse: string;
  projectDir?: string;
  /** the folder holding higgs-activity_time.txt.gz, or null to skip Higgs */
  higgsDir: string | null;
  /** the predictive score date t (default: the middle of the scored range) */
  scoreDate?: string;
  memoryLimit?: string;
  threads?: number;
  onProgress?: (text: string) => void;
}

export function isSkipped(x: object): x is Skipped {
  return "skipped" in x;
}

export async function evaluate(opts: EvaluateOptions): Promise<Evaluation> {
  const truth = groundTruthFile(opts.dataDir);
  let world: WorldValidity | Skipped;
  let predictive: PredictiveValidity | Skipped;
  if (!fs.existsSync(opts.warehouse)) {
    world = predictive = { skipped: `no warehouse at ${opts.warehouse} (run \`clout nightly\` or \`clout demo\` first)` };
  } else {
    const wh = await Warehouse.open({ path: opts.warehouse, readOnly: true, ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}), threads: opts.threads ?? 2 });
    try {
      const scored = (await wh.tableExists("marts", "fct_person_scores")) && (await wh.one<{ n: number }>("select count(*)::integer as n from marts.fct_person_scores"))!.n > 0;
      if (!scored) {
        world = predictive = { skipped: "the warehouse has no scores yet (marts.fct_person_scores is empty): run `clout nightly` first" };
      } else {
        if (fs.existsSync(truth)) {
          opts.onProgress?.("evaluate: the generated world against its ground truth…");
          world = await worldValidity(wh, truth);
        } else {
          world = { skipped: `no ground truth at ${truth}: this data directory is not a generated world (\`clout generate\`, \`clout demo\`)` };
        }
        opts.onProgress?.("evaluate: predictive validity…");
        try {
          predictive = await predictiveValidity(wh, opts.scoreDate ? { scoreDate: opts.scoreDate } : {});
        } catch (err) {
          // a scored range too short, or no scores on the date asked for: say so instead of failing the rest
          if (!(err instanceof Error) || !/too short|no scores on/.test(err.message)) throw err;
          predictive = { skipped: err.message };
        }
      }
    } finally {
      wh.close();
    }
  }
  let higgs: HiggsValidity | Skipped;
  const higgsFile = opts.higgsDir === null ? null : path.join(opts.higgsDir, HIGGS_FILE);
  if (higgsFile === null) higgs = { skipped: "skipped (--no-higgs)" };
  else if (!fs.existsSync(higgsFile)) higgs = { skipped: `no ${HIGGS_FILE} in ${opts.higgsDir} (give --higgs DIR)` };
  else {
    higgs = await higgsValidity({
      file: higgsFile,
      ...(opts.projectDir ? { projectDir: opts.projectDir } : {}),
      ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  }
  return { generated_at: new Date().toISOString(), data_dir: path.resolve(opts.dataDir), world, predictive, higgs };
}

// ---------------------------------------------------------------------------------------------------
// Presentation: one row per number, each with a one-line interpretation.

export interface Finding {
  section: "generated world" | "predictive" | "Higgs";
  check: string;
  value: string;
  n: string;
  meaning: string;
}

const rho = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const pts = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "n/a");
const num = (x: number) => x.toLocaleString("en-US");

/** How strong a rank correlation is, in words. */
export function strength(x: number): string {
  if (!Number.isFinite(x)) return "undefined (no variance)";
  const a = Math.abs(x);
  const word = a < 0.2 ? "very weak" : a < 0.4 ? "weak" : a < 0.6 ? "moderate" : a < 0.8 ? "strong" : "very strong";
  return x < 0 ? `${word}, negative` : word;
}

function followerMeaning(x: number): string {
  if (!Number.isFinite(x)) return "undefined";
  if (x >= 0.8) return `${strength(x)}: the score is close to a follower count (a vanity metric)`;
  if (x >= 0.3) return `${strength(x)}: related to audience size, not a follower count (as hoped)`;
  return `${strength(x)}: the score barely tracks follower counts`;
}

function predictorRows(section: Finding["section"], predictors: Predictor[], people: number, outcome: string, t: string, winner: Predictor["name"] | null): Finding[] {
  const rows: Finding[] = [
    { section, check: `outcome: ${outcome}`, value: "-", n: num(people), meaning: `what each number on ${t} (t) should rank` },
    ...predictors.map((p) => ({
      section,
      check: `${p.label}`,
      value: rho(p.rho),
      n: num(people),
      meaning: `${strength(p.rho)} rank correlation with the outcome`,
    })),
  ];
  const score = predictors.find((p) => p.name === "score");
  const others = predictors.filter((p) => p.name !== "score" && Number.isFinite(p.rho));
  const best = others.length ? others.reduce((a, b) => (b.rho > a.rho ? b : a)) : undefined;
  if (score && best) {
    const margin = score.rho - best.rho;
    rows.push({
      section,
      check: "which predicts best",
      value: winner ?? "n/a",
      n: num(people),
      meaning:
        winner === "score"
          ? `the score beats the best baseline (${best.label}) by ${margin.toFixed(3)}`
          : `${best.label} beats the score by ${(-margin).toFixed(3)}${-margin < 0.03 ? " (close)" : ""}`,
    });
  }
  return rows;
}

export function findings(e: Evaluation): Finding[] {
  const out: Finding[] = [];
  const w = e.world;
  if (isSkipped(w)) out.push({ section: "generated world", check: "skipped", value: "-", n: "-", meaning: w.skipped });
  else {
    const s = "generated world" as const;
    out.push(
      { section: s, check: `score (${w.score_date}) ~ latent influence, humans`, value: rho(w.rho_influence), n: num(w.humans), meaning: `${strength(w.rho_influence)}: how well the score ranks people by their hidden influence` },
      { section: s, check: "… humans with an engaged audience", value: rho(w.rho_influence_engaged), n: num(w.humans_engaged), meaning: `${strength(w.rho_influence_engaged)}, among people anyone engages with (median score ${pts(w.median_score_engaged)})` },
    );
    for (const b of w.bots) {
      out.push({
        section: s,
        check: `bots: ${b.kind.replace(/_/g, " ")}`,
        value: `median ${pts(b.median_score)} · ${pct(b.share_above_engaged_median)} above · max ${pts(b.max_score)}`,
        n: num(b.n),
        meaning:
          b.share_above_engaged_median === 0
            ? `none above the median engaged person (${pts(w.median_score_engaged)})`
            : `${Math.round(b.share_above_engaged_median * b.n)} of ${b.n} above the median engaged person (${pts(w.median_score_engaged)}): not caught`,
      });
    }
    out.push(
      { section: s, check: "score ~ organic followers (ground truth), humans", value: rho(w.rho_followers), n: num(w.humans), meaning: followerMeaning(w.rho_followers) },
      { section: s, check: "score ~ follower count the networks report", value: rho(w.rho_reported_followers), n: num(w.reported_followers_people), meaning: followerMeaning(w.rho_reported_followers) },
    );
  }
  const p = e.predictive;
  if (isSkipped(p)) out.push({ section: "predictive", check: "skipped", value: "-", n: "-", meaning: p.skipped });
  else {
    const who = p.outcome === "engagements per post" ? "people who posted after t" : "people with an engaged audience at t";
    out.push(...predictorRows("predictive", p.predictors, p.people, `${p.outcome}, ${p.outcome_from}..${p.outcome_to}, ${who}`, p.score_date, p.winner));
  }
  const h = e.higgs;
  if (isSkipped(h)) out.push({ section: "Higgs", check: "skipped", value: "-", n: "-", meaning: h.skipped });
  else {
    out.push({
      section: "Higgs",
      check: "lines read (accepted + rejected)",
      value: `${num(h.lines_read)} (${num(h.accepted)} + ${num(h.rejected)})`,
      n: "-",
      meaning: `landed through the generic adapter; ${num(h.people_seen)} people active by ${h.score_date}`,
    });
    out.push(...predictorRows("Higgs", h.predictors, h.people, `engagements received, ${h.outcome_from}..${h.outcome_to}, people with an engaged audience on 1–4 July`, h.score_date, h.winner));
  }
  return out;
}

/** The findings as a terminal table (one header line per section). */
export function renderTable(e: Evaluation): string[] {
  const lines: string[] = [];
  const all = findings(e);
  for (const section of ["generated world", "predictive", "Higgs"] as const) {
    const rows = all.filter((f) => f.section === section).map(({ check, value, n, meaning }) => ({ check, value, n, meaning }));
    if (rows.length === 0) continue;
    if (lines.length) lines.push("");
    lines.push(`${section}`);
    lines.push(...table(rows, 110).map((l) => `  ${l}`));
  }
  return lines;
}

/** The findings as the Markdown that goes between the evaluate markers of docs/methodology.md. */
export function renderMarkdown(e: Evaluation): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    `Last run: ${e.generated_at.slice(0, 10)} (\`clout evaluate\`; the full figures are in \`data/artifacts/evaluation.json\`).`,
    "Spearman rank correlations (ties averaged).",
    "",
  ];
  for (const section of ["generated world", "predictive", "Higgs"] as const) {
    const rows = findings(e).filter((f) => f.section === section);
    if (rows.length === 0) continue;
    const title =
      section === "generated world"
        ? `On a generated world (${isSkipped(e.world) ? "" : `${num(e.world.humans)} people and ${num(e.world.bots.reduce((n, b) => n + b.n, 0))} bots seen; `}hidden latent influence and bots known)`
        : section === "predictive"
          ? "Predictive validity on the generated world: today's numbers against the engagement of the next days"
          : "Predictive validity on real data: SNAP Higgs Twitter (score on 1–4 July 2012, predict 5–7 July; no follower layer)";
    lines.push(`**${title}**`, "", "| check | value | n | what it means |", "|---|---|---|---|");
    for (const r of rows) lines.push(`| ${esc(r.check)} | ${esc(r.value)} | ${esc(r.n)} | ${esc(r.meaning)} |`);
    lines.push("");
  }
  return lines.join("\n").trimEnd();
}

export const DOC_BEGIN = "<!-- evaluate:begin -->";
export const DOC_END = "<!-- evaluate:end -->";

/** Replace what lies between the markers (exclusive) with `content`; the markers must both be there, in order. */
export function replaceBetweenMarkers(doc: string, content: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < 0 || b < a) throw new Error(`the markers ${DOC_BEGIN} … ${DOC_END} are missing`);
  return `${doc.slice(0, a + DOC_BEGIN.length)}\n${content}\n${doc.slice(b)}`;
}

export function writeEvaluation(file: string, e: Evaluation): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeJsonAtomic(file, e);
}
