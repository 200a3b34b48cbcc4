// Entry of a benchmark child process: registers tsx (as src/bin/clout.js does), then runs bench/child.ts.
import { register } from "tsx/esm/api";

register();
await import("./child.ts");
