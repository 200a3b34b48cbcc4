import fs from "node:fs";
import path from "node:path";

/**
 * Replacing one date's partition without ever showing half of it. New files are written under
 * `<lake>/.staging/<run_id>/…` (same filesystem), then swapped in by rename: the old `dt=<D>` directory is
 * renamed aside to `.old-dt=<D>-<run_id>`, the new one renamed into place, the old one removed. Readers glob
 * `dt=*` and never see the hidden names. If a crash falls between the two renames, `recover()` (run at the
 * start of every ingest) puts the old partition back; staged files of dead runs are removed.
 */
export function partitionDir(lake: string, kind: "raw" | "rejects", source: string, entity: string, date: string): string {
  return path.join(lake, kind, source, entity, `dt=${date}`);
}

export function stagingDir(lake: string, runId: string, kind: "raw" | "rejects", source: string, entity: string, date: string): string {
  return path.join(lake, ".staging", runId, kind, source, entity, `dt=${date}`);
}

/** Swap a staged partition into place. */
export function swapIn(staged: string, final: string, runId: string): void {
  fs.mkdirSync(path.dirname(final), { recursive: true });
  const aside = path.join(path.dirname(final), `.old-${path.basename(final)}-${runId}`);
  const hadOld = fs.existsSync(final);
  if (hadOld) fs.renameSync(final, aside);
  fs.renameSync(staged, final);
  if (hadOld) fs.rmSync(aside, { recursive: true, force: true });
}

/** Undo what a crashed run left: restore partitions renamed aside, drop staged files of other runs. */
export function recover(lake: string, activeRunId?: string): { restored: string[]; removed: string[] } {
  const restored: string[] = [];
  const removed: string[] = [];
  for (const kind of ["raw", "rejects"]) {
    const root = path.join(lake, kind);
    if (!fs.existsSync(root)) continue;
    for (const source of fs.readdirSync(root)) {
      const sdir = path.join(root, source);
      if (!fs.statSync(sdir).isDirectory()) continue;
      for (const entity of fs.readdirSync(sdir)) {
        const edir = path.join(sdir, entity);
        if (!fs.statSync(edir).isDirectory()) continue;
        for (const name of fs.readdirSync(edir)) {
          const m = /^\.old-(dt=\d{4}-\d{2}-\d{2})-(.+)$/.exec(name);
          if (!m) continue;
          const aside = path.join(edir, name);
          const final = path.join(edir, m[1]!);
          if (fs.existsSync(final)) {
            fs.rmSync(aside, { recursive: true, force: true });
            removed.push(aside);
          } else {
            fs.renameSync(aside, final);
            restored.push(final);
          }
        }
      }
    }
  }
  const staging = path.join(lake, ".staging");
  if (fs.existsSync(staging)) {
    for (const run of fs.readdirSync(staging)) {
      if (run === activeRunId) continue;
      fs.rmSync(path.join(staging, run), { recursive: true, force: true });
      removed.push(path.join(staging, run));
    }
  }
  return { restored, removed };
}
