// status.js runs the labelbridge status page. It reads the printers, recent
// jobs and web-page origins once, then follows every change live over the
// WebSocket (the client the daemon serves at /v1/client.js), so the page
// never needs a reload. Everything is fetched from the origin that served
// the page, which is the daemon itself.
//
// Text from the daemon (order refs, error messages, refused origins) is put
// into the page with textContent only, never as HTML: a refused origin is
// chosen by whoever sent the request.

import { connect } from "/v1/client.js";

const TOKEN_KEY = "labelbridge.token";
const MAX_JOBS = 30;
const MAX_EARLIER = 20;
const MAX_NOTES = 5;
// Printers and origins are also re-read now and then: origins have no
// events, and a poll catches up with a printer whose state changed while
// the connection was down.
const POLL_MS = 10000;
// A failed job stays among the problems this long (it stays in the jobs
// table after that).
const FAILED_RECENT_MS = 60 * 60 * 1000;
const FINAL = new Set(["done", "failed", "cancelled"]);
const DOC_RANK = { pending: 0, sent: 1, printed: 2, failed: 2, cancelled: 2 };

// Printer faults and delivery problems in plain words, with what to do.
const PROBLEMS = {
  paper_out: ["paper out", "Load a new roll of labels; waiting jobs go on by themselves."],
  head_open: ["print head open", "Close the print head."],
  cover_open: ["cover open", "Close the printer's cover."],
  ribbon_out: ["ribbon out", "Put in a new ribbon."],
  paper_jam: ["paper jam", "Clear the jammed labels."],
  paused: ["paused", "Press the pause button on the printer to go on."],
  offline: ["offline", "Check the printer's display and switch it on line."],
  printer_unreachable: ["cannot be reached", "Check that the printer is switched on and its cable or network is connected."],
  send_failed: ["sending failed", ""],
  render_failed: ["could not be drawn", "Check the order's data."],
};

const PRINTER_STATES = { ready: "Ready", busy: "Printing", fault: "Fault", offline: "Offline", unknown: "Status unknown" };
const JOB_STATES = {
  queued: "Queued",
  printing: "Printing",
  waiting: "Waiting",
  interrupted: "Interrupted, resuming",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

const SAMPLE_ORDERS = [
  {
    order_id: "576682230865707864",
    platform: "TikTok Shop",
    carrier: "Kerry Express",
    service: "Standard",
    tracking_number: "KEX2606193617TH",
    sort_code: "NBI-11B",
    sender: { name: "ร้านน้ำใจ ช็อป (Namjai Shop)", phone: "02-123-4567", address: "99/9 ซอยสุขุมวิท 101 แขวงบางจาก เขตพระโขนง กรุงเทพมหานคร", postcode: "10260" },
    recipient: { name: "อรอุมา แก้วประเสริฐ", phone: "060-372-7616", address: "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง อำเภอเมืองนครราชสีมา นครราชสีมา", postcode: "30000" },
    items: [{ sku: "TS-RED-L", name: "เสื้อยืดคอกลม สีแดง", variant: "L", qty: 1, location: "C-06-03" }],
    weight_kg: 0.45,
    cod: { amount: "390.00", currency: "THB" },
  },
  {
    order_id: "576404974657734576",
    platform: "Shopee",
    carrier: "Thailand Post EMS",
    service: "Economy",
    tracking_number: "EM8132827826TH",
    sort_code: "HDY-34B",
    sender: { name: "ร้านน้ำใจ ช็อป (Namjai Shop)", phone: "02-123-4567", address: "99/9 ซอยสุขุมวิท 101 แขวงบางจาก เขตพระโขนง กรุงเทพมหานคร", postcode: "10260" },
    recipient: { name: "Trần Thị Hương", phone: "088-255-8028", address: "371/58 ถนนศรีนครินทร์ ตำบลบางพูด อำเภอปากเกร็ด นนทบุรี", postcode: "11120" },
    items: [
      { sku: "BAG-TOTE-NAT", name: "กระเป๋าผ้า Tote สีธรรมชาติ", variant: "", qty: 1, location: "B-01-02" },
      { sku: "TS-RED-L", name: "เสื้อยืดคอกลม สีแดง", variant: "L", qty: 2, location: "C-06-03" },
    ],
    weight_kg: 1.47,
  },
];

function sampleDocument(kind) {
  if (kind === "pick_list") return { kind: "pick_list", data: { batch_id: "SAMPLE-1", orders: SAMPLE_ORDERS } };
  return { kind: "shipping_label", data: SAMPLE_ORDERS[0] };
}

// ---- page state

const page = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? "",
  lb: null,
  generation: 0, // bumped on each (re)start, so a stale start's work is dropped
  printers: new Map(), // name -> printer
  printerOrder: [],
  jobs: new Map(), // job id -> job
  earlier: [], // {text, from, to}, newest first
  lastProblem: new Map(), // printer name -> {code, since, known}
  renderQueued: false,
  problemsKey: "",
  conn: { state: "connecting" }, // the page's own connection, for the problems
  originsKey: "",
  previewURL: null,
};

