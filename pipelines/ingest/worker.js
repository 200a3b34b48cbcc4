// Entry point of an ingest worker thread when its bundle cannot be made (pool.ts, workerEntry), and in tests:
// worker threads do not inherit the main thread's tsx hooks, so register them here, then run the TypeScript
// worker (pipelines/ingest/worker-main.ts).
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
