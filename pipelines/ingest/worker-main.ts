import { parentPort, workerData } from "node:worker_threads";
import { landFile } from "./land.ts";
import { FileError } from "./lines.ts";
import { openLandingEngine, resolveSpec, type FromWorker, type ToWorker, type WorkerInit } from "./pool.ts";

/**
 * One ingest worker: its own single-threaded DuckDB, landing one file at a time as the main thread
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
  landFile(conn, resolveSpec(task.ref), task.file, {
    ...task.options,
    ...forgotten,
    onProgress: (lines) => send({ type: "progress", id, lines }),
  }).then(
    (result) => send({ type: "done", id, result }),
    (err: unknown) =>
      send(
        err instanceof FileError
          ? { type: "file-error", id, file: err.file, detail: err.detail }
          : { type: "error", id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) },
      ),
  );
});
send({ type: "ready" });
