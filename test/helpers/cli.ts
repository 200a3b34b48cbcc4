import { spawn } from "node:child_process";
import path from "node:path";
import { INSTALL_DIR } from "../../src/lib/paths.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real `clout` binary (src/bin/clout.js) as a person would, with a clean CLOUT_* environment. */
export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("CLOUT_")) delete env[k];
  Object.assign(env, opts.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(INSTALL_DIR, "src/bin/clout.js"), ...args], { env, cwd: opts.cwd ?? INSTALL_DIR });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
