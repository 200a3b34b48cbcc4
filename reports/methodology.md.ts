// The Methodology page, generated: docs/methodology.md, the calibration in force, the `clout evaluate` results.
import { methodologyPage } from "../src/site/loaders/methodology.ts";
import { Published, siteDataDir } from "../src/site/published.ts";

let p: Published | undefined;
try {
  p = await Published.open();
  process.stdout.write(await methodologyPage(p, await siteDataDir()));
} catch (err) {
  process.stderr.write(`error: page loader methodology failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  p?.close();
}
