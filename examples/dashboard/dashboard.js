// dashboard.js: a seller's packing flow with labelbridge.js, as a dashboard
// would write it. Load the day's batch of orders, print the pick list,
// print every shipping label with a progress bar, mark each order printed
// as its document event arrives, and print again the ones that failed.
//
// The client is served beside this page (labelbridge.js, copied from
// clients/js): the page then loads even when labelbridge is not running or
// refuses it, and can say why.

import { connect, DEFAULT_URL } from "./labelbridge.js";

// ?daemon=ws://127.0.0.1:9110/v1/ws picks another labelbridge; a real
// dashboard would have this in its settings. A token, when the daemon has
// tokens, would come from the seller's account settings too; this example
// reads one from the tab's session storage ("labelbridge.token").
const params = new URLSearchParams(location.search);
const DAEMON = params.get("daemon") || DEFAULT_URL;
const TOKEN = sessionStorage.getItem("labelbridge.token") || undefined;

const $ = (id) => document.getElementById(id);

const REFUSED_TITLES = {
  unauthorized: "labelbridge refused this page",
  local_network_blocked: "The browser blocked the connection to labelbridge",
  unreachable: "labelbridge is not running",
  timeout: "labelbridge did not answer",
};

const FAULTS = {
  paper_out: "out of labels: load a new roll",
  head_open: "print head open: close it",
  cover_open: "cover open: close it",
  ribbon_out: "out of ribbon: put in a new one",
  paper_jam: "paper jam: clear it",
  paused: "paused: press its pause button",
  printer_unreachable: "cannot be reached: check that it is on and connected",
};

let lb = null;
let batch = null; // {id, orders: [...]}
const status = new Map(); // order_id -> {state: "new" | "queued" | "printed" | "failed" | "cancelled", note}
const cells = new Map(); // order_id -> its "Label" cell
let running = null; // the print handle of the labels job in progress
let retries = 0;

// ---- connecting

async function connectNow() {
  $("refused").hidden = true;
  setConn("connecting", "Connecting to labelbridge…");
  try {
    lb = await connect({ url: DAEMON, token: TOKEN, client: "example-dashboard/1.0", onStatus });
  } catch (err) {
    lb = null;
    showRefused(err);
    fillPrinters([], "not connected");
    updateButtons();
    return;
  }
  fillPrinters(lb.knownPrinters);
  updateButtons();
}

function onStatus(s) {
  switch (s.state) {
    case "connecting":
      setConn("connecting", s.permission === "prompt" ? "Choose Allow when the browser asks to connect to this computer" : "Connecting to labelbridge…");
      break;
    case "open":
      setConn("open", `Connected to ${DAEMON.replace(/\/v1\/ws$/, "")}`);
      $("refused").hidden = true;
      break;
    case "reconnecting":
      // Printing goes on in labelbridge meanwhile; the client catches up on
      // every event once it is back.
      setConn("reconnecting", "Connection lost: reconnecting…");
      break;
    case "closed":
      setConn("closed", "Not connected");
      if (s.error) showRefused(s.error);
      lb = null;
      updateButtons();
      break;
  }
}

// say puts a line under the progress bar; tone "warn" marks what needs
// the packer's hands (paper, ribbon, a refused batch).
function say(text, tone = "") {
  $("job-text").textContent = text;
  $("job-text").dataset.tone = tone;
}

function setConn(state, text) {
  const c = $("conn");
  c.dataset.state = state;
  c.textContent = text;
}

// showRefused tells the packer why the page cannot print, from the error's
// code; the client's message already says what to do.
function showRefused(err) {
  setConn("closed", "Not connected");
  $("refused").dataset.code = err.code ?? "";
  $("refused-title").textContent = REFUSED_TITLES[err.code] ?? "Cannot connect to labelbridge";
  $("refused-text").textContent = err.message;
  $("refused-code").textContent = `Error code: ${err.code ?? "unknown"}`;
  $("refused").hidden = false;
}

