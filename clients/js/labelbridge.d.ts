// Type declarations for labelbridge.js, the client for the labelbridge
// daemon's protocol v1. See README.md and docs/protocol.md.

export declare const VERSION: string;

/** Where a daemon installed with its defaults listens: ws://127.0.0.1:9110/v1/ws. */
export declare const DEFAULT_URL: string;

/** Error codes the daemon sends (docs/protocol.md, "Errors"). */
export type ProtocolErrorCode =
  | "bad_json"
  | "unknown_type"
  | "invalid_request"
  | "unknown_printer"
  | "unsupported_kind"
  | "too_large"
  | "not_found"
  | "idempotency_conflict"
  | "unauthorized"
  | "rate_limited"
  | "internal";

/**
 * Error codes of the client itself:
 * - `unreachable`: nothing answered at the URL (the daemon is not running), or
 *   the WebSocket refused the URL;
 * - `local_network_blocked`: the browser keeps this page from reaching the
 *   daemon on this computer (Chrome's Local Network Access); the message says
 *   what to do;
 * - `timeout`: no answer in time (the connection is then replaced);
 * - `disconnected`: the connection closed;
 * - `closed`: `close()` was called;
 * - `protocol_error`: the daemon answered something this client does not understand.
 */
export type ClientErrorCode = "unreachable" | "local_network_blocked" | "timeout" | "disconnected" | "closed" | "protocol_error";

/** Every error the client reports, with the protocol's code and, for invalid_request, the path of the field. */
export declare class LabelbridgeError extends Error {
  constructor(code: string, message: string, options?: { path?: string; cause?: unknown });
  readonly name: "LabelbridgeError";
  /** A ProtocolErrorCode or a ClientErrorCode; a newer daemon may send others. */
  readonly code: ProtocolErrorCode | ClientErrorCode | (string & {});
  /** The field at fault, e.g. "job.documents[3].language"; undefined when none. */
  readonly path?: string;
}

/** A problem as the daemon reports it in events and job snapshots. */
export interface Problem {
  code: string;
  message: string;
}

export type PrinterState = "ready" | "busy" | "offline" | "fault" | "unknown";

export interface Printer {
  name: string;
  language: "zpl" | "escpos" | "tspl";
  connection: string;
  status: { state: PrinterState; detail?: string };
}

export type Language = "zpl" | "escpos" | "tspl";

export type Document =
  | { ref?: string; kind: "raw"; language: Language; content: string }
  | { ref?: string; kind: "raw"; language: Language; content_base64: string }
  | { ref?: string; kind: "shipping_label"; data: Record<string, unknown>; size?: string }
  | { ref?: string; kind: "pick_list"; data: Record<string, unknown> }
  | { ref?: string; kind: "image"; content_base64: string }
  /** A marketplace's PDF as it came: each page selected prints as one label, with its own events. */
  | {
      ref?: string;
      kind: "pdf";
      content_base64: string;
      /** e.g. "1-3,7"; every page by default. */
      pages?: string;
      fit?: "contain" | "fill" | "none";
      rotate?: "auto" | 0 | 90 | 180 | 270;
      size?: string;
    };

export interface Job {
  /** A configured printer's name. */
  printer: string;
  /**
   * Makes printing the same job twice print it once (at most 256 bytes).
   * print() makes one up when it is missing; give your own (e.g. the batch
   * id) to be safe across page reloads too.
   */
  idempotency_key?: string;
  /** 1 to 100; each document is repeated. */
  copies?: number;
  /** 1 to 1000 documents. */
  documents: Document[];
}

export type JobState = "queued" | "printing" | "waiting" | "interrupted" | "done" | "failed" | "cancelled";
export type FinalJobState = "done" | "failed" | "cancelled";
export type DocumentState = "pending" | "sent" | "printed" | "failed" | "cancelled";

export interface JobEvent {
  type: "job";
  job_id: string;
  /**
   * The event's place in the daemon's one event counter. Missing only on an
   * event the client made from a job snapshot (synthetic), when the events
   * themselves could not be had.
   */
  seq?: number;
  state: JobState;
  printer: string;
  done: number;
  total: number;
  error?: Problem;
  at?: string;
  synthetic?: true;
}

export interface DocumentEvent {
  type: "document";
  job_id: string;
  seq?: number;
  index: number;
  ref?: string;
  /** The PDF page this document is, for a pdf document's pages. */
  page?: number;
  state: "sent" | "printed" | "failed" | "cancelled";
  error?: Problem;
  /** The document was in flight when the daemon stopped, and was sent again: check that label. */
  maybe_repeated?: true;
  at?: string;
  synthetic?: true;
}

/** Any event with a seq: job and document events, and kinds a newer daemon adds. */
export type LabelbridgeEvent = JobEvent | DocumentEvent | ({ type: string; seq: number } & Record<string, unknown>);

export interface DocumentStatus {
  index: number;
  ref?: string;
  page?: number;
  state: DocumentState;
  error?: Problem;
  maybe_repeated?: true;
  at?: string;
}

/** What get_job answers. */
export interface JobStatus {
  job_id: string;
  printer: string;
  state: JobState;
  done: number;
  total: number;
  created_at: string;
  error?: Problem;
  documents: DocumentStatus[];
}

