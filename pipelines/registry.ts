import { UserError, quote } from "../src/lib/errors.ts";
import { bluesky } from "./networks/bluesky.ts";
import { facebook } from "./networks/facebook.ts";
import { foursquare } from "./networks/foursquare.ts";
import { generic } from "./networks/generic.ts";
import { identities } from "./networks/identities.ts";
import { instagram } from "./networks/instagram.ts";
import { linkedin } from "./networks/linkedin.ts";
import { mastodon } from "./networks/mastodon.ts";
import { reddit } from "./networks/reddit.ts";
import { tiktok } from "./networks/tiktok.ts";
import { twitter } from "./networks/twitter.ts";
import { youtube } from "./networks/youtube.ts";
import { NETWORKS, type Network, type NetworkSpec, type Source } from "./types.ts";

/** Every input Clout lands: the ten networks, then identities and the generic interactions format. */
export const SOURCES: Record<Source, NetworkSpec> = {
  twitter,
  facebook,
  linkedin,
  foursquare,
  youtube,
  instagram,
  tiktok,
  reddit,
  mastodon,
  bluesky,
  identities,
  generic,
};

export const SOURCE_NAMES = Object.keys(SOURCES) as Source[];

export function networkSpecs(): NetworkSpec[] {
  return NETWORKS.map((n: Network) => SOURCES[n]);
}

/** A source name a person typed, checked. */
export function parseSource(name: string): Source {
  if ((SOURCE_NAMES as string[]).includes(name)) return name as Source;
  throw new UserError(`unknown network ${quote(name)}`, `use one of: ${SOURCE_NAMES.join(", ")}`);
}
