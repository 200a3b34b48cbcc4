import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { INSTALL_DIR } from "../lib/paths.ts";

/**
 * Fill Framework's npm cache (`<root>/.observablehq/cache/_npm/`) from node_modules, so `observable build`
 * never reaches for the registry or a CDN (../shared notes: observable-offline).
 *
 * Framework resolves every implicit import (`Plot`, `Inputs`, `html`…) to `/_npm/<pkg>@<version>/_esm.js`.
 * It takes the version from the cache's directory names before asking the registry, and it never downloads a
 * file that already exists. So each package the pages use is written here as one minified browser ESM bundle
 * under its installed version; the recommended libraries the site does not use get an empty
 * `<pkg>@0.0.0-unused` directory, which is enough to stop the version lookup (they are never imported).
 */
export const VENDORED = ["@observablehq/plot", "@observablehq/inputs", "htl", "d3", "d3-dsv", "isoformat", "apache-arrow"] as const;

export const UNUSED = [
  "react",
  "react-dom",
  "lodash",
  "arquero",
  "echarts",
  "leaflet",
  "mapbox-gl",
  "topojson-client",
  "parquet-wasm",
  "@observablehq/sample-datasets",
] as const;

export interface VendorResult {
  dir: string;
  packages: { name: string; version: string; bytes: number }[];
  /** Whether the bundles were rebuilt (false: a stamp showed the same versions were already there). */
  rebuilt: boolean;
}

/** The version npm installed at the top of node_modules (the packages are direct dependencies, so hoisted there). */
function installedVersion(name: string): string {
  const file = path.join(INSTALL_DIR, "node_modules", name, "package.json");
  if (!fs.existsSync(file)) throw new Error(`Failed to vendor ${name} for the site: ${file} is missing (run \`npm ci\`)`);
  const version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
  if (!version) throw new Error(`Failed to vendor ${name} for the site: ${file} has no version`);
  return version;
}

/** The npm cache directory Framework reads for a site root. */
export function npmCacheDir(root: string): string {
  return path.join(root, ".observablehq", "cache", "_npm");
}

export async function vendorNpm(root: string): Promise<VendorResult> {
  const dir = npmCacheDir(root);
  const versions = VENDORED.map((name) => ({ name, version: installedVersion(name) }));
  const stampFile = path.join(dir, ".clout-vendor.json");
  const stamp = JSON.stringify({ versions, unused: UNUSED });
  const complete = versions.every((v) => fs.existsSync(path.join(dir, `${v.name}@${v.version}`, "_esm.js")));
  if (complete && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) {
    return { dir, rebuilt: false, packages: versions.map((v) => ({ ...v, bytes: fs.statSync(path.join(dir, `${v.name}@${v.version}`, "_esm.js")).size })) };
  }
  // start clean: a stale version directory would win Framework's lookup if it sorted higher
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const packages: VendorResult["packages"] = [];
  for (const { name, version } of versions) {
    const out = path.join(dir, `${name}@${version}`, "_esm.js");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    try {
      await build({
        stdin: { contents: `export * from ${JSON.stringify(name)};`, resolveDir: INSTALL_DIR, loader: "js" },
        bundle: true,
        format: "esm",
        platform: "browser",
        target: "es2022",
        minify: true,
        legalComments: "none",
        outfile: out,
        logLevel: "silent",
      });
    } catch (err) {
      throw new Error(`Failed to bundle ${name}@${version} for the site: ${(err as Error).message}`, { cause: err });
    }
    packages.push({ name, version, bytes: fs.statSync(out).size });
  }
  for (const name of UNUSED) fs.mkdirSync(path.join(dir, `${name}@0.0.0-unused`), { recursive: true });
  fs.writeFileSync(stampFile, stamp);
  return { dir, rebuilt: true, packages };
}
