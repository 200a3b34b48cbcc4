import { Command, CommanderError, Option } from "commander";
import { UserError, machineHint, messageOf } from "../lib/errors.ts";
import { DUCKDB_MEMORY_SHARE } from "../lib/memory.ts";
import { benchCommand } from "./commands/bench.ts";
import { buildCommand } from "./commands/build.ts";
import { compactCommand } from "./commands/compact.ts";
import { demoCommand } from "./commands/demo.ts";
import { evaluateCommand } from "./commands/evaluate.ts";
import { scoreCommand, topCommand } from "./commands/score.ts";
import { forgetCommand } from "./commands/forget.ts";
import { generateCommand } from "./commands/generate.ts";
import { ingestCommand } from "./commands/ingest.ts";
import { nightlyCommand, publishCommand } from "./commands/nightly.ts";
import { pagerankCommand } from "./commands/pagerank.ts";
import { siteCommand } from "./commands/site.ts";
import { sqlCommand } from "./commands/sql.ts";
import { statusCommand } from "./commands/status.ts";
import { testCommand } from "./commands/test.ts";
import { topicsCommand } from "./commands/topics.ts";

export function program(): Command {
  const p = new Command("clout")
    .description("Clout: open, explainable influence scores from ten networks' exports, on one machine")
    .version("0.1.0", "-V, --version")
    .addOption(new Option("--data-dir <dir>", "data root: exports, lake, warehouse, published (env CLOUT_DATA_DIR; default data/)"))
    .addOption(new Option("--project <dir>", "folder holding sql/ with the models (env CLOUT_PROJECT_DIR; default: this installation)"))
    .addOption(new Option("--memory-limit <size>", `memory limit of the process, e.g. 4GB; DuckDB gets ${DUCKDB_MEMORY_SHARE * 100}% of it (env CLOUT_MEMORY_LIMIT)`))
    .addOption(new Option("--threads <n>", "DuckDB threads (env CLOUT_THREADS; default 2)"))
    .addOption(new Option("--config <file>", "JSON config file (env CLOUT_CONFIG; default ./clout.config.json if present)"))
    .option("--debug", "show stack traces for errors", false)
    .showHelpAfterError("(run `clout --help` for usage)")
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const c of [generateCommand(), ingestCommand(), buildCommand(), testCommand(), nightlyCommand(), publishCommand(), sqlCommand(), forgetCommand(), topicsCommand(), pagerankCommand(), statusCommand(), compactCommand(), scoreCommand(), topCommand(), evaluateCommand(), benchCommand(), siteCommand(), demoCommand()]) {
    p.addCommand(c.exitOverride().showHelpAfterError(`(run \`clout ${c.name()} --help\` for usage)`));
  }
  return p;
}

/** Run the CLI; returns the exit code. Errors for people: one `error:` line, a hint, exit 1. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its own `error: …` line (or the help / version).
      return err.exitCode === 0 ? 0 : 1;
    }
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      if (debug) process.stderr.write(`${err.stack}\n`);
      return 1;
    }
    process.stderr.write(`error: ${messageOf(err)}\n`);
    const machine = machineHint(err);
    if (machine) process.stderr.write(`hint: ${machine}\n`);
    if (debug) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
    else if (!machine) process.stderr.write("hint: this looks like a bug in Clout; rerun with --debug for the stack trace and report it\n");
    return 1;
  }
}
