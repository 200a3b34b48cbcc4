import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Rules for data/seeds/topics.csv (see data/seeds/README.md).

const CSV_PATH = fileURLToPath(new URL("../../data/seeds/topics.csv", import.meta.url));

const HEADER = ["topic_id", "slug", "display_name", "parent_slugs", "keywords", "hashtags"];

// Klout's 16 top-level topics (children of _ROOT_ in klout_topic_edge_20180601.csv, without "-super").
const TOP_LEVEL = [
  "arts-and-humanities",
  "food-and-drink",
  "government-and-politics",
  "health-and-wellness",
  "news-and-media",
  "science-and-nature",
  "sports-and-recreation",
  "location",
  "fashion",
  "education",
  "hobbies",
  "entertainment",
  "business",
  "technology",
  "lifestyle",
  "travel-and-tourism",
];

const MAX_DEPTH = 3; // top level = 1
const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KEYWORD_RE = /^[a-z0-9](?:[a-z0-9 '&.+/-]*[a-z0-9+])?$/;
const HASHTAG_RE = /^[a-z0-9]*[a-z][a-z0-9]*$/;

/** Small RFC 4180 parser: comma-separated, fields optionally quoted with "" as an escaped quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

interface Topic {
  id: number;
  slug: string;
  displayName: string;
  parents: string[];
  keywords: string[];
  hashtags: string[];
}

const list = (s: string): string[] => (s === "" ? [] : s.split("|"));

const raw = readFileSync(CSV_PATH, "utf8");
const table = parseCsv(raw);
const header = table[0] ?? [];
const body = table.slice(1);
const topics: Topic[] = body.map((r) => ({
  id: Number(r[0]),
  slug: r[1] ?? "",
  displayName: r[2] ?? "",
  parents: list(r[3] ?? ""),
  keywords: list(r[4] ?? ""),
  hashtags: list(r[5] ?? ""),
}));
const bySlug = new Map(topics.map((t) => [t.slug, t]));
const top = topics.filter((t) => t.parents.length === 0);
const subs = topics.filter((t) => t.parents.length > 0);

/** Duplicates in a list, for readable failure messages. */
function dups(values: Iterable<string | number>): (string | number)[] {
  const seen = new Set<string | number>();
  const out = new Set<string | number>();
  for (const v of values) (seen.has(v) ? out : seen).add(v);
  return [...out];
}

describe("data/seeds/topics.csv", () => {
  it("has the exact header and six fields on every row", () => {
    expect(header).toEqual(HEADER);
    expect(body.length).toBeGreaterThan(0);
    const bad = body.map((r, i) => [i + 2, r.length] as const).filter(([, n]) => n !== HEADER.length);
    expect(bad).toEqual([]);
  });

  it("has Klout's 16 top-level topics with ids 1-16 and no parents", () => {
    expect(top.map((t) => t.slug).sort()).toEqual([...TOP_LEVEL].sort());
    for (const t of top) {
      expect(Number.isInteger(t.id) && t.id >= 1 && t.id <= 16, `${t.slug} id ${t.id}`).toBe(true);
    }
  });

  it("has at least 320 subtopics with ids from 100 and 1-3 distinct parents", () => {
    expect(subs.length).toBeGreaterThanOrEqual(320);
    for (const t of subs) {
      expect(Number.isInteger(t.id) && t.id >= 100, `${t.slug} id ${t.id}`).toBe(true);
      expect(t.parents.length, `${t.slug} parents`).toBeLessThanOrEqual(3);
      expect(dups(t.parents), `${t.slug} repeated parent`).toEqual([]);
      expect(t.parents, `${t.slug} is its own parent`).not.toContain(t.slug);
    }
  });

  it("has unique ids, slugs and display names present", () => {
    expect(dups(topics.map((t) => t.id))).toEqual([]);
    expect(dups(topics.map((t) => t.slug))).toEqual([]);
    for (const t of topics) {
      expect(t.slug, `slug ${JSON.stringify(t.slug)}`).toMatch(SLUG_RE);
      expect(t.displayName.trim(), `${t.slug} display_name`).not.toBe("");
    }
  });

  it("has every parent present", () => {
    const missing = subs.flatMap((t) => t.parents.filter((p) => !bySlug.has(p)).map((p) => `${t.slug} -> ${p}`));
    expect(missing).toEqual([]);
  });

  it("has no cycles and depth at most 3", () => {
    const depth = new Map<string, number>();
    const onStack = new Set<string>();
    const cycles: string[] = [];
    const visit = (slug: string): number => {
      const known = depth.get(slug);
      if (known !== undefined) return known;
      if (onStack.has(slug)) {
        cycles.push(slug);
        return Infinity;
      }
      onStack.add(slug);
      const t = bySlug.get(slug);
      const parents = (t?.parents ?? []).filter((p) => bySlug.has(p));
      const d = parents.length === 0 ? 1 : 1 + Math.max(...parents.map(visit));
      onStack.delete(slug);
      depth.set(slug, d);
      return d;
    };
    for (const t of topics) visit(t.slug);
    expect(cycles).toEqual([]);
    const tooDeep = [...depth].filter(([, d]) => d > MAX_DEPTH).map(([s, d]) => `${s}:${d}`);
    expect(tooDeep).toEqual([]);
    // Some subtopics sit under other subtopics.
    expect([...depth.values()].filter((d) => d === MAX_DEPTH).length).toBeGreaterThan(0);
  });

  it("has at least 40 topics with several parents", () => {
    expect(subs.filter((t) => t.parents.length > 1).length).toBeGreaterThanOrEqual(40);
  });

  it("has well-formed keywords: 3-8 per subtopic, lowercase, no topic shares one", () => {
    const owner = new Map<string, string>();
    const shared: string[] = [];
    for (const t of topics) {
      if (t.parents.length > 0) {
        expect(t.keywords.length, `${t.slug} keyword count`).toBeGreaterThanOrEqual(3);
        expect(t.keywords.length, `${t.slug} keyword count`).toBeLessThanOrEqual(8);
      } else {
        expect(t.keywords.length, `${t.slug} keyword count`).toBeGreaterThan(0);
      }
      expect(dups(t.keywords), `${t.slug} repeated keyword`).toEqual([]);
      for (const k of t.keywords) {
        expect(k, `${t.slug} keyword`).toMatch(KEYWORD_RE);
        expect(k.includes("  "), `${t.slug} keyword ${JSON.stringify(k)}`).toBe(false);
        const prev = owner.get(k);
        if (prev !== undefined && prev !== t.slug) shared.push(`${k}: ${prev}, ${t.slug}`);
        owner.set(k, t.slug);
      }
    }
    expect(shared).toEqual([]);
  });

  it("has well-formed hashtags: 2-5 per subtopic, lowercase letters/digits, none used twice", () => {
    for (const t of topics) {
      if (t.parents.length > 0) {
        expect(t.hashtags.length, `${t.slug} hashtag count`).toBeGreaterThanOrEqual(2);
        expect(t.hashtags.length, `${t.slug} hashtag count`).toBeLessThanOrEqual(5);
      } else {
        expect(t.hashtags.length, `${t.slug} hashtag count`).toBeGreaterThan(0);
      }
      for (const h of t.hashtags) expect(h, `${t.slug} hashtag`).toMatch(HASHTAG_RE);
    }
    expect(dups(topics.flatMap((t) => t.hashtags))).toEqual([]);
  });
});
