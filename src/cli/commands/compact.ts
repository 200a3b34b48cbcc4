import { Command } from "commander";
import { compactWarehouse, gib } from "../../lib/compact.ts";
import { newRunId } from "../../lib/runid.ts";
import { contextOf, withLock } from "../context.ts";
import { count, seconds } from "../output.ts";

/**
 * `clout compact`: rewrite the warehouse into a new file without its free blocks and swap it in (src/lib/compact.ts).
 * Takes the data directory's lock, so it waits for no one: a running night makes it fail at once with the usual error.
 */
export function compactCommand(): Command {
  return new Command("compact")
    .description("give back the disk the warehouse's free blocks hold: copy it into a new file, check the copy, swap it in")
    .action(async (_flags: Record<string, never>, cmd: Command) => {
      const ctx = contextOf(cmd);
      const runId = newRunId();
      await withLock(ctx, "compact", runId, async () => {
        const r = await compactWarehouse(ctx.layout.warehouse, { runId, memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads, say: (t) => ctx.out.line(t) });
        ctx.out.line(
          `compacted ${r.file}: ${gib(r.before_bytes)} → ${gib(r.after_bytes)} (${r.tables} tables, ${count(r.rows)} rows, ${r.views} views) in ${seconds(r.seconds)}`,
        );
      });
    });
}
