// Topics page data (marts: dim_topics, fct_topic_trends, fct_topic_affinity).
import { topics } from "../../src/site/loaders/topics.ts";
import { runLoader } from "../../src/site/published.ts";

await runLoader("topics", (p) => topics(p));
