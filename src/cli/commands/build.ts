import { Command, Option } from "commander";
import { SOURCES } from "../../../pipelines/registry.ts";
import { createRawViews } from "../../../pipelines/sources.ts";
import { parseDate, yesterdayUtc } from "../../lib/dates.ts";
import { newRunId } from "../../lib/runid.ts";
import { runBuild } from "../../runner/build.ts";
import { buildCatalog, writeCatalog } from "../../runner/catalog.ts";
import { compileTests } from "../../runner/datatests.ts";
import { buildGraph, select } from "../../runner/graph.ts";
import { loadProject } from "../../runner/project.ts";
import { contextOf, withWarehouse } from "../context.ts";
import { count, seconds } from "../output.ts";

export function buildCommand(): Command {
  return new Command("build")
    .description("run the SQL models in dependency order (view, table, incremental by date)")
    .option("-s, --select <selector...>", "models to build: name, name+, +name, layer:marts (several, space or comma separated)")
    .option("-d, --date <date>", "the run date models read as getvariable('run_date') (default: yesterday, UTC)")
    .option("--full-refresh", "drop and rebuild incremental models instead of replacing one date", false)
    .addOption(new Option("--list", "list the selected models in build order and exit, building nothing").default(false))
    .action(async (flags: { select?: string[]; date?: string; fullRefresh: boolean; list: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const opts = { ...flags, select: flags.select?.join(" ") };
      const runDate = opts.date === undefined ? yesterdayUtc() : parseDate(opts.date);
      const project = loadProject(ctx.config.projectDir);
      await withWarehouse(ctx, async (wh) => {
        await createRawViews(wh, ctx.layout, Object.values(SOURCES));
        const graph = await buildGraph(project, wh);
        const selected = select(graph, opts.select);
        if (opts.list) {
          for (const name of selected) {
            const n = graph.nodes.get(name)!;
            ctx.out.line(`${n.model.layer}.${name}\t${n.model.materialized}\t${n.dependsOn.join(",") || "-"}\t${n.model.file}`);
          }
          return;
        }
        const runId = newRunId();
        ctx.out.line(`build ${runId}: ${selected.length} models for ${runDate}${opts.select ? ` (select: ${opts.select})` : ""}`);
        try {
          const result = await runBuild(wh, graph, {
            runId,
            runDate,
            selected,
            selector: opts.select,
            fullRefresh: opts.fullRefresh,
            artifactsDir: ctx.layout.artifacts,
            onModelStart: (m, i, total) => ctx.out.progress(`[${i + 1}/${total}] ${m.layer}.${m.name} (${m.materialized})…`),
            onModelEnd: (r) =>
              ctx.out.line(`  ${r.status === "success" ? "ok   " : "ERROR"}  ${r.materialized.padEnd(11)} ${`${r.layer}.${r.name}`.padEnd(48)} ${seconds(r.duration_s).padStart(7)}  ${count(r.row_count)} rows`),
          });
          ctx.out.line(`build ${runId}: ${result.results.length} models ok in ${seconds(result.duration_s)}`);
        } finally {
          writeCatalog(ctx.layout.artifacts, await buildCatalog(wh, graph, compileTests(graph)));
        }
      });
    });
}
