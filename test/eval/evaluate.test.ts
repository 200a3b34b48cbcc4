import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../../src/cli/context.ts";
import { DOC_BEGIN, DOC_END, evaluate, findings, isSkipped, renderMarkdown, replaceBetweenMarkers, type Evaluation } from "../../src/eval/evaluate.ts";
import { higgsValidity, HIGGS_FILE } from "../../src/eval/higgs.ts";
import { defaultScoreDate } from "../../src/eval/predictive.ts";
import type { PredictiveValidity } from "../../src/eval/predictive.ts";
import type { WorldValidity } from "../../src/eval/world.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/warehouse.ts";
import { sharedWorld, WORLD } from "./shared-world.ts";

const HIGGS_DIR = fileURLToPath(new URL("../../../shared/data/higgs/", import.meta.url));
const HAS_HIGGS = fs.existsSync(path.join(HIGGS_DIR, HIGGS_FILE));
if (!HAS_HIGGS) console.warn(`evaluate.test.ts: ${HIGGS_DIR} is absent — skipping the evaluation on the real SNAP Higgs data`);

const inRange = (x: number) => Number.isFinite(x) && x >= -1 && x <= 1;

describe("predictive validity: the default score date", () => {
  it("is the middle of the scored range, leaving at least 3 days after it", () => {
    expect(defaultScoreDate("2026-11-11", "2026-11-24")).toBe("2026-11-17");
    expect(defaultScoreDate("2026-11-20", "2026-11-24")).toBe("2026-11-21");
    expect(defaultScoreDate("2026-11-21", "2026-11-24")).toBe("2026-11-21");
    expect(defaultScoreDate("2026-11-22", "2026-11-24")).toBeNull();
  });
});

