import fs from "node:fs";
import path from "node:path";
import { INSTALL_DIR } from "../../lib/paths.ts";
import type { Published } from "../published.ts";

/**
 * The Methodology page, as Markdown: docs/methodology.md of the installation, the calibration in force
 * (score_calibration), and the validity figures of `clout evaluate` from `<data>/artifacts/evaluation.json` —
 * or a clear notice that there are none yet.
 */
const BEGIN = "<!-- evaluate:begin -->";
const END = "<!-- evaluate:end -->";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3);
  if (typeof v === "object") return `\`${JSON.stringify(v).slice(0, 120)}\``;
  return String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Any JSON as readable Markdown: scalars in a two-column table, arrays of objects as tables, objects as sections. */
export function jsonToMarkdown(value: unknown, heading = 3, title?: string): string {
  const out: string[] = [];
  if (title) out.push(`${"#".repeat(Math.min(heading, 6))} ${title.replace(/_/g, " ")}`, "");
  if (Array.isArray(value)) {
    const objects = value.filter((v) => v && typeof v === "object" && !Array.isArray(v)) as Record<string, unknown>[];
    if (objects.length === value.length && objects.length > 0) {
      const cols = [...new Set(objects.flatMap((o) => Object.keys(o)))];
      out.push(`| ${cols.join(" | ")} |`, `| ${cols.map(() => "---").join(" | ")} |`);
      for (const o of objects.slice(0, 50)) out.push(`| ${cols.map((c) => cell(o[c])).join(" | ")} |`);
    } else {
      out.push(value.map(cell).join(", "));
    }
    out.push("");
  } else if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const scalars = entries.filter(([, v]) => v === null || typeof v !== "object");
    if (scalars.length) {
      out.push("| measure | value |", "| --- | --- |", ...scalars.map(([k, v]) => `| ${k.replace(/_/g, " ")} | ${cell(v)} |`), "");
    }
    for (const [k, v] of entries.filter(([, v]) => v !== null && typeof v === "object")) out.push(jsonToMarkdown(v, heading + 1, k));
  } else {
    out.push(cell(value), "");
  }
  return out.join("\n");
}

/** `clout evaluate`'s own rendering of its findings when the file is one of its evaluations; any JSON otherwise. */
async function evaluationMarkdown(json: unknown): Promise<string> {
  if (json && typeof json === "object" && "generated_at" in json && "world" in json && "predictive" in json) {
    try {
      const { renderMarkdown } = await import("../../eval/evaluate.ts");
      return renderMarkdown(json as Parameters<typeof renderMarkdown>[0]);
    } catch (err) {
      process.stderr.write(`warning: evaluation.json rendered as plain tables: ${(err as Error).message}\n`);
    }
  }
  return jsonToMarkdown(json, 3);
}

export async function methodologyPage(p: Published | undefined, dataDir: string): Promise<string> {
  const doc = fs.readFileSync(path.join(INSTALL_DIR, "docs", "methodology.md"), "utf8");
  const evalFile = path.join(dataDir, "artifacts", "evaluation.json");
  let evaluation: string;
  if (fs.existsSync(evalFile)) {
    const json = JSON.parse(fs.readFileSync(evalFile, "utf8")) as unknown;
    const when = fs.statSync(evalFile).mtime.toISOString().slice(0, 16).replace("T", " ");
    evaluation = [`The figures below are from \`clout evaluate\` (\`${path.basename(path.dirname(evalFile))}/evaluation.json\`, written ${when} UTC).`, "", await evaluationMarkdown(json)].join("\n");
  } else {
    evaluation = [
      `<div class="warning" label="No evaluation results yet">`,
      "",
      `There is no \`artifacts/evaluation.json\` in this data directory, so this site shows no validity figures.`,
      "Run `clout evaluate`, then `clout site build`, to fill this section.",
      "",
      "</div>",
    ].join("\n");
  }
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  // figures `clout evaluate` recorded in the doc itself (from whichever run committed them)
  const recorded = b >= 0 && e > b ? doc.slice(b + BEGIN.length, e).trim() : "";
  if (!fs.existsSync(evalFile) && recorded && !/^\(run `clout evaluate`/.test(recorded)) {
    evaluation += `\n\nThe figures recorded in \`docs/methodology.md\` by an earlier run, on another data directory:\n\n${recorded}\n`;
  }
  let body = doc;
  if (b >= 0 && e > b) body = `${doc.slice(0, b)}${evaluation}\n${doc.slice(e + END.length)}`;
  else body = `${doc}\n\n## Validity results\n\n${evaluation}\n`;
  // the doc's own title becomes the page title; Framework treats `${` as code, so escape it in the prose
  body = body.replace(/^# .*\n/, "").replace(/\$\{/g, "$\\{");
  let calibration = "";
  if (p?.has("score_calibration")) {
    const rows = await p.all<{ model_version: string; calibrated_on: string; segment: number; raw_from: number; raw_to: number; score_from: number; score_to: number; calibration_people: number }>(
      `select model_version, calibrated_on::varchar as calibrated_on, segment, raw_from, raw_to, score_from::double as score_from,
              score_to::double as score_to, calibration_people
       from score_calibration order by model_version, segment`,
    );
    if (rows.length) {
      calibration = [
        "## The calibration in force",
        "",
        `Frozen for model version **${rows[0]!.model_version}** on ${rows[0]!.calibrated_on} from ${rows[0]!.calibration_people.toLocaleString("en-US")} people with an engaged audience (published as \`score_calibration.parquet\`). Each row maps a range of raw scores linearly onto Clout Scores.`,
        "",
        "| model version | segment | raw score from | raw score to | Clout Score from | Clout Score to |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        ...rows.map((r) => `| ${r.model_version} | ${r.segment} | ${r.raw_from.toFixed(3)} | ${r.raw_to.toFixed(3)} | ${r.score_from} | ${r.score_to} |`),
        "",
      ].join("\n");
    }
  } else {
    calibration = "## The calibration in force\n\nNo calibration is frozen yet: scores are provisional (each night uses its own distribution).\n";
  }
  return [
    "---",
    "title: Methodology",
    "toc: true",
    "---",
    "",
    "# How Clout scores influence",
    "",
    `<p class="lede">The whole method, with its formulas and parameters — rendered from <code>docs/methodology.md</code> — then the calibration in force (mart <code>score_calibration</code>) and the validity results of <code>clout evaluate</code>.</p>`,
    "",
    body.trim(),
    "",
    calibration,
  ].join("\n");
}
