import { Command, Option } from "commander";
import { SOURCES } from "../../../pipelines/registry.ts";
import { createRawViews, lakePartitions } from "../../../pipelines/sources.ts";
import { DEFAULT_SEED_FILE, loadTopicSources } from "../../../pipelines/topics.ts";
import { parseDate, yesterdayUtc } from "../../lib/dates.ts";
import { newRunId } from "../../lib/runid.ts";
import type { Warehouse } from "../../lib/warehouse.ts";
import { runBuild, type BuildResult } from "../../runner/build.ts";
import { buildCatalog, writeCatalog } from "../../runner/catalog.ts";
import { compileTests } from "../../runner/datatests.ts";
import { buildGraph, select, type Graph } from "../../runner/graph.ts";
import { loadProject } from "../../runner/project.ts";
import { contextOf, withLock, withWarehouse, type Context } from "../context.ts";
import { count, seconds } from "../output.ts";

/** The sources every build reads: raw views over the lake, and the topic taxonomy (seed + Klout import). */
export async function prepareSources(ctx: Context, wh: Warehouse): Promise<void> {
  await createRawViews(wh, ctx.layout, Object.values(SOURCES));
  await loadTopicSources(wh, { seedFile: DEFAULT_SEED_FILE, lakeDir: ctx.layout.lake });
}

export async function projectGraph(ctx: Context, wh: Warehouse): Promise<Graph> {
  await prepareSources(ctx, wh);
  return buildGraph(loadProject(ctx.config.projectDir), wh);
}

/** Build the selected models for a run date, printing one line per model; writes the catalog in any case. */
export async function buildModels(
  ctx: Context,
  wh: Warehouse,
  opts: { runId: string; runDate: string; selector?: string | undefined; fullRefresh?: boolean; command?: string; recordRun?: boolean },
): Promise<BuildResult> {
  const graph = await projectGraph(ctx, wh);
  const selected = select(graph, opts.selector);
  const partitions = new Map<string, Map<string, string> | undefined>();
  ctx.out.line(`build ${opts.runId}: ${selected.length} models for ${opts.runDate}${opts.selector ? ` (select: ${opts.selector})` : ""}`);
  try {
    const result = await runBuild(wh, graph, {
      runId: opts.runId,
      runDate: opts.runDate,
      selected,
      selector: opts.selector,
      fullRefresh: opts.fullRefresh ?? false,
      artifactsDir: ctx.layout.artifacts,
      lakePartitions: (source) => {
        // each source is listed once per build, however many models read it
        if (!partitions.has(source)) partitions.set(source, lakePartitions(ctx.layout.lake, source));
        return partitions.get(source);
      },
      ...(opts.command ? { command: opts.command } : {}),
      ...(opts.recordRun === false ? { recordRun: false } : {}),
      onModelStart: (m, i, total) => ctx.out.progress(`[${i + 1}/${total}] ${m.schema}.${m.name} (${m.materialized})…`),
      onModelEnd: (r) =>
        (r.status !== "success" || !ctx.out.quietModels) &&
        ctx.out.line(`  ${r.status === "success" ? "ok   " : "ERROR"}  ${r.materialized.padEnd(11)} ${`${r.schema}.${r.name}`.padEnd(48)} ${seconds(r.duration_s).padStart(7)}  ${count(r.row_count)} rows${r.status === "success" && r.message ? ` (${r.message})` : ""}`),
    });
    ctx.out.line(`build ${opts.runId}: ${result.results.length} models ok in ${seconds(result.duration_s)}`);
    return result;
  } finally {
    writeCatalog(ctx.layout.artifacts, await buildCatalog(wh, graph, compileTests(graph)));
  }
}

export function buildCommand(): Command {
  return new Command("build")
    .description("run the SQL models in dependency order (view, table, merge, incremental by date, …)")
    .option("-s, --select <selector...>", "models to build: name, name+, +name, layer:marts (several, space or comma separated)")
    .option("-d, --date <date>", "the run date models read as getvariable('run_date') (default: yesterday, UTC)")
    .option("--full-refresh", "drop and rebuild incremental models instead of replacing one date; replace merge tables whole; empty caches", false)
    .addOption(new Option("--list", "list the selected models in build order and exit, building nothing").default(false))
    .action(async (flags: { select?: string[]; date?: string; fullRefresh: boolean; list: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const selector = flags.select?.join(" ");
      const runDate = flags.date === undefined ? yesterdayUtc() : parseDate(flags.date);
      const runId = newRunId();
      await withLock(ctx, "build", runId, () => withWarehouse(ctx, async (wh) => {
        if (flags.list) {
          const graph = await projectGraph(ctx, wh);
          for (const name of select(graph, selector)) {
            const n = graph.nodes.get(name)!;
            ctx.out.line(`${n.model.schema}.${name}\t${n.model.materialized}\t${n.dependsOn.join(",") || "-"}\t${n.model.file}`);
          }
          return;
        }
        await buildModels(ctx, wh, { runId, runDate, selector, fullRefresh: flags.fullRefresh });
      }));
    });
}
