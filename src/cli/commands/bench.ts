import { Command, Option } from "commander";
import { formatTable, parseTier, runBench, TIERS, type Tier } from "../../../bench/run.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { contextOf } from "../context.ts";

/** The tier flag: s, m or l; anything else is a user error naming the value. */
export function tierOf(raw: string): Tier {
  try {
    return parseTier(raw);
  } catch {
    throw new UserError(`invalid --tier ${quote(raw)}`, `one of ${TIERS.join(", ")} (s ≈ 10k people, m ≈ 1M, l ≈ 10M)`);
  }
}

/**
 * `clout bench --tier s|m|l [--out FILE]`: the stages on a fresh temporary data root (never the data
 * directory), each in its own process, plus the side-by-side comparisons; JSON to --out and a table.
 */
export function benchCommand(): Command {
  return new Command("bench")
    .description("benchmark generate → ingest → build → test → publish (→ site) on a fresh temporary data root, with peer comparisons")
    .addOption(new Option("--tier <tier>", "s ≈ 10k people, m ≈ 1M, l ≈ 10M").default("s"))
    .option("--out <file>", "where the JSON goes (default bench-results/bench-<tier>-<timestamp>.json)")
    .option("--keep", "keep the temporary data root", false)
    .action(async (flags: { tier: string; out?: string; keep: boolean }, cmd: Command) => {
      const tier = tierOf(flags.tier);
      const ctx = contextOf(cmd);
      const { result, file, root } = await runBench({ tier, keep: flags.keep, threads: ctx.config.threads, onLine: (t) => ctx.out.line(t), ...(flags.out ? { out: flags.out } : {}) });
      ctx.out.line("");
      for (const l of formatTable(result)) ctx.out.line(l);
      ctx.out.line(`results: ${file}${flags.keep ? `; data root kept at ${root}` : ""}`);
      if (result.errors.length) throw new UserError(`bench tier ${tier} had ${result.errors.length} error(s): ${result.errors[0]}`, `the partial results are in ${file}`);
    });
}