function fillPrinters(printers, none = "no printers") {
  for (const [id, prefer] of [
    ["label-printer", (p) => p.language === "zpl" || p.language === "tspl"],
    ["pick-printer", (p) => p.language === "escpos"],
  ]) {
    const sel = $(id);
    const chosen = sel.value;
    sel.replaceChildren(
      ...printers.map((p) => {
        const o = document.createElement("option");
        o.value = p.name;
        o.textContent = `${p.name} (${p.language})`;
        return o;
      }),
    );
    if (printers.length === 0) {
      const o = document.createElement("option");
      o.textContent = none;
      sel.replaceChildren(o);
    }
    const best = printers.find((p) => p.name === chosen) ?? printers.find(prefer) ?? printers[0];
    if (best) sel.value = best.name;
  }
}

// ---- the batch

async function loadSample() {
  const r = await fetch("orders.json", { cache: "no-store" });
  setBatch(await r.json());
}

function loadFile(file) {
  file.text().then(
    (text) => {
      try {
        setBatch(JSON.parse(text));
      } catch (err) {
        $("progress-text").textContent = `That file is not a batch of orders: ${err.message}`;
      }
    },
    (err) => ($("progress-text").textContent = `Cannot read that file: ${err.message}`),
  );
}

function setBatch(b) {
  if (!b || !Array.isArray(b.orders)) throw new Error('want {"batch_id": …, "orders": [ … ]}');
  batch = { id: String(b.batch_id ?? `batch-${Date.now()}`), orders: b.orders };
  status.clear();
  cells.clear();
  retries = 0;
  for (const o of batch.orders) {
    // Refs are strings: a batch file may hold numeric order ids.
    o.order_id = String(o.order_id);
    status.set(o.order_id, { state: "new", note: "" });
  }
  $("batch-id").textContent = batch.id;
  say("");
  const body = $("orders-body");
  body.replaceChildren(
    ...batch.orders.map((o, i) => {
      const tr = document.createElement("tr");
      tr.dataset.order = o.order_id;
      const texts = [String(i + 1), o.order_id, o.platform ?? "", o.recipient?.name ?? "", `${o.carrier ?? ""} ${o.tracking_number ?? ""}`];
      for (const text of texts) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const st = document.createElement("td");
      st.className = "label-state";
      cells.set(o.order_id, st);
      tr.append(st);
      return tr;
    }),
  );
  render();
}

function setStatus(orderId, state, note = "") {
  const s = status.get(orderId);
  if (!s) return;
  // A printed order stays printed: a late or replayed event must not undo it.
  if (s.state === "printed" && state !== "printed") return;
  s.state = state;
  s.note = note;
}

const STATE_WORDS = { new: "Not printed yet", queued: "Waiting to print", printed: "Printed", failed: "Failed", cancelled: "Not printed (stopped)" };

// schedule renders once per frame, however many events came in: a batch of
// 600 labels brings 600 events.
let queued = false;
function schedule() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    render();
  });
}

function render() {
  if (!batch) return;
  let printed = 0;
  let failed = 0;
  for (const o of batch.orders) {
    const s = status.get(o.order_id);
    if (s.state === "printed") printed++;
    if (s.state === "failed" || s.state === "cancelled") failed++;
    const cell = cells.get(o.order_id);
    const text = STATE_WORDS[s.state] + (s.note ? `: ${s.note}` : "");
    if (cell.textContent !== text) {
      cell.dataset.state = s.state;
      cell.textContent = text;
    }
  }
  const total = batch.orders.length;
  $("progress").max = Math.max(1, total);
  $("progress").value = printed;
  $("progress-text").textContent = `${printed} of ${total} labels printed${failed ? `, ${failed} not printed` : ""}`;
  $("retry").textContent = `Retry the ${failed} not printed`;
  updateButtons(failed);
}

function updateButtons(failed = countFailed()) {
  const ready = lb !== null && batch !== null;
  $("print-pick").disabled = !ready;
  $("print-labels").disabled = !ready || running !== null;
  $("cancel").hidden = running === null;
  $("retry").hidden = failed === 0 || running !== null;
  $("retry").disabled = !ready;
}

function countFailed() {
  let n = 0;
  for (const s of status.values()) if (s.state === "failed" || s.state === "cancelled") n++;
  return n;
}

// ---- printing

