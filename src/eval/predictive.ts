import { addDays } from "../lib/dates.ts";
import type { Warehouse } from "../lib/warehouse.ts";
import { spearman } from "./spearman.ts";

/**
 * Predictive validity, Klout's own check: does the score on day t say who gets engagement over the next
 * days, better than the follower count at t or the raw engagement received up to t?
 *
 * Everything is read from the warehouse: marts.fct_person_scores (score at t, as Clout published it that
 * night: it saw only the data up to t), intermediate.int_interactions_unioned (every action, all dates),
 * int_content_unioned (posts), int_accounts_resolved (accounts → people, as resolved now).
 *   outcome    per post where posts are known: engagements (actions with a non-zero weight, not from the
 *              person themself) on the person's own posts created in (t, end], divided by those posts; people
 *              with at least one such post. Without posts (a generic source such as Higgs): the engagements
 *              the person received in (t, end]; people who had an engaged audience at t.
 *   score      the Clout Score at t (under the person's id at t: a person linked after t is found through
 *              their accounts' own ids)
 *   followers  at t: follow/subscribe actions received up to the end of t, on networks that export
 *              follows; the follower count the network reports (int_accounts_resolved, as in dim_accounts) on networks that do not.
 *              Left out when the data has neither.
 *   engagement the engagements received in the 90 days ending on t (the same actions, counted)
 * Spearman's ρ of each predictor with the outcome, on the people all predictors exist for.
 */
export interface Predictor {
  name: "score" | "followers" | "engagement";
  label: string;
  rho: number;
}

export interface PredictiveValidity {
  score_date: string;
  outcome_from: string;
  outcome_to: string;
  outcome: "engagements per post" | "engagements received";
  people: number;
  predictors: Predictor[];
  winner: Predictor["name"] | null;
}

export interface PredictiveOptions {
  /** the score date; default the middle of the scored range, leaving at least `minDaysAfter` days after it */
  scoreDate?: string;
  /** the last day of the outcome period; default the last score date */
  end?: string;
  minDaysAfter?: number;
}

/** The scored range in marts.fct_person_scores. */
export async function scoredRange(wh: Warehouse): Promise<{ first: string; last: string } | null> {
  const r = await wh.one<{ first: string | null; last: string | null }>(
    "select strftime(min(score_date), '%Y-%m-%d') as first, strftime(max(score_date), '%Y-%m-%d') as last from marts.fct_person_scores",
  );
  return r?.first && r.last ? { first: r.first, last: r.last } : null;
}

/** The default t: the middle of first..last, and at least `after` days before last. */
export function defaultScoreDate(first: string, last: string, after = 3): string | null {
  const days = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000);
  if (days < after) return null;
  return addDays(first, Math.min(Math.floor(days / 2), days - after));
}

const LABELS: Record<Predictor["name"], string> = {
  score: "Clout Score at t",
  followers: "follower count at t",
  engagement: "raw engagement received up to t",
};