const $ = (id) => document.getElementById(id);

// el builds an element; children are nodes or strings (as text).
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

function words(code) {
  if (!code) return "";
  return PROBLEMS[code]?.[0] ?? String(code).replaceAll("_", " ");
}

function advice(code) {
  return PROBLEMS[code]?.[1] ?? "";
}

function clock(d) {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return "";
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString([], { day: "numeric", month: "short" })} ${time}`;
}

function clockSeconds(d) {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return "";
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString([], { day: "numeric", month: "short" })} ${time}`;
}

function date(s) {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function shortId(id) {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

// ---- HTTP

class HTTPError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = "GET", json } = {}) {
  const headers = {};
  if (page.token) headers.Authorization = `Bearer ${page.token}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, cache: "no-store", body: json === undefined ? undefined : JSON.stringify(json) });
  if (r.ok) return r;
  let code = `http_${r.status}`;
  let message = `${r.status} ${r.statusText}`;
  try {
    const body = await r.json();
    if (body && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    // Not JSON: keep the status line.
  }
  if (r.status === 401) askToken("This labelbridge has access tokens turned on, and this tab has none or a wrong one. Enter a token to see printers and jobs.");
  throw new HTTPError(r.status, code, message);
}

async function apiJSON(path, opts) {
  return (await api(path, opts)).json();
}

// ---- token

function askToken(why) {
  $("token-why").textContent = why;
  $("token-panel").hidden = false;
}

function setupToken() {
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = $("token-input").value.trim();
    if (!t) return;
    page.token = t;
    sessionStorage.setItem(TOKEN_KEY, t);
    $("token-input").value = "";
    $("token-panel").hidden = true;
    start();
  });
}

// ---- connection

function showConnection(s) {
  page.conn = s;
  schedule();
  const c = $("conn");
  c.dataset.state = s.state;
  switch (s.state) {
    case "connecting":
      c.textContent = "Connecting…";
      break;
    case "open":
      c.textContent = "Live";
      c.title = "";
      break;
    case "reconnecting":
      c.textContent = `Connection lost: trying again in ${Math.max(1, Math.round((s.delay ?? 0) / 1000))} s`;
      c.title = s.error?.message ?? "";
      break;
    case "closed":
      c.textContent = s.error ? "Not connected" : "Closed";
      c.title = s.error?.message ?? "";
      break;
  }
}

async function start() {
  const gen = ++page.generation;
  if (page.lb) page.lb.close();
  page.lb = null;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/ws`;
  $("endpoint").textContent = url;
  let lb;
  try {
    lb = await connect({
      url,
      token: page.token || undefined,
      client: "labelbridge-status-page/1",
      onStatus: (s) => {
        if (gen !== page.generation) return;
        showConnection(s);
        if (s.state === "open" && page.lb) refresh();
        if (s.missed || s.reset) loadJobs();
        if (s.state === "closed" && s.error?.code === "unauthorized") {
          document.body.dataset.ready = "no";
          askToken(`labelbridge refused this tab: ${s.error.message}. Enter a valid token.`);
        }
      },
      onEvent: (ev) => {
        if (gen === page.generation) onEvent(ev);
      },
    });
  } catch (err) {
    if (gen !== page.generation) return;
    showConnection({ state: "closed", error: err });
    if (err.code === "unauthorized") {
      document.body.dataset.ready = "no";
      askToken(page.token ? "The token was refused (wrong or revoked). Enter a valid token." : "This labelbridge has access tokens turned on. Enter a token to see printers and jobs.");
    } else {
      $("conn").textContent = `Not connected: ${err.message}`;
      setTimeout(() => gen === page.generation && start(), 3000);
    }
    return;
  }
  if (gen !== page.generation) {
    lb.close();
    return;
  }
  page.lb = lb;
  document.body.dataset.ready = "yes";
  $("server").textContent = lb.server ?? "labelbridge";
  setPrinters(lb.knownPrinters, 0);
  refresh();
}