/** How a printed job ended. */
export interface JobResult {
  jobId: string;
  printer: string;
  state: FinalJobState;
  done: number;
  total: number;
  error?: Problem;
  at?: string;
  /** The daemon had this job already (same idempotency key): it did not print again. */
  duplicate: boolean;
  /** The final job event. */
  event: JobEvent;
  /** Every document's final state, by index: sent, printed, failed or cancelled. */
  documents: DocumentStatus[];
}

/** What print() returns at once. */
export interface PrintHandle {
  /** Resolves when the daemon has stored the job; rejects with the daemon's error (code, path). */
  readonly jobId: Promise<string>;
  /**
   * Resolves when the job is done, failed or cancelled, with every document's
   * state; rejects when the job was refused, or the client closed first.
   */
  readonly done: Promise<JobResult>;
  /** The job id once known, else null. */
  readonly id: string | null;
  /** The idempotency key the job was sent with. */
  readonly idempotencyKey: string;
  /** A copy of each document's state now. */
  readonly documents: DocumentStatus[];
  /** Calls cb on each document's progress, in order. */
  onDocument(cb: (ev: DocumentEvent) => void): PrintHandle;
  /** Calls cb on each change of the job's state. */
  onJob(cb: (ev: JobEvent) => void): PrintHandle;
  /** Cancels the job once the daemon has it: documents not yet sent are not sent. */
  cancel(): Promise<void>;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface Status {
  state: ConnectionState;
  /** Why: set on reconnecting (what broke the connection) and on closed after a failure. */
  error?: LabelbridgeError;
  /** On reconnecting: which attempt comes next, and in how many milliseconds. */
  attempt?: number;
  delay?: number;
  /**
   * On connecting, in a browser, where Local Network Access applies: the
   * permission's state. "prompt" means the browser is about to ask the
   * person: tell them to choose Allow.
   */
  permission?: "granted" | "denied" | "prompt";
  /** Events in this range could not be replayed (pruned by retention); followed jobs were re-read. */
  missed?: { from: number; to: number };
  /** The daemon's event store was replaced; events are followed from its first. */
  reset?: true;
}

/** What a browser shows of itself; connect() takes the page's own. */
export interface BrowserEnvironment {
  location?: { origin: string; hostname: string };
  navigator?: { permissions?: { query(descriptor: { name: string }): Promise<{ state: string }> } };
  isSecureContext?: boolean;
  fetch?: (url: string, init?: Record<string, unknown>) => Promise<unknown>;
}

export interface ConnectOptions {
  /** Default ws://127.0.0.1:9110/v1/ws (wss://… when the daemon has TLS). */
  url?: string;
  /** Needed when the daemon has tokens (labelbridge token new NAME). */
  token?: string;
  /** Names this dashboard in the daemon's log, e.g. "seller-dash/2.4". */
  client?: string;
  /** The WebSocket class: the browser's by default; in Node pass the "ws" package's. */
  WebSocket?: unknown;
  /** Called on each change of the connection's state. */
  onStatus?: (status: Status) => void;
  /** Called on every event of every job, once each, in seq order. */
  onEvent?: (ev: LabelbridgeEvent) => void;
  /**
   * Resume the event stream after this seq (e.g. client.lastSeq kept from
   * the previous page load). Default: from now on.
   */
  since?: number;
  /** Reconnect delays: from minDelay (500 ms), doubling up to maxDelay (30 s), with jitter. */
  minDelay?: number;
  maxDelay?: number;
  /** Give up on a connection attempt after this many ms (15 s; 60 s while a permission prompt may be up). */
  connectTimeout?: number;
  /** A connection that sends nothing for this many ms while a request waits is replaced (20 s). */
  deadAfter?: number;
  /** For tests and unusual hosts: the browser globals to diagnose with. */
  env?: BrowserEnvironment;
}

export interface Client {
  /** "connecting", "open", "reconnecting" or "closed". */
  readonly state: ConnectionState;
  /** The daemon's protocol version (1). */
  readonly protocol: number | undefined;
  /** The daemon's name and version, e.g. "labelbridge/1.0.0". */
  readonly server: string | undefined;
  /** Printers as last reported: by welcome on each connection, then by each printers() reply. */
  readonly knownPrinters: Printer[];
  /** Every event up to this seq was received; keep it to resume with connect({since}). */
  readonly lastSeq: number | null;
  /** Submits a job; see PrintHandle. Throws TypeError when job is not an object. */
  print(job: Job): PrintHandle;
  /** Every configured printer with its status now. */
  printers(): Promise<Printer[]>;
  /** Renders a document for a printer: one PNG per page (a PDF's pages carry their page number; at most 50). */
  preview(printer: string, document: Document): Promise<Array<{ png_base64: string; page?: number }>>;
  /** Documents not yet sent are never sent; cancelling a finished job does nothing. */
  cancel(jobId: string): Promise<void>;
  getJob(jobId: string): Promise<JobStatus>;
  /** Ends the connection for good; what still waits rejects with code "closed". */
  close(): void;
}

/** Connects, says hello and subscribes; rejects with a LabelbridgeError when the first attempt fails. */
export declare function connect(options?: ConnectOptions): Promise<Client>;

/**
 * Tells why a connection to url failed before it opened: local_network_blocked,
 * unauthorized (origin not allowed) or unreachable, with what to do.
 */
export declare function diagnoseConnectFailure(url: string, options?: { cause?: unknown; env?: BrowserEnvironment }): Promise<LabelbridgeError>;
