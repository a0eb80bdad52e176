/**
 * Firehose data-transformation Lambda for CloudWatch Logs subscription records
 * from EKS log groups. The envelope only: decode each record, render one line per
 * log event with the parsers, build exactly one result per recordId, and keep the
 * whole response under the budget by re-ingesting what does not fit.
 *
 * Exactly once: every event of a DATA_MESSAGE ends in one of three places:
 *  - a line of its record's `Ok` data,
 *  - a re-ingested payload that PutRecordBatch accepted (its record then `Ok` with the
 *    rest, or `Dropped`), which this Lambda parses when it comes back,
 *  - a `ProcessingFailed` record, which Firehose writes to its error prefix.
 * A record is never `Ok` or `Dropped` while one of its events is in none of them.
 */
import type { Context } from "aws-lambda";
import { type Config, loadConfig } from "./config";
import {
  type CwlEvent,
  decodeBase64,
  decodeCompressed,
  type FirehoseOutputRecord,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
  type CwlData,
} from "./envelope";
import type { LineParts } from "./escaped-text";
import { type GzipHeader, readGzipHeader, withHop } from "./gzip-hop";
import { type LineContext, lineContext, renderLine, renderRawLine } from "./lines";
import { maxLineBytes } from "./limits";
import { createParsers } from "./parsers";
import { type Chunk, defaultClient, encodePayload, type FirehoseClientLike, makeChunks, measuredEstimate, parseDeliveryStreamArn, PUT_RECORD_LIMIT_BYTES, putChunks } from "./reingest";

export type { FirehoseTransformationEvent, FirehoseTransformationResponse } from "./envelope";
export { type Config, ConfigError, CONFIG_VARIABLES, DEFAULT_CONFIG, loadConfig } from "./config";

export interface Logger {
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
}

export interface HandlerOptions {
  /** Defaults to `loadConfig(process.env)`. */
  readonly config?: Config;
  /** Defaults to one SDK v3 client per region, created on first re-ingest. */
  readonly firehoseClient?: FirehoseClientLike;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly log?: Logger;
  /** Where embedded-metric-format documents go, one JSON line each. Defaults to stdout (the function's log, unprefixed). */
  readonly emitMetric?: (line: string) => void;
}

const consoleLogger: Logger = {
  info: (entry) => console.log(JSON.stringify(entry)),
  warn: (entry) => console.warn(JSON.stringify(entry)),
};

/** Failed records logged per invocation, so a bad batch cannot flood the log. */
const MAX_LOGGED_FAILURES = 20;

/**
 * Where every record's lines are written, one after another: one buffer per handler, kept across
 * invocations (Lambda runs one at a time per process), so rendering allocates nothing per record and
 * regrows only past its largest response so far. Each record owns `[start, start + bytes)`.
 */
interface Arena {
  buffer: Buffer;
  /** End of the committed bytes of the records filled so far. */
  end: number;
  busy: boolean;
}

/**
 * Writes `line` as UTF-8 after the record's committed lines (not yet committed: the caller does once
 * it fits) and returns its size.
 */
function append(arena: Arena, w: Work, line: string | LineParts): number {
  const at = w.start + w.bytes;
  const parts = typeof line === "string" ? undefined : line;
  const need = at + (parts ? (parts.head.length + parts.tail.length) * 3 + parts.end - parts.start : (line as string).length * 3) + 1;
  if (need > arena.buffer.length) {
    const grown = Buffer.allocUnsafe(Math.max(need, arena.buffer.length * 2));
    arena.buffer.copy(grown, 0, 0, at);
    arena.buffer = grown;
  }
  if (!parts) return arena.buffer.write(line as string, at);
  // The raw text's escaped bytes go in as they came (escaped-text.ts).
  let size = arena.buffer.write(parts.head, at);
  size += parts.bytes.copy(arena.buffer, at + size, parts.start, parts.end);
  return size + arena.buffer.write(parts.tail, at + size);
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text);
}

