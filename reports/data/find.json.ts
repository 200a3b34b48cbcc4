// Find influencers page data (marts: fct_person_scores, fct_account_scores, fct_topic_affinity, dim_people, dim_topics).
import { findInfluencers } from "../../src/site/loaders/find.ts";
import { runLoader } from "../../src/site/published.ts";
import { siteSettings } from "../../src/site/settings.ts";

const settings = siteSettings();
await runLoader("find", (p) => findInfluencers(p, { cards: settings.people, limit: settings.findLimit }));
