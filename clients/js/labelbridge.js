// labelbridge.js: the JavaScript client for the labelbridge daemon, protocol v1.
//
// An ES module with no dependencies. It runs in browsers as it is, and in
// Node.js with a WebSocket passed in (the "ws" package). See README.md.
//
//   import { connect } from "./labelbridge.js";
//   const lb = await connect({ token, client: "seller-dash/2.4" });
//   const job = lb.print({ printer: "label-1", documents: [...] });
//   job.onDocument((ev) => markPrinted(ev.ref));
//   const result = await job.done;

export const VERSION = "1.0.0";

/** DEFAULT_URL is where a daemon installed with its defaults listens. */
export const DEFAULT_URL = "ws://127.0.0.1:9110/v1/ws";

const OPEN = 1; // WebSocket.OPEN, the same in every implementation
const FINAL = new Set(["done", "failed", "cancelled"]);
// A document's state only moves forward; a snapshot or a late replayed
// event must never take a document back to an earlier state.
const DOC_RANK = { pending: 0, sent: 1, printed: 2, failed: 2, cancelled: 2 };
// A timer that fires this much later than asked means the machine slept
// (or the tab was frozen): the connection may be dead without knowing it.
const WAKE_TICK = 5000;
const WAKE_SLACK = 10000;
// Asking for every event after this seq asks for none yet, and the reply
// tells the newest seq: that is how a fresh client starts "from now".
const NEWEST = Number.MAX_SAFE_INTEGER;

/**
 * LabelbridgeError is every error this client reports: a protocol error
 * from the daemon (code and path as the daemon sent them) or one of the
 * client's own codes (unreachable, local_network_blocked, timeout,
 * disconnected, closed, protocol_error).
 */
export class LabelbridgeError extends Error {
  constructor(code, message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LabelbridgeError";
    this.code = code;
    this.path = options.path;
  }
}

function errorFromFrame(frame) {
  const e = frame && typeof frame.error === "object" && frame.error !== null ? frame.error : {};
  const code = typeof e.code === "string" ? e.code : "protocol_error";
  const message = typeof e.message === "string" ? e.message : `unexpected reply: ${JSON.stringify(frame).slice(0, 200)}`;
  return new LabelbridgeError(code, message, { path: typeof e.path === "string" ? e.path : undefined });
}

/**
 * connect opens a connection, says hello and subscribes to events. It
 * resolves with a Client once the daemon has answered welcome, and rejects
 * with a LabelbridgeError when the first attempt fails (the daemon is not
 * running, the browser blocked the connection, the token is wrong). Once
 * connected, the client reconnects by itself for as long as it is open.
 */
export function connect(options = {}) {
  return Client.open(options);
}

class Client {
  #o;
  #WebSocket;
  #ws = null;
  #opened = false; // the current socket fired open
  #ready = false; // the current socket finished hello and subscribe
  #state = "connecting";
  #first = null; // connect()'s promise, until the first handshake ends
  #attempt = 0;
  #nextId = 1;
  #pending = new Map(); // request id -> {frame, onReply, onError, sent}
  #internal = new Map(); // request id -> handler, for hello and subscribe on this socket
  #seq = null; // every event up to this seq was received
  #seen = new Set(); // seqs received beyond #seq, out of order
  #gapPending = false;
  #gapAt = null;
  #gapTries = 0;
  #jobs = new Map(); // job_id -> Set of trackers
  #timers = { reconnect: null, connect: null, dead: null, wake: null };
  #lastBuffered = 0;
  #unwatch = [];

  /** protocol is the daemon's protocol version, from welcome. */
  protocol = undefined;
  /** server is the daemon's name and version, e.g. "labelbridge/1.0.0". */
  server = undefined;
  /** knownPrinters are the printers as last reported: by welcome, then by each printers() reply. */
  knownPrinters = [];

