import type { Rng } from "./prng.ts";
import type { Topic } from "./topics.ts";

/** Names, handles and the words of posts. Everything is picked by a caller's seeded Rng. */

const FIRST = [
  "ada", "alex", "amir", "ana", "anna", "ben", "bea", "carla", "chen", "chloe", "dan", "dara", "david", "elena", "eli", "emma",
  "eva", "farah", "felix", "gia", "grace", "hana", "hugo", "ines", "ivan", "jade", "jack", "jin", "joao", "jose", "julia", "kai",
  "kamal", "kate", "kenji", "lara", "leo", "lina", "luca", "maya", "marco", "maria", "mei", "mila", "nadia", "nia", "noah", "nora",
  "olga", "omar", "pablo", "priya", "quinn", "rafa", "rosa", "ravi", "sam", "sara", "sofia", "tara", "theo", "tom", "uma", "vera",
  "wei", "yara", "yusuf", "zoe", "aisha", "bruno", "camille", "diego", "erik", "fatima", "gabriel", "hiro", "isla", "jonas",
  "kofi", "lucia", "mateo", "nour", "oscar", "paula", "rania", "sven", "tomas", "vik", "xin", "yuki",
];
const LAST = [
  "silva", "smith", "garcia", "kim", "nguyen", "patel", "muller", "rossi", "dubois", "khan", "lopez", "sato", "ito", "brown",
  "novak", "costa", "haddad", "jensen", "kowal", "li", "wang", "martin", "okafor", "mensah", "ortiz", "park", "reyes", "sousa",
  "tanaka", "weber", "young", "zhang", "ali", "baker", "cohen", "diaz", "evans", "fischer", "gomez", "hall", "ivanova", "jones",
  "kaur", "lee", "moreau", "nakamura", "olsen", "perez", "quint", "ruiz", "santos", "taylor", "usman", "vargas", "walsh", "xu",
];
const TITLE_CASE = (s: string) => s.replace(/(^|[\s-])(\p{L})/gu, (_m, sp: string, c: string) => sp + c.toUpperCase());

export function personName(rng: Rng): { first: string; last: string; display: string } {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  return { first, last, display: `${TITLE_CASE(first)} ${TITLE_CASE(last)}` };
}

/** The letters part of a handle (the caller appends a unique number): `mlopez`, `ana_kim`, `leo.rossi`… */
export function handleStem(rng: Rng, first: string, last: string): string {
  const styles = [`${first[0]}${last}`, `${first}_${last}`, `${first}${last}`, `${first}`, `${last}_${first[0]}`, `the_${first}`, `${first}x`];
  return rng.pick(styles).slice(0, 8).replace(/_$/, "");
}

const BOT_STEMS = ["deals", "cryptogain", "followme", "promo", "bestoffer", "growfast", "viral", "giveaway", "earnnow", "luckydraw"];
const GIBBERISH = "bcdfghjklmnpqrstvwxz";

export function botStem(rng: Rng, kind: "ring" | "bait" | "farm"): string {
  if (kind === "farm") {
    let s = "";
    const len = 5 + rng.int(3);
    for (let i = 0; i < len; i++) s += GIBBERISH[rng.int(GIBBERISH.length)];
    return s;
  }
  return rng.pick(BOT_STEMS).slice(0, 8);
}

// ---- posts ------------------------------------------------------------------------------------------

const OPENERS = [
  "Just finished reading about", "Hot take on", "Can't stop thinking about", "New post:", "Loving the latest in",
  "A thread on", "Quick thoughts on", "Anyone else excited about", "Big news in", "Learned something new about",
  "Underrated:", "My notes on", "Spent the weekend on", "Still not convinced by", "Here is why I care about",
  "Today's rabbit hole:", "Three things I wish I knew about", "Small win with", "Great conversation about", "Honest review of",
];
const MIDDLES = ["and", "versus", "meets", "after", "without", "with", "beyond", "not just"];
const CLOSERS = [
  "Thoughts?", "What do you think?", "More soon.", "Worth your time.", "Bookmarking this.", "", "", "Details below.",
  "Who's with me?", "Changed my mind.", "Link in bio.", "Long way to go.", "Loving it.",
];
const REPLIES = [
  "Great point about {k}!", "Totally agree.", "Not sure about {k}, tbh.", "This! {k} is underrated.", "Source?",
  "Thanks for sharing.", "Interesting take on {k}.", "I had the same experience with {k}.", "Wait, really?",
  "Came here to say this.", "Counterpoint: {k} is overrated.", "Saving this for later.", "So true.", "100% this.",
  "Can you say more about {k}?", "Ha, love it.",
];
const QUOTES = ["This is the best take on {k} I've read.", "Worth reading:", "Adding to this:", "Strongly disagree with this one.", "Exactly what I meant about {k}."];
const BAIT = [
  "Wow 😍 check my profile for a surprise 🎁", "Who else agrees?? 👇 follow me for more", "I made $5k this week with one trick, DM me 💸",
  "Reply YES if you want the free guide!!", "Unpopular opinion: this is fake. Change my mind 👀", "First!! 🔥 follow back?",
  "Giveaway in my bio 🎉 don't miss it", "This is why nobody trusts the news anymore. Agree?",
];
const RING = ["🔥🔥🔥", "So true!!", "Amazing content 💯", "Love this 😍", "Must read 👏", "Facts.", "Huge if true 🚀"];
const TITLES = ["{K} explained", "Why {k} matters", "{K}: a beginner's guide", "I tried {k} for 30 days", "The truth about {k}", "{K} in 10 minutes", "What nobody tells you about {k}", "{K} vs {k2}"];
const VENUE_WORDS = ["The", "Little", "Corner", "Blue", "Old Town", "Central", "Golden", "Urban"];

