import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadTopicSources } from "../../pipelines/topics.ts";
import type { Row, Warehouse } from "../../src/lib/warehouse.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { cacheDefinition } from "../../src/runner/build.ts";
import { loadProject } from "../../src/runner/project.ts";
import { memoryWarehouse, modelSql, tempDir } from "../helpers/warehouse.ts";

// Logic tests of the topic models on tiny fixtures: the upstream tables the models read are created by
// hand, each model's SQL file runs as it is, and its result is materialised for the models downstream.

const RUN_DATE = "2026-11-24";
// 2026-11-25 00:00 UTC (the window's end) minus 30 days: content or engagement of that instant has decay 0.5
const HALF_LIFE_AGO = "2026-10-26 00:00:00+00";

// arts and tech are top level; photography has two parents in two areas; street-photography has two
// parents (photography, art) that share the ancestor arts.
const SEED = `topic_id,slug,display_name,parent_slugs,keywords,hashtags
1,arts,Arts,,the arts,arts
2,tech,Technology,,technology,tech
3,sports,Sports,,game day,sports
100,art,Art,arts,art|street art,art|artwork
101,photography,Photography,arts|tech,photographer|long exposure,photooftheday
102,street-photography,Street Photography,photography|art,street photography,streetphoto
103,gadgets,Gadgets,tech,smartphone,gadgets
`;

const MODELS = {
  int_topic_closure: "sql/intermediate/topics/int_topic_closure.sql",
  int_window_days: "sql/intermediate/scoring/int_window_days.sql",
  int_text_topic_matches: "sql/intermediate/topics/int_text_topic_matches.sql",
  int_content_topics: "sql/intermediate/topics/int_content_topics.sql",
  int_content_topics_rolled_up: "sql/intermediate/topics/int_content_topics_rolled_up.sql",
  dim_topics: "sql/marts/topics/dim_topics.sql",
  int_content_engagement: "sql/intermediate/scoring/int_content_engagement.sql",
  fct_topic_affinity: "sql/marts/topics/fct_topic_affinity.sql",
  fct_topic_trends: "sql/marts/topics/fct_topic_trends.sql",
} as const;

/** The columns the cache model declares, as the runner creates its empty table on a first run. */
const cacheColumns = cacheDefinition(loadProject(INSTALL_DIR).models.get("int_text_topic_matches")!)
  .columns.map(([n, t]) => `${n} ${t}`)
  .join(", ");

/** Empty topic matching's cache, as the runner does on a first run. */
async function emptyCache(wh: Warehouse): Promise<void> {
  await wh.run(`create or replace table intermediate.int_text_topic_matches (${cacheColumns})`);
}

/**
 * Run a model's SQL as it is; keep its result as the table downstream models read. int_content_topics runs the
 * cache model first (reading the cache's previous rows).
 */
async function runModel(wh: Warehouse, name: keyof typeof MODELS): Promise<Row[]> {
  if (name === "int_content_topics") await runModel(wh, "int_text_topic_matches");
  const sql = modelSql(MODELS[name]);
  const schema = MODELS[name].split("/")[1]!;
  await wh.run(`create or replace table ${schema}.${name} as ${sql}`);
  return wh.all(`from ${schema}.${name}`);
}

/** Content rows: [network, content_id, account_id, created_at, text, hashtags, topic_hints]. */
type ContentRow = [string, string, string | null, string, string | null, string[], string[]];

/**
 * Content as int_content_unioned holds it. The fingerprint here is DuckDB's 64-bit hash of the three matched
 * columns, not the model's md5: the topic models need only that equal inputs give equal fingerprints.
 */
async function insertContent(wh: Warehouse, content: ContentRow[]): Promise<void> {
  for (const [network, id, account, at, text, tags, hints] of content) {
    await wh.run(
      `insert into intermediate.int_content_unioned
       select $1, $2, $3, $4::timestamptz, 'post', $5, h, t, hash($5, h, t)::uhugeint from (select $6::json::varchar[] as h, $7::json::varchar[] as t)`,
      [network, id, account, at, text, JSON.stringify(tags), JSON.stringify(hints)],
    );
  }
}

