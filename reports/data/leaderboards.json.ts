// Leaderboards page data (marts: fct_person_scores, fct_account_scores, dim_people, dim_accounts).
import { leaderboards } from "../../src/site/loaders/leaderboards.ts";
import { runLoader } from "../../src/site/published.ts";
import { siteSettings } from "../../src/site/settings.ts";

await runLoader("leaderboards", (p) => leaderboards(p, { cards: siteSettings().people }));