// docName is how a packer finds a document: its ref (the order), with the
// page for a PDF's pages, which share one ref; else its place in the job.
function docName(d) {
  if (!d.ref) return `document ${d.index + 1}`;
  return d.page ? `${d.ref} page ${d.page}` : d.ref;
}

// refresh re-reads what events do not carry in full: printers (their status
// right now), recent jobs and origins.
function refresh() {
  pollPrinters();
  loadJobs();
  loadOrigins();
}

async function pollPrinters() {
  const lb = page.lb;
  if (!lb || lb.state !== "open") return;
  const asked = performance.now();
  try {
    setPrinters(await lb.printers(), asked);
  } catch {
    // The connection status already says what is wrong.
  }
}

// ---- printers

function setPrinters(list, asked) {
  page.printerOrder = list.map((p) => p.name);
  for (const p of list) {
    let pr = page.printers.get(p.name);
    if (!pr) {
      pr = { name: p.name, state: "unknown", fault: null, since: null, sinceKnown: false, eventAt: -1, note: "" };
      page.printers.set(p.name, pr);
    }
    pr.language = p.language;
    pr.connection = p.connection;
    // An event that came after this answer was asked for is newer.
    if (pr.eventAt > asked) continue;
    const st = p.status ?? {};
    const bad = st.state === "fault" || st.state === "offline";
    const fault = bad ? { code: st.detail || st.state, message: "" } : null;
    setPrinterState(pr, st.state ?? "unknown", fault, null);
  }
  for (const name of [...page.printers.keys()]) if (!page.printerOrder.includes(name)) page.printers.delete(name);
  schedule();
}

// setPrinterState records a printer's state; at is when it changed (from
// an event), or null when this page only noticed it now.
function setPrinterState(pr, state, fault, at) {
  const changed = pr.state !== state || (pr.fault?.code ?? "") !== (fault?.code ?? "");
  pr.state = state;
  pr.fault = fault;
  if (changed || (at && !pr.sinceKnown)) {
    pr.since = at ?? new Date();
    pr.sinceKnown = Boolean(at);
  }
}

function onPrinterEvent(ev) {
  const pr = page.printers.get(ev.printer);
  if (!pr) {
    pollPrinters();
    return;
  }
  pr.eventAt = performance.now();
  const bad = ev.state === "fault" || ev.state === "offline";
  const fault = bad ? { code: ev.error?.code || ev.state, message: ev.error?.message ?? "" } : null;
  setPrinterState(pr, ev.state, fault, date(ev.at));
}

async function testPrint(pr) {
  pr.note = "Sending a test label…";
  schedule();
  try {
    const r = await apiJSON(`/v1/printers/${encodeURIComponent(pr.name)}/test`, { method: "POST" });
    pr.note = `Test label sent (job ${shortId(r.job_id)}).`;
  } catch (err) {
    pr.note = `Test print refused: ${err.message}`;
  }
  schedule();
}

