import { round, type Published } from "../published.ts";

/**
 * The Topics page: dim_topics (the taxonomy tree), fct_topic_trends (volume over time, rising this week),
 * fct_topic_affinity (people per topic, related topics). Per topic a 28-day posts series; volume over time for
 * the top-level topics only, so the download stays small with 761 topics and 90 days.
 */
export async function topics(p: Published) {
  const d = await p.scoreDate();
  const tree = await p.all<{ id: string; slug: string; name: string; parents: string[]; depth: number }>(
    "select topic_id as id, slug, display_name as name, parent_ids as parents, depth from dim_topics order by depth, display_name",
  );
  const hasTrends = p.has("fct_topic_trends");
  const hasAffinity = p.has("fct_topic_affinity");
  const today = hasTrends
    ? await p.all<{ id: string; posts_7d: number; posts_prior_7d: number; change: number | null; engagements: number; people: number }>(
        `select topic_id as id, posts_7d, posts_prior_7d, change_vs_prior_week as change, engagements, people
         from fct_topic_trends where score_date = $1::date`,
        [d],
      )
    : [];
  const people = hasAffinity
    ? await p.all<{ id: string; people: number; engaged_people: number }>(
        `select topic_id as id, count(*)::bigint as people, count(*) filter (where topic_score > 1)::bigint as engaged_people
         from fct_topic_affinity where score_date = $1::date group by topic_id`,
        [d],
      )
    : [];
  const series = hasTrends
    ? await p.all<{ id: string; posts: number[] }>(
        `with days as (
           select unnest(range(greatest($1::date - 27, (select min(score_date) from fct_topic_trends)), $1::date + 1, interval 1 day))::date as day
         ),
              ids as (select distinct topic_id from fct_topic_trends where score_date > $1::date - 28)
         select i.topic_id as id, list(coalesce(t.posts, 0) order by days.day) as posts
         from ids i cross join days
         left join fct_topic_trends t on t.topic_id = i.topic_id and t.score_date = days.day
         group by i.topic_id`,
        [d],
      )
    : [];
  const volume = hasTrends
    ? await p.all<{ date: string; id: string; posts: number; engagements: number; people: number }>(
        `select t.score_date::varchar as date, t.topic_id as id, t.posts, t.engagements, t.people
         from fct_topic_trends t join dim_topics dt using (topic_id)
         where dt.depth = 1 and t.score_date > $1::date - 90 order by t.score_date, t.topic_id`,
        [d],
      )
    : [];
  // Related topics: the topics their top people (topic_rank ≤ 200) also have an affinity of at least 10% for,
  // excluding a topic's own ancestors and descendants (those are related by definition)
  const related = hasAffinity
    ? await p.all<{ id: string; related: string[]; shared: number[] }>(
        `with top as (
           select topic_id, person_id from fct_topic_affinity
           where score_date = $1::date and affinity >= 0.1 and topic_rank <= 200
         ), pairs as (
           select a.topic_id as id, b.topic_id as other, count(*)::bigint as shared
           from top a join top b on a.person_id = b.person_id and a.topic_id <> b.topic_id
           group by all
         ), ancestors as (
           select topic_id, unnest(list_distinct(list_concat(parent_ids, top_level_ids))) as other from dim_topics
         ), family as (
           select topic_id, other from ancestors union all select other, topic_id from ancestors
         ), ranked as (
           select p.*, row_number() over (partition by p.id order by p.shared desc, p.other) as n
           from pairs p anti join family f on f.topic_id = p.id and f.other = p.other
         )
         select id, list(other order by n) as related, list(shared order by n) as shared from ranked where n <= 6 group by id`,
        [d],
      )
    : [];
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const todayOf = byId(today);
  const peopleOf = byId(people);
  const seriesOf = byId(series);
  const relatedOf = byId(related);
  return {
    score_date: d,
    has_trends: hasTrends,
    topics: tree.map((t) => {
      const td = todayOf.get(t.id);
      return {
        ...t,
        posts_7d: td?.posts_7d ?? 0,
        posts_prior_7d: td?.posts_prior_7d ?? 0,
        change: round(td?.change ?? null, 3),
        people: peopleOf.get(t.id)?.people ?? 0,
        engaged_people: peopleOf.get(t.id)?.engaged_people ?? 0,
        posts_28d: seriesOf.get(t.id)?.posts ?? [],
        related: relatedOf.get(t.id)?.related ?? [],
      };
    }),
    volume: volume.map((v) => ({ ...v, engagements: round(v.engagements, 1) })),
  };
}
