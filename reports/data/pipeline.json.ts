// Pipeline health data: the meta tables (runs, run_stages, model_runs, test_results, ingest_files).
import { pipeline } from "../../src/site/loaders/pipeline.ts";
import { runLoader, siteDataDir } from "../../src/site/published.ts";

await runLoader("pipeline", async (p) => pipeline(p, await siteDataDir()));
