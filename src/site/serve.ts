import fs from "node:fs";
import http from "node:http";
import path from "node:path";

/**
 * `clout site preview`: a small static server for a built site (dist/), on 127.0.0.1 by default.
 * Clean URLs as Framework writes them: `/leaderboards` serves `leaderboards.html`, `/` serves `index.html`;
 * anything else is 404 (the site's own 404.html when present). Never serves outside the directory.
 */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".arrow": "application/vnd.apache.arrow.file",
  ".parquet": "application/octet-stream",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function resolveFile(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split("?")[0]!.split("#")[0]!);
  } catch {
    return undefined;
  }
  if (rel.includes("\0")) return undefined;
  const full = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (full !== root && !full.startsWith(`${root}${path.sep}`)) return undefined;
  for (const candidate of [full, `${full}.html`, path.join(full, "index.html")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export async function serveStatic(dir: string, opts: { host?: string; port?: number } = {}): Promise<StaticServer> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "index.html"))) throw new Error(`Failed to serve ${root}: no index.html (build the site first)`);
  const host = opts.host ?? "127.0.0.1";
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = resolveFile(root, new URL(req.url ?? "/", "http://localhost").pathname);
    const notFound = path.join(root, "404.html");
    const status = file ? 200 : 404;
    const body = file ?? (fs.existsSync(notFound) ? notFound : undefined);
    res.writeHead(status, {
      "content-type": body ? TYPES[path.extname(body)] ?? "application/octet-stream" : "text/plain; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else if (body) fs.createReadStream(body).pipe(res);
    else res.end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port ?? 0;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
