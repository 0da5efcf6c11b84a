// These tests run the real daemon: they build it with go, start it with a
// YAML config whose printer is a TCP simulator in this process, and drive it
// through the client, killing and restarting it where that is the point.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { connect, LabelbridgeError } from "../labelbridge.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let tmp;
let bin;

// LABELBRIDGE_BIN names a daemon binary built already; without it the
// tests build one from this checkout.
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "labelbridge-js-"));
  bin = process.env.LABELBRIDGE_BIN;
  if (!bin) {
    bin = path.join(tmp, "labelbridge");
    execFileSync("go", ["build", "-o", bin, "./cmd/labelbridge"], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
  }
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// PrinterSim is a raw TCP 9100 printer on 127.0.0.1 that keeps every byte,
// one buffer per connection. Told to hold, it stops reading once it has
// received that many whole documents, as a printer whose buffer is full:
// the daemon's writes then block until it is released.
class PrinterSim {
  conns = [];
  #holdAfter = Infinity;
  #docs = 0;
  #paused = new Set();

  static async start() {
    const sim = new PrinterSim();
    sim.server = net.createServer((sock) => sim.#accept(sock));
    await new Promise((resolve) => sim.server.listen(0, "127.0.0.1", resolve));
    return sim;
  }

  get url() {
    return `tcp://127.0.0.1:${this.server.address().port}`;
  }

  #accept(sock) {
    const conn = { chunks: [], tail: "" };
    this.conns.push(conn);
    sock.on("error", () => {});
    sock.on("data", (d) => {
      conn.chunks.push(d);
      const s = conn.tail + d.toString("latin1");
      this.#docs += (s.match(/\^XZ/g) ?? []).length;
      conn.tail = s.slice(-2);
      if (this.#docs >= this.#holdAfter) {
        sock.pause();
        this.#paused.add(sock);
      }
    });
  }

  hold(afterDocs) {
    this.#holdAfter = afterDocs;
  }

  release() {
    this.#holdAfter = Infinity;
    for (const s of this.#paused) s.resume();
    this.#paused.clear();
  }

  get holding() {
    return this.#paused.size > 0;
  }

  // received counts whole copies of each document by its marker.
  received() {
    const counts = new Map();
    for (const c of this.conns) {
      const text = Buffer.concat(c.chunks).toString("latin1");
      for (const m of text.matchAll(/\^FDdoc-(\d+)\^FS\^XZ/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
    }
    return counts;
  }

  // waitForDocs waits until documents 0..n-1 each arrived whole: "sent"
  // means written to the socket, and the bytes may still be on their way.
  waitForDocs(n, ms = 20000) {
    return this.waitFor(() => {
      const got = this.received();
      for (let i = 0; i < n; i++) if (!got.has(i)) return false;
      return true;
    }, ms);
  }

  waitFor(cond, ms = 20000) {
    return waitUntil(cond, ms);
  }

  close() {
    for (const s of this.#paused) s.destroy();
    this.server.close();
  }
}

// waitUntil resolves once cond() holds, checking every 20 ms; it rejects
// after ms.
function waitUntil(cond, ms = 20000) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const check = () => {
      if (cond()) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() - start > ms) {
        clearInterval(tick);
        reject(new Error(`condition not met within ${ms} ms: ${cond}`));
      }
    };
    const tick = setInterval(check, 20);
    check();
  });
}

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

// Daemon is labelbridge run as its own process, on a fixed port so that it
// can be killed and started again at the same address.
class Daemon {
  static async start(printerURL, extra = "") {
    const d = await Daemon.create(printerURL, extra);
    await d.start();
    return d;
  }

  static async create(printerURL, extra = "") {
    const d = new Daemon();
    d.dir = fs.mkdtempSync(path.join(tmp, "d-"));
    d.port = await freePort();
    d.config = path.join(d.dir, "labelbridge.yaml");
    d.logPath = path.join(d.dir, "daemon.log");
    fs.writeFileSync(
      d.config,
      `listen: 127.0.0.1:${d.port}
data_dir: ${path.join(d.dir, "data")}
printers:
  - name: label-1
    connection: ${printerURL}
    language: zpl
log:
  format: json
${extra}`,
    );
    return d;
  }

  // newToken makes an access token with the CLI; from then on every client
  // must present one.
  newToken(name) {
    const out = execFileSync(bin, ["token", "new", name, "--config", this.config], { encoding: "utf8" });
    return out.split("\n")[0].trim();
  }

  get url() {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  async start() {
    const log = fs.openSync(this.logPath, "a");
    this.proc = spawn(bin, ["run", "--config", this.config], { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.once("exit", resolve));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) break;
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`daemon did not become healthy; log:\n${fs.readFileSync(this.logPath, "utf8")}`);
  }

  async kill(signal = "SIGKILL") {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    await this.exited;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Proxy stands between client and daemon and can lose a connection at the
// worst moment: right after the daemon answered a request the client will
// never see the answer to (loseNextAnswer), or before a request reaches the
// daemon (loseNextRequest); or go silent like a link after sleep (stall).
class Proxy {
  conns = new Set();
  #mode = "pass";
  dropped = 0;

  static async start(port) {
    const p = new Proxy();
    p.server = net.createServer((client) => p.#accept(client, port));
    await new Promise((resolve) => p.server.listen(0, "127.0.0.1", resolve));
    return p;
  }

  get url() {
    return `ws://127.0.0.1:${this.server.address().port}/v1/ws`;
  }

  #accept(client, port) {
    const up = net.connect(port, "127.0.0.1");
    const c = { client, up, losing: false, stalled: false };
    this.conns.add(c);
    const drop = () => {
      this.dropped++;
      client.destroy();
      up.destroy();
      this.conns.delete(c);
    };
    client.on("error", () => {});
    up.on("error", () => {});
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("data", (d) => {
      if (c.stalled) return;
      if (this.#mode === "loseNextRequest") {
        this.#mode = "pass";
        drop();
        return;
      }
      up.write(d);
      if (this.#mode === "loseNextAnswer") {
        this.#mode = "pass";
        c.losing = true;
      }
    });
    up.on("data", (d) => {
      if (c.stalled) return;
      if (c.losing) {
        drop();
        return;
      }
      client.write(d);
    });
  }

  loseNextAnswer() {
    this.#mode = "loseNextAnswer";
  }

  loseNextRequest() {
    this.#mode = "loseNextRequest";
  }

  stall() {
    for (const c of this.conns) c.stalled = true;
  }

  close() {
    for (const c of this.conns) {
      c.client.destroy();
      c.up.destroy();
    }
    this.server.close();
  }
}

function zpl(i, pad = 0) {
  return {
    ref: `order-${i}`,
    kind: "raw",
    language: "zpl",
    content: `^XA${pad ? `^FX${"x".repeat(pad)}^FS` : ""}^FO10,10^FDdoc-${i}^FS^XZ\n`,
  };
}

function batch(n, pad = 0) {
  return Array.from({ length: n }, (_, i) => zpl(i, pad));
}

// setup starts a simulator and a daemon, and connects a client with quick
// reconnects; everything is stopped when the test ends.
async function setup(t, { proxy = false, options = {}, config = "" } = {}) {
  const sim = await PrinterSim.start();
  const daemon = await Daemon.start(sim.url, config);
  const px = proxy ? await Proxy.start(daemon.port) : null;
  const statuses = [];
  const events = [];
  const lb = await connect({
    url: px ? px.url : daemon.url,
    WebSocket,
    client: "labelbridge.js-test",
    minDelay: 50,
    maxDelay: 400,
    onStatus: (s) => statuses.push(s),
    onEvent: (ev) => events.push(ev),
    ...options,
  });
  t.after(async () => {
    lb.close();
    px?.close();
    await daemon.kill();
    sim.close();
  });
  return { sim, daemon, proxy: px, lb, statuses, events };
}

const DOC_STATES_SENT = new Set(["sent", "printed"]);

test("print reports every document, then done", async (t) => {
  const { sim, lb, events } = await setup(t);
  assert.equal(lb.protocol, 1);
  assert.match(lb.server, /^labelbridge\//);
  assert.deepEqual(
    lb.knownPrinters.map((p) => [p.name, p.language]),
    [["label-1", "zpl"]],
  );
  const n = 50;
  const h = lb.print({ printer: "label-1", documents: batch(n) });
  const docEvents = [];
  const jobEvents = [];
  h.onDocument((ev) => docEvents.push(ev)).onJob((ev) => jobEvents.push(ev));
  const id = await h.jobId;
  assert.match(id, /^\w+$/);
  assert.equal(h.id, id);
  assert.match(h.idempotencyKey, /^lbjs-/);
  const r = await h.done;

  assert.equal(r.state, "done");
  assert.equal(r.jobId, id);
  assert.equal(r.duplicate, false);
  assert.equal(r.total, n);
  assert.equal(r.done, n);
  assert.equal(r.event.type, "job");
  assert.equal(r.event.state, "done");
  assert.equal(r.documents.length, n);
  for (const [i, d] of r.documents.entries()) {
    assert.equal(d.index, i);
    assert.equal(d.ref, `order-${i}`);
    assert.ok(DOC_STATES_SENT.has(d.state), `document ${i} is ${d.state}`);
  }
  assert.deepEqual(
    docEvents.map((ev) => ev.index).sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
    "one document event for each document",
  );
  for (const ev of docEvents) {
    assert.equal(ev.job_id, id);
    assert.equal(ev.ref, `order-${ev.index}`);
    assert.equal(typeof ev.seq, "number");
  }
  assert.equal(jobEvents.at(-1).state, "done");
  // The same events, and nothing twice, reached onEvent.
  const seqs = events.map((ev) => ev.seq);
  assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), "onEvent got each seq once, in order");
  assert.equal(lb.lastSeq, seqs.at(-1));
  await sim.waitForDocs(n);
  const got = sim.received();
  for (let i = 0; i < n; i++) assert.equal(got.get(i), 1, `copies of document ${i} at the printer`);
});

test("errors carry the protocol code and path", async (t) => {
  const { lb } = await setup(t);
  const cases = [
    {
      name: "UnknownPrinter",
      job: { printer: "label-9", documents: [zpl(0)] },
      code: "unknown_printer",
      path: "job.printer",
    },
    {
      name: "InvalidLanguageType",
      job: { printer: "label-1", documents: [{ kind: "raw", language: 7, content: "^XA^XZ" }] },
      code: "invalid_request",
      path: "job.documents[0].language",
    },
    {
      name: "UnknownField",
      job: { printer: "label-1", copise: 2, documents: [zpl(0)] },
      code: "invalid_request",
      path: "job.copise",
    },
    {
      name: "NoDocuments",
      job: { printer: "label-1" },
      code: "invalid_request",
      path: "job.documents",
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const h = lb.print(c.job);
      for (const [which, p] of [
        ["jobId", h.jobId],
        ["done", h.done],
      ]) {
        await assert.rejects(p, (err) => {
          assert.ok(err instanceof LabelbridgeError, `${which}: got ${err}`);
          assert.ok(err instanceof Error);
          assert.equal(err.name, "LabelbridgeError");
          assert.equal(err.code, c.code, `${which}: code (message ${err.message})`);
          assert.equal(err.path, c.path, `${which}: path`);
          assert.ok(err.message.length > 0);
          return true;
        });
      }
    });
  }
  await t.test("NotFound", async () => {
    await assert.rejects(lb.getJob("jnosuchjob"), { name: "LabelbridgeError", code: "not_found" });
  });
  await t.test("IdempotencyConflict", async () => {
    const key = "conflict-key";
    await lb.print({ printer: "label-1", idempotency_key: key, documents: [zpl(1)] }).done;
    const h = lb.print({ printer: "label-1", idempotency_key: key, documents: [zpl(2)] });
    await assert.rejects(h.done, { code: "idempotency_conflict" });
  });
  // The connection carries on after every error.
  assert.equal((await lb.printers())[0].name, "label-1");
});

// order is a marketplace order as dashboards send them (shared/samples).
const order = {
  order_id: "576682230865707864",
  platform: "TikTok Shop",
  carrier: "GHN",
  service: "Standard",
  tracking_number: "GHN2606193617VN",
  sort_code: "NBI-11B",
  sender: { name: "Namjai Shop", phone: "02-123-4567", address: "99/9 Sukhumvit 101, Bang Chak, Phra Khanong, Bangkok", postcode: "10260" },
  recipient: { name: "อรอุมา แก้วประเสริฐ", phone: "060-372-7616", address: "973/48 หมู่ 9 ถนนลาดพร้าว นครราชสีมา", postcode: "30000" },
  items: [{ sku: "TS-RED-L", name: "T-shirt red", variant: "L", qty: 1, location: "C-06-03" }],
  weight_kg: 4.67,
};

test("a frame over the daemon's limit is refused with too_large, and the connection carries on", async (t) => {
  const { lb } = await setup(t, { config: "limits:\n  max_frame_bytes: 4096\n" });
  const h = lb.print({ printer: "label-1", documents: [zpl(0, 8192)] });
  await assert.rejects(h.done, { name: "LabelbridgeError", code: "too_large" });
  const r = await lb.print({ printer: "label-1", documents: [zpl(1)] }).done;
  assert.equal(r.state, "done");
});

test("preview answers PNG pages, and errors with code and path", async (t) => {
  const { lb } = await setup(t);
  let pages;
  try {
    pages = await lb.preview("label-1", { ref: order.order_id, kind: "shipping_label", data: order });
  } catch (err) {
    if (err.code === "unknown_type") {
      t.skip(`this daemon does not render previews yet: ${err.message}`);
      return;
    }
    throw err;
  }
  assert.ok(Array.isArray(pages) && pages.length > 0, `pages: ${JSON.stringify(pages)}`);
  for (const p of pages) {
    const png = Buffer.from(p.png_base64, "base64");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG signature");
  }
  await assert.rejects(lb.preview("label-9", { kind: "shipping_label", data: order }), { code: "unknown_printer", path: "printer" });
  await assert.rejects(lb.preview("label-1", { kind: "shipping_label" }), { code: "invalid_request", path: "document.data" });
});

test("getJob reports the job and each document", async (t) => {
  const { lb } = await setup(t);
  const h = lb.print({ printer: "label-1", documents: batch(3) });
  const r = await h.done;
  const job = await lb.getJob(r.jobId);
  assert.equal(job.job_id, r.jobId);
  assert.equal(job.printer, "label-1");
  assert.equal(job.state, "done");
  assert.equal(job.total, 3);
  assert.equal(job.done, 3);
  assert.match(job.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.deepEqual(
    job.documents.map((d) => [d.index, d.ref, DOC_STATES_SENT.has(d.state)]),
    [
      [0, "order-0", true],
      [1, "order-1", true],
      [2, "order-2", true],
    ],
  );
});

test("cancel: documents not yet sent are never sent", async (t) => {
  const { sim, lb } = await setup(t);
  // The printer takes nothing: the first documents fill the socket
  // buffers and the rest wait their turn.
  sim.hold(0);
  const n = 24;
  const h = lb.print({ printer: "label-1", documents: batch(n, 512 << 10) });
  const jobStates = [];
  h.onJob((ev) => jobStates.push(ev.state));
  await h.jobId;
  await sim.waitFor(() => sim.holding);
  await h.cancel();
  sim.release();
  const r = await h.done;

  assert.equal(r.state, "cancelled");
  assert.equal(jobStates.at(-1), "cancelled");
  const cancelled = r.documents.filter((d) => d.state === "cancelled").map((d) => d.index);
  assert.ok(cancelled.length > 0, `no document was cancelled: ${JSON.stringify(r.documents.map((d) => d.state))}`);
  for (const d of r.documents) {
    assert.ok(d.state === "cancelled" || DOC_STATES_SENT.has(d.state), `document ${d.index} ended ${d.state}`);
  }
  const sent = r.documents.filter((d) => DOC_STATES_SENT.has(d.state)).map((d) => d.index);
  await sim.waitFor(() => sent.every((i) => sim.received().has(i)));
  await sleep(200); // nothing more may arrive
  const got = sim.received();
  for (const i of cancelled) assert.equal(got.get(i), undefined, `cancelled document ${i} reached the printer`);
  // Cancelling a finished job is fine.
  await lb.cancel(r.jobId);
});

test("a daemon killed mid-batch and restarted: done still accounts for every document", async (t) => {
  const { sim, daemon, lb, statuses, events } = await setup(t);
  sim.hold(3);
  const n = 24;
  const h = lb.print({ printer: "label-1", documents: batch(n, 512 << 10) });
  const seen = new Map();
  h.onDocument((ev) => seen.set(ev.index, (seen.get(ev.index) ?? 0) + 1));
  let finished = false;
  h.done.then(() => (finished = true), () => {});
  await h.jobId;
  await sim.waitFor(() => sim.holding);
  await waitUntil(() => seen.size > 0);

  await daemon.kill("SIGKILL");
  assert.equal(finished, false, "the job finished before the kill; the test proves nothing");
  const seenAtKill = seen.size;
  assert.ok(seenAtKill < n, `${seenAtKill} of ${n} documents reported before the kill`);
  await waitUntil(() => statuses.some((s) => s.state === "reconnecting"));
  sim.release();
  await daemon.start();
  const r = await h.done;

  assert.equal(r.state, "done");
  assert.equal(r.documents.length, n);
  for (const d of r.documents) assert.ok(DOC_STATES_SENT.has(d.state), `document ${d.index} ended ${d.state}`);
  for (let i = 0; i < n; i++) assert.ok(seen.has(i), `no document event for document ${i}`);
  const states = statuses.map((s) => s.state);
  assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
  assert.ok(states.lastIndexOf("open") > states.indexOf("reconnecting"), `statuses ${states}`);
  // Across the restart every event arrived once, in order, none missing.
  const seqs = events.map((ev) => ev.seq);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `event after seq ${seqs[i - 1]}`);
  assert.ok(events.some((ev) => ev.type === "job" && ev.state === "interrupted"), "no interrupted event");
  await sim.waitForDocs(n);
});

test("a print whose answer was lost is sent again and prints once", async (t) => {
  const { sim, proxy, lb, statuses } = await setup(t, { proxy: true });
  await lb.printers(); // the handshake's replies are all in
  proxy.loseNextAnswer();
  const n = 5;
  const h = lb.print({ printer: "label-1", idempotency_key: "lost-answer-1", documents: batch(n) });
  const r = await h.done;

  assert.equal(proxy.dropped, 1, "the proxy did not cut the connection");
  assert.ok(statuses.some((s) => s.state === "reconnecting"));
  assert.equal(r.state, "done");
  assert.equal(r.duplicate, true, "the resent job should have matched the first");
  assert.equal(await h.jobId, r.jobId);
  for (const d of r.documents) assert.ok(DOC_STATES_SENT.has(d.state), `document ${d.index} ended ${d.state}`);
  await sim.waitForDocs(n);
  await sleep(200); // nothing more may arrive
  const got = sim.received();
  for (let i = 0; i < n; i++) assert.equal(got.get(i), 1, `copies of document ${i}`);
});

test("a print lost before it reached the daemon is sent again and prints once", async (t) => {
  const { sim, proxy, lb } = await setup(t, { proxy: true });
  await lb.printers();
  proxy.loseNextRequest();
  const n = 5;
  const h = lb.print({ printer: "label-1", documents: batch(n) });
  const r = await h.done;

  assert.equal(proxy.dropped, 1, "the proxy did not cut the connection");
  assert.equal(r.state, "done");
  assert.equal(r.duplicate, false);
  await sim.waitForDocs(n);
  await sleep(200); // nothing more may arrive
  const got = sim.received();
  for (let i = 0; i < n; i++) assert.equal(got.get(i), 1, `copies of document ${i}`);
});

test("printing again with the same key follows the first job", async (t) => {
  const { sim, lb } = await setup(t);
  const job = { printer: "label-1", idempotency_key: "same-key", documents: batch(4) };
  const first = await lb.print(job).done;
  const docEvents = [];
  const again = lb.print(job).onDocument((ev) => docEvents.push(ev));
  const r = await again.done;

  assert.equal(r.jobId, first.jobId);
  assert.equal(r.duplicate, true);
  assert.equal(r.state, "done");
  assert.deepEqual(
    docEvents.map((ev) => [ev.index, ev.state, ev.synthetic]),
    [
      [0, "sent", true],
      [1, "sent", true],
      [2, "sent", true],
      [3, "sent", true],
    ],
  );
  await sim.waitForDocs(4);
  await sleep(200); // nothing more may arrive
  for (let i = 0; i < 4; i++) assert.equal(sim.received().get(i), 1, `copies of document ${i}`);
});

test("a connection that goes silent is replaced", async (t) => {
  const { proxy, lb, statuses } = await setup(t, { proxy: true, options: { deadAfter: 500 } });
  await lb.printers();
  proxy.stall();
  const started = Date.now();
  const printers = await lb.printers();
  assert.equal(printers[0].name, "label-1");
  const lost = statuses.find((s) => s.state === "reconnecting");
  assert.ok(lost, "no reconnect");
  assert.equal(lost.error.code, "timeout");
  assert.ok(Date.now() - started >= 500);
});

test("connect fails at once, saying why, when nothing listens", async () => {
  const port = await freePort();
  await assert.rejects(connect({ url: `ws://127.0.0.1:${port}/v1/ws`, WebSocket }), (err) => {
    assert.ok(err instanceof LabelbridgeError);
    assert.equal(err.code, "unreachable");
    assert.match(err.message, /running/);
    return true;
  });
});

test("a page from an origin not allowed is told so", async (t) => {
  const sim = await PrinterSim.start();
  const daemon = await Daemon.start(sim.url, 'allowed_origins: ["https://shop.example.com"]\n');
  t.after(async () => {
    await daemon.kill();
    sim.close();
  });
  // What a browser on https://evil.example would do, with its Local
  // Network Access permission granted.
  class BrowserWebSocket extends WebSocket {
    constructor(url) {
      super(url, { origin: "https://evil.example" });
    }
  }
  const env = {
    location: { origin: "https://evil.example", hostname: "evil.example" },
    navigator: { permissions: { query: async () => ({ state: "granted" }) } },
    isSecureContext: true,
    fetch: globalThis.fetch,
  };
  await assert.rejects(connect({ url: daemon.url, WebSocket: BrowserWebSocket, env }), (err) => {
    assert.equal(err.code, "unauthorized", err.message);
    assert.match(err.message, /allowed_origins/);
    return true;
  });
});

test("tokens: a client without a valid one is refused for good", async (t) => {
  const sim = await PrinterSim.start();
  const daemon = await Daemon.create(sim.url);
  const token = daemon.newToken("dash");
  await daemon.start();
  t.after(async () => {
    await daemon.kill();
    sim.close();
  });
  for (const [name, tok] of [
    ["NoToken", undefined],
    ["WrongToken", "lb_notatoken"],
  ]) {
    await t.test(name, async () => {
      const statuses = [];
      await assert.rejects(connect({ url: daemon.url, WebSocket, token: tok, onStatus: (s) => statuses.push(s) }), (err) => {
        assert.ok(err instanceof LabelbridgeError);
        assert.equal(err.code, "unauthorized", err.message);
        return true;
      });
      assert.equal(statuses.at(-1).state, "closed");
      assert.equal(statuses.at(-1).error.code, "unauthorized");
    });
  }
  await t.test("GoodToken", async () => {
    const lb = await connect({ url: daemon.url, WebSocket, token });
    t.after(() => lb.close());
    const r = await lb.print({ printer: "label-1", documents: batch(2) }).done;
    assert.equal(r.state, "done");
  });
});

test("close rejects what is still waiting", async (t) => {
  const { sim, lb, statuses } = await setup(t);
  sim.hold(0);
  const h = lb.print({ printer: "label-1", documents: batch(2, 4 << 20) });
  await h.jobId;
  lb.close();
  await assert.rejects(h.done, { code: "closed" });
  await assert.rejects(lb.printers(), { code: "closed" });
  assert.equal(statuses.at(-1).state, "closed");
  assert.equal(lb.state, "closed");
  sim.release();
});
