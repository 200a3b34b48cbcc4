import { cardMap } from "../people.ts";
import { round, type Published } from "../published.ts";

/** The Leaderboards page: fct_person_scores, fct_account_scores, dim_people, dim_accounts (topics: topicLeaders). */
export async function leaderboards(p: Published, opts: { cards: number; overall?: number; perNetwork?: number }) {
  const d = await p.scoreDate();
  const cardOf = await cardMap(p, opts.cards);
  const overall = await p.all<{
    person_id: string; name: string | null; score: number; score_change: number; rank: number; percentile: number;
    true_reach: number; amplification: number; network_score: number; networks: string[];
  }>(
    `select s.person_id, pe.display_name as name, s.score, s.score_change, s.rank, s.percentile,
            s.true_reach, s.amplification, s.network_score, s.scored_networks as networks
     from fct_person_scores s left join dim_people pe using (person_id)
     where s.score_date = $1::date
     order by s.score desc, s.person_id limit $2`,
    [d, opts.overall ?? 100],
  );
  const perNetwork = await p.all<{
    network: string; person_id: string; name: string | null; handle: string | null; score: number; network_subscore: number;
    true_reach: number; amplification: number; network_score: number; posts: number; network_rank: number;
  }>(
    `with ranked as (
       select a.*, row_number() over (partition by a.network order by a.network_subscore desc, a.subscore desc, a.account_id) as network_rank
       from fct_account_scores a where a.score_date = $1::date and a.true_reach > 0
     )
     select r.network, r.person_id, pe.display_name as name, acc.handle, s.score, r.network_subscore, r.true_reach,
            r.amplification, r.network_score, r.posts, r.network_rank
     from ranked r
     left join dim_people pe using (person_id)
     left join dim_accounts acc on acc.network = r.network and acc.account_id = r.account_id
     left join fct_person_scores s on s.person_id = r.person_id and s.score_date = $1::date
     where r.network_rank <= $2
     order by r.network, r.network_rank`,
    [d, opts.perNetwork ?? 50],
  );
  return {
    score_date: d,
    overall: overall.map((r) => ({
      ...r,
      score: round(r.score, 1),
      score_change: round(r.score_change, 1),
      percentile: round(r.percentile, 4),
      true_reach: round(r.true_reach, 1),
      amplification: round(r.amplification, 2),
      network_score: round(r.network_score, 2),
      card: cardOf.get(r.person_id) ?? null,
    })),
    networks: perNetwork.map((r) => ({
      ...r,
      score: round(r.score, 1),
      network_subscore: round(r.network_subscore, 1),
      true_reach: round(r.true_reach, 1),
      amplification: round(r.amplification, 2),
      network_score: round(r.network_score, 2),
      card: cardOf.get(r.person_id) ?? null,
    })),
  };
}
