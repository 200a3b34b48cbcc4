import { Command } from "commander";
import { SOURCES } from "../../../pipelines/registry.ts";
import { createRawViews } from "../../../pipelines/sources.ts";
import { UserError } from "../../lib/errors.ts";
import { newRunId } from "../../lib/runid.ts";
import { compileTests, runTests, selectTests, type TestResult } from "../../runner/datatests.ts";
import { buildGraph, select } from "../../runner/graph.ts";
import { loadProject } from "../../runner/project.ts";
import { recordRunEnd, recordRunStart } from "../../runner/runs.ts";
import { contextOf, withWarehouse } from "../context.ts";
import { seconds, table, type Output } from "../output.ts";

export function printTestResult(out: Output, r: TestResult): void {
  const tag = { pass: "pass ", fail: "FAIL ", warn: "WARN ", error: "ERROR" }[r.status];
  if (r.status === "pass") {
    out.line(`  ${tag}  ${r.name}  ${seconds(r.duration_s)}`);
    return;
  }
  const what = r.status === "error" ? `could not run: ${r.message}` : `${r.failures} offending row${r.failures === 1 ? "" : "s"}`;
  out.line(`  ${tag}  ${r.name} (${r.file}): ${what}`);
  if (r.sample.length > 0) for (const l of table(r.sample)) out.line(`           ${l}`);
}

/** Summarise results; the outcome is failed when any error-severity test failed or could not run. */
export function summarise(results: TestResult[]): { line: string; failed: number } {
  const n = (s: TestResult["status"]) => results.filter((r) => r.status === s).length;
  const failed = n("fail") + n("error");
  return { line: `tests: ${n("pass")} pass, ${n("fail")} fail, ${n("warn")} warn, ${n("error")} error`, failed };
}

export function testCommand(): Command {
  return new Command("test")
    .description("run the data tests declared beside the models and the hand-written assert_*.sql tests")
    .option("-s, --select <selector...>", "only tests of these models: name, name+, +name, layer:marts")
    .action(async (flags: { select?: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const opts = { select: flags.select?.join(" ") };
      const project = loadProject(ctx.config.projectDir);
      await withWarehouse(ctx, async (wh) => {
        await createRawViews(wh, ctx.layout, Object.values(SOURCES));
        const graph = await buildGraph(project, wh);
        const tests = selectTests(compileTests(graph), opts.select ? select(graph, opts.select) : undefined);
        const runId = newRunId();
        await recordRunStart(wh, { runId, command: "test", startedAt: new Date(), runDate: null, selector: opts.select ?? null });
        ctx.out.line(`test ${runId}: ${tests.length} tests`);
        const results = await runTests(wh, tests, {
          runId,
          onTestEnd: (r, i, total) => {
            ctx.out.progress(`[${i + 1}/${total}] ${r.name}`);
            printTestResult(ctx.out, r);
          },
        });
        const { line, failed } = summarise(results);
        await recordRunEnd(wh, runId, failed > 0 ? "error" : "success", new Date(), failed > 0 ? line : null);
        ctx.out.line(line);
        if (failed > 0) {
          throw new UserError(`${failed} data test${failed === 1 ? "" : "s"} failed`, "the offending rows are listed above; fix the model or the data, then `clout test --select <model>`");
        }
      });
    });
}
