// The Clout site (Observable Framework). Built offline by `clout site build` (src/site/build.ts), which vendors
// the browser libraries from node_modules and passes the data directory and knobs in the environment.
import { Published } from "./src/site/published.ts";
import { cardPeople } from "./src/site/people.ts";
import { siteSettings } from "./src/site/settings.ts";

const settings = siteSettings();

export default {
  title: "Clout",
  root: "reports",
  output: process.env.CLOUT_SITE_OUT ?? "dist",
  // a local stylesheet only: the default theme would link web fonts from a font CDN
  style: "style.css",
  globalStylesheets: [],
  search: false,
  pager: false,
  toc: false,
  footer: "Clout — open, explainable influence scores. Numbers from the last good publish of the nightly job.",
  head: '<link rel="icon" href="data:,">',
  // TypeScript loaders run in Node with tsx; no PATH lookup
  interpreters: { ".ts": [process.execPath, "--import", "tsx"] },
  pages: [
    { name: "Overview", path: "/" },
    { name: "Leaderboards", path: "/leaderboards" },
    { name: "Find a person", path: "/search" },
    { name: "Topics", path: "/topics" },
    { name: "Find influencers", path: "/find" },
    {
      name: "How it works",
      pages: [
        { name: "Methodology", path: "/methodology" },
        { name: "Pipeline health", path: "/pipeline" },
        { name: "Lineage", path: "/lineage" },
      ],
    },
  ],
  // score cards: static pages for the top CLOUT_SITE_PEOPLE people of the latest night (links are not crawled)
  async *dynamicPaths() {
    if (settings.people <= 0) return;
    const p = await Published.open();
    try {
      for (const c of await cardPeople(p, settings.people)) yield `/people/${c.slug}`;
    } finally {
      p.close();
    }
  },
};
