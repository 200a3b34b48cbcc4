// Top people per topic (marts: fct_topic_affinity, fct_person_scores, dim_people).
import { topicLeaders } from "../../src/site/loaders/topic-leaders.ts";
import { runLoader } from "../../src/site/published.ts";
import { siteSettings } from "../../src/site/settings.ts";

const settings = siteSettings();
await runLoader("topic-leaders", (p) => topicLeaders(p, { cards: settings.people, perTopic: settings.topicLeaders }));