/** A DATA_MESSAGE record on its way through the plan. */
interface Work {
  readonly index: number;
  readonly payload: CwlData;
  readonly ctx: LineContext;
  /** Extra bytes of an `Ok` entry (without data) over the reserved minimal entry. */
  readonly okExtra: number;
  /** The UTF-8 lines that fit, each newline-terminated, in the arena's `[start, start + bytes)`. */
  start: number;
  bytes: number;
  /** How many lines. */
  count: number;
  /** Events from this index on are not in `lines`. */
  stop: number;
  /** The event at `stop` renders too large for any response. */
  unfittable: boolean;
  chunks: Chunk[];
}

interface PutStats {
  calls: number;
  attempts: number;
  chunks: number;
  /** Events of the chunks re-ingested after decoding (whole records' are not counted: never decoded). */
  events: number;
  wholeRecords: number;
}

/** A record whose bytes are out of base64 but not yet inflated. */
interface Unread {
  readonly index: number;
  /** Bytes of its smallest possible result, reserved up front. */
  readonly minimal: number;
  readonly compressed: Buffer;
  readonly header: GzipHeader | undefined;
  /** The gzip header's hop (0 without one): the plan's order before anything is inflated. */
  readonly hop: number;
}

/** Below this much budget a record renders nothing (fill). */
const MIN_RENDER_BYTES = 1024;

export type Outcome =
  | { readonly result: "Ok"; readonly work: Work }
  | { readonly result: "Dropped" }
  | { readonly result: "ProcessingFailed"; readonly reason: string; readonly echo?: string | undefined; readonly partial?: boolean };