async function setUpstream(wh: Warehouse, content: ContentRow[], engagements: [string, string, string, string, string, number, number][], scores: [string, number][]) {
  const people = new Set<string>();
  await wh.run(`
    create or replace table intermediate.int_content_unioned (network varchar, content_id varchar, account_id varchar, created_at timestamptz,
      content_type varchar, text varchar, hashtags varchar[], topic_hints varchar[], text_fingerprint uhugeint);
    create or replace table intermediate.int_accounts_resolved (network varchar, account_id varchar, person_id varchar);
    create or replace table intermediate.int_engagements_weighted (network varchar, interaction_id varchar, target_content_id varchar,
      target_account_id varchar, target_person_id varchar, actor_person_id varchar, occurred_at timestamptz, weight double, decay double);
    create or replace table marts.fct_person_scores (score_date date, person_id varchar, score double);
    create or replace view intermediate.int_model_parameters as
      select 90 as window_days, 30.0 as half_life_days, 3.0 as topic_engaged_weight, 1.0 as topic_post_weight, 1.0 as saturation_weight;
  `);
  await runModel(wh, "int_window_days");
  await emptyCache(wh);
  await insertContent(wh, content);
  for (const [network, , account] of content) if (account) people.add(`${network}|${account}`);
  for (const p of people) {
    const [network, account] = p.split("|") as [string, string];
    await wh.run("insert into intermediate.int_accounts_resolved values ($1, $2, $3)", [network, account, `${network}:${account}`]);
  }
  for (const [i, [network, target, targetPerson, actorPerson, at, weight, decay]] of engagements.entries()) {
    // the engaged account is the one behind the target person ("twitter:a" is account a of twitter)
    const targetAccount = targetPerson.slice(network.length + 1);
    await wh.run("insert into intermediate.int_engagements_weighted values ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9)", [network, `e${i}`, target, targetAccount, targetPerson, actorPerson, at, weight, decay]);
  }
  for (const [person, score] of scores) await wh.run("insert into marts.fct_person_scores values ($1::date, $2, $3)", [RUN_DATE, person, score]);
}

let wh: Warehouse;
let dir: string;

beforeAll(async () => {
  dir = tempDir("clout-topics-sql-");
  fs.writeFileSync(path.join(dir, "topics.csv"), SEED);
  wh = await memoryWarehouse();
  await loadTopicSources(wh, { seedFile: path.join(dir, "topics.csv"), lakeDir: path.join(dir, "lake") });
  await wh.run(`set variable run_date = date '${RUN_DATE}'`);
});

afterAll(() => {
  wh?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the hierarchy", () => {
  it("closes over every path once, with the shortest depth, each topic its own ancestor", async () => {
    const rows = await runModel(wh, "int_topic_closure");
    const of = (d: string) =>
      rows
        .filter((r) => r.descendant_id === d)
        .map((r) => `${r.ancestor_id}@${r.depth}`)
        .sort();
    // street-photography: itself, photography and art (1 step), arts (2 steps by either path), tech (2)
    expect(of("102")).toEqual(["100@1", "101@1", "102@0", "1@2", "2@2"]);
    expect(of("1")).toEqual(["1@0"]);
    expect(new Set(rows.map((r) => `${r.ancestor_id}>${r.descendant_id}`)).size).toBe(rows.length);
  });

  it("dim_topics: parents, depth by the shortest path, top-level areas and child counts", async () => {
    const rows = await runModel(wh, "dim_topics");
    const t = Object.fromEntries(rows.map((r) => [r.slug as string, r]));
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.depth === 1).map((r) => r.slug).sort()).toEqual(["arts", "sports", "tech"]);
    expect(t["street-photography"]).toMatchObject({ parent_ids: ["100", "101"], depth: 3, top_level_ids: ["1", "2"], child_count: 0, source: "clout" });
    expect(t["photography"]).toMatchObject({ parent_ids: ["1", "2"], depth: 2, child_count: 1, descendant_count: 1 });
    expect(t["arts"]).toMatchObject({ parent_ids: [], depth: 1, child_count: 2, descendant_count: 3 });
  });
});

