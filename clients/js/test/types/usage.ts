// usage.ts is how the README uses the client; the types test compiles it
// against labelbridge.d.ts with every strict check on.
import { connect, LabelbridgeError, diagnoseConnectFailure, type Client, type JobResult, type Status } from "../../labelbridge.js";

async function dashboard(): Promise<JobResult> {
  const statuses: Status[] = [];
  const lb: Client = await connect({
    url: "ws://127.0.0.1:9110/v1/ws",
    token: "lb_example",
    client: "seller-dash/2.4",
    since: 41,
    onStatus: (s) => {
      statuses.push(s);
      if (s.state === "closed" && s.error?.code === "local_network_blocked") console.log(s.error.message);
    },
    onEvent: (ev) => console.log(ev.seq),
  });
  const printers = await lb.printers();
  const first: string = printers[0].name;
  const pages = await lb.preview(first, { kind: "shipping_label", data: { order_id: "1" } });
  const png: string = pages[0].png_base64;
  const awb = { kind: "pdf", content_base64: "JVBERi0=", pages: "1-3", fit: "contain", rotate: "auto" } as const;
  const pdfPages = await lb.preview(first, awb);
  const pageNo: number | undefined = pdfPages[0].page;
  const job = lb.print({
    printer: first,
    idempotency_key: "batch-B-2-003-labels",
    documents: [{ ref: "576682230865707864", kind: "raw", language: "zpl", content: "^XA^XZ" }, { ref: "awb-batch", ...awb, rotate: 90 }],
  });
  job
    .onDocument((ev) => {
      const s: "sent" | "printed" | "failed" | "cancelled" = ev.state;
      if (ev.maybe_repeated) console.log("check label", ev.ref, ev.page, s, pageNo);
    })
    .onJob((ev) => console.log(ev.done, "/", ev.total, ev.error?.code));
  const id: string = await job.jobId;
  const snapshot = await lb.getJob(id);
  console.log(snapshot.documents.map((d) => d.state), png, job.id, job.idempotencyKey, lb.lastSeq, lb.state, lb.knownPrinters);
  await lb.cancel(id);
  await job.cancel();
  try {
    return await job.done;
  } catch (err) {
    if (err instanceof LabelbridgeError) console.log(err.code, err.path ?? "");
    throw err;
  } finally {
    lb.close();
  }
}

async function explain(): Promise<string> {
  const e = await diagnoseConnectFailure("ws://127.0.0.1:9110/v1/ws");
  return e.message;
}

void dashboard;
void explain;
