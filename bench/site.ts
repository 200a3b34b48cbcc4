/**
 * site: how long `clout site build` takes on a data directory, and the bytes a browser downloads to show each
 * page (HTML, stylesheets, modules and the page's data files, uncompressed; see src/site/pages.ts). Score cards
 * are summarised as one row, `/people/*`, with the largest card's bytes.
 *
 *   npx tsx bench/site.ts [--data-dir data] [--people 50]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildSite } from "../src/site/build.ts";

export async function benchSite(opts: { dataDir: string; people?: number }): Promise<{ build_s: number; pages: { page: string; bytes: number }[] }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "clout-bench-site-"));
  try {
    const result = await buildSite({ dataDir: opts.dataDir, out: path.join(out, "dist"), ...(opts.people !== undefined ? { settings: { people: opts.people } } : {}) });
    const cards = result.pages.filter((p) => p.page.startsWith("/people/"));
    const pages = result.pages.filter((p) => !p.page.startsWith("/people/")).map((p) => ({ page: p.page, bytes: p.bytes }));
    if (cards.length) pages.push({ page: "/people/*", bytes: Math.max(...cards.map((c) => c.bytes)) });
    return { build_s: Math.round(result.seconds * 100) / 100, pages };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { "data-dir": { type: "string", default: process.env.CLOUT_DATA_DIR ?? "data" }, people: { type: "string" } } });
  const r = await benchSite({ dataDir: path.resolve(values["data-dir"]!), ...(values.people ? { people: Number(values.people) } : {}) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
