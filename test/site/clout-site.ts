/**
 * `clout` with the `site` command, for the site test to run as a separate process (under `unshare -n`).
 * Once src/cli/main.ts registers `site`, this is exactly the real CLI; until then it adds the command itself.
 *
 *   node --import tsx test/site/clout-site.ts --data-dir DIR site build --out DIR
 */
import { siteCommand } from "../../src/cli/commands/site.ts";
import { main, program } from "../../src/cli/main.ts";
import { UserError } from "../../src/lib/errors.ts";

if (program().commands.some((c) => c.name() === "site")) {
  process.exitCode = await main(process.argv);
} else {
  const p = program();
  p.addCommand(siteCommand().exitOverride());
  try {
    await p.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ""}`);
    } else if (!(err as { code?: string }).code?.startsWith("commander.")) {
      process.stderr.write(`error: ${(err as Error).stack ?? err}\n`);
    }
    process.exitCode = 1;
  }
}
