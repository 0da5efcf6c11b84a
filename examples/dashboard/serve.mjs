#!/usr/bin/env node
// serve.mjs serves the example dashboard over plain HTTP, as a seller's web
// server would: the page, its orders and labelbridge.js beside it. No
// dependencies.
//
//   node examples/dashboard/serve.mjs [--host 127.0.0.1] [--port 8080]
//
// then open http://127.0.0.1:8080/ (add ?daemon=ws://127.0.0.1:PORT/v1/ws
// for a labelbridge on another port). The page's origin,
// http://127.0.0.1:8080, must be in labelbridge's allowed_origins, or be
// allowed on its status page.
//
// labelbridge.js is the client from clients/js, served from there so this
// example never holds a stale copy; a real dashboard copies the file.

import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const client = path.resolve(here, "../../clients/js/labelbridge.js");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

// FILES is every path served; anything else is 404.
const FILES = {
  "/": path.join(here, "index.html"),
  "/index.html": path.join(here, "index.html"),
  "/dashboard.js": path.join(here, "dashboard.js"),
  "/dashboard.css": path.join(here, "dashboard.css"),
  "/orders.json": path.join(here, "orders.json"),
  "/labelbridge.js": client,
};

/**
 * serve starts the server and resolves with it once it listens; port 0
 * picks a free port (see server.address().port).
 */
export function serve({ host = "127.0.0.1", port = 8080 } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    const file = FILES[url.pathname];
    if ((req.method !== "GET" && req.method !== "HEAD") || !file) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (err) {
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(`cannot read ${url.pathname}: ${err.code ?? err.message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : def;
  };
  const host = opt("--host", "127.0.0.1");
  const server = await serve({ host, port: Number(opt("--port", "8080")) });
  const { port } = server.address();
  console.log(`example dashboard: http://${host}:${port}/  (allow the origin http://${host}:${port} in labelbridge)`);
}
