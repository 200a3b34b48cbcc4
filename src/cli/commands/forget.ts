import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { UserError, quote } from "../../lib/errors.ts";
import { idPattern, scrubFiles, scrubWarehouse, Tombstones } from "../../lib/forget.ts";
import { publish } from "../../lib/publish.ts";
import { newRunId } from "../../lib/runid.ts";
import { contextOf, withLock, withWarehouse } from "../context.ts";
import { count } from "../output.ts";
import { buildModels, prepareSources } from "./build.ts";

interface AccountRow extends Record<string, unknown> {
  person_id: string;
  network: string;
  account_id: string;
  handle: string | null;
}

export function forgetCommand(): Command {
  return new Command("forget")
    .description("opt-out: remove a person and their accounts from exports, lake, warehouse (history too) and published data")
    .argument("<person>", "a person_id, or an account id or handle that identifies one person")
    .action(async (who: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const runId = newRunId();
      await withLock(ctx, "forget", runId, () =>
        withWarehouse(ctx, async (wh) => {
          await prepareSources(ctx, wh);
          if (!(await wh.tableExists("intermediate", "int_accounts_resolved"))) {
            throw new UserError("no people in the warehouse yet", "run `clout nightly` first");
          }
          const matches = await wh.all<{ person_id: string }>(
            `select distinct person_id from intermediate.int_accounts_resolved
             where person_id = $1 or account_id = $1 or lower(handle) = lower($1) or lower(handle) = lower(ltrim($1, '@'))`,
            [who],
          );
          if (matches.length === 0) throw new UserError(`no person or account ${quote(who)}`, "give a person_id (see `clout sql -c \"select person_id, display_name from dim_people\"`), an account id or a handle");
          if (matches.length > 1) {
            throw new UserError(`${quote(who)} names ${matches.length} people: ${matches.map((m) => m.person_id).slice(0, 10).join(", ")}`, "give the person_id of the one to forget");
          }
          const personId = matches[0]!.person_id;
          const accounts = await wh.all<AccountRow>(
            `select person_id, network, account_id, handle from intermediate.int_accounts_resolved where person_id = $1
             union
             select person_id, network, account_id, null from staging.stg_identities__links where person_id = $1`,
            [personId],
          );
          const ids = [personId, ...accounts.map((a) => a.account_id), ...accounts.map((a) => a.handle).filter((h): h is string => !!h)];
          ctx.out.line(`forget: ${personId} with ${accounts.length} account${accounts.length === 1 ? "" : "s"} (${accounts.map((a) => a.network).join(", ")})`);
          // 1. the tombstone first: whatever happens next, later ingests drop them
          Tombstones.add(ctx.layout.root, [...new Set(ids)]);
          // 2. files: exports, ground truth, lake
          const files = await scrubFiles(wh, ctx.layout.root, ids);
          // 3. the warehouse, every schema, history included
          const warehouseRows = await scrubWarehouse(wh, idPattern(ids));
          ctx.out.line(`  exports: ${count(files.exportLines)} lines · lake: ${count(files.lakeRows)} rows · ground truth: ${count(files.groundTruthLines)} lines · warehouse: ${count(warehouseRows)} rows`);
          // 4. rebuild the latest night from the scrubbed lake, so today's scores no longer count them either
          const latest = await wh.one<{ d: string | null }>("select max(score_date)::varchar as d from marts.fct_person_scores");
          if (latest?.d) await buildModels(ctx, wh, { runId, runDate: latest.d, command: "forget" });
          // 5. published: a fresh snapshot from the scrubbed warehouse; every older snapshot is deleted
          if (fs.existsSync(ctx.layout.published)) {
            const pub = await publish(wh, ctx.layout.root, runId, { forgotten: true });
            const live = path.basename(fs.realpathSync(ctx.layout.published));
            for (const n of fs.readdirSync(ctx.layout.root)) {
              if (/^published-/.test(n) && n !== live) fs.rmSync(path.join(ctx.layout.root, n), { recursive: true, force: true });
            }
            ctx.out.line(`  published: ${pub.tables.length} tables rewritten; older snapshots removed`);
          }
          ctx.out.line(`forgot ${personId}; later nights drop their records at ingest (tombstone: ${path.relative(process.cwd(), Tombstones.file(ctx.layout.root))})`);
        }),
      );
    });
}
