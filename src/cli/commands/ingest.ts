import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { ingest, recordIngest, type SourceDateReport } from "../../../pipelines/ingest/ingest.ts";
import { genericSpec, loadGenericConfig, parseGenericFlags, type GenericMapping } from "../../../pipelines/networks/generic.ts";
import { parseSource, SOURCE_NAMES, SOURCES } from "../../../pipelines/registry.ts";
import type { NetworkSpec } from "../../../pipelines/types.ts";
import { addDays, parseDate, yesterdayUtc } from "../../lib/dates.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { newRunId } from "../../lib/runid.ts";
import { recordRunEnd, recordRunStart } from "../../runner/runs.ts";
import { contextOf, withLock, withWarehouse, type Context } from "../context.ts";
import { count, seconds } from "../output.ts";

interface IngestFlags {
  date?: string;
  from?: string;
  to?: string;
  network?: string[];
  rejectThreshold: string;
  file?: string;
  mapping?: string;
  format?: string;
  delimiter?: string;
  header?: boolean;
  columns?: string;
  actions?: string;
  action?: string;
  rowsNetwork?: string;
  time?: string;
}

/** Dates from --date or --from/--to (inclusive), validated; at most ten years. */
export function datesOf(flags: { date?: string; from?: string; to?: string }): string[] {
  if (flags.date && (flags.from || flags.to)) throw new UserError("give either --date or --from/--to, not both", "e.g. --from 2026-11-01 --to 2026-11-14");
  if (flags.from || flags.to) {
    if (!flags.from || !flags.to) throw new UserError(`--from and --to go together (got ${flags.from ? `--from ${quote(flags.from)}` : `--to ${quote(flags.to)}`})`, "e.g. --from 2026-11-01 --to 2026-11-14");
    const from = parseDate(flags.from, "--from");
    const to = parseDate(flags.to, "--to");
    if (to < from) throw new UserError(`--to ${quote(to)} is before --from ${quote(from)}`, "swap them");
    const dates: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      dates.push(d);
      if (dates.length > 3660) throw new UserError(`the range ${from}..${to} is longer than ten years`, "backfill in smaller ranges");
    }
    return dates;
  }
  return [flags.date === undefined ? yesterdayUtc() : parseDate(flags.date)];
}

/** The generic source with the mapping from --mapping and the mapping flags (flags win), if any were given. */
function genericSource(flags: IngestFlags): NetworkSpec | undefined {
  const given = [flags.format, flags.delimiter, flags.header === false ? false : undefined, flags.columns, flags.actions, flags.action, flags.rowsNetwork, flags.time].some((v) => v !== undefined);
  if (!flags.mapping && !given) return undefined;
  if (flags.mapping && given) throw new UserError("give the generic mapping either as --mapping FILE or as flags, not both", "put everything in the mapping file, or drop --mapping");
  const merged: GenericMapping = flags.mapping
    ? loadGenericConfig(flags.mapping)
    : parseGenericFlags({
        ...(flags.format !== undefined ? { format: flags.format } : {}),
        ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
        ...(flags.header === false ? { header: false } : {}),
        ...(flags.columns !== undefined ? { columns: flags.columns } : {}),
        ...(flags.actions !== undefined ? { actions: flags.actions } : {}),
        ...(flags.action !== undefined ? { action: flags.action } : {}),
        ...(flags.rowsNetwork !== undefined ? { network: flags.rowsNetwork } : {}),
        ...(flags.time !== undefined ? { time: flags.time } : {}),
      });
  return { name: "generic", entities: [genericSpec(merged)] };
}

export function printReport(ctx: Context, r: SourceDateReport): void {
  if (r.status === "no-exports") return;
  if (r.status === "landed" && ctx.out.quietModels) return;
  const files = r.files.filter((f) => f.status !== "missing");
  const accepted = files.reduce((s, f) => s + f.accepted, 0);
  const rejected = files.reduce((s, f) => s + f.rejected, 0);
  const took = files.reduce((s, f) => s + f.duration_s, 0);
  const head = r.status === "landed" ? "landed" : "FAILED";
  ctx.out.line(`${head.padEnd(7)} ${r.source.padEnd(11)} ${r.date}  ${files.length} files  ${count(accepted)} accepted  ${count(rejected)} rejected  ${seconds(took)}`);
  for (const f of r.files) {
    if (f.status === "missing") ctx.out.line(`          ${f.entity}: no file delivered (earlier landing kept)`);
    else if (f.message && f.status !== "not-landed") ctx.out.line(`          ${f.entity}: ${f.message}`);
  }
}