function printerCard(pr) {
  const card = el("li", { class: "printer" });
  const badge = el("span", { class: "state" });
  const meta = el("p", { class: "meta" });
  const note = el("p", { class: "note", role: "status" });
  const button = el("button", { type: "button", onclick: () => testPrint(pr) }, "Print a test label");
  button.setAttribute("aria-label", `Print a test label on ${pr.name}`);
  card.append(el("h3", {}, pr.name), el("p", {}, badge), meta, button, note);
  card.update = () => {
    card.dataset.state = pr.state;
    card.dataset.printer = pr.name;
    badge.dataset.state = pr.state;
    let text = PRINTER_STATES[pr.state] ?? pr.state;
    if (pr.fault && pr.fault.code !== pr.state) text += `: ${words(pr.fault.code)}`;
    badge.textContent = text;
    meta.textContent = `${(pr.language ?? "").toUpperCase()} · ${pr.connection ?? ""}`;
    if (note.textContent !== pr.note) note.textContent = pr.note;
  };
  return card;
}

// ---- jobs

function newJob(id) {
  return { id, printer: "", state: "queued", done: 0, total: 0, created: null, at: null, error: null, docs: null, eventAt: -1, waitingSince: null, finishedAt: null };
}

function jobFromStatus(s, asked) {
  let j = page.jobs.get(s.job_id);
  if (!j) {
    j = newJob(s.job_id);
    page.jobs.set(s.job_id, j);
  }
  j.printer = s.printer;
  j.created = date(s.created_at) ?? j.created;
  if (j.eventAt <= asked) {
    j.state = s.state;
    j.done = s.done;
    j.total = s.total;
    j.error = s.error ?? null;
  }
  if (Array.isArray(s.documents) && s.documents.length > 0) {
    if (!j.docs || j.docs.length !== s.documents.length) j.docs = s.documents.map((d) => ({ ...d }));
    else {
      for (const d of s.documents) {
        const cur = j.docs[d.index];
        if (!cur || (DOC_RANK[d.state] ?? 0) >= (DOC_RANK[cur.state] ?? 0)) j.docs[d.index] = { ...cur, ...d };
        else if (cur.ref === undefined) Object.assign(cur, { ref: d.ref, page: d.page });
      }
    }
  }
  return j;
}

async function loadJobs() {
  const asked = performance.now();
  let list;
  try {
    list = (await apiJSON(`/v1/jobs?limit=${MAX_JOBS}`)).jobs ?? [];
  } catch (err) {
    $("jobs-msg").textContent = `Could not read the jobs: ${err.message}`;
    return;
  }
  $("jobs-msg").textContent = "";
  for (const s of list) jobFromStatus(s, asked);
  trimJobs();
  schedule();
  // The list has no documents: read each job for its per-document progress.
  const lb = page.lb;
  if (!lb) return;
  await Promise.all(
    list.map((s) =>
      lb.getJob(s.job_id).then(
        (full) => jobFromStatus(full, asked),
        () => {},
      ),
    ),
  );
  schedule();
}

function trimJobs() {
  const sorted = sortedJobs();
  for (const j of sorted.slice(MAX_JOBS)) page.jobs.delete(j.id);
}

function sortedJobs() {
  return [...page.jobs.values()].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0));
}

function onJobEvent(ev) {
  let j = page.jobs.get(ev.job_id);
  if (!j) {
    j = newJob(ev.job_id);
    j.created = date(ev.at) ?? new Date();
    page.jobs.set(ev.job_id, j);
    trimJobs();
  }
  j.eventAt = performance.now();
  j.printer = ev.printer ?? j.printer;
  if (ev.state === "waiting" && j.state !== "waiting") j.waitingSince = date(ev.at);
  j.state = ev.state;
  j.done = ev.done ?? j.done;
  j.total = ev.total ?? j.total;
  j.error = ev.error ?? null;
  j.at = date(ev.at);
  if (FINAL.has(ev.state)) j.finishedAt = j.at;
  if (!j.docs && j.total > 0) j.docs = Array.from({ length: j.total }, (_, index) => ({ index, state: "pending" }));
}