const cap = (s: string) => (s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s);
const fill = (t: string, k: string, k2: string) => t.replace("{K}", cap(k)).replace("{k2}", k2).replace(/\{k\}/g, k);

/** The keywords and hashtags a post about `topic` draws from (its own, then its parent's). */
const wordCache = new WeakMap<Topic[], { keywords: string[]; hashtags: string[] }[]>();

function words(topics: Topic[], t: number): { keywords: string[]; hashtags: string[] } {
  let cache = wordCache.get(topics);
  if (!cache) wordCache.set(topics, (cache = []));
  let hit = cache[t];
  if (!hit) {
    const topic = topics[t]!;
    const parent = topic.parents.length > 0 ? topics[topic.parents[0]!]! : topic;
    const hashtags = [...topic.hashtags];
    for (const h of parent.hashtags.slice(0, 2)) if (!hashtags.includes(h)) hashtags.push(h);
    hit = cache[t] = { keywords: topic.keywords.length > 0 ? topic.keywords : parent.keywords, hashtags };
  }
  return hit;
}

export interface Written {
  text: string;
  /** Lowercased, without `#`, in order of appearance, unique. */
  hashtags: string[];
}

/** Append `n` hashtags of the topic to `text`. */
function withHashtags(rng: Rng, text: string, tags: string[], n: number): Written {
  const chosen: string[] = [];
  for (let i = 0; i < n * 2 && chosen.length < n && tags.length > 0; i++) {
    const tag = rng.pick(tags);
    if (!chosen.some((c) => c.toLowerCase() === tag.toLowerCase())) chosen.push(tag);
  }
  if (chosen.length === 0) return { text, hashtags: [] };
  return { text: `${text} ${chosen.map((t) => `#${t}`).join(" ")}`.trim(), hashtags: chosen.map((t) => t.toLowerCase()) };
}

export function postText(rng: Rng, topics: Topic[], t: number, hashtagRate: number, hashtagMax: number): Written {
  const w = words(topics, t);
  const k1 = rng.pick(w.keywords);
  const k2 = rng.pick(w.keywords);
  const body = rng.chance(0.5) && k2 !== k1 ? `${rng.pick(OPENERS)} ${k1} ${rng.pick(MIDDLES)} ${k2}.` : `${rng.pick(OPENERS)} ${k1}.`;
  const text = `${body} ${rng.pick(CLOSERS)}`.trim();
  const n = hashtagMax > 0 && rng.chance(hashtagRate) ? 1 + rng.int(hashtagMax) : 0;
  return withHashtags(rng, text, w.hashtags, n);
}

export function replyText(rng: Rng, topics: Topic[], t: number, hashtagRate: number): Written {
  const w = words(topics, t);
  const text = fill(rng.pick(REPLIES), rng.pick(w.keywords), "");
  return withHashtags(rng, text, w.hashtags, rng.chance(hashtagRate * 0.15) ? 1 : 0);
}

export function quoteText(rng: Rng, topics: Topic[], t: number, hashtagRate: number): Written {
  const w = words(topics, t);
  return withHashtags(rng, fill(rng.pick(QUOTES), rng.pick(w.keywords), ""), w.hashtags, rng.chance(hashtagRate * 0.5) ? 1 : 0);
}

export function baitText(rng: Rng): string {
  return rng.pick(BAIT);
}

export function ringText(rng: Rng): string {
  return rng.pick(RING);
}

export function titleText(rng: Rng, topics: Topic[], t: number): string {
  const w = words(topics, t);
  return fill(rng.pick(TITLES), rng.pick(w.keywords), rng.pick(w.keywords));
}

/** Lowercase single-word-ish tags for videos (YouTube tags). */
export function videoTags(rng: Rng, topics: Topic[], t: number): string[] {
  const w = words(topics, t);
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    const k = rng.pick(w.keywords).toLowerCase();
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** A subreddit name for a topic: its slug without separators (Reddit allows letters, digits, `_`). */
export function subredditOf(topic: Topic): string {
  const s = topic.slug.replace(/[^A-Za-z0-9_]/g, "").slice(0, 21);
  return s.length >= 3 ? s : `r_${s}x`.slice(0, 21);
}

/** A venue category (Foursquare) for a topic: its display name, lowercased. */
export function venueCategoryOf(topic: Topic): string {
  return topic.name.toLowerCase();
}

export function venueName(rng: Rng, topic: Topic): string {
  return `${rng.pick(VENUE_WORDS)} ${TITLE_CASE(topic.name)}`;
}
