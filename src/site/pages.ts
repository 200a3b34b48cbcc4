import fs from "node:fs";
import path from "node:path";

/**
 * The pages of a built site and the bytes a browser downloads to show each (uncompressed): the HTML, the
 * stylesheets and modules it links or preloads (Framework preloads every static import), and the data files the
 * page registers (`registerFile(…)`, fetched when the page reads them). A static reckoning from dist/, so the
 * benchmark needs no browser; the site test checks it against what Chromium really fetched.
 */
export interface PageBytes {
  page: string;
  bytes: number;
  files: number;
}

const SKIP = new Set(["_observablehq", "_npm", "_file", "_import", "_node", "_jsr"]);

function htmlFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.posix.join(rel, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) out.push(...htmlFiles(dir, r));
    } else if (e.name.endsWith(".html") && e.name !== "404.html") out.push(r);
  }
  return out;
}

/** The site paths (`/`, `/leaderboards`, `/people/p1`…) and their files, sorted. */
export function sitePageFiles(out: string): { page: string; file: string }[] {
  return htmlFiles(out)
    .map((file) => ({ page: `/${file.replace(/(^|\/)index\.html$/, "$1").replace(/\.html$/, "")}`.replace(/\/$/, "") || "/", file }))
    .sort((a, b) => a.page.localeCompare(b.page));
}

/** The site-relative files one page downloads (HTML included). */
export function pageAssets(out: string, file: string): string[] {
  const html = fs.readFileSync(path.join(out, file), "utf8");
  const dir = path.posix.dirname(file);
  const refs = new Set<string>([file]);
  const add = (href: string) => {
    if (/^[a-z]+:/i.test(href) || href.startsWith("#")) return;
    const clean = href.split(/[?#]/)[0]!;
    const resolved = clean.startsWith("/") ? clean.slice(1) : path.posix.normalize(path.posix.join(dir, clean));
    if (fs.existsSync(path.join(out, resolved)) && fs.statSync(path.join(out, resolved)).isFile()) refs.add(resolved);
  };
  for (const m of html.matchAll(/<link\b[^>]*\brel="(?:modulepreload|stylesheet|preload)"[^>]*\bhref="([^"]+)"/g)) add(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:modulepreload|stylesheet|preload)"/g)) add(m[1]!);
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) add(m[1]!);
  for (const m of html.matchAll(/\bimport\s*(?:[^"'()]*?from\s*)?["']([^"']+)["']/g)) add(m[1]!);
  for (const m of html.matchAll(/registerFile\(\s*"[^"]*"\s*,\s*(\{[^}]*\})/g)) {
    const p = /"path"\s*:\s*"([^"]+)"/.exec(m[1]!)?.[1];
    if (p) add(p);
  }
  return [...refs];
}

export function sitePages(out: string): PageBytes[] {
  return sitePageFiles(out).map(({ page, file }) => {
    const assets = pageAssets(out, file);
    return { page, bytes: assets.reduce((s, a) => s + fs.statSync(path.join(out, a)).size, 0), files: assets.length };
  });
}