function onDocumentEvent(ev) {
  let j = page.jobs.get(ev.job_id);
  if (!j) {
    j = newJob(ev.job_id);
    j.created = date(ev.at) ?? new Date();
    page.jobs.set(ev.job_id, j);
    trimJobs();
  }
  j.eventAt = performance.now();
  if (!j.docs) j.docs = [];
  while (j.docs.length <= ev.index) j.docs.push({ index: j.docs.length, state: "pending" });
  const cur = j.docs[ev.index];
  if ((DOC_RANK[ev.state] ?? 0) >= (DOC_RANK[cur.state] ?? 0)) {
    j.docs[ev.index] = {
      index: ev.index,
      ref: ev.ref ?? cur.ref,
      page: ev.page ?? cur.page,
      state: ev.state,
      error: ev.error ?? cur.error,
      maybe_repeated: ev.maybe_repeated || cur.maybe_repeated,
      at: date(ev.at),
    };
  }
}

async function cancelJob(j, button) {
  button.disabled = true;
  try {
    await page.lb.cancel(j.id);
  } catch (err) {
    $("jobs-msg").textContent = `Could not cancel job ${shortId(j.id)}: ${err.message}`;
  }
  button.disabled = false;
}

async function reprintJob(j, button) {
  button.disabled = true;
  try {
    const r = await apiJSON(`/v1/jobs/${encodeURIComponent(j.id)}/reprint`, { method: "POST" });
    $("jobs-msg").textContent = `Job ${shortId(j.id)} is printing again as job ${shortId(r.job_id)}.`;
  } catch (err) {
    $("jobs-msg").textContent = `Could not reprint job ${shortId(j.id)}: ${err.message}`;
  }
  button.disabled = false;
}

function jobRow(j) {
  const row = el("tr", { dataset: { job: j.id } });
  const started = el("td");
  const printer = el("td");
  const id = el("td", {}, el("code", { class: "job-id", title: j.id }, shortId(j.id)));
  const badge = el("span", { class: "state" });
  const why = el("span", { class: "why" });
  const progress = el("progress", { max: 1, value: 0 });
  progress.setAttribute("aria-label", `Job ${shortId(j.id)}: documents finished`);
  const count = el("span", { class: "count" });
  const strip = el("div", { class: "docs", "aria-hidden": "true" });
  const notes = el("ul", { class: "doc-notes" });
  const cancel = el("button", { type: "button", class: "danger", onclick: () => cancelJob(j, cancel) }, "Cancel");
  cancel.setAttribute("aria-label", `Cancel job ${shortId(j.id)}`);
  const reprint = el("button", { type: "button", onclick: () => reprintJob(j, reprint) }, "Reprint");
  reprint.setAttribute("aria-label", `Reprint job ${shortId(j.id)}`);
  let cells = [];
  row.append(started, printer, id, el("td", {}, badge, why), el("td", { class: "progress" }, progress, count, strip, notes), el("td", { class: "actions" }, cancel, reprint));

  row.update = () => {
    started.textContent = clockSeconds(j.created);
    printer.textContent = j.printer;
    row.dataset.state = j.state;
    badge.dataset.state = j.state;
    badge.textContent = JOB_STATES[j.state] ?? j.state;
    let reason = "";
    if (j.state === "waiting" && j.error) reason = `${words(j.error.code)}${j.waitingSince ? ` since ${clock(j.waitingSince)}` : ""}`;
    else if (j.state === "failed" && j.error) reason = j.error.message || words(j.error.code);
    why.textContent = reason;
    progress.max = Math.max(1, j.total);
    progress.value = j.done;
    const failed = j.docs ? j.docs.filter((d) => d.state === "failed").length : 0;
    count.textContent = `${j.done} of ${j.total} document${j.total === 1 ? "" : "s"}${failed ? `, ${failed} failed` : ""}`;
    // One cell per document, updated in place.
    const docs = j.docs ?? [];
    if (cells.length !== docs.length) {
      strip.replaceChildren();
      cells = docs.map(() => strip.appendChild(el("span")));
    }
    let next = true;
    docs.forEach((d, i) => {
      const c = cells[i];
      if (c.dataset.state !== d.state) c.dataset.state = d.state;
      const isNext = next && d.state === "pending" && !FINAL.has(j.state);
      if (isNext) next = false;
      c.classList.toggle("next", isNext);
      const title = `${i + 1} ${docName(d)}: ${d.state}`;
      if (c.title !== title) c.title = title;
    });
    // The documents that need a look, in words.
    const lines = [];
    for (const d of docs) {
      if (d.state === "failed") lines.push(`${docName(d)} failed: ${d.error?.message || words(d.error?.code) || "unknown reason"}`);
      else if (d.maybe_repeated) lines.push(`${docName(d)} may have printed twice: check that label`);
    }
    const shown = lines.slice(0, MAX_NOTES);
    if (lines.length > MAX_NOTES) shown.push(`and ${lines.length - MAX_NOTES} more`);
    const key = shown.join("\n");
    if (notes.dataset.key !== key) {
      notes.dataset.key = key;
      notes.replaceChildren(...shown.map((t) => el("li", {}, t)));
    }
    cancel.hidden = FINAL.has(j.state);
    reprint.hidden = !FINAL.has(j.state);
  };
  return row;
}