describe("assigning content to topics", () => {
  let direct: Row[];
  let rolled: Row[];
  const topicsOf = (rows: Row[], id: string) =>
    rows
      .filter((r) => r.content_id === id)
      .map((r) => r.topic_id as string)
      .sort();

  beforeAll(async () => {
    await setUpstream(
      wh,
      [
        ["twitter", "h1", "a", HALF_LIFE_AGO, "nothing to see", ["streetphoto"], []],
        ["twitter", "h2", "a", HALF_LIFE_AGO, null, ["Street_Photography", "unrelated"], []],
        ["twitter", "k1", "a", HALF_LIFE_AGO, "Tried a LONG exposure at night, then more long   exposure.", [], []],
        ["twitter", "k2", "a", HALF_LIFE_AGO, "I love Street Photography and street art", [], []],
        ["twitter", "k3", "a", HALF_LIFE_AGO, "What a party! Smartphones everywhere; the artist's startup. Artwork? No: art-deco is fine", [], []],
        ["twitter", "k4", "a", HALF_LIFE_AGO, "the photographer's smartphone", [], []],
        ["reddit", "r1", "b", HALF_LIFE_AGO, "a question", [], ["photooftheday"]],
        ["reddit", "r2", "b", HALF_LIFE_AGO, null, [], ["r/gadgets"]],
        ["youtube", "y1", "c", HALF_LIFE_AGO, null, [], ["street art", "long exposure", "vlog"]],
        ["foursquare", "f1", "d", HALF_LIFE_AGO, null, [], ["coffee shop"]],
        ["youtube", "m1", "c", HALF_LIFE_AGO, "Street art, and more art", ["Artwork"], ["street art"]],
      ],
      [],
      [],
    );
    direct = await runModel(wh, "int_content_topics");
    rolled = await runModel(wh, "int_content_topics_rolled_up");
  });

  it("matches hashtags to a topic's hashtags or its slug without dashes", () => {
    expect(direct.filter((r) => r.content_id === "h1")).toEqual([
      expect.objectContaining({ network: "twitter", content_id: "h1", topic_id: "102", evidence_kind: "hashtag", strength: 1, matched_terms: ["#streetphoto"] }),
    ]);
    expect(direct.filter((r) => r.content_id === "h2")).toEqual([expect.objectContaining({ topic_id: "102", evidence_kind: "hashtag", matched_terms: ["#street_photography"] })]);
  });

  it("matches keywords as whole words and phrases, case-insensitively, a keyword counting once", () => {
    expect(direct.filter((r) => r.content_id === "k1")).toEqual([expect.objectContaining({ topic_id: "101", evidence_kind: "keyword", strength: 0.5, matched_terms: ["long exposure"] })]);
    const k2 = direct.filter((r) => r.content_id === "k2").sort((a, b) => String(a.topic_id).localeCompare(String(b.topic_id)));
    // "street art" and the "art" inside it are two keywords of Art: two keywords make a full match
    expect(k2).toEqual([
      expect.objectContaining({ topic_id: "100", evidence_kind: "keyword", strength: 1, matched_terms: ["art", "street art"] }),
      expect.objectContaining({ topic_id: "102", evidence_kind: "keyword", strength: 0.5, matched_terms: ["street photography"] }),
    ]);
  });

  it("never matches a keyword inside a longer word", () => {
    // party, artist's, startup, artwork, smartphones hold "art" / "smartphone" but not as whole words;
    // "art-deco" is two words, so "art" is there
    expect(direct.filter((r) => r.content_id === "k3").map((r) => [r.topic_id, r.matched_terms])).toEqual([["100", ["art"]]]);
    // punctuation separates words: "photographer's" holds the keyword "photographer"
    expect(topicsOf(direct, "k4")).toEqual(["101", "103"]);
  });

  it("lists every term that matched, sorted, however many match", () => {
    // m1 is about Art by its hashtag, a hint and two keywords; "street art" matched as a hint and as a keyword
    // is listed once for each
    expect(direct.filter((r) => r.content_id === "m1")).toEqual([
      expect.objectContaining({ topic_id: "100", evidence_kind: "hashtag", strength: 1, matched_terms: ["#artwork", "art", "street art", "street art"] }),
    ]);
  });

  it("matches topic hints (subreddits, venue categories, video tags) against hashtags, slugs and keywords", () => {
    expect(direct.filter((r) => r.content_id === "r1")).toEqual([expect.objectContaining({ topic_id: "101", evidence_kind: "hint", strength: 1 })]);
    expect(direct.filter((r) => r.content_id === "r2")).toEqual([expect.objectContaining({ topic_id: "103", evidence_kind: "hint", matched_terms: ["r/gadgets"] })]);
    expect(topicsOf(direct, "y1")).toEqual(["100", "101"]);
    expect(topicsOf(direct, "f1")).toEqual([]);
  });

  it("rolls each piece of content up to every ancestor once, with several parents", () => {
    // h1 is about street-photography: + photography, art, and arts (by two paths, once), tech
    expect(topicsOf(rolled, "h1")).toEqual(["1", "100", "101", "102", "2"]);
    expect(rolled.filter((r) => r.content_id === "h1" && r.topic_id === "1")).toEqual([expect.objectContaining({ strength: 1, is_direct: false })]);
    expect(new Set(rolled.map((r) => `${r.network}|${r.content_id}|${r.topic_id}`)).size).toBe(rolled.length);
    // k2: Art (1.0) and street-photography (0.5) both lie under arts: one row with the stronger
    expect(rolled.find((r) => r.content_id === "k2" && r.topic_id === "1")).toMatchObject({ strength: 1, is_direct: false });
  });
});

