import fs from "node:fs";
import type { Warehouse } from "../lib/warehouse.ts";
import { median, spearman } from "./spearman.ts";

/**
 * Validity on a generated world, against the ground truth the generator wrote beside the exports
 * (<data>/ground_truth/people.jsonl; scoring never reads it). A ground-truth person's accounts are mapped
 * to warehouse persons through marts.dim_accounts (network, account_id); an account that was never linked
 * is a person of its own there, so a ground-truth person's score is the best score among the warehouse
 * persons their accounts belong to. Only people with at least one account Clout has seen are counted.
 */
export interface BotRow {
  kind: string;
  /** bots of this kind Clout has seen */
  n: number;
  median_score: number;
  /** share of them scoring above the median score of humans with an engaged audience */
  share_above_engaged_median: number;
  max_score: number;
}

export interface WorldValidity {
  score_date: string;
  model_version: string | null;
  is_provisional: boolean;
  humans: number;
  humans_engaged: number;
  /** Spearman of score with latent influence, all humans Clout has seen */
  rho_influence: number;
  /** … among humans with an engaged audience (raw score > 0) */
  rho_influence_engaged: number;
  median_score_engaged: number;
  median_score_humans: number;
  bots: BotRow[];
  /** the median score of all bots together */
  median_score_bots: number;
  /** Spearman of score with organic followers (ground truth, summed over the person's accounts), humans */
  rho_followers: number;
  /** … with the follower counts networks report (dim_accounts.follower_count), humans who have one */
  rho_reported_followers: number;
  reported_followers_people: number;
}

interface PersonRow extends Record<string, unknown> {
  person_id: string;
  is_bot: boolean;
  bot_kind: string | null;
  influence: number;
  score: number;
  engaged: boolean;
  organic_followers: number;
  reported_followers: number | null;
}

export function groundTruthFile(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/ground_truth/people.jsonl`;
}

/** Load the ground truth into temp tables gt_people and gt_accounts of `wh`. */
export async function loadGroundTruth(wh: Warehouse, file: string): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`no ground truth at ${file}`);
  await wh.run("set variable eval_truth_file = $1::varchar", [file]);
  await wh.run(`
    create or replace temp table gt_people as
    select person_id, is_bot, bot_kind, influence, accounts
    from read_json(getvariable('eval_truth_file'), format = 'newline_delimited', columns = {
        person_id: 'varchar', is_bot: 'boolean', bot_kind: 'varchar', influence: 'double',
        accounts: 'struct(network varchar, account_id varchar, handle varchar, organic_followers bigint)[]'
    })`);
  await wh.run(`
    create or replace temp table gt_accounts as
    select person_id as gt_person_id, a.network, a.account_id, a.handle, coalesce(a.organic_followers, 0) as organic_followers
    from (select person_id, unnest(accounts) as a from gt_people)`);
}

/** Latent influence, bots and followers against the score of the latest date (from the warehouse marts). */
export async function worldValidity(wh: Warehouse, truthFile: string): Promise<WorldValidity> {
  await loadGroundTruth(wh, truthFile);
  const latest = await wh.one<{ d: string | null; v: string | null; p: boolean | null }>(
    `select strftime(max(score_date), '%Y-%m-%d') as d,
            arg_max(model_version, score_date) as v,
            bool_or(is_provisional) filter (where score_date = (select max(score_date) from marts.fct_person_scores)) as p
     from marts.fct_person_scores`,
  );
  if (!latest?.d) throw new Error("marts.fct_person_scores is empty: run the nightly first");
  const rows = await wh.all<PersonRow>(
    `with
     latest as (
         select person_id, score, raw_score from marts.fct_person_scores where score_date = $1::date
     ),
     mapped as (
         select g.gt_person_id, d.person_id, d.follower_count
         from gt_accounts as g
         join marts.dim_accounts as d on d.network = g.network and d.account_id = g.account_id
     ),
     per_person as (
         select m.gt_person_id,
                max(coalesce(l.score, 1.0)) as score,
                bool_or(coalesce(l.raw_score, 0) > 0) as engaged,
                sum(m.follower_count) as reported_followers
         from mapped as m
         left join latest as l using (person_id)
         group by m.gt_person_id
     ),
     organic as (
         select gt_person_id, sum(organic_followers) as organic_followers from gt_accounts group by gt_person_id
     )
     select p.person_id, p.is_bot, p.bot_kind, p.influence, pp.score, pp.engaged,
            o.organic_followers::double as organic_followers, pp.reported_followers::double as reported_followers
     from gt_people as p
     join per_person as pp on pp.gt_person_id = p.person_id
     join organic as o on o.gt_person_id = p.person_id
     order by p.person_id`,
    [latest.d],
  );
  const humans = rows.filter((r) => !r.is_bot);
  const engaged = humans.filter((r) => r.engaged);
  const engagedMedian = median(engaged.map((r) => r.score));
  const kinds = [...new Set(rows.filter((r) => r.is_bot).map((r) => r.bot_kind ?? "unknown"))].sort();
  const bots: BotRow[] = kinds.map((kind) => {
    const b = rows.filter((r) => r.is_bot && (r.bot_kind ?? "unknown") === kind).map((r) => r.score);
    return {
      kind,
      n: b.length,
      median_score: median(b),
      share_above_engaged_median: b.length === 0 ? Number.NaN : b.filter((s) => s > engagedMedian).length / b.length,
      max_score: Math.max(...b),
    };
  });
  const reported = humans.filter((r) => r.reported_followers !== null);
  return {
    score_date: latest.d,
    model_version: latest.v,
    is_provisional: Boolean(latest.p),
    humans: humans.length,
    humans_engaged: engaged.length,
    rho_influence: spearman(humans.map((r) => r.score), humans.map((r) => r.influence)),
    rho_influence_engaged: spearman(engaged.map((r) => r.score), engaged.map((r) => r.influence)),
    median_score_engaged: engagedMedian,
    median_score_humans: median(humans.map((r) => r.score)),
    bots,
    median_score_bots: median(rows.filter((r) => r.is_bot).map((r) => r.score)),
    rho_followers: spearman(humans.map((r) => r.score), humans.map((r) => r.organic_followers)),
    rho_reported_followers: spearman(reported.map((r) => r.score), reported.map((r) => r.reported_followers!)),
    reported_followers_people: reported.length,
  };
}
