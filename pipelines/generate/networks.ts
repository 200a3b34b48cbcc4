import { NETWORKS, type Network, type NetworkSpec } from "../types.ts";

/**
 * The ten network modules, loaded by name (pipelines/networks/<network>.ts, export named after the network).
 * A module that is missing, or has no `emit`/`supports`, is reported in `problems` and its network is left
 * out of the exports; the world itself does not change (people still have accounts there).
 */
export interface LoadedNetworks {
  specs: Partial<Record<Network, NetworkSpec>>;
  problems: string[];
}

export async function loadNetworks(): Promise<LoadedNetworks> {
  const specs: Partial<Record<Network, NetworkSpec>> = {};
  const problems: string[] = [];
  for (const name of NETWORKS) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(`../networks/${name}.ts`)) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${name}: module pipelines/networks/${name}.ts could not be loaded (${(err as Error).message.split("\n")[0]})`);
      continue;
    }
    const spec = mod[name] as NetworkSpec | undefined;
    if (!spec || typeof spec !== "object" || !Array.isArray(spec.entities)) {
      problems.push(`${name}: pipelines/networks/${name}.ts has no export named ${JSON.stringify(name)} with entities`);
      continue;
    }
    if (typeof spec.emit !== "function" || !spec.supports) {
      problems.push(`${name}: the module has no ${typeof spec.emit !== "function" ? "emit" : "supports"}, so the generator cannot write its exports`);
      continue;
    }
    specs[name] = spec;
  }
  return { specs, problems };
}
