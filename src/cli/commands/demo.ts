import { Command } from "commander";
import { contextOf } from "../context.ts";

/** Placeholder replaced below once the pieces exist; see README "Quick start". */
export function demoCommand(): Command {
  return new Command("demo")
    .description("the README's quick start: sample data for all networks → nightly → site")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      ctx.out.line("demo: nothing to run yet");
    });
}