describe("topic matching's cache", () => {
  const base: ContentRow[] = [
    ["twitter", "p1", "a", HALF_LIFE_AGO, "Street photography at night", [], []],
    ["twitter", "rt1", "b", HALF_LIFE_AGO, "Street photography at night", [], []],
    ["twitter", "p2", "a", HALF_LIFE_AGO, "nothing here", [], []],
    ["reddit", "p3", "c", HALF_LIFE_AGO, null, [], ["r/gadgets"]],
  ];
  // the next day: p2 edited, p3 gone, n1 new
  const nextDay: ContentRow[] = [
    base[0]!,
    base[1]!,
    ["twitter", "p2", "a", HALF_LIFE_AGO, "a smartphone review", [], []],
    ["twitter", "n1", "d", HALF_LIFE_AGO, "long exposure", [], []],
  ];
  const cache = async () =>
    (await wh.all<{ fp: string; topic_id: string | null; terms: string[] }>("select text_fingerprint::varchar as fp, topic_id, matched_terms as terms from intermediate.int_text_topic_matches")).map(
      (r) => `${r.topic_id ?? "-"}:${r.terms.join("|")}`,
    );
  const direct = async () =>
    (await wh.all<{ id: string; topic_id: string; terms: string[]; strength: number }>(
      "select content_id as id, topic_id, matched_terms as terms, strength from intermediate.int_content_topics",
    ))
      .map((r) => `${r.id}>${r.topic_id}:${r.terms.join("|")}@${r.strength}`)
      .sort();
  const replaceContent = async (rows: ContentRow[]) => {
    await wh.run("delete from intermediate.int_content_unioned");
    await insertContent(wh, rows);
  };

  beforeEach(async () => {
    await setUpstream(wh, base, [], []);
    await runModel(wh, "int_content_topics");
  });

  it("matches each distinct text once: copies share its rows, and a text without topics has one empty row", async () => {
    expect((await cache()).sort()).toEqual(["-:", "102:street photography", "103:r/gadgets"]);
    expect(await direct()).toEqual(["p1>102:street photography@0.5", "p3>103:r/gadgets@1", "rt1>102:street photography@0.5"]);
  });

  it("a later build keeps what it matched, matches only new or changed texts, and drops texts that are gone", async () => {
    // mark the kept row: a build that matched p1's text again would overwrite the mark
    await wh.run("update intermediate.int_text_topic_matches set matched_terms = ['kept'] where topic_id = '102'");
    await replaceContent(nextDay);
    await runModel(wh, "int_content_topics");
    expect((await cache()).sort()).toEqual(["101:long exposure", "102:kept", "103:smartphone"]);
    expect(await direct()).toEqual(["n1>101:long exposure@0.5", "p1>102:kept@0.5", "p2>103:smartphone@0.5", "rt1>102:kept@0.5"]);
  });

  it("gives the same topics built night by night as built at once", async () => {
    await replaceContent(nextDay);
    const nightly = await runModel(wh, "int_content_topics").then(direct);
    await emptyCache(wh);
    const atOnce = await runModel(wh, "int_content_topics").then(direct);
    expect(nightly).toEqual(atOnce);
    expect(nightly).toHaveLength(4);
  });

  it("matches every text again when the taxonomy changes", async () => {
    await wh.run("update intermediate.int_text_topic_matches set matched_terms = ['kept'] where topic_id = '102'");
    await wh.run("update topics.taxonomy set keywords = list_append(keywords, 'night') where slug = 'sports'");
    try {
      await runModel(wh, "int_content_topics");
      expect((await cache()).sort()).toEqual(["-:", "102:street photography", "103:r/gadgets", "3:night"]);
      expect((await wh.all<{ n: number }>("select count(distinct taxonomy_md5)::integer as n from intermediate.int_text_topic_matches"))[0]!.n).toBe(1);
    } finally {
      await wh.run("update topics.taxonomy set keywords = list_filter(keywords, lambda k: k <> 'night') where slug = 'sports'");
    }
  });
});

