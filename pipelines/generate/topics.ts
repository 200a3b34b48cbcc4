import fs from "node:fs";
import path from "node:path";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { UserError, quote } from "../../src/lib/errors.ts";

/**
 * The topic taxonomy the world draws interests from: data/seeds/topics.csv, columns
 * `topic_id,slug,display_name,parent_slugs,keywords,hashtags`, lists `|`-separated. Top-level topics have
 * no parents; a topic's community is everything under its top-level ancestor.
 */
export interface Topic {
  id: string;
  slug: string;
  name: string;
  /** Indices of the parents in the topic list. */
  parents: number[];
  keywords: string[];
  /** Hashtags without `#`, only letters, digits and `_` (what every network's hashtag parser reads). */
  hashtags: string[];
  /** Index of the top-level ancestor (itself for a top-level topic), following first parents. */
  root: number;
}

export const DEFAULT_TOPICS_FILE = path.join(INSTALL_DIR, "data", "seeds", "topics.csv");

/** Split one CSV line (RFC 4180 quoting; the taxonomy has no line breaks inside cells). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const list = (cell: string | undefined) =>
  (cell ?? "")
    .split("|")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** Parse the taxonomy CSV text. `source` names the file in error messages. */
export function parseTopics(text: string, source = "topics.csv"): Topic[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new UserError(`topic taxonomy ${quote(source)} has no topics`, "expected a header and one line per topic");
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new UserError(`topic taxonomy ${quote(source)} has no column ${quote(name)}`, "columns: topic_id,slug,display_name,parent_slugs,keywords,hashtags");
    return i;
  };
  const [iId, iSlug, iName, iParents, iKeywords, iTags] = ["topic_id", "slug", "display_name", "parent_slugs", "keywords", "hashtags"].map(col) as [number, number, number, number, number, number];
  const rows = lines.slice(1).map(splitCsvLine);
  const bySlug = new Map<string, number>();
  rows.forEach((r, i) => {
    const slug = (r[iSlug] ?? "").trim();
    if (slug !== "" && !bySlug.has(slug)) bySlug.set(slug, i);
  });
  const topics: Topic[] = rows.map((r, i) => {
    const slug = (r[iSlug] ?? "").trim();
    const name = (r[iName] ?? "").trim() || slug;
    const keywords = list(r[iKeywords]);
    const hashtags = list(r[iTags])
      .map((t) => t.replace(/^#/, "").replace(/[^\p{L}\p{N}_]/gu, ""))
      .filter((t) => t !== "" && !/^\d+$/.test(t));
    return {
      id: (r[iId] ?? "").trim() || slug,
      slug,
      name,
      parents: list(r[iParents])
        .map((p) => bySlug.get(p))
        .filter((p): p is number => p !== undefined && p !== i),
      keywords: keywords.length > 0 ? keywords : [name.toLowerCase()],
      hashtags: hashtags.length > 0 ? hashtags : [slug.replace(/[^\p{L}\p{N}_]/gu, "")].filter((t) => t !== ""),
      root: i,
    };
  });
  for (let i = 0; i < topics.length; i++) {
    // Follow first parents up to a top-level topic; a cycle (bad data) stops where it closes.
    let t = i;
    const seen = new Set<number>([t]);
    while (topics[t]!.parents.length > 0 && !seen.has(topics[t]!.parents[0]!)) {
      t = topics[t]!.parents[0]!;
      seen.add(t);
    }
    topics[i]!.root = t;
  }
  if (topics.length > 65535) throw new UserError(`topic taxonomy ${quote(source)} has ${topics.length} topics`, "at most 65,535 are supported");
  return topics;
}

/** Read the taxonomy file; a missing file is a person's mistake with a hint. */
export function loadTopics(file = DEFAULT_TOPICS_FILE): Topic[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read the topic taxonomy ${quote(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "pass --topics FILE, or restore data/seeds/topics.csv", { cause: err });
  }
  return parseTopics(text, file);
}
