import { cardMap } from "../people.ts";
import { round, type Published } from "../published.ts";

/**
 * The "Find influencers" page: the best `limit` people of the latest night scoring above 1, with what a brand
 * filters on — networks, topics (affinity ≥ 5%, at most 8, ancestors included as the mart rolls them up),
 * posts in the window and the last time any of their accounts was seen.
 * Marts: fct_person_scores, fct_account_scores, fct_topic_affinity, dim_people, dim_topics.
 */
export const FIND_COLUMNS = ["person_id", "name", "handle", "score", "change", "rank", "networks", "posts", "true_reach", "last_seen", "topics", "affinity_pct", "card"] as const;

export async function findInfluencers(p: Published, opts: { cards: number; limit: number }) {
  const d = await p.scoreDate();
  const cardOf = await cardMap(p, opts.cards);
  const rows = await p.all<{ person_id: string; name: string | null; handles: string[] | null; score: number; score_change: number; rank: number; networks: string[]; posts: number | null; true_reach: number; last_seen: string | null; topics: string[] | null; affinities: number[] | null }>(
    `with people as (
       select s.person_id, s.score, s.score_change, s.rank, s.scored_networks as networks, s.true_reach
       from fct_person_scores s where s.score_date = $1::date and s.score > 1
       order by s.score desc, s.person_id limit $2
     ), posts as (
       select person_id, sum(posts)::bigint as posts from fct_account_scores
       where score_date = $1::date and person_id in (select person_id from people) group by person_id
     ), topics as (
       select person_id, list(topic_id order by affinity desc, topic_id) as topics, list(affinity order by affinity desc, topic_id) as affinities
       from (
         select person_id, topic_id, affinity, row_number() over (partition by person_id order by affinity desc, topic_id) as n
         from fct_topic_affinity where score_date = $1::date and affinity >= 0.05 and person_id in (select person_id from people)
       ) where n <= 8 group by person_id
     )
     select pp.person_id, pe.display_name as name, pe.handles, pp.score, pp.score_change, pp.rank, pp.networks, po.posts, pp.true_reach,
            strftime(pe.last_seen_at, '%Y-%m-%d') as last_seen, t.topics, t.affinities
     from people pp
     left join dim_people pe using (person_id)
     left join posts po using (person_id)
     left join topics t using (person_id)
     order by pp.score desc, pp.person_id`,
    [d, opts.limit],
  );
  const usedTopics = new Set(rows.flatMap((r) => r.topics ?? []));
  const topicNames = p.has("dim_topics")
    ? await p.all<{ topic_id: string; name: string; depth: number }>(
        `select t.topic_id, case when t.depth > 1 and parent.display_name is not null then parent.display_name || ' › ' || t.display_name else t.display_name end as name, t.depth
         from dim_topics t left join dim_topics parent on parent.topic_id = t.parent_ids[1]
         order by name`,
      )
    : [];
  return {
    score_date: d,
    limit: opts.limit,
    topics: topicNames.filter((t) => usedTopics.has(t.topic_id)),
    columns: FIND_COLUMNS,
    // one array per person under `columns` (a third of the bytes of objects at 20,000 people)
    rows: rows.map((r) => [
      r.person_id,
      r.name,
      r.handles?.[0] ?? null,
      round(r.score, 1),
      round(r.score_change, 1),
      r.rank,
      r.networks.join(" "),
      r.posts ?? 0,
      round(r.true_reach, 1),
      r.last_seen,
      (r.topics ?? []).join(" "),
      (r.affinities ?? []).map((a) => Math.round(a * 100)).join(" "),
      cardOf.get(r.person_id) ?? null,
    ]),
  };
}
