import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Catalog, CatalogModel } from "../../src/runner/catalog.ts";
import { lineage } from "../../src/site/loaders/lineage.ts";
import { jsonToMarkdown, methodologyPage } from "../../src/site/loaders/methodology.ts";
import { pageAssets, sitePages } from "../../src/site/pages.ts";
import { serveStatic } from "../../src/site/serve.ts";
import { siteSettings, SITE_DEFAULTS } from "../../src/site/settings.ts";
import { personFromSlug, personSlug } from "../../src/site/slug.ts";
import { UNUSED, VENDORED, vendorNpm } from "../../src/site/vendor.ts";
import { tempDir } from "../helpers/warehouse.ts";

describe("person slugs", () => {
  it("keep plain ids and round-trip every id", () => {
    expect(personSlug("p2575")).toBe("p2575");
    for (const id of ["p2575", "tiktok:lopez_w_144", "bluesky:did:plc:aaaabv3f3umpnb2d3wcgj5tq", "mastodon:https://x.social/@ana", "José Ñ/ü", "a_5fb"]) {
      const slug = personSlug(id);
      expect(slug).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(personFromSlug(slug)).toBe(id);
    }
  });

  it("refuse what personSlug cannot make", () => {
    expect(() => personFromSlug("../etc")).toThrow(/not a slug/);
    expect(() => personFromSlug("a_zz")).toThrow(/not a slug/);
    expect(() => personFromSlug("")).toThrow(/not a slug/);
  });
});

describe("site settings", () => {
  it("default, read the environment, and refuse junk", () => {
    expect(siteSettings({})).toEqual(SITE_DEFAULTS);
    expect(siteSettings({ CLOUT_SITE_PEOPLE: "7", CLOUT_SITE_SEARCH_LIMIT: "100" })).toMatchObject({ people: 7, searchLimit: 100 });
    expect(() => siteSettings({ CLOUT_SITE_PEOPLE: "ten" })).toThrow(/CLOUT_SITE_PEOPLE: "ten" is not a whole number/);
  });
});

function model(name: string, layer: string, depends_on: string[] = [], sources: string[] = []): CatalogModel {
  return { name, layer, schema: layer, materialized: layer === "staging" ? "view" : "table", date_column: null, file: `sql/${layer}/${name}.sql`, description: `${name} model.`, depends_on, sources, columns: [], tests: ["t1"], built: true };
}

