import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { UserError, quote } from "../../lib/errors.ts";
import { buildSite, DEFAULT_OUT, type SiteBuildResult } from "../../site/build.ts";
import { serveStatic } from "../../site/serve.ts";
import { contextOf, type Context } from "../context.ts";
import { count, seconds } from "../output.ts";

function whole(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError("expected a whole number");
  return Number(raw);
}

function port(raw: string): number {
  const n = whole(raw);
  if (n > 65535) throw new InvalidArgumentError("expected a port from 0 to 65535");
  return n;
}

/** A path as a person reads it: relative when inside the current directory, absolute otherwise. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Build the site for a command context and print what was built. `clout site build` and the end of
 * `clout demo` both call this.
 */
export async function runSiteBuild(ctx: Context, opts: { out?: string; people?: number; verbose?: boolean } = {}): Promise<SiteBuildResult> {
  const result = await buildSite({
    dataDir: ctx.layout.root,
    ...(opts.out ? { out: path.resolve(opts.out) } : {}),
    ...(opts.people !== undefined ? { settings: { people: opts.people } } : {}),
    log: (line) => (opts.verbose ? ctx.out.line(line) : ctx.out.progress(`site: ${line}`)),
  });
  const cards = result.pages.filter((p) => p.page.startsWith("/people/"));
  const main = result.pages.filter((p) => !p.page.startsWith("/people/"));
  ctx.out.line(`site built in ${seconds(result.seconds)}: ${main.length} pages and ${count(cards.length)} score cards, ${mb(result.bytes)} in ${shown(result.out)}`);
  for (const p of main) ctx.out.line(`  ${p.page.padEnd(16)} ${mb(p.bytes).padStart(8)} downloaded`);
  if (cards.length) ctx.out.line(`  ${"/people/…".padEnd(16)} ${mb(Math.max(...cards.map((c) => c.bytes))).padStart(8)} downloaded (largest card)`);
  for (const l of result.brokenLinks) ctx.out.warn(`broken link: ${l}`);
  return result;
}

export function siteCommand(): Command {
  const site = new Command("site").description("the dashboards: build the static site from the published data (offline), or serve it");
  site
    .command("build")
    .description("build the site into dist/ from <data>/published (no network needed)")
    .option("--out <dir>", "output directory (default: dist/ in the installation)")
    .addOption(new Option("--people <n>", "static score card pages for the top N people (env CLOUT_SITE_PEOPLE; default 50)").argParser(whole))
    .option("--verbose", "print Framework's build output", false)
    .exitOverride()
    .showHelpAfterError("(run `clout site build --help` for usage)")
    .action(async (opts: { out?: string; people?: number; verbose: boolean }, cmd: Command) => {
      await runSiteBuild(contextOf(cmd), opts);
    });
  site
    .command("preview")
    .description("serve the built site on 127.0.0.1 (Ctrl-C stops it)")
    .option("--out <dir>", "the built site (default: dist/ in the installation)")
    .addOption(new Option("--port <n>", "port (0 picks a free one)").default(3000).argParser(port))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .exitOverride()
    .showHelpAfterError("(run `clout site preview --help` for usage)")
    .action(async (opts: { out?: string; port: number; host: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = path.resolve(opts.out ?? DEFAULT_OUT);
      if (!fs.existsSync(path.join(dir, "index.html"))) {
        throw new UserError(`no built site in ${quote(dir)}`, "run `clout site build` first");
      }
      let server;
      try {
        server = await serveStatic(dir, { host: opts.host, port: opts.port });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new UserError(`port ${opts.port} on ${opts.host} is in use`, "pick another with --port, or --port 0 for any free one");
        throw err;
      }
      ctx.out.line(`serving ${shown(dir)} at ${server.url}/ (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
    });
  return site;
}