  constructor(options) {
    const WS = options.WebSocket ?? globalThis.WebSocket;
    if (typeof WS !== "function") {
      throw new TypeError('labelbridge: no WebSocket here; pass one, e.g. connect({ WebSocket }) with import { WebSocket } from "ws"');
    }
    this.#WebSocket = WS;
    this.#o = {
      url: options.url ?? DEFAULT_URL,
      token: options.token,
      client: options.client ?? `labelbridge.js/${VERSION}`,
      onStatus: options.onStatus,
      onEvent: options.onEvent,
      minDelay: options.minDelay ?? 500,
      maxDelay: options.maxDelay ?? 30000,
      connectTimeout: options.connectTimeout ?? 15000,
      deadAfter: options.deadAfter ?? 20000,
      env: options.env ?? browserEnv(),
    };
    if (options.since !== undefined && options.since !== null) {
      if (!Number.isSafeInteger(options.since) || options.since < 0) {
        throw new TypeError("labelbridge: since must be a non-negative whole number");
      }
      this.#seq = options.since;
    }
  }

  static open(options) {
    let c;
    try {
      c = new Client(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      c.#first = { resolve: () => resolve(c), reject };
      c.#watchWake();
      c.#begin();
    });
  }

  /** state is "connecting", "open", "reconnecting" or "closed". */
  get state() {
    return this.#state;
  }

  /**
   * lastSeq is the seq of the newest event up to which every event was
   * received. Pass it as connect({since}) on the next page load to get
   * every event that happened in between.
   */
  get lastSeq() {
    return this.#seq;
  }

  /**
   * print submits a job and returns a handle at once; see PrintHandle in
   * labelbridge.d.ts. The job is sent again after a reconnect until the
   * daemon accepts it: its idempotency_key (made up when the job has none)
   * makes sure it prints once.
   */
  print(job) {
    if (job === null || typeof job !== "object" || Array.isArray(job)) {
      throw new TypeError("labelbridge: print wants a job object");
    }
    const body = { ...job, idempotency_key: job.idempotency_key ?? newKey() };
    const t = tracker(body, {
      getJob: (id) => this.getJob(id),
      cancel: (id) => this.cancel(id),
      forget: (id, t) => this.#forget(id, t),
    });
    this.#call(
      { type: "print", job: body },
      (reply) => {
        if (reply.type !== "accepted" || typeof reply.job_id !== "string") {
          t.fail(errorFromFrame(reply));
          return;
        }
        // Registered before this message handler returns, so the job's
        // next event, in the very next frame, finds its tracker.
        let set = this.#jobs.get(reply.job_id);
        if (!set) this.#jobs.set(reply.job_id, (set = new Set()));
        set.add(t);
        t.accepted(reply.job_id, reply.duplicate === true);
      },
      (err) => t.fail(err),
    );
    return t.handle;
  }

  /** printers asks for every configured printer with its status now. */
  printers() {
    return this.#request({ type: "printers" }).then((f) => {
      this.knownPrinters = Array.isArray(f.printers) ? f.printers : [];
      return this.knownPrinters;
    });
  }

  /** preview renders a document for a printer and resolves with its pages ({png_base64}). */
  preview(printer, document) {
    return this.#request({ type: "preview", printer, document }).then((f) => f.pages ?? []);
  }

  /** cancel cancels a job: documents not yet sent are never sent. */
  cancel(jobId) {
    return this.#request({ type: "cancel", job_id: jobId }).then(() => undefined);
  }

  /** getJob resolves with a job's state and every document's state. */
  getJob(jobId) {
    return this.#request({ type: "get_job", job_id: jobId }).then((f) => f.job);
  }

  /**
   * close ends the connection for good. Requests not yet answered and jobs
   * not yet finished reject with code "closed"; jobs already accepted go on
   * printing in the daemon.
   */
  close() {
    this.#shutdown(new LabelbridgeError("closed", "the client was closed"), false);
  }

  // ---- requests

  #request(frame) {
    return new Promise((resolve, reject) => this.#call(frame, resolve, reject));
  }

  // #call sends a request and calls onReply synchronously, inside the
  // handler of the frame that answers it (print relies on that), or
  // onError with a LabelbridgeError. Requests made while disconnected wait,
  // and requests unanswered when a connection drops are sent again on the
  // next: each request type is safe to repeat (print through its
  // idempotency key).
  #call(frame, onReply, onError) {
    if (this.#state === "closed") {
      onError(new LabelbridgeError("closed", "the client was closed"));
      return;
    }
    const id = this.#newId("r");
    // The id goes first: when the daemon refuses a frame it cannot parse
    // (too large), it finds the id to answer by looking at the frame's start.
    const p = { frame: { id, ...frame }, onReply, onError, sent: false };
    this.#pending.set(id, p);
    if (this.#ready) this.#transmit(p);
  }

  #transmit(p) {
    p.sent = true;
    this.#send(p.frame);
    this.#armDead();
  }

  #send(frame) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return;
    try {
      ws.send(JSON.stringify(frame));
    } catch (err) {
      this.#lost(new LabelbridgeError("disconnected", `send: ${err?.message ?? err}`, { cause: err }));
    }
  }

  #newId(prefix) {
    return `${prefix}${this.#nextId++}`;
  }

  // ---- connection

  async #begin() {
    const env = this.#o.env;
    let timeout = this.#o.connectTimeout;
    let permission;
    if (lnaApplies(env, this.#o.url)) {
      permission = await lnaPermission(env, this.#o.url);
      if (this.#state === "closed") return;
      // The browser holds the connection while its permission prompt is
      // up: give the person time to read it.
      if (permission === "prompt") timeout = Math.max(timeout, 60000);
    }
    this.#status(permission ? { state: "connecting", permission } : { state: "connecting" });
    this.#open(timeout);
  }

  #open(timeout = this.#o.connectTimeout) {
    let ws;
    this.#opened = false;
    this.#ready = false;
    try {
      ws = new this.#WebSocket(this.#o.url);
    } catch (err) {
      // A URL the WebSocket refuses outright: retrying cannot help.
      this.#shutdown(new LabelbridgeError("unreachable", `cannot connect to ${this.#o.url}: ${err?.message ?? err}`, { cause: err }), true);
      return;
    }
    this.#ws = ws;
    let socketError;
    // Listeners stay attached for the socket's life (an EventEmitter-based
    // socket throws on an error nobody listens to); each checks that its
    // socket is still the current one.
    const mine = (fn) => (ev) => {
      if (this.#ws === ws) fn(ev);
    };
    ws.addEventListener("open", mine(() => this.#onOpen()));
    ws.addEventListener("message", mine((ev) => this.#onMessage(ev.data)));
    ws.addEventListener("error", mine((ev) => (socketError = ev?.error ?? ev)));
    ws.addEventListener("close", mine((ev) => this.#onClose(ev, socketError)));
    this.#timers.connect = setTimeout(() => {
      if (this.#ws !== ws) return;
      this.#lost(new LabelbridgeError("timeout", `no answer from labelbridge at ${this.#o.url} within ${timeout / 1000} s`), !this.#opened);
    }, timeout);
  }

  #onOpen() {
    this.#opened = true;
    const id = this.#newId("h");
    this.#internal.set(id, (f) => {
      if (f.type === "error") {
        const err = errorFromFrame(f);
        if (err.code === "unauthorized") this.#shutdown(err, true);
        else this.#lost(err);
        return;
      }
      if (f.type !== "welcome") {
        this.#lost(new LabelbridgeError("protocol_error", `want welcome, got ${String(f.type)}`));
        return;
      }
      this.protocol = f.protocol;
      this.server = f.server;
      this.knownPrinters = Array.isArray(f.printers) ? f.printers : [];
      this.#subscribe();
    });
    const hello = { type: "hello", id, client: this.#o.client };
    if (this.#o.token !== undefined && this.#o.token !== null) hello.token = this.#o.token;
    this.#send(hello);
  }

  #subscribe() {
    if (this.#seq !== null) {
      this.#subscribeSince(this.#seq);
      this.#becomeReady();
      return;
    }
    // First connection: learn the newest seq, then ask for everything
    // after it. Nothing happening in between is lost, since a subscribe
    // replays from its since.
    const id = this.#newId("s");
    this.#internal.set(id, (f) => {
      if (f.type !== "subscribed" || typeof f.seq !== "number") {
        this.#lost(f.type === "error" ? errorFromFrame(f) : new LabelbridgeError("protocol_error", `want subscribed, got ${String(f.type)}`));
        return;
      }
      this.#seq = f.seq;
      this.#seen.clear();
      this.#subscribeSince(this.#seq);
      this.#becomeReady();
    });
    this.#send({ type: "subscribe", id, since: NEWEST });
  }

  // #subscribeSince asks for every event after since; requests sent after
  // it are handled after it, so they need not wait for its reply.
  #subscribeSince(since) {
    const id = this.#newId("s");
    this.#internal.set(id, (f) => {
      this.#gapPending = false;
      this.#onSubscribed(f, since);
    });
    this.#send({ type: "subscribe", id, since });
    this.#armDead();
  }

  #onSubscribed(f, since) {
    if (f.type !== "subscribed" || typeof f.seq !== "number") {
      this.#lost(f.type === "error" ? errorFromFrame(f) : new LabelbridgeError("protocol_error", `want subscribed, got ${String(f.type)}`));
      return;
    }
    if (f.seq < since) {
      // The daemon's newest event is older than ones we saw: its store was
      // replaced. Start over from its first event.
      this.#seq = 0;
      this.#seen.clear();
      this.#subscribeSince(0);
      this.#status({ state: this.#state, reset: true });
      this.#reconcile();
      return;
    }
    const oldest = typeof f.oldest === "number" ? f.oldest : 0;
    if (oldest > since + 1) {
      // Events were pruned by retention while we were away: they cannot
      // be replayed, so ask each job we follow where it stands.
      this.#skipTo(oldest - 1);
      this.#status({ state: this.#state, missed: { from: since + 1, to: oldest - 1 } });
      this.#reconcile();
    }
  }

  #becomeReady() {
    clearTimeout(this.#timers.connect);
    this.#timers.connect = null;
    this.#ready = true;
    this.#attempt = 0;
    this.#status({ state: "open" });
    if (this.#first) {
      const first = this.#first;
      this.#first = null;
      first.resolve();
    }
    for (const p of this.#pending.values()) {
      if (!p.sent) this.#transmit(p);
    }
  }

  #onMessage(data) {
    let f;
    try {
      f = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    } catch {
      return;
    }
    if (f === null || typeof f !== "object") return;
    this.#frameArrived();
    if (f.id !== undefined && f.id !== null) {
      const h = this.#internal.get(f.id);
      if (h) {
        this.#internal.delete(f.id);
        h(f);
        return;
      }
      const p = this.#pending.get(f.id);
      if (!p) return;
      this.#pending.delete(f.id);
      if (f.type === "error") callSafely(p.onError, errorFromFrame(f));
      else callSafely(p.onReply, f);
      return;
    }
    if (typeof f.seq === "number") this.#onEventFrame(f);
  }

  #onClose(ev, socketError) {
    const reason = typeof ev?.reason === "string" ? ev.reason : "";
    if (!this.#opened) {
      this.#lost(new LabelbridgeError("unreachable", `cannot connect to ${this.#o.url}${socketError?.message ? `: ${socketError.message}` : ""}`, { cause: socketError }), true);
      return;
    }
    if (reason === "unauthorized" || reason.startsWith("unauthorized:")) {
      this.#shutdown(new LabelbridgeError("unauthorized", `labelbridge closed the connection: ${reason}`), true);
      return;
    }
    const why = reason ? `${ev.code}: ${reason}` : String(ev?.code ?? "");
    this.#lost(new LabelbridgeError("disconnected", `connection closed (${why})`));
  }

  // #lost drops the current socket and reconnects after a delay; requests
  // waiting for an answer are sent again on the next socket.
  #lost(err, beforeOpen = false) {
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    this.#opened = false;
    this.#gapPending = false;
    this.#internal.clear();
    clearTimeout(this.#timers.connect);
    clearTimeout(this.#timers.dead);
    this.#timers.connect = this.#timers.dead = null;
    closeQuietly(ws);
    for (const p of this.#pending.values()) p.sent = false;
    if (this.#state === "closed") return;
    if (this.#first) {
      // The first attempt failed: say why, and stop.
      const why = beforeOpen ? diagnoseConnectFailure(this.#o.url, { cause: err, env: this.#o.env }) : Promise.resolve(err);
      why.then((e) => this.#shutdown(e, true));
      return;
    }
    const attempt = this.#attempt++;
    const base = Math.min(this.#o.maxDelay, this.#o.minDelay * 2 ** attempt);
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    const schedule = (e) => {
      if (this.#state === "closed" || this.#ws) return;
      this.#status({ state: "reconnecting", error: e, attempt: attempt + 1, delay });
      clearTimeout(this.#timers.reconnect);
      this.#timers.reconnect = setTimeout(() => {
        this.#timers.reconnect = null;
        this.#open();
      }, delay);
    };
    if (beforeOpen && this.#o.env.location) {
      // In a browser a failure before open says nothing: find out why.
      diagnoseConnectFailure(this.#o.url, { cause: err, env: this.#o.env }).then(schedule);
    } else {
      schedule(err);
    }
  }

  #shutdown(err, withError) {
    if (this.#state === "closed") return;
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    this.#internal.clear();
    for (const t of Object.values(this.#timers)) {
      clearTimeout(t);
      clearInterval(t);
    }
    for (const off of this.#unwatch) off();
    this.#unwatch = [];
    closeQuietly(ws, 1000);
    this.#state = "closed";
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) callSafely(p.onError, err);
    for (const set of this.#jobs.values()) for (const t of set) t.fail(err);
    this.#jobs.clear();
    this.#status(withError ? { state: "closed", error: err } : { state: "closed" });
    if (this.#first) {
      const first = this.#first;
      this.#first = null;
      first.reject(err);
    }
  }

  #status(s) {
    if (s.state !== this.#state && s.state !== undefined) this.#state = s.state;
    if (this.#o.onStatus) callSafely(this.#o.onStatus, s);
  }

  // ---- a dead connection, and waking from sleep

  // The daemon pings every 30 s, but a page cannot see pings: a silent
  // connection looks the same as one cut by sleep or a network change.
  // So once a request is out, a connection that sends nothing back for
  // deadAfter is given up and replaced.
  #armDead() {
    if (this.#timers.dead || !this.#ws) return;
    this.#lastBuffered = this.#ws.bufferedAmount ?? 0;
    this.#timers.dead = setTimeout(() => this.#deadCheck(), this.#o.deadAfter);
  }

  #frameArrived() {
    clearTimeout(this.#timers.dead);
    this.#timers.dead = null;
    if (this.#awaiting()) this.#armDead();
  }

  #awaiting() {
    if (this.#internal.size > 0) return true;
    for (const p of this.#pending.values()) if (p.sent) return true;
    return false;
  }

  #deadCheck() {
    this.#timers.dead = null;
    const ws = this.#ws;
    if (!ws || !this.#awaiting()) return;
    const buffered = ws.bufferedAmount ?? 0;
    if (buffered > 0 && buffered !== this.#lastBuffered) {
      // Still uploading a large job: that is progress.
      this.#armDead();
      return;
    }
    this.#lost(new LabelbridgeError("timeout", `no answer from labelbridge for ${this.#o.deadAfter / 1000} s; reconnecting`));
  }

  #watchWake() {
    let last = Date.now();
    const tick = setInterval(() => {
      const now = Date.now();
      if (now - last > WAKE_TICK + WAKE_SLACK) this.#wake();
      last = now;
    }, WAKE_TICK);
    // In Node the tick alone must not keep a process alive.
    tick.unref?.();
    this.#timers.wake = tick;
    const g = globalThis;
    if (typeof g.addEventListener === "function" && g.document) {
      const onOnline = () => this.#wake();
      const onVisible = () => {
        if (g.document.visibilityState === "visible") this.#wake();
      };
      g.addEventListener("online", onOnline);
      g.document.addEventListener("visibilitychange", onVisible);
      this.#unwatch.push(
        () => g.removeEventListener("online", onOnline),
        () => g.document.removeEventListener("visibilitychange", onVisible),
      );
    }
  }

  // #wake checks the connection after sleep, a network change or the page
  // coming back into view: reconnect now if waiting to, else ask the daemon
  // something cheap, which the dead-connection check then times.
  #wake() {
    if (this.#state === "closed" || this.#first) return;
    if (this.#timers.reconnect) {
      clearTimeout(this.#timers.reconnect);
      this.#timers.reconnect = null;
      this.#attempt = 0;
      this.#open();
      return;
    }
    if (this.#ready) this.printers().catch(() => {});
  }

  // ---- events

  #onEventFrame(ev) {
    if (this.#seq === null) return; // before the first subscribe: replayed later
    const s = ev.seq;
    if (s <= this.#seq || this.#seen.has(s)) return; // seen already
    if (s === this.#seq + 1) {
      this.#seq = s;
      while (this.#seen.delete(this.#seq + 1)) this.#seq++;
    } else {
      this.#seen.add(s);
      this.#onGap();
    }
    const set = typeof ev.job_id === "string" ? this.#jobs.get(ev.job_id) : undefined;
    if (set) for (const t of [...set]) t.apply(ev);
    if (this.#o.onEvent) callSafely(this.#o.onEvent, ev);
  }

  // #onGap asks again for the events after the last contiguous one. Should
  // the same hole survive two replays, the daemon no longer has those
  // events: skip it and ask each followed job where it stands.
  #onGap() {
    if (this.#gapPending || !this.#ready) return;
    if (this.#gapAt !== this.#seq) {
      this.#gapAt = this.#seq;
      this.#gapTries = 0;
    }
    if (this.#gapTries >= 2) {
      const from = this.#seq + 1;
      const next = Math.min(...this.#seen);
      this.#skipTo(next - 1);
      this.#status({ state: this.#state, missed: { from, to: next - 1 } });
      this.#reconcile();
      return;
    }
    this.#gapTries++;
    this.#gapPending = true;
    this.#subscribeSince(this.#seq);
  }

  #skipTo(seq) {
    if (seq <= this.#seq) return;
    this.#seq = seq;
    for (const s of this.#seen) if (s <= seq) this.#seen.delete(s);
    while (this.#seen.delete(this.#seq + 1)) this.#seq++;
  }

  #reconcile() {
    for (const [id, set] of this.#jobs) {
      this.getJob(id).then(
        (job) => {
          for (const t of [...set]) t.merge(job);
        },
        (err) => {
          if (err.code === "not_found") for (const t of [...set]) t.fail(err);
        },
      );
    }
  }

  #forget(id, t) {
    const set = this.#jobs.get(id);
    if (!set) return;
    set.delete(t);
    if (set.size === 0) this.#jobs.delete(id);
  }
}

// tracker follows one printed job: its promises, callbacks and the state of
// each document, fed by live events and, when events may have been missed,
// by job_status snapshots.
function tracker(job, client) {
  let jobId = null;
  let duplicate = false;
  let last = null; // the newest job event (or one made from a snapshot)
  let finished = false;
  let askedSnapshot = false;
  const docs = Array.isArray(job.documents)
    ? job.documents.map((d, index) => ({ index, ref: d?.ref, state: "pending" }))
    : [];
  const docCbs = [];
  const jobCbs = [];
  let resolveId, rejectId, resolveDone, rejectDone;
  const jobIdP = new Promise((res, rej) => ((resolveId = res), (rejectId = rej)));
  const doneP = new Promise((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  // Awaiting only one of the two must not leave the other unhandled.
  jobIdP.catch(() => {});
  doneP.catch(() => {});

  const handle = {
    jobId: jobIdP,
    done: doneP,
    idempotencyKey: job.idempotency_key,
    get id() {
      return jobId;
    },
    get documents() {
      return docs.map((d) => ({ ...d }));
    },
    onDocument(cb) {
      docCbs.push(cb);
      return handle;
    },
    onJob(cb) {
      jobCbs.push(cb);
      return handle;
    },
    cancel() {
      return jobIdP.then((id) => client.cancel(id));
    },
  };

  const doc = (index, ref) => docs[index] ?? (docs[index] = { index, ref, state: "pending" });

  function result() {
    const out = {
      jobId,
      printer: last.printer,
      state: last.state,
      done: last.done,
      total: last.total,
      duplicate,
      event: last,
      documents: docs.map((d) => ({ ...d })),
    };
    if (last.error) out.error = last.error;
    if (last.at) out.at = last.at;
    return out;
  }

  // finish resolves done once every document is accounted for: a document
  // still pending at the end (cancelled, or its event missed) is looked up.
  function finish() {
    if (finished) return;
    if (!askedSnapshot && docs.some((d) => d.state === "pending")) {
      askedSnapshot = true;
      client.getJob(jobId).then(merge, () => {}).finally(finish);
      return;
    }
    finished = true;
    client.forget(jobId, t);
    resolveDone(result());
  }

  function apply(ev) {
    if (finished) return;
    if (ev.type === "document" && Number.isInteger(ev.index) && ev.index >= 0) {
      const d = doc(ev.index, ev.ref);
      if ((DOC_RANK[ev.state] ?? 0) < DOC_RANK[d.state]) return;
      d.state = ev.state;
      if (ev.ref !== undefined) d.ref = ev.ref;
      if (ev.error) d.error = ev.error;
      if (ev.maybe_repeated) d.maybe_repeated = true;
      if (ev.at) d.at = ev.at;
      for (const cb of docCbs) callSafely(cb, ev);
    } else if (ev.type === "job") {
      last = ev;
      for (const cb of jobCbs) callSafely(cb, ev);
      if (FINAL.has(ev.state)) finish();
    }
  }

  function merge(snap) {
    if (finished || !snap || typeof snap !== "object") return;
    for (const s of Array.isArray(snap.documents) ? snap.documents : []) {
      if (!Number.isInteger(s.index) || s.index < 0) continue;
      const d = doc(s.index, s.ref);
      if (s.maybe_repeated) d.maybe_repeated = true;
      if ((DOC_RANK[s.state] ?? 0) <= DOC_RANK[d.state]) continue;
      d.state = s.state;
      if (s.error) d.error = s.error;
      const ev = { type: "document", job_id: jobId, index: s.index, ref: s.ref, state: s.state, synthetic: true };
      if (s.error) ev.error = s.error;
      if (s.maybe_repeated) ev.maybe_repeated = true;
      for (const cb of docCbs) callSafely(cb, ev);
    }
    const changed = !last || last.state !== snap.state || last.done !== snap.done;
    if (changed && !(last && FINAL.has(last.state))) {
      last = { type: "job", job_id: jobId, state: snap.state, printer: snap.printer, done: snap.done, total: snap.total, synthetic: true };
      if (snap.error) last.error = snap.error;
      for (const cb of jobCbs) callSafely(cb, last);
    }
    if (last && FINAL.has(last.state)) finish();
  }

  const t = {
    handle,
    apply,
    merge,
    accepted(id, dup) {
      jobId = id;
      duplicate = dup;
      resolveId(id);
      // A duplicate is a job submitted before (by an earlier connection
      // whose answer was lost, or an earlier page): its events so far went
      // elsewhere, so start from where it stands.
      if (dup) client.getJob(id).then(merge, () => {});
    },
    fail(err) {
      if (finished) return;
      finished = true;
      if (jobId !== null) client.forget(jobId, t);
      rejectId(err);
      rejectDone(err);
    },
  };
  return t;
}

// callSafely runs a callback of the caller's; an exception in it must not
// break the client, so it is rethrown outside, as an event listener's is.
function callSafely(fn, arg) {
  try {
    fn(arg);
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
  }
}

function closeQuietly(ws, code) {
  if (!ws) return;
  try {
    if (code) ws.close(code);
    else ws.close();
  } catch {
    // Closing a socket that never opened may throw; it is gone either way.
  }
}

function newKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return `lbjs-${c.randomUUID()}`;
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
  return `lbjs-${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
}

// ---- why a connection failed before it opened

function browserEnv() {
  const g = globalThis;
  if (!g.location || !g.navigator) return {};
  return {
    location: g.location,
    navigator: g.navigator,
    isSecureContext: g.isSecureContext,
    fetch: typeof g.fetch === "function" ? g.fetch.bind(g) : undefined,
  };
}

// addressSpace classifies a host as Local Network Access does: loopback,
// local (private ranges) or public. A name other than localhost counts as
// public: a page cannot resolve it.
function addressSpace(host) {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\./.test(h)) return "loopback";
  if (/^10\./.test(h) || /^192\.168\./.test(h) || /^169\.254\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h)) return "local";
  if (/^f[cd][0-9a-f]{2}:/.test(h) || /^fe80:/.test(h)) return "local";
  return "public";
}

function hostOf(url) {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

// lnaApplies reports whether a browser asks the person before this page may
// reach url: a page may always reach its own address space and more public
// ones, and needs permission for more private ones.
function lnaApplies(env, url) {
  if (!env.location || typeof env.location.hostname !== "string") return false;
  const order = { public: 0, local: 1, loopback: 2 };
  return order[addressSpace(hostOf(url))] > order[addressSpace(env.location.hostname)];
}

// lnaPermission asks the Permissions API for the Local Network Access
// permission that covers url: Chrome names it loopback-network (this
// computer) or local-network (the LAN), and earlier versions
// local-network-access. It resolves with "granted", "denied", "prompt" or
// undefined when the browser knows none of these names.
async function lnaPermission(env, url) {
  const perms = env.navigator?.permissions;
  if (!perms || typeof perms.query !== "function") return undefined;
  const names = addressSpace(hostOf(url)) === "loopback" ? ["loopback-network", "local-network-access"] : ["local-network", "local-network-access"];
  for (const name of names) {
    try {
      const st = await perms.query({ name });
      if (st && typeof st.state === "string") return st.state;
    } catch {
      // Not a permission this browser knows: try the next name.
    }
  }
  return undefined;
}

function statusPage(url) {
  try {
    const u = new URL(url);
    return `${u.protocol === "wss:" ? "https:" : "http:"}//${u.host}/`;
  } catch {
    return "http://127.0.0.1:9110/";
  }
}

/**
 * diagnoseConnectFailure tells why a WebSocket to url failed before it
 * opened, as a LabelbridgeError whose message says what to do. A browser
 * reports no reason for such a failure, so it looks at what it can: the
 * page's address, the Local Network Access permission, and whether the
 * daemon answers plain HTTP. env defaults to the browser's globals; Node
 * has none, and cause (the socket's error) is all there is to go on.
 */
export async function diagnoseConnectFailure(url, { cause, env = browserEnv() } = {}) {
  const page = statusPage(url);
  const origin = env.location?.origin ?? "this page's origin";
  if (lnaApplies(env, url)) {
    if (env.isSecureContext === false) {
      return new LabelbridgeError(
        "local_network_blocked",
        `This page is served over plain http, and the browser lets only https pages connect to labelbridge on this computer (Local Network Access). ` +
          `Serve the dashboard over https, or ask your administrator to allow ${origin} with the Chrome policy LocalNetworkAccessAllowedForUrls.`,
        { cause },
      );
    }
    const permission = await lnaPermission(env, url);
    if (permission === "denied") {
      return new LabelbridgeError(
        "local_network_blocked",
        `The browser blocked this page from connecting to labelbridge on this computer (Local Network Access is denied for ${origin}). ` +
          `To allow it: click the site icon left of the address bar, open Site settings, set "Local network access" to Allow, and reload the page. ` +
          `An administrator can allow it on every PC with the Chrome policy LocalNetworkAccessAllowedForUrls (add ${origin}).`,
        { cause },
      );
    }
    if (permission === "prompt") {
      return new LabelbridgeError(
        "local_network_blocked",
        `The browser needs your permission before this page may connect to labelbridge on this computer (Local Network Access). ` +
          `Reload the page and choose Allow when the browser asks to connect to devices on your local network. ` +
          `If it does not ask, check that labelbridge is running (its status page is ${page}), ` +
          `or ask your administrator to allow ${origin} with the Chrome policy LocalNetworkAccessAllowedForUrls.`,
        { cause },
      );
    }
  }
  if (env.location && typeof env.fetch === "function") {
    // Any HTTP answer, even an opaque one, means labelbridge is running and
    // refused this page; no answer means it is not there.
    if (await answers(env.fetch, `${page}healthz`)) {
      return new LabelbridgeError(
        "unauthorized",
        `labelbridge is running but refused this page (${origin}). Add ${origin} to allowed_origins in the labelbridge config, ` +
          `or allow it under pending origins on the status page ${page}.`,
        { cause },
      );
    }
    return new LabelbridgeError("unreachable", `labelbridge is not answering at ${url}. Check that it is running: its status page is ${page}.`, { cause });
  }
  const detail = cause?.message ?? (cause ? String(cause) : "");
  if (/\b(401|403)\b/.test(detail)) {
    return new LabelbridgeError("unauthorized", `labelbridge refused the connection to ${url}: ${detail}`, { cause });
  }
  return new LabelbridgeError("unreachable", `cannot connect to labelbridge at ${url}${detail ? `: ${detail}` : ""}. Check that it is running.`, { cause });
}

async function answers(fetch, url) {
  const ctl = typeof AbortController === "function" ? new AbortController() : undefined;
  const timer = setTimeout(() => ctl?.abort(), 3000);
  try {
    await fetch(url, { mode: "no-cors", cache: "no-store", signal: ctl?.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
