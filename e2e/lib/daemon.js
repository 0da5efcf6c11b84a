// The labelbridge daemon as its own process: built from this checkout (or
// the binary LABELBRIDGE_BIN names), started with a YAML config, stopped
// with SIGTERM.

import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** build returns a daemon binary: LABELBRIDGE_BIN, or one built into dir. */
export function build(dir) {
  if (process.env.LABELBRIDGE_BIN) return process.env.LABELBRIDGE_BIN;
  const bin = path.join(dir, "labelbridge");
  execFileSync("go", ["build", "-o", bin, "./cmd/labelbridge"], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
  return bin;
}

export async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Daemon {
  /**
   * start writes a config with the given printers ({name, connection,
   * language}) and allowed origins into a new folder under dir, makes the
   * access tokens asked for ([{name, admin}], their secrets then in
   * d.tokens by name), runs the daemon and waits until /healthz answers 200.
   */
  static async start({ bin, dir, printers, allowedOrigins = [], tokens = [] }) {
    const d = new Daemon();
    d.dir = fs.mkdtempSync(path.join(dir, "daemon-"));
    d.port = await freePort();
    d.config = path.join(d.dir, "labelbridge.yaml");
    d.logPath = path.join(d.dir, "daemon.log");
    const yaml = [
      `listen: 127.0.0.1:${d.port}`,
      `data_dir: ${path.join(d.dir, "data")}`,
      `allowed_origins: [${allowedOrigins.map((o) => JSON.stringify(o)).join(", ")}]`,
      "printers:",
      ...printers.flatMap((p) => [`  - name: ${p.name}`, `    connection: ${p.connection}`, `    language: ${p.language}`]),
      "log:",
      "  format: json",
      "",
    ].join("\n");
    fs.writeFileSync(d.config, yaml);
    d.tokens = {};
    for (const t of tokens) {
      const out = execFileSync(bin, ["token", "new", t.name, ...(t.admin ? ["--admin"] : []), "--config", d.config], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      d.tokens[t.name] = out.split("\n")[0].trim();
    }
    const log = fs.openSync(d.logPath, "a");
    d.proc = spawn(bin, ["run", "--config", d.config], { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    d.exited = new Promise((resolve) => d.proc.once("exit", resolve));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && d.proc.exitCode === null) {
      try {
        if ((await fetch(`${d.http}/healthz`)).status === 200) return d;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    await d.stop();
    throw new Error(`labelbridge did not become healthy; its log:\n${d.log()}`);
  }

  get http() {
    return `http://127.0.0.1:${this.port}`;
  }

  get ws() {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  log() {
    return fs.existsSync(this.logPath) ? fs.readFileSync(this.logPath, "utf8") : "";
  }

  /** api calls the daemon's HTTP API as a script on this machine would. */
  async api(pathname, { method = "GET", json, token } = {}) {
    const headers = {};
    if (json !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(`${this.http}${pathname}`, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const body = await r.text();
    if (!r.ok) throw new Error(`${method} ${pathname}: ${r.status} ${body}`);
    return body ? JSON.parse(body) : undefined;
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGTERM");
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
