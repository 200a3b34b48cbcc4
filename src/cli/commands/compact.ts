import { Command } from "commander";
import { compactWarehouse, gib, requireWarehouse } from "../../lib/compact.ts";
import { messageOf } from "../../lib/errors.ts";
import { newRunId } from "../../lib/runid.ts";
import { recordRunEnd, recordRunStart } from "../../runner/runs.ts";
import { contextOf, withLock, withWarehouse } from "../context.ts";
import { count, seconds } from "../output.ts";

/**
 * `clout compact`: rewrite the warehouse into a new file without its free blocks and swap it in (src/lib/compact.ts).
 * Takes the data directory's lock, so it waits for no one: a running night makes it fail at once with the usual
 * error. The run is recorded in meta.runs (it is copied as running, and finished in the new file). The copy is written
 * in the current storage format, so this is also how a warehouse from an older Clout is upgraded.
 */
export function compactCommand(): Command {
  return new Command("compact")
    .description("give back the disk the warehouse's free blocks hold (and upgrade an older file's storage format): copy it into a new file, check the copy, swap it in")
    .action(async (_flags: Record<string, never>, cmd: Command) => {
      const ctx = contextOf(cmd);
      const runId = newRunId();
      const file = ctx.layout.warehouse;
      // before the run is recorded: opening a missing warehouse to record it would create one
      requireWarehouse(file);
      await withLock(ctx, "compact", runId, async () => {
        await withWarehouse(ctx, (wh) => recordRunStart(wh, { runId, command: "compact", startedAt: new Date(), runDate: null, selector: null }));
        let line: string;
        try {
          const r = await compactWarehouse(file, { runId, memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads, say: (t) => ctx.out.line(t) });
          line = `${gib(r.before_bytes)} → ${gib(r.after_bytes)} (${r.tables} tables, ${count(r.rows)} rows, ${r.views} views) in ${seconds(r.seconds)}`;
          if (r.before_storage_version !== r.after_storage_version) line += `; storage format ${r.before_storage_version} → ${r.after_storage_version}`;
        } catch (err) {
          // the old warehouse is as it was: the failure is recorded there
          await withWarehouse(ctx, (wh) => recordRunEnd(wh, runId, "error", new Date(), messageOf(err))).catch(() => undefined);
          throw err;
        }
        await withWarehouse(ctx, (wh) => recordRunEnd(wh, runId, "success", new Date(), line));
        ctx.out.line(`compacted ${file}: ${line}`);
      });
    });
}
