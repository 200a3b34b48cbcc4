import { round, type Published } from "../published.ts";

/**
 * Score cards: dim_people, dim_accounts, fct_person_scores (history), fct_score_explanations, fct_account_scores,
 * fct_topic_affinity, dim_topics, fct_moments. Computed for all the card people at once — one scan of each mart
 * instead of one per person, which is what makes a thousand cards affordable at a million people.
 */
export type Card = Awaited<ReturnType<typeof cards>> extends Map<string, infer C> ? C : never;

function groupBy<T extends { person_id: string }>(rows: T[]): Map<string, Omit<T, "person_id">[]> {
  const out = new Map<string, Omit<T, "person_id">[]>();
  for (const { person_id, ...rest } of rows) {
    const list = out.get(person_id);
    if (list) list.push(rest);
    else out.set(person_id, [rest]);
  }
  return out;
}

export async function cards(p: Published, personIds: string[]) {
  const d = await p.scoreDate();
  await p.db.run("create or replace temp table card_people (person_id varchar primary key)");
  for (const id of new Set(personIds)) await p.db.run("insert into card_people values ($1)", [id]);
  const who = await p.all<{ person_id: string; name: string | null; networks: string[]; handles: string[]; is_linked: boolean; first_seen_at: string | null }>(
    `select person_id, display_name as name, networks, handles, is_linked, strftime(first_seen_at, '%Y-%m-%d') as first_seen_at
     from dim_people semi join card_people using (person_id)`,
  );
  const [scored] = await p.all<{ n: number }>("select count(*)::bigint as n from fct_person_scores where score_date = $1::date", [d]);
  const today = await p.all<{ person_id: string; score: number; score_change: number; rank: number; percentile: number; true_reach: number; amplification: number; network_score: number; is_provisional: boolean; model_version: string }>(
    `select person_id, score, score_change, rank, percentile, true_reach, amplification, network_score, is_provisional, model_version
     from fct_person_scores semi join card_people using (person_id) where score_date = $1::date`,
    [d],
  );
  const history = await p.all<{ person_id: string; date: string; score: number; rank: number }>(
    "select person_id, score_date::varchar as date, score, rank from fct_person_scores semi join card_people using (person_id) order by person_id, score_date",
  );
  const explanation = p.has("fct_score_explanations")
    ? await p.all<{ person_id: string; factor: string; network: string; component: string; contribution: number }>(
        `select person_id, factor, network, component, contribution from fct_score_explanations semi join card_people using (person_id)
         where score_date = $1::date and abs(contribution) > 0.0001
         order by person_id, abs(contribution) desc, factor`,
        [d],
      )
    : [];
  const accounts = await p.all<{ person_id: string; network: string; account_id: string; handle: string | null; follower_count: number | null; true_reach: number | null; engaged_people: number | null; amplification: number | null; posts: number | null; network_score: number | null; network_subscore: number | null }>(
    `select a.person_id, a.network, a.account_id, a.handle, a.follower_count, s.true_reach, s.engaged_people, s.amplification, s.posts,
            s.network_score, s.network_subscore
     from dim_accounts a semi join card_people using (person_id)
     left join fct_account_scores s on s.network = a.network and s.account_id = a.account_id and s.score_date = $1::date
     order by a.person_id, s.network_subscore desc nulls last, a.network, a.account_id`,
    [d],
  );
  const topics = p.has("fct_topic_affinity")
    ? await p.all<{ person_id: string; topic_id: string; name: string; depth: number; affinity: number; topic_score: number; topic_rank: number }>(
        `select t.person_id, t.topic_id, coalesce(dt.display_name, t.topic_id) as name, dt.depth, t.affinity, t.topic_score, t.topic_rank
         from fct_topic_affinity t semi join card_people using (person_id) left join dim_topics dt using (topic_id)
         where t.score_date = $1::date
         qualify row_number() over (partition by t.person_id order by t.affinity desc, t.topic_score desc, t.topic_id) <= 12
         order by t.person_id, t.affinity desc, t.topic_score desc, t.topic_id`,
        [d],
      )
    : [];
  const moments = p.has("fct_moments")
    ? await p.all<{ person_id: string; network: string; content_type: string; created_at: string; text: string | null; weighted_engagement: number; engaged_people: number }>(
        `select person_id, network, content_type, strftime(created_at, '%Y-%m-%d %H:%M') as created_at, left(text, 280) as text,
                weighted_engagement, engaged_people
         from fct_moments semi join card_people using (person_id) where score_date = $1::date
         qualify row_number() over (partition by person_id order by moment_rank) <= 10
         order by person_id, moment_rank`,
        [d],
      )
    : [];
  await p.db.run("drop table card_people");
  const todayOf = new Map(today.map(({ person_id, ...t }) => [person_id, t]));
  const historyOf = groupBy(history);
  const explanationOf = groupBy(explanation);
  const accountsOf = groupBy(accounts);
  const topicsOf = groupBy(topics);
  const momentsOf = groupBy(moments);
  const out = new Map<string, ReturnType<typeof card>>();
  function card(w: (typeof who)[number]) {
    const t = todayOf.get(w.person_id);
    return {
      score_date: d,
      ...w,
      today: t
        ? {
            ...t,
            people_scored: scored?.n ?? 0,
            score: round(t.score, 1),
            score_change: round(t.score_change, 1),
            percentile: round(t.percentile, 4),
            true_reach: round(t.true_reach, 2),
            amplification: round(t.amplification, 2),
            network_score: round(t.network_score, 2),
          }
        : null,
      history: (historyOf.get(w.person_id) ?? []).map((h) => ({ ...h, score: round(h.score, 2) })),
      explanation: (explanationOf.get(w.person_id) ?? []).map((e) => ({ ...e, contribution: round(e.contribution, 3) })),
      accounts: (accountsOf.get(w.person_id) ?? []).map((a) => ({
        ...a,
        true_reach: round(a.true_reach, 2),
        amplification: round(a.amplification, 2),
        network_score: round(a.network_score, 2),
        network_subscore: round(a.network_subscore, 1),
      })),
      topics: (topicsOf.get(w.person_id) ?? []).map((x) => ({ ...x, affinity: round(x.affinity, 3), topic_score: round(x.topic_score, 1) })),
      moments: (momentsOf.get(w.person_id) ?? []).map((m) => ({ ...m, weighted_engagement: round(m.weighted_engagement, 2) })),
    };
  }
  for (const w of who) out.set(w.person_id, card(w));
  return out;
}

/** One person's card. */
export async function person(p: Published, personId: string) {
  const card = (await cards(p, [personId])).get(personId);
  if (!card) throw new Error(`no person "${personId}" in dim_people`);
  return card;
}
