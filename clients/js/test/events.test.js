// These tests put the client in front of a scripted WebSocket server that
// speaks the protocol, to make happen what a healthy daemon never does on
// its own: a lost event, a replaced store, events pruned while away.

import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocketServer, WebSocket } from "ws";
import { connect } from "../labelbridge.js";

const NEWEST = Number.MAX_SAFE_INTEGER;

// Scripted answers hello and subscribe as labelbridge does. Its store is a
// list of events; subscribe replays those after since, unless a test's
// replay says otherwise.
class Scripted {
  requests = []; // every frame received, each with the connection's number
  connections = 0;
  events = [];
  latest = 0;
  oldest = 1;
  replay = (since) => this.events.filter((ev) => ev.seq > since);
  #waiters = new Set();

  static async start() {
    const s = new Scripted();
    s.wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((resolve) => s.wss.once("listening", resolve));
    s.wss.on("connection", (ws) => s.#accept(ws));
    return s;
  }

  get url() {
    return `ws://127.0.0.1:${this.wss.address().port}/v1/ws`;
  }

  #accept(ws) {
    const conn = ++this.connections;
    this.ws = ws;
    ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      this.requests.push({ conn, ...f });
      if (f.type === "hello") {
        ws.send(JSON.stringify({ type: "welcome", id: f.id, protocol: 1, server: "labelbridge/scripted", printers: [] }));
      } else if (f.type === "subscribe") {
        ws.send(JSON.stringify({ type: "subscribed", id: f.id, seq: this.latest, oldest: this.oldest }));
        for (const ev of this.replay(f.since)) ws.send(JSON.stringify(ev));
      } else if (f.type === "printers") {
        ws.send(JSON.stringify({ type: "printers", id: f.id, printers: [] }));
      }
      for (const w of this.#waiters) w();
    });
  }

  // emit stores an event and sends it live, or only stores it (lost).
  emit(seq, { lost = false } = {}) {
    const ev = { type: "job", job_id: "j1", seq, state: "printing", printer: "p", done: 0, total: 1, at: "2026-11-27T07:42:11.021Z" };
    this.events.push(ev);
    this.latest = Math.max(this.latest, seq);
    if (!lost) this.ws.send(JSON.stringify(ev));
  }

  subscribes() {
    return this.requests.filter((f) => f.type === "subscribe").map((f) => [f.conn, f.since]);
  }

  until(cond, ms = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`condition not met: ${cond}; requests ${JSON.stringify(this.requests)}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  close() {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}

async function setup(t, { latest = 10, options = {} } = {}) {
  const server = await Scripted.start();
  server.latest = latest;
  const seqs = [];
  const statuses = [];
  const lb = await connect({
    url: server.url,
    WebSocket,
    minDelay: 20,
    maxDelay: 100,
    onEvent: (ev) => seqs.push(ev.seq),
    onStatus: (s) => statuses.push(s),
    ...options,
  });
  t.after(() => {
    lb.close();
    server.close();
  });
  return { server, lb, seqs, statuses };
}

function until(cond, ms = 5000) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = setInterval(() => {
      if (cond()) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() - start > ms) {
        clearInterval(tick);
        reject(new Error(`condition not met: ${cond}`));
      }
    }, 5);
  });
}

test("a fresh client starts from the newest event", async (t) => {
  const { server, lb } = await setup(t, { latest: 10 });
  await server.until(() => server.subscribes().length === 2);
  assert.deepEqual(server.subscribes(), [
    [1, NEWEST],
    [1, 10],
  ]);
  assert.equal(lb.lastSeq, 10);
});

test("a client given since starts there", async (t) => {
  const { server, lb } = await setup(t, { latest: 10, options: { since: 7 } });
  await server.until(() => server.subscribes().length === 1);
  assert.deepEqual(server.subscribes(), [[1, 7]]);
  await until(() => lb.lastSeq === 7);
});

test("a gap in seq asks again from the last event before it", async (t) => {
  const { server, lb, seqs } = await setup(t);
  await server.until(() => server.subscribes().length === 2);
  server.emit(11);
  server.emit(12, { lost: true });
  server.emit(13);
  await until(() => seqs.length === 3);
  assert.deepEqual(seqs, [11, 13, 12], "each event once; the lost one replayed");
  assert.deepEqual(server.subscribes().at(-1), [1, 11]);
  assert.equal(lb.lastSeq, 13);
});

test("a hole the daemon cannot fill is skipped after two tries", async (t) => {
  const { server, lb, seqs, statuses } = await setup(t);
  await server.until(() => server.subscribes().length === 2);
  server.emit(11);
  server.events.push({ type: "job", seq: 12, lost: true }); // never sent again either
  server.replay = (since) => server.events.filter((ev) => ev.seq > since && !ev.lost);
  server.latest = 12;
  // The server answers a subscribe before it sends anything after it, so
  // each emit below reaches the client after the previous replay.
  server.emit(13);
  await server.until(() => server.subscribes().length === 3);
  server.emit(14);
  await server.until(() => server.subscribes().length === 4);
  server.emit(15);
  await until(() => lb.lastSeq === 15);
  assert.deepEqual(seqs, [11, 13, 14, 15]);
  assert.deepEqual(
    server.subscribes().slice(2).map(([, since]) => since),
    [11, 11],
    "two replays asked for from seq 11, then no more",
  );
  const missed = statuses.find((s) => s.missed);
  assert.deepEqual(missed?.missed, { from: 12, to: 12 });
});

test("after a reconnect the client asks for the events after the last it saw", async (t) => {
  const { server, seqs, statuses } = await setup(t);
  await server.until(() => server.subscribes().length === 2);
  server.emit(11);
  server.emit(12);
  await until(() => seqs.length === 2);
  // Events happen while the client is away.
  server.ws.close(1008, "rate_limited: more than 1024 frames unread; reconnect and subscribe since your last seq");
  server.emit(13, { lost: true });
  server.emit(14, { lost: true });
  await until(() => seqs.length === 4);
  assert.deepEqual(seqs, [11, 12, 13, 14]);
  const second = server.requests.filter((f) => f.conn === 2).map((f) => [f.type, f.since]);
  assert.deepEqual(second.slice(0, 2), [
    ["hello", undefined],
    ["subscribe", 12],
  ]);
  const lost = statuses.find((s) => s.state === "reconnecting");
  assert.equal(lost.error.code, "disconnected");
  assert.match(lost.error.message, /rate_limited/);
});

test("a daemon whose store was replaced is followed from its first event", async (t) => {
  const { server, lb, seqs, statuses } = await setup(t, { latest: 3, options: { since: 500 } });
  server.events = [1, 2, 3].map((seq) => ({ type: "job", job_id: "j9", seq, state: "queued" }));
  await until(() => seqs.length === 3);
  assert.deepEqual(seqs, [1, 2, 3]);
  assert.deepEqual(server.subscribes(), [
    [1, 500],
    [1, 0],
  ]);
  assert.ok(statuses.some((s) => s.reset === true), "no reset status");
  assert.equal(lb.lastSeq, 3);
});

test("events pruned while away are reported as missed", async (t) => {
  const server = await Scripted.start();
  server.latest = 60;
  server.oldest = 50;
  server.events = [50, 51].map((seq) => ({ type: "job", job_id: "j9", seq, state: "done" }));
  const seqs = [];
  const statuses = [];
  const lb = await connect({ url: server.url, WebSocket, since: 5, onEvent: (ev) => seqs.push(ev.seq), onStatus: (s) => statuses.push(s) });
  t.after(() => {
    lb.close();
    server.close();
  });
  await until(() => seqs.length === 2);
  assert.deepEqual(seqs, [50, 51]);
  assert.deepEqual(statuses.find((s) => s.missed)?.missed, { from: 6, to: 49 });
  assert.equal(lb.lastSeq, 51);
});
