/**
 * The site's knobs, read from the environment by the config and the loaders (the build passes them on):
 *   CLOUT_SITE_PEOPLE        score cards built as static pages: the top N people of the latest night (50)
 *   CLOUT_SITE_SEARCH_LIMIT  people in the search index, best first, score above 1 only (50,000)
 *   CLOUT_SITE_FIND_LIMIT    people the "Find influencers" page can filter, best first (20,000)
 *   CLOUT_SITE_TOPIC_LEADERS people listed per topic (20)
 */
export interface SiteSettings {
  people: number;
  searchLimit: number;
  findLimit: number;
  topicLeaders: number;
}

export const SITE_DEFAULTS: SiteSettings = { people: 50, searchLimit: 50_000, findLimit: 20_000, topicLeaders: 20 };

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > max) {
    throw new Error(`Failed to read ${name}: "${raw}" is not a whole number from 0 to ${max}`);
  }
  return Number(raw);
}

export function siteSettings(env: NodeJS.ProcessEnv = process.env): SiteSettings {
  return {
    people: whole(env, "CLOUT_SITE_PEOPLE", SITE_DEFAULTS.people, 100_000),
    searchLimit: whole(env, "CLOUT_SITE_SEARCH_LIMIT", SITE_DEFAULTS.searchLimit, 10_000_000),
    findLimit: whole(env, "CLOUT_SITE_FIND_LIMIT", SITE_DEFAULTS.findLimit, 10_000_000),
    topicLeaders: whole(env, "CLOUT_SITE_TOPIC_LEADERS", SITE_DEFAULTS.topicLeaders, 10_000),
  };
}