async function printPickList() {
  const button = $("print-pick");
  button.disabled = true;
  say("Printing the pick list…");
  const job = lb.print({
    printer: $("pick-printer").value,
    // The same batch's pick list prints once, however often it is clicked.
    idempotency_key: `${batch.id}-pick-list`,
    documents: [{ ref: `pick-list-${batch.id}`, kind: "pick_list", data: { batch_id: batch.id, orders: batch.orders } }],
  });
  try {
    const r = await job.done;
    if (r.state === "done") say(r.duplicate ? "The pick list was printed before; it was not printed again." : "Pick list printed.");
    else say(`Pick list ${r.state}: ${r.error?.message ?? ""}`, "warn");
  } catch (err) {
    say(`The pick list was refused: ${err.message}`, "warn");
  }
  button.disabled = false;
}

// printLabels prints a label for each order given. The idempotency key
// makes a double click, a reload or a lost connection print nothing twice.
async function printLabels(orders, key) {
  for (const o of orders) setStatus(o.order_id, "queued");
  render();
  const job = lb.print({
    printer: $("label-printer").value,
    idempotency_key: key,
    documents: orders.map((o) => ({ ref: o.order_id, kind: "shipping_label", data: o })),
  });
  running = job;
  updateButtons();
  job.onDocument((ev) => {
    if (ev.state === "sent" || ev.state === "printed") setStatus(ev.ref, "printed", ev.maybe_repeated ? "check this label, it may have printed twice" : "");
    else if (ev.state === "failed") setStatus(ev.ref, "failed", ev.error?.message ?? "");
    else if (ev.state === "cancelled") setStatus(ev.ref, "cancelled");
    schedule();
  });
  job.onJob((ev) => {
    const printer = ev.printer ?? $("label-printer").value;
    if (ev.state === "waiting") {
      say(`Waiting: printer ${printer} is ${FAULTS[ev.error?.code] ?? ev.error?.message ?? "not ready"}. Printing goes on by itself.`, "warn");
    } else if (ev.state === "printing") {
      say(`Printing on ${printer}…`);
    } else if (ev.state === "interrupted") {
      say("labelbridge restarted while printing; it goes on by itself.");
    }
  });
  try {
    const result = await job.done;
    for (const d of result.documents) {
      if (d.state === "failed") setStatus(d.ref, "failed", d.error?.message ?? "");
      else if (d.state === "cancelled") setStatus(d.ref, "cancelled");
      else if (d.state === "sent" || d.state === "printed") setStatus(d.ref, "printed");
    }
    const words = { done: "All labels sent to the printer.", failed: "Some labels failed: retry them below.", cancelled: "Printing stopped." };
    say((result.duplicate ? "This batch was printed before; labelbridge did not print it again. " : "") + words[result.state], result.state === "done" ? "" : "warn");
  } catch (err) {
    // Refused: an unknown printer, or an order with a bad field. The path
    // names the document, and so the order.
    const m = /^job\.documents\[(\d+)\]/.exec(err.path ?? "");
    const order = m ? orders[Number(m[1])] : undefined;
    for (const o of orders) setStatus(o.order_id, "new");
    if (order) setStatus(order.order_id, "failed", `${err.path.replace(/^job\.documents\[\d+\]\.?/, "") || "order"}: ${err.message}`);
    say(`labelbridge refused the labels (${err.code}): ${err.message}`, "warn");
  }
  running = null;
  render();
}

function printAll() {
  printLabels(batch.orders, `${batch.id}-labels`);
}

function retryFailed() {
  const again = batch.orders.filter((o) => ["failed", "cancelled"].includes(status.get(o.order_id).state));
  if (again.length === 0) return;
  retries++;
  // A new key: this is a deliberate second attempt, not a repeat.
  printLabels(again, `${batch.id}-retry-${retries}-${Date.now()}`);
}

async function cancelRunning() {
  if (!running) return;
  $("cancel").disabled = true;
  try {
    await running.cancel();
  } catch (err) {
    say(`Could not stop: ${err.message}`, "warn");
  }
  $("cancel").disabled = false;
}

$("retry-connect").addEventListener("click", connectNow);
$("load-sample").addEventListener("click", () => loadSample().catch((err) => ($("progress-text").textContent = `Cannot load the orders: ${err.message}`)));
$("load-file").addEventListener("change", (ev) => ev.target.files[0] && loadFile(ev.target.files[0]));
$("print-pick").addEventListener("click", printPickList);
$("print-labels").addEventListener("click", printAll);
$("retry").addEventListener("click", retryFailed);
$("cancel").addEventListener("click", cancelRunning);
connectNow();
