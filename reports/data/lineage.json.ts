// Lineage page data: the model graph from <data>/artifacts/catalog.json, laid out in layers.
import { lineage, readCatalog } from "../../src/site/loaders/lineage.ts";
import { siteDataDir } from "../../src/site/published.ts";

try {
  process.stdout.write(JSON.stringify(lineage(readCatalog(await siteDataDir()))));
} catch (err) {
  process.stderr.write(`error: data loader lineage failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