export function createHandler(options: HandlerOptions = {}) {
  const config = options.config ?? loadConfig(process.env);
  const parsers = createParsers(config);
  const log = options.log ?? consoleLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const emitMetric = options.emitMetric ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const budget = config.responseBudgetBytes;
  const lineLimit = maxLineBytes(budget);
  const shared: Arena = { buffer: Buffer.allocUnsafe(0), end: 0, busy: false };

  return async function handler(event: FirehoseTransformationEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<FirehoseTransformationResponse> {
    if (event === null || typeof event !== "object" || !Array.isArray(event.records)) {
      throw new Error("malformed Firehose transformation event: `records` is not a list");
    }
    const records = event.records;
    records.forEach((r, i) => {
      if (typeof r?.recordId !== "string") throw new Error(`malformed Firehose transformation event: records[${i}].recordId is not a string`);
    });
    // Overlapping calls (tests, or a caller that does not await) get their own arena.
    const arena: Arena = shared.busy ? { buffer: Buffer.allocUnsafe(0), end: 0, busy: true } : shared;
    arena.busy = true;
    arena.end = 0;
    try {
      // Read. Every record reserves room for its smallest possible result up front. Its bytes come out
      // of base64 (cheap); inflating waits until the plan reaches it with room to render.
      const outcomes: Outcome[] = new Array(records.length);
      const unread: Unread[] = [];
      let reserved = 14 + Math.max(0, records.length - 1); // {"records":[ … ]} and commas
      for (const [index, record] of records.entries()) {
        const minimal = utf8Length(JSON.stringify({ recordId: record.recordId, result: "ProcessingFailed" }));
        reserved += minimal;
        const compressed = decodeBase64(record.data, index);
        if (!Buffer.isBuffer(compressed)) outcomes[index] = { result: "ProcessingFailed", reason: compressed.reason, echo: typeof record.data === "string" ? record.data : undefined };
        else {
          const header = readGzipHeader(compressed);
          unread.push({ index, minimal, compressed, header, hop: header?.hop ?? 0 });
        }
      }

      // Plan: records that already went round get the budget first, then input order.
      const stream = parseDeliveryStreamArn(event.deliveryStreamArn);
      let remaining = budget - reserved;
      const reingest: Work[] = [];
      const whole: Chunk[] = [];
      /**
       * A fresh record back into the stream as it came, never re-encoded, marked in its header as gone round
       * whole (gzip-hop.ts). Once only, and it spends no hop: one that comes back and still finds no room is
       * chunked to sizes that fit a response with the whole hop budget left, so a backlog drains as it would
       * without this. False when it cannot go so.
       */
      const sendWhole = (u: Unread, hop: number): boolean => {
        if (!stream || !u.header || u.header.whole || hop !== 0 || config.reingestMaxHops === 0) return false;
        const data = withHop(u.compressed, u.header, 0, true);
        if (data.length > PUT_RECORD_LIMIT_BYTES) return false;
        whole.push({ record: u.index, events: [], whole: true, data, status: "pending" });
        return true;
      };
      // Once a record has been cut short for room, the response is full: the fresh records after it go back whole.
      let full = false;
      // Higher hops first, then records that went round whole, then input order.
      const wentWhole = (u: Unread) => (u.header?.whole ? 1 : 0);
      for (const u of unread.sort((a, b) => b.hop - a.hop || wentWhole(b) - wentWhole(a) || a.index - b.index)) {
        const record = records[u.index]!;
        if (full && sendWhole(u, u.hop)) continue;
        const decoded = decodeCompressed(u.compressed, u.index, config.maxDecompressedBytes, u.header);
        if (decoded.kind === "failed") {
          outcomes[u.index] = { result: "ProcessingFailed", reason: decoded.reason, echo: record.data };
          continue;
        }
        if (decoded.kind === "control" || decoded.payload.logEvents.length === 0) {
          outcomes[u.index] = { result: "Dropped" };
          continue;
        }
        const okEntry = JSON.stringify({ recordId: record.recordId, result: "Ok", data: "", metadata: { partitionKeys: decoded.payload.partitionKeys } });
        const w: Work = {
          index: u.index,
          payload: decoded.payload,
          ctx: lineContext(decoded.payload, parsers),
          okExtra: utf8Length(okEntry) - u.minimal,
          start: 0,
          bytes: 0,
          count: 0,
          stop: 0,
          unfittable: false,
          chunks: [],
        };
        fill(arena, w, remaining);
        const events = w.payload.logEvents;
        const cost = w.count > 0 ? w.okExtra + base64Length(w.bytes) : 0;
        if (w.stop === events.length) {
          outcomes[w.index] = { result: "Ok", work: w };
          remaining -= cost;
        } else if (events.length === 1 && w.unfittable) {
          outcomes[w.index] = { result: "ProcessingFailed", reason: `its only event renders over the ${lineLimit}-byte line limit`, echo: record.data };
        } else if (!stream || w.payload.hop >= config.reingestMaxHops) {
          const why = !stream ? `deliveryStreamArn ${JSON.stringify(event.deliveryStreamArn)} names no delivery stream` : `re-ingested ${w.payload.hop} times (REINGEST_MAX_HOPS=${config.reingestMaxHops})`;
          outcomes[w.index] = { result: "ProcessingFailed", reason: `over the response budget and not re-ingested: ${why}`, echo: record.data };
        } else {
          full ||= !w.unfittable;
          if (w.count > 0 || w.unfittable || !sendWhole(u, w.payload.hop)) {
            remaining -= cost;
            reingest.push(w);
          }
        }
      }

      // Re-ingest what did not fit, then settle each record on what PutRecordBatch accepted.
      const put: PutStats = { calls: 0, attempts: 0, chunks: 0, events: 0, wholeRecords: 0 };
      if ((reingest.length > 0 || whole.length > 0) && stream) {
        for (const w of reingest) w.chunks = chunksFor(w);
        const chunks = [...whole, ...reingest.flatMap((w) => w.chunks)];
        const sent = await putChunks(
          chunks,
          {
            client: options.firehoseClient ?? defaultClient(stream.region),
            streamName: stream.name,
            maxAttempts: config.reingestMaxAttempts,
            baseDelayMs: config.reingestBaseDelayMs,
            sleep,
            random,
            remainingMs: context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : undefined,
          },
        );
        Object.assign(put, sent);
        for (const c of chunks) if (c.status === "sent") (put.chunks++, (put.events += c.events.length), (put.wholeRecords += c.whole ? 1 : 0));
        for (const w of reingest) outcomes[w.index] = settle(w, records[w.index]!.data);
        for (const c of whole) {
          outcomes[c.record] =
            c.status === "sent" ? { result: "Dropped" } : { result: "ProcessingFailed", reason: `re-ingest failed (${c.error ?? "unknown error"}); the record goes to the error output whole`, echo: records[c.record]!.data };
        }
      }

      return respond(arena, event, outcomes, reserved, put);
    } finally {
      arena.busy = false;
    }
  };

  /** Renders lines of `w` into its response while they fit in `remaining`. */
  function fill(arena: Arena, w: Work, remaining: number): void {
    const events = w.payload.logEvents;
    let i = 0;
    w.start = arena.end;
    // Not worth rendering anything when not even a small line would fit.
    if (w.okExtra + MIN_RENDER_BYTES <= remaining) {
      for (; i < events.length; i++) {
        const event = events[i]!;
        // Written straight into the record's buffer: the size decides the budget, the bytes are the response.
        let size = append(arena, w, renderLine(w.ctx, event, w.payload.escapedMessages, i));
        if (size > lineLimit) {
          size = append(arena, w, renderRawLine(w.ctx, event, `${w.ctx.logType}: line of ${size} bytes exceeds the ${lineLimit}-byte line limit; delivered unparsed`, w.payload.escapedMessages, i));
          if (size > lineLimit) {
            w.unfittable = true;
            break;
          }
        }
        if (w.okExtra + base64Length(w.bytes + size + 1) > remaining) break;
        arena.buffer[w.start + w.bytes + size] = 10;
        w.bytes += size + 1;
        w.count++;
      }
    }
    w.stop = i;
    arena.end = w.start + w.bytes;
  }

  function chunksFor(w: Work): Chunk[] {
    const rest = w.payload.logEvents.slice(w.stop);
    // An event too large for any response travels alone, so only it ends in the error prefix when it comes back.
    // Chunks sized by what this record's lines really expand to, once enough were rendered to tell.
    const rendered = w.payload.logEvents.slice(0, w.count).reduce((n, e) => n + utf8Length(e.message), 0);
    const estimate = measuredEstimate(base64Length(w.bytes), rendered, w.count);
    if (!w.unfittable) return makeChunks(w.index, w.payload, rest, config.reingestChunkBytes, estimate);
    return [...makeChunks(w.index, w.payload, rest.slice(0, 1), config.reingestChunkBytes, estimate), ...makeChunks(w.index, w.payload, rest.slice(1), config.reingestChunkBytes, estimate)];
  }

  function settle(w: Work, original: string): Outcome {
    const failed = w.chunks.filter((c) => c.status !== "sent");
    if (failed.length === 0) return w.count > 0 ? { result: "Ok", work: w } : { result: "Dropped" };
    const error = failed[0]!.error ?? "unknown error";
    if (failed.length === w.chunks.length) {
      return { result: "ProcessingFailed", reason: `re-ingest failed (${error}); the record goes to the error output whole`, echo: original };
    }
    // Partly sent: the rest (inline lines included, as the record is no longer Ok) is what this record still owes.
    const owed: CwlEvent[] = [...w.payload.logEvents.slice(0, w.count), ...failed.flatMap((c) => c.events)];
    return {
      result: "ProcessingFailed",
      reason: `re-ingest partly failed (${w.chunks.length - failed.length} of ${w.chunks.length} chunks sent; ${error}); the ${owed.length} events not sent go to the error output`,
      echo: encodePayload(w.payload, owed, w.payload.hop).toString("base64"),
      partial: true,
    };
  }

  function respond(arena: Arena, event: FirehoseTransformationEvent, outcomes: Outcome[], reserved: number, put: PutStats): FirehoseTransformationResponse {
    const records = event.records;
    let size = reserved;
    let inlineEvents = 0;
    const out: FirehoseOutputRecord[] = outcomes.map((o, i) => {
      const recordId = records[i]!.recordId;
      if (o.result !== "Ok") return { recordId, result: o.result };
      const w = o.work;
      size += w.okExtra + base64Length(w.bytes);
      inlineEvents += w.count;
      return { recordId, result: "Ok", data: arena.buffer.toString("base64", w.start, w.start + w.bytes), metadata: { partitionKeys: w.payload.partitionKeys } };
    });
    // ProcessingFailed carries the events it owes as data when they fit: Firehose's error record then holds
    // them whether it writes the original record (as AWS documents `rawData`) or the returned data.
    // Partly re-ingested records first: only for them do the two differ. Then the smallest.
    const failures = outcomes.flatMap((o, i) => (o.result === "ProcessingFailed" ? [{ i, o }] : []));
    const echoOrder = [...failures].sort((a, b) => Number(b.o.partial ?? false) - Number(a.o.partial ?? false) || (a.o.echo?.length ?? 0) - (b.o.echo?.length ?? 0));
    for (const { i, o } of echoOrder) {
      // ,"data":<the echo as JSON>: its serialised bytes, which for text that is not base64 exceed its length.
      const cost = o.echo !== undefined ? utf8Length(JSON.stringify(o.echo)) + 8 : 0;
      if (o.echo !== undefined && size + cost <= budget) {
        out[i]!.data = o.echo;
        size += cost;
      }
    }
    const count = (result: string) => out.filter((r) => r.result === result).length;
    log.info({
      msg: "transformed",
      invocationId: event.invocationId,
      records: records.length,
      ok: count("Ok"),
      dropped: count("Dropped"),
      processingFailed: failures.length,
      inlineEvents,
      reingestedEvents: put.events,
      reingestedWholeRecords: put.wholeRecords,
      reingestChunks: put.chunks,
      reingestCalls: put.calls,
      reingestAttempts: put.attempts,
      responseBytes: size,
    });
    for (const { i, o } of failures.slice(0, MAX_LOGGED_FAILURES)) {
      if (o.result === "ProcessingFailed") log.warn({ msg: "record ProcessingFailed", recordId: records[i]!.recordId, reason: o.reason });
    }
    if (config.metricsNamespace) for (const line of lineMetrics(outcomes, config, Date.now())) emitMetric(line);
    return { records: out };
  }
}

/**
 * Lines delivered in this response per sender, as CloudWatch embedded-metric-format documents: `Lines`
 * by (AccountId, Region, Cluster) and by AccountId, and `UnexpectedSenderLines` for accounts outside
 * EXPECTED_SENDERS. Only lines in `Ok` data count: re-ingested events count when they come back, so each
 * line is counted once. Silence alarms read these.
 */
export function lineMetrics(outcomes: readonly Outcome[], config: Pick<Config, "metricsNamespace" | "expectedSenders">, timestamp: number): string[] {
  const counts = new Map<string, { account: string; region: string; cluster: string; lines: number }>();
  for (const o of outcomes) {
    if (o.result !== "Ok" || o.work.count === 0) continue;
    const k = o.work.payload.partitionKeys;
    const key = `${k.account_id}\t${k.region}\t${k.cluster}`;
    const entry = counts.get(key) ?? { account: k.account_id, region: k.region, cluster: k.cluster, lines: 0 };
    entry.lines += o.work.count;
    counts.set(key, entry);
  }
  const expected = new Set(config.expectedSenders);
  return [...counts.values()].map((c) => {
    const unexpected = expected.size > 0 && !expected.has(c.account);
    return JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          { Namespace: config.metricsNamespace, Dimensions: [["AccountId", "Region", "Cluster"], ["AccountId"]], Metrics: [{ Name: "Lines", Unit: "Count" }] },
          ...(unexpected ? [{ Namespace: config.metricsNamespace, Dimensions: [[]], Metrics: [{ Name: "UnexpectedSenderLines", Unit: "Count" }] }] : []),
        ],
      },
      AccountId: c.account,
      Region: c.region,
      Cluster: c.cluster,
      Lines: c.lines,
      ...(unexpected ? { UnexpectedSenderLines: c.lines } : {}),
    });
  });
}

/** The Lambda entry point; its configuration is read and validated when the module loads (cold start). */
export const handler = createHandler();
