import { cardMap } from "../people.ts";
import { round, type Published } from "../published.ts";

/** Per topic, its top people by topic_score (Leaderboards and Topics pages): fct_topic_affinity, dim_people. */
export async function topicLeaders(p: Published, opts: { cards: number; perTopic: number }) {
  const d = await p.scoreDate();
  const cardOf = await cardMap(p, opts.cards);
  if (!p.has("fct_topic_affinity")) return { score_date: d, per_topic: opts.perTopic, topic_list: [], people_columns: [], people: [], leader_columns: [], topics: {} };
  const rows = await p.all<{ topic_id: string; person_id: string; name: string | null; topic_score: number; affinity: number; score: number | null }>(
    // row_number, not topic_rank alone: everyone without an engaged audience ties, and a topic may have thousands
    `with top as (
       select *, row_number() over (partition by topic_id order by topic_score desc, affinity desc, person_id) as n
       from fct_topic_affinity where score_date = $1::date and topic_score > 1
       qualify n <= $2
     )
     select t.topic_id, t.person_id, pe.display_name as name, t.topic_score, t.affinity, s.score
     from top t
     left join dim_people pe using (person_id)
     left join fct_person_scores s on s.person_id = t.person_id and s.score_date = t.score_date
     order by t.topic_id, t.n`,
    [d, opts.perTopic],
  );
  // people once, leaders as [person index, topic_score, affinity]: a person leads many topics
  const people: [string, string | null, number | null, string | null][] = [];
  const index = new Map<string, number>();
  const topics: Record<string, [number, number | null, number | null][]> = {};
  for (const r of rows) {
    let i = index.get(r.person_id);
    if (i === undefined) {
      i = people.push([r.person_id, r.name, round(r.score, 1), cardOf.get(r.person_id) ?? null]) - 1;
      index.set(r.person_id, i);
    }
    (topics[r.topic_id] ??= []).push([i, round(r.topic_score, 1), round(r.affinity, 3)]);
  }
  // "Sports › Soccer": a subtopic under its first parent, so the list reads as a tree
  const names = p.has("dim_topics")
    ? await p.all<{ id: string; name: string; depth: number }>(
        `select t.topic_id as id, case when t.depth > 1 and parent.display_name is not null then parent.display_name || ' › ' || t.display_name else t.display_name end as name, t.depth
         from dim_topics t left join dim_topics parent on parent.topic_id = t.parent_ids[1]
         order by name`,
      )
    : [];
  return {
    score_date: d,
    per_topic: opts.perTopic,
    // the topics that have leaders, top-level first then by name: [id, name, depth]
    topic_list: names.filter((t) => t.id in topics).map((t) => [t.id, t.name, t.depth]),
    people_columns: ["person_id", "name", "score", "card"],
    people,
    leader_columns: ["person", "topic_score", "affinity"],
    topics,
  };
}