// ---- problems

// printerProblem is what is wrong with a printer now: its own reported
// fault, or else the reason a job waits for it.
function printerProblem(pr) {
  if (pr.fault) return { code: pr.fault.code, since: pr.since, known: pr.sinceKnown };
  for (const j of page.jobs.values()) {
    if (j.printer === pr.name && j.state === "waiting" && j.error) {
      return { code: j.error.code, since: j.waitingSince, known: Boolean(j.waitingSince) };
    }
  }
  return null;
}

function problemText(name, p) {
  const when = p.since ? (p.known ? ` since ${clock(p.since)}` : ` (seen at ${clock(p.since)})`) : "";
  return `Printer ${name}: ${words(p.code)}${when}`;
}

function currentProblems() {
  const out = [];
  const now = Date.now();
  const c = page.conn;
  if (c.state === "reconnecting" || (c.state === "closed" && c.error && c.error.code !== "unauthorized")) {
    out.push({
      level: "bad",
      text: `This page lost its connection to labelbridge${c.error?.message ? ` (${c.error.message})` : ""}.`,
      advice: "It tries again by itself. If this stays, check that the labelbridge service is running.",
    });
  }
  if (c.state === "closed" && c.error?.code === "unauthorized") return out;
  for (const name of page.printerOrder) {
    const pr = page.printers.get(name);
    if (!pr) continue;
    const p = printerProblem(pr);
    const last = page.lastProblem.get(name);
    if (last && (!p || p.code !== last.code)) {
      // It cleared, or turned into another problem: keep it under "earlier".
      page.earlier.unshift({ text: `Printer ${name}: ${words(last.code)} from ${clock(last.since)} to ${clock(new Date())}` });
      page.earlier.length = Math.min(page.earlier.length, MAX_EARLIER);
    }
    if (p) {
      if (!last || last.code !== p.code) page.lastProblem.set(name, p);
      else if (p.known && !last.known) page.lastProblem.set(name, p);
      const shown = page.lastProblem.get(name);
      out.push({ level: "bad", text: problemText(name, shown), advice: advice(p.code), printer: name });
    } else {
      page.lastProblem.delete(name);
    }
  }
  for (const j of sortedJobs()) {
    const recent = j.finishedAt ? now - j.finishedAt.getTime() < FAILED_RECENT_MS : j.created && now - j.created.getTime() < FAILED_RECENT_MS;
    if (!recent) continue;
    if (j.state === "failed") {
      const refs = (j.docs ?? []).filter((d) => d.state === "failed").map(docName);
      const what = j.error?.message || "documents failed";
      const which = refs.length ? ` (${refs.slice(0, 3).join(", ")}${refs.length > 3 ? ", …" : ""})` : "";
      out.push({ level: "warn", text: `Job ${shortId(j.id)} on ${j.printer} failed at ${clock(j.finishedAt ?? j.at)}: ${what}${which}`, advice: "Reprint it from the jobs list below once the cause is fixed." });
    }
    for (const d of j.docs ?? []) {
      if (d.maybe_repeated) out.push({ level: "warn", text: `Job ${shortId(j.id)} on ${j.printer}: ${docName(d)} may have printed twice`, advice: "Check that label: labelbridge stopped while sending it and sent it again." });
    }
  }
  return out;
}

