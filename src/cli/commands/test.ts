import { Command } from "commander";
import { UserError } from "../../lib/errors.ts";
import { newRunId } from "../../lib/runid.ts";
import type { Warehouse } from "../../lib/warehouse.ts";
import { compileTests, runTests, selectTests, type TestResult } from "../../runner/datatests.ts";
import { select } from "../../runner/graph.ts";
import { recordRunEnd, recordRunStart } from "../../runner/runs.ts";
import { contextOf, withLock, withWarehouse, type Context } from "../context.ts";
import { seconds, table, type Output } from "../output.ts";
import { projectGraph } from "./build.ts";

export function printTestResult(out: Output, r: TestResult): void {
  const tag = { pass: "pass ", fail: "FAIL ", warn: "WARN ", error: "ERROR" }[r.status];
  if (r.status === "pass") {
    // a uniqueness test that checked only the rows written since it last passed says so
    out.line(`  ${tag}  ${r.name}  ${seconds(r.duration_s)}${r.message ? `  (${r.message})` : ""}`);
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

/** Run the data tests (of the selected models), printing each; returns the results and how many failed. */
export async function runDataTests(ctx: Context, wh: Warehouse, opts: { runId: string; selector?: string | undefined; full?: boolean }): Promise<{ results: TestResult[]; failed: number; line: string }> {
  const graph = await projectGraph(ctx, wh);
  const tests = selectTests(compileTests(graph), opts.selector ? select(graph, opts.selector) : undefined);
  ctx.out.line(`test ${opts.runId}: ${tests.length} tests`);
  const results = await runTests(wh, tests, {
    runId: opts.runId,
    full: opts.full ?? false,
    wholeEvery: graph.project.partialTestsWholeEvery,
    onTestEnd: (r, i, total) => {
      ctx.out.progress(`[${i + 1}/${total}] ${r.name}`);
      if (r.status !== "pass" || !ctx.out.quietPasses) printTestResult(ctx.out, r);
    },
  });
  const { line, failed } = summarise(results);
  ctx.out.line(line);
  return { results, failed, line };
}

export function testCommand(): Command {
  return new Command("test")
    .description("run the data tests declared beside the models and the hand-written assert_*.sql tests")
    .option("-s, --select <selector...>", "only tests of these models: name, name+, +name, layer:marts")
    .option("--full", "check every row: also the uniqueness tests that would check only the rows written since they last passed", false)
    .action(async (flags: { select?: string[]; full: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const selector = flags.select?.join(" ");
      const runId = newRunId();
      await withLock(ctx, "test", runId, () => withWarehouse(ctx, async (wh) => {
        await recordRunStart(wh, { runId, command: "test", startedAt: new Date(), runDate: null, selector: selector ?? null });
        const { failed, line } = await runDataTests(ctx, wh, { runId, selector, full: flags.full });
        await recordRunEnd(wh, runId, failed > 0 ? "error" : "success", new Date(), failed > 0 ? line : null);
        if (failed > 0) {
          throw new UserError(`${failed} data test${failed === 1 ? "" : "s"} failed`, "the offending rows are listed above; fix the model or the data, then `clout test --select <model>`");
        }
      }));
    });
}