export function ingestCommand(): Command {
  return new Command("ingest")
    .description("validate and land a date's exports as Parquet; rejects are quarantined with reasons")
    .option("-d, --date <date>", "the export date to land (default: yesterday, UTC)")
    .option("--from <date>", "first date of a range (with --to)")
    .option("--to <date>", "last date of a range (with --from)")
    .option("-n, --network <name...>", `sources to land (default: all): ${SOURCE_NAMES.join(", ")}`)
    .option("--reject-threshold <rate>", "fail a network's date when more than this share of a file's lines is rejected", "0.05")
    .addOption(new Option("--file <path>", "generic: land this file instead of exports/generic/<date>/interactions.*").helpGroup("Generic interactions"))
    .addOption(new Option("--mapping <file>", "generic: a JSON column/action mapping (see README)").helpGroup("Generic interactions"))
    .addOption(new Option("--format <csv|jsonl>", "generic: file format").helpGroup("Generic interactions"))
    .addOption(new Option("--delimiter <char>", "generic: field separator (space, tab, comma, or one character)").helpGroup("Generic interactions"))
    .addOption(new Option("--no-header", "generic: the file has no header line; name columns by position").helpGroup("Generic interactions"))
    .addOption(new Option("--columns <map>", "generic: field=column pairs, e.g. actor_id=1,target_id=2").helpGroup("Generic interactions"))
    .addOption(new Option("--actions <map>", "generic: value=action pairs, e.g. RT=repost,MT=mention").helpGroup("Generic interactions"))
    .addOption(new Option("--action <action>", "generic: one action for every row (the file has none)").helpGroup("Generic interactions"))
    .addOption(new Option("--rows-network <name>", "generic: the network every row belongs to (the file has none)").helpGroup("Generic interactions"))
    .addOption(new Option("--time <iso|epoch_s|epoch_ms>", "generic: how times are written").helpGroup("Generic interactions"))
    .action(async (flags: IngestFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dates = datesOf(flags);
      const threshold = Number(flags.rejectThreshold);
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
        throw new UserError(`invalid --reject-threshold ${quote(flags.rejectThreshold)}`, "a share between 0 and 1, e.g. 0.05 for 5%");
      }
      const names = (flags.network ?? []).flatMap((n) => n.split(",")).filter(Boolean).map(parseSource);
      const generic = genericSource(flags);
      if (flags.file && !fs.existsSync(flags.file)) throw new UserError(`--file ${quote(flags.file)} does not exist`, "give the path of the generic interactions file");
      if ((flags.file || generic) && names.length > 0 && !names.includes("generic")) {
        throw new UserError("--file and the mapping flags are for the generic source", "add --network generic");
      }
      const chosen = names.length > 0 ? [...new Set(names)] : flags.file ? ["generic" as const] : SOURCE_NAMES;
      const sources = chosen.map((n) => (n === "generic" && generic ? generic : SOURCES[n]));
      const runId = newRunId();
      const started = new Date();
      ctx.out.line(`ingest ${runId}: ${sources.length} source${sources.length === 1 ? "" : "s"} × ${dates.length} date${dates.length === 1 ? "" : "s"} from ${ctx.layout.exports}`);
      await withLock(ctx, "ingest", runId, async () => {
        const reports = await ingest({
          layout: ctx.layout,
          runId,
          dates,
          sources,
          rejectThreshold: threshold,
          memoryLimit: ctx.config.memoryLimit,
          parallelism: ctx.config.threads,
          ...(flags.file ? { fileOverride: (s: string, entity: string) => (s === "generic" && entity === "interactions" ? path.resolve(flags.file!) : undefined) } : {}),
          delimitedOptions: (s, file) => {
            if (s !== "generic") return undefined;
            const m = (sources.find((x) => x.name === "generic")!.entities[0] as ReturnType<typeof genericSpec>).mapping;
            return { delimiter: m.delimiter ?? (/\.tsv(\.gz)?$/.test(file) ? "\t" : ","), header: m.header };
          },
          onProgress: (t) => ctx.out.progress(t),
          onSourceDone: (r) => printReport(ctx, r),
        });
        const failed = reports.filter((r) => r.status === "failed");
        await withWarehouse(ctx, async (wh) => {
          await recordRunStart(wh, { runId, command: "ingest", startedAt: started, runDate: dates.length === 1 ? dates[0]! : null, selector: chosen.join(",") });
          await recordIngest(wh, runId, reports);
          await recordRunEnd(wh, runId, failed.length ? "error" : "success", new Date(), failed.length ? failed.map((f) => `${f.source} ${f.date}: ${f.message}`).join("; ") : null);
        });
        const landed = reports.filter((r) => r.status === "landed").length;
        const none = reports.filter((r) => r.status === "no-exports").length;
        ctx.out.line(`ingest ${runId}: ${landed} landed, ${failed.length} failed, ${none} with no exports`);
        if (failed.length > 0) {
          const f = failed[0]!;
          throw new UserError(
            `ingest failed for ${failed.map((x) => `${x.source} ${x.date}`).join(", ")}: ${f.message}`,
            "the other networks landed; what was landed before for the failed ones is untouched. Fix or re-export the file, then rerun `clout ingest`",
          );
        }
      });
    });
}