describe("the evaluation on a small generated world", () => {
  let ctx: Context;
  let e: Evaluation;
  beforeAll(async () => {
    ctx = await sharedWorld();
    e = await evaluate({ dataDir: ctx.layout.root, warehouse: ctx.layout.warehouse, higgsDir: null, threads: 1 });
  }, 240_000);

  it("correlates the score with latent influence and follower counts: finite numbers in range", () => {
    expect(isSkipped(e.world)).toBe(false);
    const w = e.world as WorldValidity;
    expect(w.score_date).toBe(WORLD.end);
    expect(w.humans).toBeGreaterThan(100);
    expect(w.humans_engaged).toBeGreaterThan(20);
    expect(w.humans_engaged).toBeLessThanOrEqual(w.humans);
    for (const r of [w.rho_influence, w.rho_influence_engaged, w.rho_followers, w.rho_reported_followers]) expect(inRange(r)).toBe(true);
    // the score does track influence, and is not a follower count
    expect(w.rho_influence).toBeGreaterThan(0);
    expect(w.rho_followers).toBeLessThan(0.9);
  });

  it("ranks the bots, kind by kind, and their median below the engaged people's", () => {
    const w = e.world as WorldValidity;
    expect(w.bots.map((b) => b.kind)).toContain("follower_farm");
    for (const b of w.bots) {
      expect(b.n).toBeGreaterThan(0);
      expect(b.median_score).toBeGreaterThanOrEqual(1);
      expect(b.max_score).toBeLessThanOrEqual(100);
      expect(b.share_above_engaged_median).toBeGreaterThanOrEqual(0);
      expect(b.share_above_engaged_median).toBeLessThanOrEqual(1);
    }
    expect(w.median_score_bots).toBeLessThan(w.median_score_engaged);
    // bought followers never score: follow farms sit at the floor
    expect(w.bots.find((b) => b.kind === "follower_farm")!.max_score).toBe(1);
  });

  it("compares score, followers and raw engagement at t as predictors of engagement per post after t", () => {
    expect(isSkipped(e.predictive)).toBe(false);
    const p = e.predictive as PredictiveValidity;
    expect(p.score_date).toBe("2026-11-21");
    expect(p.outcome).toBe("engagements per post");
    expect(p.outcome_from).toBe("2026-11-22");
    expect(p.outcome_to).toBe(WORLD.end);
    expect(p.people).toBeGreaterThan(20);
    expect(p.predictors.map((x) => x.name)).toEqual(["score", "followers", "engagement"]);
    for (const x of p.predictors) expect(inRange(x.rho)).toBe(true);
    expect(p.predictors.find((x) => x.name === "score")!.rho).toBeGreaterThan(0);
    expect(p.winner).toBe(p.predictors.reduce((a, b) => (b.rho > a.rho ? b : a)).name);
    expect(e.higgs).toEqual({ skipped: "skipped (--no-higgs)" });
  });

  it("renders a finding with a one-line meaning for every number, and the docs section between the markers", () => {
    const rows = findings(e);
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const r of rows) expect(r.meaning.length).toBeGreaterThan(5);
    const md = renderMarkdown(e);
    expect(md).toContain("| check | value | n | what it means |");
    const doc = `# x\n\nbefore\n${DOC_BEGIN}\nold\n${DOC_END}\nafter\n`;
    const out = replaceBetweenMarkers(doc, md);
    expect(out.startsWith(`# x\n\nbefore\n${DOC_BEGIN}\n`)).toBe(true);
    expect(out.endsWith(`\n${DOC_END}\nafter\n`)).toBe(true);
    expect(out).not.toContain("\nold\n");
    // idempotent: writing twice gives the same document
    expect(replaceBetweenMarkers(out, md)).toBe(out);
    expect(() => replaceBetweenMarkers("no markers", md)).toThrow(/markers/);
  });

  it("`clout evaluate` prints the table, writes the JSON and the docs section (the real binary)", async () => {
    const tmp = tempDir("clout-evaluate-");
    const doc = path.join(tmp, "methodology.md");
    fs.writeFileSync(doc, `# Method\n\n${DOC_BEGIN}\n(run \`clout evaluate\` to fill this section)\n${DOC_END}\n`);
    const out = path.join(tmp, "evaluation.json");
    const r = await runCli(["--data-dir", ctx.layout.root, "evaluate", "--no-higgs", "--out", out, "--write-docs", doc]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^generated world\n/);
    expect(r.stdout).toMatch(/score \(2026-11-24\) ~ latent influence, humans\s+-?0\.\d{3}\s+\d+/);
    expect(r.stdout).toMatch(/which predicts best/);
    expect(r.stdout).toContain(`evaluate: wrote ${out} and ${doc}`);
    const json = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(json.world.score_date).toBe(WORLD.end);
    const written = fs.readFileSync(doc, "utf8");
    expect(written).toContain("| score (2026-11-24) ~ latent influence, humans |");
    expect(written).not.toContain("(run `clout evaluate` to fill this section)");

    const bad = await runCli(["--data-dir", ctx.layout.root, "evaluate", "--higgs", path.join(tmp, "nope")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --higgs ".*nope" does not exist\nhint: /);
    const empty = await runCli(["--data-dir", tmp, "evaluate", "--no-higgs"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: nothing to evaluate: no warehouse at /);
  });
});

describe.skipIf(!HAS_HIGGS)("the evaluation on the real SNAP Higgs data", () => {
  it("lands all 563,069 lines through the generic adapter and predicts 5–7 July from 1–4 July", async () => {
    const h = await higgsValidity({ file: path.join(HIGGS_DIR, HIGGS_FILE), threads: 2 });
    expect(h.lines_read).toBe(563_069);
    expect(h.accepted + h.rejected).toBe(563_069);
    expect(h.score_date).toBe("2012-07-04");
    expect([h.outcome_from, h.outcome_to]).toEqual(["2012-07-05", "2012-07-07"]);
    expect(h.people).toBeGreaterThan(10_000);
    expect(h.people_seen).toBeGreaterThan(h.people);
    expect(h.predictors.map((p) => p.name)).toEqual(["score", "engagement"]); // no follower layer in Higgs
    for (const p of h.predictors) expect(inRange(p.rho)).toBe(true);
    expect(h.predictors[0]!.rho).toBeGreaterThan(0.1);
  }, 180_000);
});
