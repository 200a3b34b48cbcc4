// Overview page data (marts: fct_person_scores, fct_account_scores, dim_people, dim_accounts, score_calibration).
import { overview } from "../../src/site/loaders/overview.ts";
import { runLoader } from "../../src/site/published.ts";
import { siteSettings } from "../../src/site/settings.ts";

await runLoader("overview", (p) => overview(p, siteSettings().people));