function renderProblems() {
  const list = currentProblems();
  const key = JSON.stringify(list) + page.earlier.length + document.body.dataset.ready;
  if (key === page.problemsKey) return;
  page.problemsKey = key;
  $("problems").replaceChildren(
    ...list.map((p) => el("li", { class: p.level, dataset: p.printer ? { printer: p.printer } : {} }, p.text, p.advice ? el("span", { class: "advice" }, p.advice) : null)),
  );
  const ready = document.body.dataset.ready === "yes";
  $("no-problems").hidden = list.length > 0 || !ready;
  $("problems-panel").hidden = list.length === 0 && !ready;
  $("earlier").hidden = page.earlier.length === 0;
  $("earlier-list").replaceChildren(...page.earlier.map((e) => el("li", {}, e.text)));
}

// ---- origins

async function loadOrigins() {
  let o;
  try {
    o = await apiJSON("/v1/origins");
  } catch (err) {
    $("origins-msg").textContent = `Could not read the list: ${err.message}`;
    return;
  }
  const key = JSON.stringify(o);
  if (key === page.originsKey) return;
  page.originsKey = key;
  const pending = o.pending ?? [];
  $("pending-body").replaceChildren(
    ...pending.map((p) =>
      el(
        "tr",
        { dataset: { origin: p.origin } },
        el("td", { class: "origin" }, p.origin),
        el("td", {}, clock(date(p.first_seen))),
        el("td", {}, clock(date(p.last_seen))),
        el("td", {}, String(p.requests)),
        el("td", { class: "actions" }, decisionButton(p.origin, true), " ", decisionButton(p.origin, false)),
      ),
    ),
  );
  $("pending").hidden = pending.length === 0;
  $("no-pending").hidden = pending.length > 0;
  const configured = o.configured ?? [];
  const allowed = [
    ...configured.map((origin) => el("li", {}, el("span", { class: "origin" }, origin), " ", el("span", { class: "muted" }, "(in the config file)"))),
    ...(o.allowed ?? []).map((origin) => el("li", {}, el("span", { class: "origin" }, origin), decisionButton(origin, false, "Deny"))),
  ];
  $("allowed").replaceChildren(...(allowed.length ? allowed : [el("li", { class: "muted" }, "None yet.")]));
  const denied = (o.denied ?? []).map((origin) => el("li", {}, el("span", { class: "origin" }, origin), decisionButton(origin, true, "Allow")));
  $("denied").replaceChildren(...(denied.length ? denied : [el("li", { class: "muted" }, "None.")]));
}

function decisionButton(origin, allow, label = allow ? "Allow" : "Deny") {
  const b = el("button", { type: "button", class: allow ? "primary" : "danger", onclick: () => decide(origin, allow, b) }, label);
  b.setAttribute("aria-label", `${label} ${origin}`);
  return b;
}

async function decide(origin, allow, button) {
  button.disabled = true;
  try {
    await api("/v1/origins", { method: "POST", json: { origin, allow } });
    $("origins-msg").textContent = allow ? `${origin} may now print.` : `${origin} is denied.`;
    page.originsKey = "";
    await loadOrigins();
  } catch (err) {
    button.disabled = false;
    if (err.status === 403 && err.code === "unauthorized") {
      askToken("Allowing or denying web pages needs an admin token (labelbridge token new NAME --admin).");
    }
    $("origins-msg").textContent = `Could not change ${origin}: ${err.message}`;
  }
}

// ---- preview