describe("the lineage layout", () => {
  const catalog: Catalog = {
    generated_at: "2026-11-24T00:00:00Z",
    layers: ["staging", "intermediate", "marts"],
    models: [
      model("stg_twitter__tweets", "staging", [], ["raw.twitter__tweets", "raw.twitter__users"]),
      model("stg_twitter__likes", "staging", [], ["raw.twitter__likes"]),
      model("stg_reddit__comments", "staging", [], ["raw.reddit__comments"]),
      model("int_params", "intermediate"),
      model("int_content_unioned", "intermediate", ["stg_twitter__tweets", "stg_reddit__comments"]),
      model("int_interactions_unioned", "intermediate", ["stg_twitter__likes", "int_content_unioned"]),
      model("int_topics", "intermediate", ["int_content_unioned"], ["topics.taxonomy"]),
      ...["a", "b", "c", "d", "e", "f"].map((x) => model(`int_${x}`, "intermediate", ["int_params", "int_interactions_unioned"])),
      model("fct_person_scores", "marts", ["int_a", "int_b", "int_params"]),
      model("fct_score_explanations", "marts", ["fct_person_scores"]),
    ],
  };
  const g = lineage(catalog);
  const node = (id: string) => g.nodes.find((n) => n.id === id)!;

  it("groups exports and staging by network and keeps every model of the later layers", () => {
    expect(g.nodes.filter((n) => n.layer === "exports").map((n) => n.label).sort()).toEqual(["reddit", "taxonomy", "twitter"]);
    expect(node("staging:twitter").models).toEqual(["stg_twitter__tweets", "stg_twitter__likes"]);
    expect(node("exports:twitter").models).toHaveLength(3);
    expect(g.edges).toContainEqual({ from: "exports:twitter", to: "staging:twitter", faint: false });
    expect(g.edges).toContainEqual({ from: "staging:twitter", to: "model:int_content_unioned", faint: false });
    expect(g.edges).toContainEqual({ from: "exports:topics", to: "model:int_topics", faint: false });
    // one edge per pair of nodes, however many models inside
    expect(g.edges.filter((e) => e.from === "staging:twitter" && e.to === "model:int_interactions_unioned")).toHaveLength(1);
    // the parameters feed 7 models: their edges are drawn faint
    expect(g.edges.filter((e) => e.from === "model:int_params").every((e) => e.faint)).toBe(true);
    expect(g.counts).toEqual({ models: 15, staging: 3, intermediate: 10, marts: 2, tests: 15 });
  });

  it("flows downward in layers, with no two nodes of a row overlapping", () => {
    expect(node("exports:twitter").y).toBeLessThan(node("staging:twitter").y);
    expect(node("staging:twitter").x).toBe(node("exports:twitter").x);
    expect(node("model:int_content_unioned").y).toBeLessThan(node("model:int_interactions_unioned").y);
    expect(node("model:int_a").y).toBeLessThan(node("model:fct_person_scores").y);
    expect(node("model:fct_person_scores").y).toBeLessThan(node("model:fct_score_explanations").y);
    const rows = new Map<number, typeof g.nodes>();
    for (const n of g.nodes) rows.set(n.y, [...(rows.get(n.y) ?? []), n]);
    for (const row of rows.values()) {
      const sorted = [...row].sort((a, b) => a.x - b.x);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.x - sorted[i - 1]!.x).toBeGreaterThanOrEqual((sorted[i]!.w + sorted[i - 1]!.w) / 2);
      for (const n of row) {
        expect(n.x - n.w / 2).toBeGreaterThanOrEqual(0);
        expect(n.x + n.w / 2).toBeLessThanOrEqual(g.layout.width);
      }
    }
  });
});

describe("the methodology page", () => {
  it("renders any evaluation JSON as tables", () => {
    const md = jsonToMarkdown({ spearman_latent: 0.8123, bots: { median_rank_pct: 12.5 }, runs: [{ world: "generated", n: 3000 }] });
    expect(md).toContain("| spearman latent | 0.812 |");
    expect(md).toContain("### bots");
    expect(md).toContain("| world | n |");
    expect(md).toContain("| generated | 3,000 |");
  });

  it("says clearly when there are no evaluation results, and shows them when there are", async () => {
    const dataDir = tempDir("clout-site-method-");
    const without = await methodologyPage(undefined, dataDir);
    expect(without).toMatch(/^---\ntitle: Methodology/);
    expect(without).toContain("No evaluation results yet");
    expect(without).toContain("## 5. A network's subscore");
    expect(without).not.toContain("<!-- evaluate:begin -->");
    fs.mkdirSync(path.join(dataDir, "artifacts"));
    fs.writeFileSync(path.join(dataDir, "artifacts", "evaluation.json"), JSON.stringify({ spearman_latent: 0.71 }));
    const withResults = await methodologyPage(undefined, dataDir);
    expect(withResults).not.toContain("No evaluation results yet");
    expect(withResults).toContain("| spearman latent | 0.710 |");
  });
});

