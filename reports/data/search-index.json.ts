// The search index: everyone scoring above 1, best first, capped (marts: fct_person_scores, dim_people).
import { searchIndex } from "../../src/site/loaders/search-index.ts";
import { runLoader } from "../../src/site/published.ts";
import { siteSettings } from "../../src/site/settings.ts";

const settings = siteSettings();
await runLoader("search-index", (p) => searchIndex(p, { cards: settings.people, limit: settings.searchLimit }));