describe("topic affinity", () => {
  let rows: Row[];
  const get = (person: string, topic: string) => rows.find((r) => r.person_id === person && r.topic_id === topic);

  beforeAll(async () => {
    const many: ContentRow[] = Array.from({ length: 200 }, (_, i) => ["twitter", `many${i}`, "e", HALF_LIFE_AGO, null, ["tech"], []]);
    await setUpstream(
      wh,
      [
        // a: posts on gadgets and on arts; others engage with the arts post
        ["twitter", "a1", "a", HALF_LIFE_AGO, null, ["gadgets"], []],
        ["twitter", "a2", "a", HALF_LIFE_AGO, null, ["arts"], []],
        // b: one post on street-photography, which lies under arts by two paths and under tech
        ["twitter", "b1", "b", HALF_LIFE_AGO, null, ["streetphoto"], []],
        // c: one post on tech; d: one post on tech, a day old
        ["twitter", "c1", "c", HALF_LIFE_AGO, null, ["tech"], []],
        ["twitter", "d1", "d", "2026-11-24 00:00:00+00", null, ["tech"], []],
        // e: 200 posts on tech and one on arts (affinity 1/201 < 0.01: not kept)
        ...many,
        ["twitter", "e-arts", "e", HALF_LIFE_AGO, null, ["arts"], []],
        // outside the 90-day window: no evidence
        ["twitter", "old", "c", "2026-08-01 00:00:00+00", null, ["arts"], []],
      ],
      [
        ["twitter", "a2", "twitter:a", "twitter:x", HALF_LIFE_AGO, 0.5, 0.5],
        ["twitter", "unknown-content", "twitter:a", "twitter:x", HALF_LIFE_AGO, 0.9, 0.5],
      ],
      [
        ["twitter:a", 41],
        ["twitter:b", 10],
        ["twitter:c", 20],
        ["twitter:d", 20],
        ["twitter:e", 60],
      ],
    );
    await runModel(wh, "int_content_topics");
    await runModel(wh, "int_content_topics_rolled_up");
    // the engagement per piece of content, as the build computes it from int_engagements_weighted
    await runModel(wh, "int_content_engagement");
    rows = await runModel(wh, "fct_topic_affinity");
  });

  it("weights what others engage with a person about 3× what they post", () => {
    // a2: posted with decay 0.5 (0.5), engaged with weight 0.5 (× 3 = 1.5)
    expect(get("twitter:a", "1")).toMatchObject({ posted_evidence: 0.5, engaged_evidence: 0.5, evidence: 2 });
    expect(get("twitter:a", "2")).toMatchObject({ posted_evidence: 0.5, engaged_evidence: 0, evidence: 0.5 });
    expect(get("twitter:a", "1")!.affinity).toBeCloseTo(0.8, 12);
    expect(get("twitter:a", "103")!.affinity).toBeCloseTo(0.2, 12);
    expect(get("twitter:a", "1")!.topic_score).toBeCloseTo(1 + 40 * Math.sqrt(0.8), 12);
  });

  it("rolls evidence up to every ancestor once, and affinity sums to 1 over the top-level topics", () => {
    // b1 reaches arts by two paths and counts once: arts 0.5, tech 0.5 of evidence
    expect(get("twitter:b", "1")!.evidence).toBeCloseTo(0.5, 12);
    expect(get("twitter:b", "1")!.affinity).toBeCloseTo(0.5, 12);
    expect(get("twitter:b", "102")!.affinity).toBeCloseTo(0.5, 12);
    const sums = new Map<string, number>();
    for (const r of rows) if (["1", "2", "3"].includes(r.topic_id as string)) sums.set(r.person_id as string, (sums.get(r.person_id as string) ?? 0) + (r.affinity as number));
    expect([...sums.keys()].sort()).toEqual(["twitter:a", "twitter:b", "twitter:c", "twitter:d", "twitter:e"]);
    for (const [person, sum] of sums) if (person !== "twitter:e") expect(sum).toBeCloseTo(1, 12);
    // e's arts share (1/201) was dropped below 0.01; what is kept is e's tech share
    expect(sums.get("twitter:e")).toBeCloseTo(200 / 201, 12);
    for (const r of rows) expect(r.affinity as number).toBeLessThanOrEqual(1 + 1e-12);
  });

  it("keeps only affinity ≥ 0.01 and ranks people within a topic by topic score", async () => {
    expect(get("twitter:e", "1")).toBeUndefined();
    expect(get("twitter:e", "2")!.affinity).toBeCloseTo(200 / 201, 12);
    // tech: e (score 60, affinity ≈ 1) first; c and d tie (score 20, affinity 1); a (41, √0.2); b (10, √0.5)
    const tech = rows.filter((r) => r.topic_id === "2").map((r) => [r.person_id, r.topic_rank]);
    expect(Object.fromEntries(tech)).toEqual({ "twitter:e": 1, "twitter:c": 2, "twitter:d": 2, "twitter:a": 4, "twitter:b": 5 });
    expect(await wh.all("select distinct score_date::varchar as d from marts.fct_topic_affinity")).toEqual([{ d: RUN_DATE }]);
  });
});

