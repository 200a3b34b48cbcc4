// Number, date and link formatting shared by the pages (plain browser JS: imported as "./components/format.js").

const nf = (opts) => new Intl.NumberFormat("en-US", opts);
const intFormat = nf({maximumFractionDigits: 0});
const oneFormat = nf({minimumFractionDigits: 1, maximumFractionDigits: 1});
const twoFormat = nf({minimumFractionDigits: 2, maximumFractionDigits: 2});

/** 12,345 */
export function int(x) {
  return x == null || !Number.isFinite(+x) ? "–" : intFormat.format(x);
}

/** 54.8 (a Clout Score or any one-decimal number) */
export function one(x) {
  return x == null || !Number.isFinite(+x) ? "–" : oneFormat.format(x);
}

/** 0.26 */
export function two(x) {
  return x == null || !Number.isFinite(+x) ? "–" : twoFormat.format(x);
}

/** +1.2 / −0.4 / ±0 */
export function signed(x, digits = 1) {
  if (x == null || !Number.isFinite(+x)) return "–";
  const r = Math.round(x * 10 ** digits) / 10 ** digits;
  if (r === 0) return "±0";
  return `${r > 0 ? "+" : "−"}${nf({minimumFractionDigits: digits, maximumFractionDigits: digits}).format(Math.abs(r))}`;
}

/** "up" / "down" / "" for colouring a change */
export function trend(x) {
  return x > 0.05 ? "up" : x < -0.05 ? "down" : "";
}

/** 43% */
export function percent(x, digits = 0) {
  return x == null || !Number.isFinite(+x) ? "–" : `${nf({maximumFractionDigits: digits}).format(x * 100)}%`;
}

/** "24 Nov 2026" from "2026-11-24" */
export function day(iso) {
  if (!iso) return "–";
  const d = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
  return d.toLocaleDateString("en-GB", {day: "numeric", month: "short", year: "numeric", timeZone: "UTC"});
}

/** 1.2 s / 850 ms / 2 min 5 s */
export function duration(s) {
  if (s == null || !Number.isFinite(+s)) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${nf({maximumFractionDigits: s < 10 ? 2 : 1}).format(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** 1.4 MB */
export function bytes(n) {
  if (n == null) return "–";
  const units = ["B", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${nf({maximumFractionDigits: i ? 1 : 0}).format(n)} ${units[i]}`;
}

/**
 * The address of a person's page, relative to the page showing the link (`base` is "" on top-level pages and
 * "../" on score cards): their card when it was built, else the search page finding them.
 */
export function personHref(person_id, card, base = "") {
  return card ? `${base}people/${card}` : `${base}search?q=${encodeURIComponent(person_id)}`;
}

/** A link element to a person. */
export function personLink(name, person_id, card, base = "") {
  const a = document.createElement("a");
  a.href = personHref(person_id, card, base);
  a.textContent = name || person_id;
  if (!card) a.title = "no score card page for this person: opens the search";
  return a;
}

/** A span with a signed change, green when up and red when down. */
export function changeSpan(x, digits = 1) {
  const s = document.createElement("span");
  s.className = `num ${trend(x)}`;
  s.textContent = signed(x, digits);
  return s;
}

export const NETWORK_NAMES = {
  twitter: "X (Twitter)",
  facebook: "Facebook",
  linkedin: "LinkedIn",
  foursquare: "Foursquare",
  youtube: "YouTube",
  instagram: "Instagram",
  tiktok: "TikTok",
  reddit: "Reddit",
  mastodon: "Mastodon",
  bluesky: "Bluesky",
  generic: "Other (generic)"
};

export function networkName(n) {
  return NETWORK_NAMES[n] ?? n;
}

/**
 * A chart's width from Framework's `width` (or a card's resize width): never below `min`, because `width` is 0
 * for a moment while a page lays out, and a plot narrower than its margins draws negative rectangles.
 */
export function chartWidth(width, min = 480) {
  return Math.max(width || 0, min);
}

/** One colour per network, the same on every chart (Plot's `color` scale options). */
export const networkColors = {
  domain: ["twitter", "facebook", "instagram", "linkedin", "tiktok", "youtube", "reddit", "mastodon", "bluesky", "foursquare", "identities", "generic"],
  range: ["#1d9bf0", "#1877f2", "#c13584", "#0a66c2", "#25c2a0", "#e62117", "#ff6314", "#6364ff", "#7fb0ff", "#f94877", "#9a9a9a", "#c2a14d"]
};
