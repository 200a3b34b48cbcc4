import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { evaluate, renderMarkdown, renderTable, replaceBetweenMarkers, writeEvaluation, DOC_BEGIN, DOC_END } from "../../eval/evaluate.ts";
import { parseDate } from "../../lib/dates.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { writeFileAtomic } from "../../lib/files.ts";
import { INSTALL_DIR } from "../../lib/paths.ts";
import { contextOf } from "../context.ts";
import { seconds } from "../output.ts";

/** Where the shared real data sets live: ../shared/data beside the installation. */
export const DEFAULT_HIGGS_DIR = path.resolve(INSTALL_DIR, "../shared/data/higgs");
const DEFAULT_DOC = path.join(INSTALL_DIR, "docs/methodology.md");

interface EvaluateFlags {
  higgs?: string | false;
  out?: string;
  date?: string;
  writeDocs?: string | true;
  json?: boolean;
}

export function evaluateCommand(): Command {
  return new Command("evaluate")
    .description("validity: score vs latent influence and bots (generated world), predictive validity, SNAP Higgs")
    .option("--higgs <dir>", `folder holding higgs-activity_time.txt.gz (default ${path.relative(process.cwd(), DEFAULT_HIGGS_DIR) || DEFAULT_HIGGS_DIR})`)
    .option("--no-higgs", "skip the Higgs evaluation")
    .option("-o, --out <file>", "where to write the JSON (default <data>/artifacts/evaluation.json)")
    .option("-d, --date <date>", "predictive validity: the score date t (default: the middle of the scored range, ≥ 3 days before its end)")
    .option("--write-docs [file]", `also write the figures into the methodology between ${DOC_BEGIN} and ${DOC_END} (default docs/methodology.md)`)
    .option("--json", "print the JSON instead of the table", false)
    .action(async (flags: EvaluateFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const t0 = Date.now();
      const scoreDate = flags.date === undefined ? undefined : parseDate(flags.date);
      const higgsDir = flags.higgs === false ? null : path.resolve(flags.higgs ?? DEFAULT_HIGGS_DIR);
      if (typeof flags.higgs === "string" && !fs.existsSync(flags.higgs)) {
        throw new UserError(`--higgs ${quote(flags.higgs)} does not exist`, "give the folder holding higgs-activity_time.txt.gz (SNAP higgs-twitter), or --no-higgs");
      }
      const doc = flags.writeDocs === undefined ? undefined : flags.writeDocs === true ? DEFAULT_DOC : path.resolve(flags.writeDocs);
      if (doc !== undefined) {
        if (!fs.existsSync(doc)) throw new UserError(`--write-docs: ${quote(doc)} does not exist`, "give the methodology file, e.g. --write-docs docs/methodology.md");
        const text = fs.readFileSync(doc, "utf8");
        if (!text.includes(DOC_BEGIN) || !text.includes(DOC_END)) {
          throw new UserError(`--write-docs: ${quote(doc)} lacks the markers ${DOC_BEGIN} and ${DOC_END}`, "add the two marker lines where the figures should go");
        }
      }
      const result = await evaluate({
        dataDir: ctx.layout.root,
        warehouse: ctx.layout.warehouse,
        projectDir: ctx.config.projectDir,
        higgsDir,
        ...(scoreDate ? { scoreDate } : {}),
        memoryLimit: ctx.config.memoryLimit,
        threads: ctx.config.threads,
        onProgress: (t) => ctx.out.progress(t),
      });
      if ("skipped" in result.world && "skipped" in result.predictive && "skipped" in result.higgs) {
        throw new UserError(
          `nothing to evaluate: ${result.world.skipped}; Higgs: ${result.higgs.skipped}`,
          "run `clout demo` (a generated world with its ground truth) or give --higgs DIR",
        );
      }
      const out = path.resolve(flags.out ?? path.join(ctx.layout.artifacts, "evaluation.json"));
      writeEvaluation(out, result);
      if (doc !== undefined) writeFileAtomic(doc, replaceBetweenMarkers(fs.readFileSync(doc, "utf8"), renderMarkdown(result)));
      if (flags.json) {
        ctx.out.line(JSON.stringify(result, null, 2));
        return;
      }
      for (const l of renderTable(result)) ctx.out.line(l);
      ctx.out.line("");
      const shown = (f: string) => (path.relative(process.cwd(), f).startsWith("..") ? f : path.relative(process.cwd(), f));
      ctx.out.line(`evaluate: wrote ${shown(out)}${doc ? ` and ${shown(doc)}` : ""} in ${seconds((Date.now() - t0) / 1000)}`);
    });
}