describe("a built site's pages", () => {
  it("count the HTML, what it preloads and the data files it registers", () => {
    const out = tempDir("clout-site-pages-");
    fs.mkdirSync(path.join(out, "_npm"), { recursive: true });
    fs.mkdirSync(path.join(out, "_file", "data"), { recursive: true });
    fs.mkdirSync(path.join(out, "people"));
    fs.writeFileSync(path.join(out, "_npm", "plot.js"), "x".repeat(1000));
    fs.writeFileSync(path.join(out, "_file", "data", "o.json"), "y".repeat(200));
    const html = `<link rel="modulepreload" href="./_npm/plot.js"><script type="module">registerFile("./data/o.json", {"name":"./data/o.json","path":"./_file/data/o.json"});</script>`;
    fs.writeFileSync(path.join(out, "index.html"), html);
    fs.writeFileSync(path.join(out, "people", "p1.html"), html.replace(/\.\/_/g, "../_"));
    fs.writeFileSync(path.join(out, "404.html"), "nope");
    expect(pageAssets(out, "index.html").sort()).toEqual(["_file/data/o.json", "_npm/plot.js", "index.html"]);
    expect(sitePages(out)).toEqual([
      { page: "/", bytes: html.length + 1200, files: 3 },
      { page: "/people/p1", bytes: html.length + 2 + 1200, files: 3 },
    ]);
  });
});

describe("the preview server", () => {
  it("serves clean URLs on 127.0.0.1 and nothing outside the site", async () => {
    const dir = tempDir("clout-site-serve-");
    fs.writeFileSync(path.join(dir, "index.html"), "<h1>home</h1>");
    fs.writeFileSync(path.join(dir, "topics.html"), "<h1>topics</h1>");
    fs.writeFileSync(path.join(dir, "404.html"), "<h1>lost</h1>");
    fs.writeFileSync(path.join(path.dirname(dir), "secret.txt"), "secret");
    const server = await serveStatic(dir);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get("content-type")).toMatch(/text\/html/);
      expect(await (await fetch(`${server.url}/topics`)).text()).toBe("<h1>topics</h1>");
      const missing = await fetch(`${server.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe("<h1>lost</h1>");
      for (const escape of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"]) {
        expect((await fetch(`${server.url}${escape}`)).status).toBe(404);
      }
      expect((await fetch(`${server.url}/`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe("vendoring the browser libraries", () => {
  it("writes one bundle per library under its installed version, once", async () => {
    const root = tempDir("clout-site-vendor-");
    const first = await vendorNpm(root);
    expect(first.rebuilt).toBe(true);
    expect(first.packages.map((p) => p.name)).toEqual([...VENDORED]);
    for (const p of first.packages) {
      const file = path.join(first.dir, `${p.name}@${p.version}`, "_esm.js");
      expect(fs.statSync(file).size).toBeGreaterThan(200);
      // self-contained: no bare imports left for Framework to chase on the network
      expect(fs.readFileSync(file, "utf8")).not.toMatch(/\bfrom\s*["'][^./]/);
    }
    for (const name of UNUSED) expect(fs.existsSync(path.join(first.dir, `${name}@0.0.0-unused`))).toBe(true);
    expect((await vendorNpm(root)).rebuilt).toBe(false);
  }, 60_000);
});

describe("the publishMeta proposal", () => {
  it("writes the meta tables the Pipeline health loader reads from a publish", async () => {
    const { memoryWarehouse } = await import("../helpers/warehouse.ts");
    const { publishMeta } = await import("../../src/site/publish-meta.ts");
    const { META_TABLES } = await import("../../src/site/loaders/pipeline.ts");
    const wh = await memoryWarehouse();
    try {
      await wh.run("insert into meta.runs values ('r1', 'nightly', 'success', '2026-11-24 01:00:00+00', '2026-11-24 01:00:09+00', '2026-11-23', null, null)");
      await wh.run("insert into meta.run_stages values ('r1', 'build', 'success', '2026-11-24 01:00:01+00', 3.5, null)");
      const snapshot = tempDir("clout-site-meta-");
      const written = await publishMeta(wh, snapshot);
      expect(written.map((w) => w.table)).toEqual([...META_TABLES]);
      expect(written.find((w) => w.table === "runs")?.rows).toBe(1);
      for (const t of META_TABLES) expect(fs.existsSync(path.join(snapshot, "meta", `${t}.parquet`))).toBe(true);
    } finally {
      wh.close();
    }
  });
});
