/**
 * Person ids in URLs. Ids of people who never linked their accounts look like `bluesky:did:plc:…` or
 * `mastodon:https://…`: a page path must not carry `:` or `/`. A slug keeps letters, digits and `-`, and
 * writes every other byte as `_xx` (hex), so it is reversible and `p2575` stays `p2575`.
 */
export function personSlug(personId: string): string {
  let out = "";
  for (const byte of Buffer.from(personId, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

export function personFromSlug(slug: string): string {
  if (!/^(?:[A-Za-z0-9-]|_[0-9a-f]{2})+$/.test(slug)) throw new Error(`Failed to read the person slug "${slug}": not a slug made by personSlug`);
  const bytes: number[] = [];
  for (let i = 0; i < slug.length; ) {
    if (slug[i] === "_") {
      bytes.push(Number.parseInt(slug.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(slug.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
