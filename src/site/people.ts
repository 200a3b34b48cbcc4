import type { Published } from "./published.ts";
import { personSlug } from "./slug.ts";

/**
 * The people who get a static score card page: the top `n` of the latest night, best first (ties by id, so
 * the config's dynamicPaths and every loader agree on the same set).
 */
export async function cardPeople(p: Published, n: number): Promise<{ person_id: string; slug: string }[]> {
  if (n <= 0) return [];
  const rows = await p.all<{ person_id: string }>(
    `select person_id from fct_person_scores
     where score_date = (select max(score_date) from fct_person_scores)
     order by score desc, person_id limit $1`,
    [n],
  );
  return rows.map((r) => ({ person_id: r.person_id, slug: personSlug(r.person_id) }));
}

/** person_id → slug of the people with a card page. */
export async function cardMap(p: Published, n: number): Promise<Map<string, string>> {
  return new Map((await cardPeople(p, n)).map((c) => [c.person_id, c.slug]));
}