describe("topic trends", () => {
  let rows: Row[];
  const get = (topic: string) => rows.find((r) => r.topic_id === topic);

  beforeAll(async () => {
    const at = (day: string, n: number, tag: string, account = "a"): ContentRow[] =>
      Array.from({ length: n }, (_, i) => ["twitter", `${tag}-${day}-${i}-${account}`, account, `${day} 12:00:00+00`, null, [tag], []]);
    await setUpstream(
      wh,
      [
        ...at("2026-11-24", 2, "sports"),
        ...at("2026-11-24", 1, "sports", "b"),
        ...at("2026-11-21", 2, "sports"),
        ...at("2026-11-18", 1, "sports"), // the first day of this week
        ...at("2026-11-17", 2, "sports"), // the last day of the prior week
        ...at("2026-11-11", 2, "sports"), // the first day of the prior week
        ...at("2026-11-10", 5, "sports"), // before both weeks
        ...at("2026-11-25", 5, "sports"), // after the score date
        ...at("2026-11-23", 3, "gadgets"),
        ["twitter", "old-gadget", "c", "2026-01-01 00:00:00+00", null, ["gadgets"], []],
      ],
      [
        // on the score date: 0.25 with decay 0.5 is 0.5 undecayed; from a person who did not post
        ["twitter", "sports-2026-11-21-0-a", "twitter:a", "twitter:x", "2026-11-24 08:00:00+00", 0.25, 0.5],
        ["twitter", "old-gadget", "twitter:c", "twitter:y", "2026-11-24 09:00:00+00", 0.4, 1.0],
        // the day before: not counted
        ["twitter", "sports-2026-11-21-0-a", "twitter:a", "twitter:z", "2026-11-23 09:00:00+00", 0.4, 1.0],
      ],
      [],
    );
    await runModel(wh, "int_content_topics");
    await runModel(wh, "int_content_topics_rolled_up");
    rows = await runModel(wh, "fct_topic_trends");
  });

  it("counts the day's posts, engagement and people, and the week against the prior week", () => {
    expect(get("3")).toMatchObject({ posts: 3, posts_7d: 6, posts_prior_7d: 4, people: 3 });
    expect(get("3")!.engagements).toBeCloseTo(0.5, 12);
    expect(get("3")!.change_vs_prior_week).toBeCloseTo(0.5, 12);
  });

  it("rolls up to ancestors, counts engagement on old content, and has no change without a prior week", () => {
    expect(get("103")).toMatchObject({ posts: 0, posts_7d: 3, posts_prior_7d: 0, people: 1, change_vs_prior_week: null });
    expect(get("103")!.engagements).toBeCloseTo(0.4, 12);
    expect(get("2")).toMatchObject({ posts: 0, posts_7d: 3, people: 1 });
    expect(get("1")).toBeUndefined();
    expect(new Set(rows.map((r) => r.topic_id)).size).toBe(rows.length);
  });
});
