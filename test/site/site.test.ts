import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { buildSite } from "../../src/site/build.ts";
import { Published } from "../../src/site/published.ts";
import { serveStatic, type StaticServer } from "../../src/site/serve.ts";
import { sitePages } from "../../src/site/pages.ts";
import { tempDir } from "../helpers/warehouse.ts";
import { siteWorld } from "./world.ts";

/**
 * The site as a person sees it: a generated world, the site built with the network cut (`unshare -n`), served
 * on 127.0.0.1 and read by a real Chromium. Every page must load with no console error, no failed request and
 * no request leaving the machine; the key numbers must equal the published marts; search must find a person.
 * Screenshots of every page land in test-artifacts/site/.
 */
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SHOTS = path.join(INSTALL_DIR, "test-artifacts", "site");
const CARDS = 5;
const hasChromium = fs.existsSync(CHROMIUM);
const inCI = process.env.CI === "true" || process.env.CI === "1";
const run = promisify(execFile);

function canCutNetwork(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    return fs.existsSync("/usr/bin/unshare") || fs.existsSync("/bin/unshare");
  } catch {
    return false;
  }
}

const en = (x: number, digits = 0) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

describe("the published site", () => {
  let dataDir: string;
  let out: string;
  let buildLog = "";
  let server: StaticServer;
  let truth: { scoreDate: string; peopleScored: number; top: { person_id: string; name: string; score: number }; above40: number; someone: { person_id: string; name: string } };

  beforeAll(async () => {
    const ctx = await siteWorld();
    dataDir = ctx.layout.root;
    out = path.join(tempDir("clout-site-"), "dist");
    const cmd = [process.execPath, "--import", "tsx", path.join(INSTALL_DIR, "test/site/clout-site.ts"), "--data-dir", dataDir, "site", "build", "--out", out, "--people", String(CARDS), "--verbose"];
    const cut = canCutNetwork();
    if (!cut) console.warn("site test: not root or no unshare: building the site WITHOUT cutting the network");
    const { stdout, stderr } = await run(cut ? "unshare" : cmd[0]!, cut ? ["-n", ...cmd] : cmd.slice(1), { cwd: INSTALL_DIR, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: "true" } });
    buildLog = stdout + stderr;
    const p = await Published.open(dataDir);
    try {
      const scoreDate = await p.scoreDate();
      // the find page filters on scores as shown (one decimal): its default is 40 and above
      const [n] = await p.all<{ n: number; above40: number }>("select count(*)::bigint as n, count(*) filter (where round(score, 1) >= 40)::bigint as above40 from fct_person_scores where score_date = $1::date", [scoreDate]);
      const [top] = await p.all<{ person_id: string; name: string; score: number }>(
        `select s.person_id, coalesce(pe.display_name, s.person_id) as name, s.score from fct_person_scores s left join dim_people pe using (person_id)
         where score_date = $1::date order by score desc, person_id limit 1`,
        [scoreDate],
      );
      // someone in the search index (score above 1) without a card: ranked well below the cards
      const [someone] = await p.all<{ person_id: string; name: string }>(
        `select s.person_id, pe.display_name as name from fct_person_scores s join dim_people pe using (person_id)
         where score_date = $1::date and score > 1 and pe.display_name is not null order by score desc, person_id limit 1 offset 20`,
        [scoreDate],
      );
      truth = { scoreDate, peopleScored: n!.n, above40: n!.above40, top: top!, someone: someone! };
    } finally {
      p.close();
    }
    server = await serveStatic(out);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  it("builds offline into a small site with every page and the top people's score cards", () => {
    expect(buildLog).not.toMatch(/ENOTFOUND|unable to fetch|broken link/i);
    const pages = sitePages(out).map((p) => p.page);
    for (const page of ["/", "/leaderboards", "/search", "/topics", "/find", "/methodology", "/pipeline", "/lineage"]) expect(pages).toContain(page);
    expect(pages.filter((p) => p.startsWith("/people/"))).toHaveLength(CARDS);
    // no DuckDB-Wasm: the site runs no SQL in the browser
    expect(fs.existsSync(path.join(out, "_npm", "@duckdb"))).toBe(false);
  });

  it("fails the build when a data loader fails", async () => {
    const broken = tempDir("clout-site-broken-");
    fs.cpSync(fs.realpathSync(path.join(dataDir, "published")), path.join(broken, "published"), { recursive: true });
    fs.rmSync(path.join(broken, "published", "dim_people.parquet"));
    await expect(buildSite({ dataDir: broken, out: path.join(broken, "dist"), settings: { people: 0 } })).rejects.toThrow(/site build failed[\s\S]*dim_people\.parquet is missing/);
  }, 120_000);

  describe.runIf(inCI && !hasChromium)("without Chromium in CI", () => {
    it("needs Chromium", () => {
      throw new Error(`the site test needs ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`);
    });
  });

  if (!hasChromium && !inCI) console.warn(`site test: ${CHROMIUM} is missing, so the browser checks are SKIPPED (apt-get install chromium)`);

  describe.runIf(hasChromium)("in Chromium", () => {
    let browser: Browser;
    let page: Page;
    const offMachine: string[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      // nothing may leave the machine: record and refuse every request not to our server
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.url}/`) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
        offMachine.push(url);
        return route.abort();
      });
      page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`failed request ${r.url()}: ${r.failure()?.errorText}`));
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
      });
      fs.mkdirSync(SHOTS, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    async function visit(route: string, shot: string): Promise<void> {
      problems.length = 0;
      await page.goto(`${server.url}${route}`, { waitUntil: "networkidle" });
      await page.waitForFunction('!document.querySelector("observablehq-loading")', null, { timeout: 15_000 });
      const cellErrors = await page.$$eval(".observablehq--error", (els) => els.map((e) => e.textContent ?? ""));
      await page.screenshot({ path: path.join(SHOTS, `${shot}.png`), fullPage: true });
      expect(cellErrors, `cells in error on ${route}`).toEqual([]);
      expect(problems, `problems on ${route}`).toEqual([]);
      expect(offMachine, "requests off the machine").toEqual([]);
    }

    it("shows every page without an error, fetching nothing from elsewhere", async () => {
      for (const [route, shot] of [
        ["/", "overview"],
        ["/leaderboards", "leaderboards"],
        ["/topics", "topics"],
        ["/find", "find-influencers"],
        ["/methodology", "methodology"],
        ["/pipeline", "pipeline-health"],
        ["/lineage", "lineage"],
        ["/search", "search"],
      ] as const) {
        await visit(route, shot);
      }
    }, 120_000);

    it("shows the marts' numbers: people scored, the top person, their score card", async () => {
      await visit("/", "overview");
      expect(await page.textContent("#people-scored")).toBe(en(truth.peopleScored));
      await visit("/leaderboards", "leaderboards");
      const first = await page.textContent("#overall tbody tr:first-child");
      expect(first).toContain(truth.top.name);
      expect(first).toContain(en(truth.top.score, 1));
      await page.click(`#overall tbody tr:first-child a`);
      await page.waitForURL(/\/people\//);
      await page.waitForLoadState("networkidle");
      await visit(new URL(page.url()).pathname, "score-card");
      expect(await page.textContent("#person-score")).toBe(en(truth.top.score, 1));
      expect(await page.textContent("h1")).toBe(truth.top.name);
    }, 60_000);

    it("finds a person by name, and anyone by id from a link", async () => {
      await visit("/search", "search");
      await page.fill("input[type=text]", truth.someone.name);
      await page.waitForSelector("#search-results");
      expect(await page.textContent("#search-results")).toContain(truth.someone.person_id);
      await page.screenshot({ path: path.join(SHOTS, "search-results.png"), fullPage: true });
      await visit(`/search?q=${encodeURIComponent(truth.someone.person_id)}`, "search-by-id");
      expect(await page.textContent("#search-count")).toMatch(/^1 person matches/);
    }, 60_000);

    it("lists influencers for a brand and downloads them as CSV", async () => {
      await visit("/find", "find-influencers");
      expect(await page.textContent("#find-count")).toBe(en(truth.above40));
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv-download")]);
      const csv = fs.readFileSync((await download.path())!, "utf8").trimEnd().split("\n");
      expect(csv[0]).toMatch(/^person_id,name,handle,score/);
      expect(csv).toHaveLength(truth.above40 + 1);
    }, 60_000);
  });
});
