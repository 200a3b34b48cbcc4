import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { generate } from "../../../pipelines/generate/generate.ts";
import { DEFAULT_TOPICS_FILE, loadTopics } from "../../../pipelines/generate/topics.ts";
import { addDays, parseDate, yesterdayUtc } from "../../lib/dates.ts";
import { contextOf } from "../context.ts";
import { count, seconds } from "../output.ts";
import { runNight } from "./nightly.ts";
import { runSiteBuild } from "./site.ts";

function whole(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError("expected a whole number");
  return Number(raw);
}

/**
 * The README's quick start: a sample world for all ten networks, backfilled night by night, then the site.
 * Everything lands in the data directory (default data/); rerunning is safe (generation is deterministic and
 * every night is idempotent).
 */
export function demoCommand(): Command {
  return new Command("demo")
    .description("the quick start: generate a sample world (all ten networks), backfill it with nightly, build the site")
    .addOption(new Option("--people <n>", "people in the sample world").default(5000).argParser(whole))
    .addOption(new Option("--days <d>", "days of activity to backfill").default(14).argParser(whole))
    .option("--end <date>", "the last night (default: yesterday, UTC)")
    .addOption(new Option("--seed <s>", "random seed").default(42).argParser(whole))
    .action(async (opts: { people: number; days: number; end?: string; seed: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const t0 = Date.now();
      const end = opts.end ? parseDate(opts.end, "--end") : yesterdayUtc();
      const start = addDays(end, -(opts.days - 1));
      ctx.out.line(`demo: ${count(opts.people)} people, ${opts.days} nights ${start}…${end}, data in ${ctx.layout.root}`);
      const summary = await generate({
        out: ctx.layout.root,
        people: opts.people,
        days: opts.days,
        end,
        seed: opts.seed,
        gzip: false,
        topics: loadTopics(DEFAULT_TOPICS_FILE),
        onProgress: (p) => ctx.out.progress(`generate: ${p.phase === "world" ? p.step : `day ${Math.min(p.day + 1, p.days)} of ${p.days}`}`),
      });
      ctx.out.line(`1. generated ${count(summary.people)} people (+${count(summary.bots)} bots), ${count(summary.totalRecords)} export records in ${seconds(summary.durationMs / 1000)}`);
      const nightsStart = Date.now();
      ctx.out.quietModels = true;
      ctx.out.quietPasses = true;
      for (let d = start; d <= end; d = addDays(d, 1)) {
        await runNight(ctx, { date: d });
      }
      ctx.out.line(`2. ran ${opts.days} nights (ingest → build → test → publish) in ${seconds((Date.now() - nightsStart) / 1000)}`);
      ctx.out.quietModels = false;
      const site = await runSiteBuild(ctx);
      ctx.out.line(`3. built the site into ${path.relative(process.cwd(), site.out) || site.out}`);
      ctx.out.line(`demo done in ${seconds((Date.now() - t0) / 1000)}. Where to look:`);
      ctx.out.line(`  npx clout site preview                the dashboards, served on 127.0.0.1`);
      ctx.out.line(`  npx clout status                      the nights, freshness per network, tests`);
      ctx.out.line(`  npx clout top --limit 10              the leaderboard in the terminal`);
      ctx.out.line(`  npx clout sql -c "select * from fct_person_scores order by score desc limit 10"`);
      ctx.out.line(`  ${path.relative(process.cwd(), ctx.layout.published) || "data/published"}/*.parquet   the published datasets (any Parquet tool)`);
    });
}