async function showPreview(pageNo = 1) {
  const printer = $("preview-printer").value;
  const kind = $("preview-kind").value;
  if (!printer) return;
  $("preview-msg").textContent = "Drawing the preview…";
  try {
    const r = await api(`/v1/preview${pageNo > 1 ? `?page=${pageNo}` : ""}`, { method: "POST", json: { printer, document: sampleDocument(kind) } });
    const pages = Number(r.headers.get("X-Pages") ?? "1") || 1;
    const blob = await r.blob();
    if (page.previewURL) URL.revokeObjectURL(page.previewURL);
    page.previewURL = URL.createObjectURL(blob);
    const what = kind === "pick_list" ? "pick list" : "shipping label";
    const img = $("preview-img");
    img.src = page.previewURL;
    img.alt = `Sample ${what} as ${printer} prints it${pages > 1 ? `, page ${pageNo} of ${pages}` : ""}`;
    const caption = $("preview-caption");
    caption.replaceChildren(`Sample ${what} on ${printer}${pages > 1 ? `: page ${pageNo} of ${pages}` : ""}. `);
    if (pages > 1) {
      const prev = el("button", { type: "button", disabled: pageNo <= 1, onclick: () => showPreview(pageNo - 1) }, "Previous page");
      const next = el("button", { type: "button", disabled: pageNo >= pages, onclick: () => showPreview(pageNo + 1) }, "Next page");
      caption.append(prev, " ", next);
    }
    $("preview-figure").hidden = false;
    $("preview-msg").textContent = "";
  } catch (err) {
    $("preview-msg").textContent = `No preview: ${err.message}`;
  }
}

// ---- events and rendering

function onEvent(ev) {
  switch (ev.type) {
    case "job":
      onJobEvent(ev);
      break;
    case "document":
      onDocumentEvent(ev);
      break;
    case "printer":
      onPrinterEvent(ev);
      break;
    default:
      return; // a kind this page does not know yet
  }
  schedule();
}

function schedule() {
  if (page.renderQueued) return;
  page.renderQueued = true;
  requestAnimationFrame(() => {
    page.renderQueued = false;
    render();
  });
}

// keyed puts one node per key into parent, in order, reusing the nodes it
// made before so that focus and in-place state survive updates.
function keyed(parent, cache, keys, make) {
  for (const k of [...cache.keys()]) {
    if (!keys.includes(k)) {
      cache.get(k).remove();
      cache.delete(k);
    }
  }
  let at = parent.firstElementChild;
  for (const k of keys) {
    let node = cache.get(k);
    if (!node) {
      node = make(k);
      cache.set(k, node);
    }
    node.update();
    if (node !== at) parent.insertBefore(node, at);
    else at = at.nextElementSibling;
  }
}

const printerCards = new Map();
const jobRows = new Map();

function render() {
  keyed($("printers"), printerCards, page.printerOrder, (name) => printerCard(page.printers.get(name)));
  $("no-printers").hidden = page.printerOrder.length > 0;
  const jobs = sortedJobs();
  keyed($("jobs-body"), jobRows, jobs.map((j) => j.id), (id) => jobRow(page.jobs.get(id)));
  $("jobs").hidden = jobs.length === 0;
  $("no-jobs").hidden = jobs.length > 0;
  renderProblems();
  const sel = $("preview-printer");
  const names = page.printerOrder.join("\n");
  if (sel.dataset.names !== names) {
    const chosen = sel.value;
    sel.dataset.names = names;
    sel.replaceChildren(...page.printerOrder.map((n) => el("option", { value: n }, n)));
    if (page.printerOrder.includes(chosen)) sel.value = chosen;
  }
}

function main() {
  setupToken();
  $("preview-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    showPreview(1);
  });
  setInterval(() => {
    if (page.lb) {
      pollPrinters();
      loadOrigins();
    }
  }, POLL_MS);
  // Failed jobs leave the problems after an hour, and "since 10:42"
  // gains its date after midnight.
  setInterval(schedule, 60000);
  start();
}

main();