export async function predictiveValidity(wh: Warehouse, opts: PredictiveOptions = {}): Promise<PredictiveValidity> {
  const range = await scoredRange(wh);
  if (!range) throw new Error("marts.fct_person_scores is empty: run the nightly first");
  const after = opts.minDaysAfter ?? 3;
  const end = opts.end ?? range.last;
  const t = opts.scoreDate ?? defaultScoreDate(range.first, range.last, after);
  if (!t) throw new Error(`the scored range ${range.first}..${range.last} is too short: predictive validity needs at least ${after} days after the score date`);
  const hasScore = await wh.one<{ n: number }>("select count(*)::integer as n from marts.fct_person_scores where score_date = $1::date", [t]);
  if (!hasScore?.n) throw new Error(`no scores on ${t} (scored range ${range.first}..${range.last})`);

  await wh.run("set variable eval_t = $1::date", [t]);
  await wh.run("set variable eval_end = $1::date", [end]);
  const has = await wh.one<{ posts: number; follows: number; reported: number }>(
    `select
        (select count(*) from intermediate.int_content_unioned
          where content_type <> 'repost' and created_at >= (getvariable('eval_t') + 1)::timestamptz and created_at < (getvariable('eval_end') + 1)::timestamptz)::integer as posts,
        (select count(*) from intermediate.int_interactions_unioned where action in ('follow', 'subscribe'))::integer as follows,
        (select count(follower_count) from intermediate.int_accounts_resolved)::integer as reported`,
  );
  const perPost = (has?.posts ?? 0) > 0;
  const withFollowers = (has?.follows ?? 0) + (has?.reported ?? 0) > 0;

  const rows = await wh.all<{ person_id: string; score: number; followers: number | null; engagement: number; outcome: number }>(
    `with
     bounds as (
         select getvariable('eval_t') as t,
                (getvariable('eval_t') + 1)::timestamptz as t_end,
                (getvariable('eval_t') - 89)::timestamptz as window_start,
                (getvariable('eval_end') + 1)::timestamptz as data_end
     ),
     accounts as (
         select network, account_id, person_id from intermediate.int_accounts_resolved
     ),
     engagements as (
         select i.network, i.target_account_id, i.target_content_id, i.occurred_at, ta.person_id as target_person_id
         from intermediate.int_interactions_unioned as i
         join intermediate.int_action_weights as w on w.action = i.action and w.action_weight > 0
         join accounts as ta on ta.network = i.network and ta.account_id = i.target_account_id
         join accounts as aa on aa.network = i.network and aa.account_id = i.actor_account_id
         where aa.person_id <> ta.person_id
     ),
     old_ids as (
         select person_id, person_id as old_id from accounts
         union
         select person_id, network || ':' || account_id from accounts
     ),
     score_t as (
         select o.person_id, max(s.score) as score
         from old_ids as o
         join marts.fct_person_scores as s on s.person_id = o.old_id and s.score_date = getvariable('eval_t')
         group by o.person_id
     ),
     follow_networks as (
         select distinct network from intermediate.int_interactions_unioned where action in ('follow', 'subscribe')
     ),
     follows_t as (
         select i.network, i.target_account_id as account_id, count(distinct i.actor_account_id) as followers
         from intermediate.int_interactions_unioned as i, bounds as b
         where i.action in ('follow', 'subscribe') and i.occurred_at < b.t_end
         group by all
     ),
     followers_t as (
         select a.person_id,
                sum(case when a.network in (select network from follow_networks) then coalesce(f.followers, 0) else d.follower_count end) as followers
         from accounts as a
         left join follows_t as f using (network, account_id)
         left join intermediate.int_accounts_resolved as d using (network, account_id)
         group by a.person_id
     ),
     engagement_t as (
         select e.target_person_id as person_id, count(*) as engagement
         from engagements as e, bounds as b
         where e.occurred_at >= b.window_start and e.occurred_at < b.t_end
         group by all
     ),
     posts_after as (
         select c.network, c.content_id, a.person_id
         from intermediate.int_content_unioned as c
         join accounts as a on a.network = c.network and a.account_id = c.account_id
         cross join bounds as b
         where c.content_type <> 'repost' and c.created_at >= b.t_end and c.created_at < b.data_end
     ),
     per_post as (
         select p.person_id, count(e.occurred_at) / count(distinct p.content_id) as outcome
         from posts_after as p
         left join engagements as e
             on e.network = p.network and e.target_content_id = p.content_id and e.target_person_id = p.person_id
             and e.occurred_at < (select data_end from bounds)
         group by p.person_id
     ),
     received_after as (
         select s.person_id, count(e.occurred_at) as outcome
         from score_t as s
         left join engagements as e on e.target_person_id = s.person_id
             and e.occurred_at >= (select t_end from bounds) and e.occurred_at < (select data_end from bounds)
         group by s.person_id
     ),
     outcomes as (
         select * from per_post where $1
         union all
         select * from received_after where not $1 and person_id in (select person_id from engagement_t)
     )
     select s.person_id, s.score, f.followers::double as followers, coalesce(e.engagement, 0)::double as engagement, o.outcome::double as outcome
     from score_t as s
     join outcomes as o using (person_id)
     left join followers_t as f using (person_id)
     left join engagement_t as e using (person_id)
     order by s.person_id`,
    [perPost],
  );
  const used = withFollowers ? rows.filter((r) => r.followers !== null) : rows;
  const outcome = used.map((r) => r.outcome);
  const predictors: Predictor[] = [
    { name: "score", label: LABELS.score, rho: spearman(used.map((r) => r.score), outcome) },
    ...(withFollowers ? [{ name: "followers" as const, label: LABELS.followers, rho: spearman(used.map((r) => r.followers!), outcome) }] : []),
    { name: "engagement", label: LABELS.engagement, rho: spearman(used.map((r) => r.engagement), outcome) },
  ];
  const finite = predictors.filter((p) => Number.isFinite(p.rho));
  const winner = finite.length === 0 ? null : finite.reduce((a, b) => (b.rho > a.rho ? b : a)).name;
  return {
    score_date: t,
    outcome_from: addDays(t, 1),
    outcome_to: end,
    outcome: perPost ? "engagements per post" : "engagements received",
    people: used.length,
    predictors,
    winner,
  };
}
