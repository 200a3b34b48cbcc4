import { cardMap } from "../people.ts";
import { round, type Published } from "../published.ts";

/**
 * The search page's index (fct_person_scores, dim_people): everyone scoring above 1 on the latest night, best
 * first, capped at `limit`. Rows are arrays under one header to keep the download small at a million people.
 */
export const SEARCH_COLUMNS = ["person_id", "name", "handles", "score", "score_change", "rank", "percentile", "networks", "card"] as const;

export async function searchIndex(p: Published, opts: { cards: number; limit: number }) {
  const d = await p.scoreDate();
  const cardOf = await cardMap(p, opts.cards);
  const [count] = await p.all<{ n: number }>("select count(*)::bigint as n from fct_person_scores where score_date = $1::date and score > 1", [d]);
  const rows = await p.all<{ person_id: string; name: string | null; handles: string[] | null; score: number; score_change: number; rank: number; percentile: number; networks: string[] }>(
    `select s.person_id, pe.display_name as name, pe.handles, s.score, s.score_change, s.rank, s.percentile, s.scored_networks as networks
     from fct_person_scores s left join dim_people pe using (person_id)
     where s.score_date = $1::date and s.score > 1
     order by s.score desc, s.person_id limit $2`,
    [d, opts.limit],
  );
  return {
    score_date: d,
    people_above_1: count?.n ?? 0,
    limit: opts.limit,
    columns: SEARCH_COLUMNS,
    rows: rows.map((r) => [
      r.person_id,
      r.name,
      (r.handles ?? []).join(" "),
      round(r.score, 1),
      round(r.score_change, 1),
      r.rank,
      round(r.percentile, 4),
      r.networks.join(" "),
      cardOf.get(r.person_id) ?? null,
    ]),
  };
}
