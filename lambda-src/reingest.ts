/**
 * Re-ingestion: events that do not fit the response go back into the delivery
 * stream as smaller gzip'd CloudWatch Logs payloads (same envelope, a subset of
 * logEvents, `"reingest":{"hop":n}` and the hop in the gzip header), with PutRecordBatch.
 * A record none of whose events is rendered goes back whole: its own compressed bytes,
 * only the gzip header rewritten (gzip-hop.ts).
 *
 * PutRecordBatch limits (Firehose API reference, "cannot be changed"): 500 records
 * per call, 1,000 KiB per record before base64, 4 MB per call.
 */
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { gzipSync } from "node:zlib";
import { type CwlData, type CwlEvent, REINGEST_FIELD } from "./envelope";
import { readGzipHeader, withHop } from "./gzip-hop";

/** What the handler needs of a Firehose client: `send` (the SDK v3 client satisfies it; tests pass a fake). */
export interface FirehoseClientLike {
  send(command: PutRecordBatchCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordBatchCommandOutput>;
}

export const MAX_RECORDS_PER_CALL = 500;
/** 1,000 KiB per record; chunks of several events are kept a little below. */
export const MAX_RECORD_BYTES = 1_000_000;
/** PutRecordBatch's own record limit, 1,000 KiB: a single event may use all of it. */
export const PUT_RECORD_LIMIT_BYTES = 1_024_000;
/** Raw bytes per call such that the base64 request stays under 4 MB, whichever size the limit counts. */
export const MAX_CALL_BYTES = 3_000_000;
/** Raw JSON bytes per chunk, so its gzip stays under MAX_RECORD_BYTES even for incompressible text. */
const MAX_CHUNK_JSON_BYTES = 900_000;
const MAX_BACKOFF_MS = 5_000;
/** Errors a retry cannot fix: stop at once. */
const NON_RETRYABLE = new Set(["ResourceNotFoundException", "InvalidArgumentException", "AccessDeniedException", "InvalidKMSResourceException", "ValidationException"]);
/** gzip level of re-ingested payloads: level 1 compresses 2.5× faster than 6 for 29 % more bytes (bench/, corpus-shaped data); the path runs when an invocation is already over budget. */
export const REINGEST_GZIP_LEVEL = 1;

/** A subset of one record's events on its way back into the stream. */
export interface Chunk {
  /** Index of the input record the events come from. */
  readonly record: number;
  readonly events: readonly CwlEvent[];
  /** The whole record, re-ingested as it came (header hop rewritten), never decoded: `events` is empty. */
  readonly whole?: boolean;
  readonly data: Buffer | undefined;
  /**
   * `sent`: PutRecordBatch answered this entry with a RecordId and no error. `failed`: it was
   * refused, or never sent. `unknown`: the call may have stored it (a timeout or reset after the
   * request went out, an answer that breaks the API's contract): it is never sent again.
   */
  status: "pending" | "sent" | "failed" | "unknown";
  error?: string;
}

/**
 * Estimated response bytes of an event's line once parsed (base64 of the line, common
 * fields included): generous, so a returning chunk rarely needs another split.
 */
export function estimateResponseBytes(event: CwlEvent): number {
  return Math.ceil(((Buffer.byteLength(event.message) * 5) / 4 + 600) * (4 / 3));
}

/** Per-event response bytes, e.g. estimateResponseBytes or one measured on the record's rendered lines. */
export type ResponseEstimate = (event: CwlEvent) => number;

/** Bytes a line adds to its message (common fields, names, quotes), as measured expansion assumes. */
const LINE_OVERHEAD_BYTES = 350;

/**
 * An estimate measured on lines already rendered from the same record: their base64 bytes per
 * (message byte + overhead), with 10 % to spare, never below what `floor` lines of that size take.
 * Undefined when too little was rendered to measure (the constant estimate applies).
 */
export function measuredEstimate(renderedBase64Bytes: number, renderedMessageBytes: number, renderedLines: number): ResponseEstimate | undefined {
  if (renderedLines < 8) return undefined;
  const perByte = (renderedBase64Bytes / (renderedMessageBytes + renderedLines * LINE_OVERHEAD_BYTES)) * 1.1;
  return (event) => Math.ceil((Buffer.byteLength(event.message) + LINE_OVERHEAD_BYTES) * perByte);
}

/** Groups events into chunks of at most `chunkBytes` estimated response bytes (an event larger than that goes alone). */
export function groupEvents(events: readonly CwlEvent[], chunkBytes: number, estimate: ResponseEstimate = estimateResponseBytes): CwlEvent[][] {
  const groups: CwlEvent[][] = [];
  let current: CwlEvent[] = [];
  let total = 0;
  let raw = 0;
  for (const event of events) {
    const e = estimate(event);
    const r = event.message.length * 2 + 100;
    if (current.length > 0 && (total + e > chunkBytes || raw + r > MAX_CHUNK_JSON_BYTES)) {
      groups.push(current);
      current = [];
      total = raw = 0;
    }
    current.push(event);
    total += e;
    raw += r;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The gzip'd CloudWatch Logs payload of some of a record's events. */
export function encodePayload(payload: CwlData, events: readonly CwlEvent[], hop: number, level = REINGEST_GZIP_LEVEL): Buffer {
  const message = {
    messageType: "DATA_MESSAGE",
    owner: payload.owner,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    subscriptionFilters: payload.subscriptionFilters,
    logEvents: events,
    [REINGEST_FIELD]: { hop },
  };
  const gzip = gzipSync(JSON.stringify(message), { level });
  // The hop in the header too, so the next invocation can plan (and re-ingest it whole) without inflating.
  return withHop(gzip, readGzipHeader(gzip)!, hop);
}

/** Chunks for `events` of record `record`, split further while a gzip'd chunk exceeds the record limit. */
export function makeChunks(record: number, payload: CwlData, events: readonly CwlEvent[], chunkBytes: number, estimate?: ResponseEstimate): Chunk[] {
  const chunks: Chunk[] = [];
  const add = (group: readonly CwlEvent[]): void => {
    const data = encodePayload(payload, group, payload.hop + 1);
    if (data.length <= MAX_RECORD_BYTES) chunks.push({ record, events: group, data, status: "pending" });
    else if (group.length > 1) {
      const half = Math.ceil(group.length / 2);
      add(group.slice(0, half));
      add(group.slice(half));
    } else {
      // One event cannot be split: compress it harder, and let it use the whole 1,000 KiB a record may have.
      const tight = encodePayload(payload, group, payload.hop + 1, 9);
      if (tight.length <= PUT_RECORD_LIMIT_BYTES) chunks.push({ record, events: group, data: tight, status: "pending" });
      else chunks.push({ record, events: group, data: undefined, status: "failed", error: `one event compresses to ${tight.length} bytes even at gzip level 9, over the ${PUT_RECORD_LIMIT_BYTES}-byte PutRecordBatch record limit` });
    }
  };
  for (const group of groupEvents(events, chunkBytes, estimate)) add(group);
  return chunks;
}

/** Calls of at most 500 records and MAX_CALL_BYTES. */
export function batches(chunks: readonly Chunk[]): Chunk[][] {
  const out: Chunk[][] = [];
  let current: Chunk[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const size = chunk.data!.length;
    if (current.length > 0 && (current.length === MAX_RECORDS_PER_CALL || bytes + size > MAX_CALL_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(chunk);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface PutOptions {
  readonly client: FirehoseClientLike;
  readonly streamName: string;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1): the jitter source. */
  readonly random: () => number;
  /** Milliseconds left before the Lambda times out, when known. */
  readonly remainingMs?: () => number;
  /** Longest a single call may take. @default CALL_TIMEOUT_MS */
  readonly callTimeoutMs?: number;
}

/** The handler answers Firehose at least this long before the Lambda times out, whatever the calls do. */
export const SAFETY_MARGIN_MS = 3_000;
/** A PutRecordBatch call that takes longer is aborted (its entries' outcome is then unknown). */
export const CALL_TIMEOUT_MS = 10_000;
/** Errors of a connection that never opened: nothing was sent, so a retry cannot duplicate. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * What a thrown call means for its entries: `refused` when Firehose answered with an error status
 * or the connection never opened (nothing stored: retry), `unknown` otherwise (a timeout, an abort,
 * a reset after sending, a 200 whose body cannot be read: it may have stored them).
 */
export function classifyError(error: unknown): "refused" | "unknown" {
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: string; cause?: { code?: string } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400) return "refused";
  if (NEVER_SENT.has(e?.code ?? "") || NEVER_SENT.has(e?.cause?.code ?? "")) return "refused";
  return "unknown";
}

/** The SDK command, loaded on first use so a cold start that never re-ingests does not pay for the SDK. */
function putRecordBatchCommand(input: { DeliveryStreamName: string; Records: { Data: Uint8Array }[] }): PutRecordBatchCommand {
  const { PutRecordBatchCommand } = require("@aws-sdk/client-firehose") as typeof import("@aws-sdk/client-firehose");
  return new PutRecordBatchCommand(input);
}

/**
 * Sends every pending chunk; retries only the entries Firehose refused, with exponential backoff
 * and full jitter, up to `maxAttempts` calls per entry. An entry counts as stored only on a
 * positive per-entry answer (a RecordId, no ErrorCode) in an answer that keeps the API's contract
 * (one result per record, FailedPutCount equal to the errors). An entry whose outcome is unknown
 * is never sent again: the caller sends its events to the error output instead, so an event is
 * stored at most twice, and only then. Every call has a deadline that leaves SAFETY_MARGIN_MS.
 */
export async function putChunks(chunks: readonly Chunk[], options: PutOptions): Promise<{ calls: number; attempts: number }> {
  let pending = chunks.filter((c) => c.status === "pending");
  let calls = 0;
  let attempt = 0;
  const left = () => (options.remainingMs ? options.remainingMs() - SAFETY_MARGIN_MS : Number.POSITIVE_INFINITY);
  while (pending.length > 0) {
    attempt++;
    const refused: Chunk[] = [];
    let fatal = false;
    for (const batch of batches(pending)) {
      const timeout = Math.min(options.callTimeoutMs ?? CALL_TIMEOUT_MS, left());
      if (timeout <= 0) {
        for (const c of batch) (c.status = "failed"), (c.error = "no time left before the Lambda timeout");
        continue;
      }
      calls++;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeout);
      let output: PutRecordBatchCommandOutput;
      try {
        output = await options.client.send(
          putRecordBatchCommand({ DeliveryStreamName: options.streamName, Records: batch.map((c) => ({ Data: c.data! })) }),
          { abortSignal: abort.signal },
        );
      } catch (error) {
        const name = (error as Error)?.name ?? "Error";
        const outcome = abort.signal.aborted ? "unknown" : classifyError(error);
        const why = abort.signal.aborted ? `no answer within ${timeout} ms (aborted)` : `${name}: ${(error as Error)?.message ?? String(error)}`;
        for (const c of batch) c.error = `${why}${outcome === "unknown" ? "; the outcome is unknown, not resent" : ""}`;
        if (outcome === "unknown") for (const c of batch) c.status = "unknown";
        else {
          fatal ||= NON_RETRYABLE.has(name);
          refused.push(...batch);
        }
        continue;
      } finally {
        clearTimeout(timer);
      }
      const responses = Array.isArray(output?.RequestResponses) ? output.RequestResponses : [];
      const errors = responses.filter((r) => typeof r?.ErrorCode === "string" && r.ErrorCode !== "").length;
      if (responses.length !== batch.length || output.FailedPutCount !== errors) {
        // The answer breaks the contract: nothing in it can be trusted either way.
        for (const c of batch) {
          c.status = "unknown";
          c.error = `PutRecordBatch answered ${responses.length} results for ${batch.length} records with FailedPutCount ${String(output?.FailedPutCount)} and ${errors} errors; the outcome is unknown, not resent`;
        }
        continue;
      }
      batch.forEach((c, i) => {
        const r = responses[i]!;
        if (typeof r.ErrorCode === "string" && r.ErrorCode !== "") {
          c.error = `${r.ErrorCode}: ${r.ErrorMessage ?? ""}`;
          refused.push(c);
        } else if (typeof r.RecordId === "string" && r.RecordId !== "") c.status = "sent";
        else {
          c.status = "unknown";
          c.error = "PutRecordBatch answered this entry with neither a RecordId nor an ErrorCode; the outcome is unknown, not resent";
        }
      });
    }
    pending = refused;
    if (pending.length === 0) break;
    const delay = options.random() * Math.min(MAX_BACKOFF_MS, options.baseDelayMs * 2 ** (attempt - 1));
    // Leave time to answer Firehose: a timed-out invocation fails every record of the batch.
    if (fatal || attempt >= options.maxAttempts || left() < delay + 1_000) {
      for (const c of pending) c.status = "failed";
      break;
    }
    await options.sleep(delay);
  }
  return { calls, attempts: attempt };
}

const clients = new Map<string, FirehoseClientLike>();

/** One SDK client per region and container, with the standard credential and endpoint resolution. */
export function defaultClient(region: string | undefined): FirehoseClientLike {
  const key = region ?? "";
  let client = clients.get(key);
  if (!client) {
    const { FirehoseClient } = require("@aws-sdk/client-firehose") as typeof import("@aws-sdk/client-firehose");
    // The handler owns the retries (only refused entries, within the invocation's time): none in the SDK.
    client = new FirehoseClient({ ...(region ? { region } : {}), maxAttempts: 1 });
    clients.set(key, client);
  }
  return client;
}

/** `arn:aws:firehose:<region>:<account>:deliverystream/<name>` → region and name. */
export function parseDeliveryStreamArn(arn: unknown): { region: string; name: string } | undefined {
  if (typeof arn !== "string") return undefined;
  const m = /^arn:[a-z-]+:firehose:([a-z0-9-]+):\d{12}:deliverystream\/([A-Za-z0-9_.-]{1,64})$/.exec(arn);
  return m ? { region: m[1]!, name: m[2]! } : undefined;
}
