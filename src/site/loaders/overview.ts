import { cardMap } from "../people.ts";
import { round, type Published } from "../published.ts";

/** The Overview page: fct_person_scores, fct_account_scores, dim_people, dim_accounts, score_calibration. */
export async function overview(p: Published, cards: number) {
  const d = await p.scoreDate();
  const manifest = p.manifest();
  const cardOf = await cardMap(p, cards);
  const [totals] = await p.all<{ people_scored: number; people_engaged: number; model_version: string; is_provisional: boolean; median: number; p95: number; top: number }>(
    `select count(*)::bigint as people_scored,
            count(*) filter (where score > 1)::bigint as people_engaged,
            max(model_version) as model_version,
            bool_or(is_provisional) as is_provisional,
            quantile_cont(score, 0.5) filter (where score > 1) as median,
            quantile_cont(score, 0.95) filter (where score > 1) as p95,
            max(score) as top
     from fct_person_scores where score_date = $1::date`,
    [d],
  );
  const [people] = await p.all<{ people: number; linked: number }>(
    "select count(*)::bigint as people, count(*) filter (where is_linked)::bigint as linked from dim_people",
  );
  const networks = await p.all<{ network: string; accounts: number; accounts_scored: number; accounts_engaged: number; last_seen_at: string | null; lag_days: number | null }>(
    `with accounts as (
       select network, count(*)::bigint as accounts, max(last_seen_at) as last_seen_at from dim_accounts group by network
     ), scored as (
       select network, count(*)::bigint as accounts_scored, count(*) filter (where true_reach > 0)::bigint as accounts_engaged
       from fct_account_scores where score_date = $1::date group by network
     )
     select a.network, a.accounts, coalesce(s.accounts_scored, 0) as accounts_scored, coalesce(s.accounts_engaged, 0) as accounts_engaged,
            strftime(a.last_seen_at, '%Y-%m-%dT%H:%M:%SZ') as last_seen_at,
            ($1::date - a.last_seen_at::date)::integer as lag_days
     from accounts a left join scored s using (network)
     order by a.accounts desc, a.network`,
    [d],
  );
  const distribution = await p.all<{ bin: number; people: number }>(
    `select least(floor(score), 99)::integer as bin, count(*)::bigint as people
     from fct_person_scores where score_date = $1::date and score > 1 group by all order by bin`,
    [d],
  );
  const calibration = p.has("score_calibration")
    ? await p.all<{ segment: number; raw_to: number; score_to: number; calibrated_on: string; calibration_people: number }>(
        `select segment, raw_to, score_to::double as score_to, calibrated_on::varchar as calibrated_on, calibration_people
         from score_calibration where model_version = $1 order by segment`,
        [totals?.model_version ?? ""],
      )
    : [];
  const nights = await p.all<{ score_date: string; people_scored: number; people_engaged: number; median: number | null }>(
    `select score_date::varchar as score_date, count(*)::bigint as people_scored,
            count(*) filter (where score > 1)::bigint as people_engaged,
            quantile_cont(score, 0.5) filter (where score > 1) as median
     from fct_person_scores group by score_date order by score_date desc limit 90`,
  );
  const movers = async (dir: "desc" | "asc") =>
    (
      await p.all<{ person_id: string; name: string | null; score: number; score_change: number; rank: number }>(
        `select s.person_id, pe.display_name as name, s.score, s.score_change, s.rank
         from fct_person_scores s left join dim_people pe using (person_id)
         where s.score_date = $1::date and s.score_change ${dir === "desc" ? "> 0" : "< 0"}
         order by s.score_change ${dir}, s.score desc, s.person_id limit 10`,
        [d],
      )
    ).map((r) => ({ ...r, score: round(r.score, 1), score_change: round(r.score_change, 1), card: cardOf.get(r.person_id) ?? null }));
  const anchor = (score: number) => calibration.find((c) => Math.abs(c.score_to - score) < 1e-9);
  return {
    score_date: d,
    run_id: manifest.run_id ?? null,
    published_at: manifest.published_at ?? null,
    model_version: totals?.model_version ?? null,
    is_provisional: Boolean(totals?.is_provisional),
    people_scored: totals?.people_scored ?? 0,
    people_engaged: totals?.people_engaged ?? 0,
    people_total: people?.people ?? 0,
    people_linked: people?.linked ?? 0,
    accounts_total: networks.reduce((s, n) => s + n.accounts, 0),
    accounts_scored: networks.reduce((s, n) => s + n.accounts_scored, 0),
    accounts_engaged: networks.reduce((s, n) => s + n.accounts_engaged, 0),
    today: { median: round(totals?.median, 1), p95: round(totals?.p95, 1), top: round(totals?.top, 1) },
    calibration: {
      frozen: calibration.length > 0,
      calibrated_on: calibration[0]?.calibrated_on ?? null,
      calibration_people: calibration[0]?.calibration_people ?? null,
      median: anchor(40) ? 40 : null,
      p95: anchor(63) ? 63 : null,
      p999: anchor(90) ? 90 : null,
    },
    networks,
    distribution,
    nights: nights.reverse().map((n) => ({ ...n, median: round(n.median, 1) })),
    movers_up: await movers("desc"),
    movers_down: await movers("asc"),
  };
}
