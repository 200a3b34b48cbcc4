import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UserError, quote } from "../lib/errors.ts";
import { acquireLock } from "../lib/lock.ts";
import { newRunId } from "../lib/runid.ts";
import { INSTALL_DIR } from "../lib/paths.ts";
import { writeCards } from "./cards.ts";
import { sitePages, type PageBytes } from "./pages.ts";
import { siteSettings, type SiteSettings } from "./settings.ts";
import { vendorNpm } from "./vendor.ts";

/**
 * `clout site build`: the dashboards as a static site, with no network.
 *
 *   1. clear Framework's cache (`reports/.observablehq/cache`) except the vendored `_npm`: Framework reruns a
 *      data loader only when its cached output is missing, never because the data changed;
 *   2. vendor the browser libraries from node_modules into `_npm` (./vendor.ts);
 *   3. compute the top people's score cards in one pass (./cards.ts);
 *   4. run `observable build` in the installation with the data directory and the knobs in the environment;
 *      a data loader that fails exits non-zero and so does the build.
 */
export interface SiteBuildOptions {
  /** The data root whose `published/` the site shows. */
  dataDir: string;
  /** Output directory (default `<install>/dist`). */
  out?: string;
  /** Overrides of CLOUT_SITE_* (see ./settings.ts). */
  settings?: Partial<SiteSettings>;
  /** Lines of Framework's output, as they come (default: none). */
  log?: (line: string) => void;
}

export interface SiteBuildResult {
  out: string;
  seconds: number;
  pages: PageBytes[];
  /** Total bytes under the output directory. */
  bytes: number;
  /** Framework's "broken link" lines, if any (it warns and still succeeds). */
  brokenLinks: string[];
}

export const SITE_ROOT = path.join(INSTALL_DIR, "reports");
export const DEFAULT_OUT = path.join(INSTALL_DIR, "dist");
const OBSERVABLE = path.join(INSTALL_DIR, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");

/** Everything in the cache but the vendored libraries (and the build lock) goes: loader and page loader outputs. */
export function clearCache(root: string = SITE_ROOT): void {
  const cache = path.join(root, ".observablehq", "cache");
  if (!fs.existsSync(cache)) return;
  for (const entry of fs.readdirSync(cache)) {
    if (entry !== "_npm" && entry !== "clout.lock") fs.rmSync(path.join(cache, entry), { recursive: true, force: true });
  }
}

/** Empty the output directory, refusing anything that is not a previous build or an empty folder. */
function prepareOut(out: string): void {
  const forbidden = [INSTALL_DIR, SITE_ROOT, path.parse(out).root, process.env.HOME ?? ""].filter(Boolean).map((p) => path.resolve(p));
  if (forbidden.includes(out) || INSTALL_DIR.startsWith(`${out}${path.sep}`)) {
    throw new UserError(`refusing to build the site into ${quote(out)}: it would replace that folder`, "choose an empty folder, e.g. --out dist");
  }
  if (!fs.existsSync(out)) return;
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !entries.includes("_observablehq")) {
    throw new UserError(`refusing to build the site into ${quote(out)}: it holds files that are not a built site`, "choose an empty folder or remove it first");
  }
  fs.rmSync(out, { recursive: true, force: true });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

export async function buildSite(opts: SiteBuildOptions): Promise<SiteBuildResult> {
  const t0 = Date.now();
  const dataDir = path.resolve(opts.dataDir);
  const out = path.resolve(opts.out ?? DEFAULT_OUT);
  if (!fs.existsSync(path.join(dataDir, "published"))) {
    throw new UserError(`nothing published in ${quote(dataDir)} yet`, "run `clout nightly` (or `npm run demo`) first, then `clout site build`");
  }
  const settings = { ...siteSettings(), ...opts.settings };
  // one build at a time: two would clear each other's cache (the lock lives in the gitignored cache folder)
  const lock = acquireLock(path.join(SITE_ROOT, ".observablehq", "cache"), "site build", newRunId());
  try {
    clearCache(SITE_ROOT);
    await vendorNpm(SITE_ROOT);
    prepareOut(out);
    const cardsDir = path.join(SITE_ROOT, ".observablehq", "cache", "clout-cards");
    try {
      await writeCards(dataDir, cardsDir, settings.people);
    } catch (err) {
      throw new UserError(`the site build failed computing the score cards: ${(err as Error).message}`, "check the published data (`clout status`), or build without cards: --people 0");
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLOUT_DATA_DIR: dataDir,
      CLOUT_SITE_OUT: out,
      CLOUT_SITE_PEOPLE: String(settings.people),
      CLOUT_SITE_SEARCH_LIMIT: String(settings.searchLimit),
      CLOUT_SITE_FIND_LIMIT: String(settings.findLimit),
      CLOUT_SITE_TOPIC_LEADERS: String(settings.topicLeaders),
      CLOUT_SITE_CARDS_DIR: cardsDir,
      // Framework's telemetry would try the network at the end of a build
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    const lines: string[] = [];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [OBSERVABLE, "build"], { cwd: INSTALL_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split(/\r?\n/)) {
          // eslint-disable-next-line no-control-regex
          const clean = line.replace(/\x1b\[[0-9;]*m/g, "");
          if (!clean.trim()) continue;
          lines.push(clean);
          opts.log?.(clean);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      const reason = lines.filter((l) => /error|failed|ENOTFOUND|unable to/i.test(l)).slice(-8);
      throw new UserError(
        `the site build failed (observable build exited ${code})${reason.length ? `:\n  ${reason.join("\n  ")}` : ""}`,
        "a data loader or a page failed: the lines above name it; `clout site build` prints Framework's whole output with --verbose",
      );
    }
    if (!fs.existsSync(path.join(out, "index.html"))) throw new UserError(`the site build wrote no ${path.join(out, "index.html")}`, "rerun with --verbose");
    const brokenLinks = lines.filter((l) => /broken link/i.test(l) || l.startsWith("↳"));
    return { out, seconds: (Date.now() - t0) / 1000, pages: sitePages(out), bytes: dirBytes(out), brokenLinks };
  } finally {
    lock.release();
  }
}
