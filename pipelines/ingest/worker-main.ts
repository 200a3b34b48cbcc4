import { parentPort, workerData } from "node:worker_threads";
import { landBatch } from "./land.ts";
import { openLandingEngine, resolveSpec, type FromWorker, type ToWorker, type WorkerInit } from "./pool.ts";

/**
 * One ingest worker: its own single-threaded DuckDB, landing one batch of files at a time as the main thread
 * hands them out (pool.ts). Tombstones are read here from the data root: a closure cannot cross threads.
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const { instance, conn, forgotten } = await openLandingEngine(init, 1);
const send = (m: FromWorker) => port.postMessage(m);

port.on("message", (msg: ToWorker) => {
  if (msg.type === "close") {
    conn.closeSync();
    instance.closeSync();
    port.close();
    return;
  }
  const { id, task } = msg;
  landBatch(conn, resolveSpec(task.ref), task.files, {
    ...task.options,
    ...forgotten,
    onProgress: (index, lines) => send({ type: "progress", id, index, lines }),
  }).then(
    (outcomes) => send({ type: "done", id, outcomes }),
    (err: unknown) => send({ type: "error", id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
send({ type: "ready" });
