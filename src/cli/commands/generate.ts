import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { generate, type Progress } from "../../../pipelines/generate/generate.ts";
import { DEFAULT_TOPICS_FILE, loadTopics } from "../../../pipelines/generate/topics.ts";
import { addDays, parseDate, yesterdayUtc } from "../../lib/dates.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { INSTALL_DIR } from "../../lib/paths.ts";
import { contextOf } from "../context.ts";
import { count, seconds } from "../output.ts";

/** commander parser for a whole number in [min, max]; the message names the range (commander quotes the value). */
function integer(min: number, max: number) {
  return (raw: string): number => {
    const s = raw.trim();
    if (!/^\d+$/.test(s)) throw new InvalidArgumentError(`expected a whole number from ${count(min)} to ${count(max)}`);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${count(min)} to ${count(max)}`);
    return n;
  };
}

/** The real path of `p`, resolving symlinks in the part that exists. */
function realish(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  while (!fs.existsSync(head)) {
    const parent = path.dirname(head);
    if (parent === head) break;
    tail.unshift(path.basename(head));
    head = parent;
  }
  return path.join(fs.existsSync(head) ? fs.realpathSync(head) : head, ...tail);
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/**
 * `--activity`: a number in (0, 10]; anything else is a user error naming the value. 1 is today's world; 0.1 a
 * world where people post, engage and follow a tenth as much (the same people, accounts, graph and bots).
 */
export function activityOf(raw: string): number {
  const s = raw.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
  if (!(n > 0 && n <= 10)) {
    throw new UserError(`invalid --activity ${quote(raw)}`, "a number greater than 0 and at most 10: how active people are relative to the default world (1 = default, 0.1 ≈ a tenth of the posts and interactions)");
  }
  return n;
}

function megabytes(b: number): string {
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`;
}

export function generateCommand(): Command {
  return new Command("generate")
    .description("write a realistic sample world: raw exports of all ten networks, identity links, and a ground truth for evaluation")
    .addOption(new Option("--people <n>", "people in the world (bots come on top)").default(1000).argParser(integer(100, 10_000_000)))
    .addOption(new Option("--days <d>", "days of activity, ending on --end").default(14).argParser(integer(1, 366)))
    .option("--end <date>", "the last day, YYYY-MM-DD (default: yesterday, UTC)")
    .addOption(new Option("--seed <s>", "random seed: the same seed and flags give byte-identical files").default(42).argParser(integer(0, Number.MAX_SAFE_INTEGER)))
    .option("--out <dir>", "data root to write exports/ and ground_truth/ under (default: the data directory)")
    .option("--gzip", "write .jsonl.gz / .csv.gz instead of plain files", false)
    .option("--topics <file>", "topic taxonomy CSV (default: data/seeds/topics.csv of this installation)")
    .option("--activity <x>", "how active people are, in (0, 10]: scales posting, engagement and new follows (0.1 ≈ a tenth of the records; the people, graph and bots stay)", "1")
    .action(async (opts: { people: number; days: number; end?: string; seed: number; out?: string; gzip: boolean; topics?: string; activity: string }, cmd: Command) => {
      const activity = activityOf(opts.activity);
      const ctx = contextOf(cmd);
      const end = opts.end === undefined ? yesterdayUtc() : parseDate(opts.end, "--end");
      const start = addDays(end, -(opts.days - 1));
      if (start < "2010-01-01" || end > "2099-06-30") {
        throw new UserError(`the window ${quote(start)} to ${quote(end)} is out of range`, "--end and --days must keep every day between 2010-01-01 and 2099-06-30");
      }
      const out = path.resolve(opts.out ?? ctx.layout.root);
      const shared = realish(path.resolve(INSTALL_DIR, "..", "shared"));
      if (inside(realish(out), shared)) {
        throw new UserError(`--out ${quote(opts.out ?? out)} is inside ${quote(shared)}`, "../shared holds read-only reference data; write the sample world elsewhere, e.g. --out data");
      }
      if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UserError(`--out ${quote(out)} is a file`, "give a directory (it is created if missing)");
      const topics = loadTopics(opts.topics ?? DEFAULT_TOPICS_FILE);
      ctx.out.line(`generate: ${count(opts.people)} people, ${opts.days} days ${start}…${end}, seed ${opts.seed}${activity !== 1 ? `, activity ${activity}` : ""} → ${out}`);
      let last = 0;
      const summary = await generate({
        out,
        people: opts.people,
        days: opts.days,
        end,
        seed: opts.seed,
        gzip: opts.gzip,
        topics,
        activity,
        onProgress: (p: Progress) => {
          if (p.elapsedMs - last < 200 && p.phase === "day" && p.day < p.days) return;
          last = p.elapsedMs;
          const rate = p.elapsedMs > 0 ? Math.round(p.records / (p.elapsedMs / 1000)) : 0;
          ctx.out.progress(p.phase === "world" ? `generate: building the world (${p.step})…` : `generate: day ${Math.min(p.day + 1, p.days)} of ${p.days} (${p.step}) · ${count(p.records)} records · ${count(rate)} records/s`);
        },
      });
      for (const problem of summary.problems) ctx.out.warn(problem);
      const perNetwork = Object.entries(summary.records)
        .map(([n, r]) => `${n} ${count(r)}`)
        .join(", ");
      ctx.out.line(
        `generated ${count(summary.people)} people (+${count(summary.bots)} bots), ${count(summary.accounts)} accounts, ${count(summary.totalRecords)} records (${perNetwork}), ${megabytes(summary.totalBytes)} in ${seconds(summary.durationMs / 1000)}`,
      );
      const i = summary.interactions;
      ctx.out.line(`interactions: ${count(i.window)} in the window (${Object.entries(i.byAction).map(([a, c]) => `${a} ${count(c)}`).join(", ")}), plus ${count(i.backfill)} follows made before it (the graph, delivered on the first day)`);
      ctx.out.line(`ground truth (evaluation only): ${path.join(out, "ground_truth", "people.jsonl")}; ${summary.buyers} people bought ${count(summary.fakeFollowsPerBuyer)} fake followers each`);
    });
}
