import { z } from "zod";
import { zId } from "../fields.ts";
import { NETWORKS, type EntitySpec, type NetworkSpec } from "../types.ts";

/**
 * Identity links: `data/exports/identities/<date>/identities.csv`, header
 * `person_id,network,account_id,display_name`, one row per account a person connected. An account
 * without a link is a person of its own. The sample-world generator writes this CSV itself, so there is
 * no emit. A CSV row reaches the schema as {header: string}: every value is a string, an empty cell "".
 */

// Spreadsheets leave stray spaces around cells; an id never has them.
const csvId = z.preprocess((v) => (typeof v === "string" ? v.trim() : v), zId);

/**
 * An account without a link is the person `<network>:<account id>` (int_accounts_resolved). A linked person's id of
 * that shape could name someone else's unlinked account and merge the two, so it is rejected here.
 */
const ACCOUNT_PERSON_ID = /^[a-z][a-z0-9_]{0,39}:/;
const personId = csvId.refine((id) => !ACCOUNT_PERSON_ID.test(id), {
  error: (iss) => `${JSON.stringify(iss.input)} is reserved: "<network>:<account id>" is the person id of an account without a link; give the person an id that does not start with a lowercase name and ":"`,
});

export const IdentityLink = z.object({
  person_id: personId,
  network: z.string().trim().pipe(z.enum(NETWORKS, { error: (iss) => `network ${JSON.stringify(iss.input)} is not one of ${NETWORKS.join(", ")}` })),
  account_id: csvId,
  // An empty cell means no name given.
  display_name: z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === "" ? null : s.trim())),
});
export type IdentityLink = z.infer<typeof IdentityLink>;

const links: EntitySpec<IdentityLink> = {
  network: "identities",
  entity: "identities",
  format: "csv",
  schema: IdentityLink,
  columns: [
    { name: "person_id", type: "VARCHAR", doc: "the person the account belongs to" },
    { name: "network", type: "VARCHAR", doc: "one of the ten networks" },
    { name: "account_id", type: "VARCHAR", doc: "the account id on that network, as its exports write it" },
    { name: "display_name", type: "VARCHAR", doc: "the person's name as they gave it, may be null" },
  ],
  toRow: (r) => [r.person_id, r.network, r.account_id, r.display_name],
};

export const identities: NetworkSpec = {
  name: "identities",
  entities: [links],
};
