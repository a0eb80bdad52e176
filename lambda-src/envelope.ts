/**
 * The Firehose transformation envelope and the CloudWatch Logs subscription payload
 * inside each record: base64(gzip(JSON)). Decoding never throws for one bad record;
 * it says which check failed, pointing at `records[i].data`.
 */
import { gunzipSync } from "node:zlib";
import {
  ACCOUNT_ID_PATTERN,
  CLUSTER_NAME_PATTERN,
  clusterOfLogGroup,
  type LogType,
  logTypeOfStream,
  type PartitionKeys,
  regionOfSubscriptionFilters,
  UNKNOWN_CLUSTER,
  UNKNOWN_REGION,
} from "./conventions";
import { scanDataMessage } from "./envelope-scan";
import type { EscapedMessages } from "./escaped-text";
import { type GzipHeader, readGzipHeader } from "./gzip-hop";
import { jsonErrorPosition } from "./parsers/json-error";
import { isValidEpochMs } from "./time";

/** One input record of a Firehose data-transformation invocation. */
export interface FirehoseInputRecord {
  readonly recordId: string;
  readonly data: string;
  readonly approximateArrivalTimestamp?: number;
}

export interface FirehoseTransformationEvent {
  readonly invocationId?: string;
  readonly deliveryStreamArn?: string;
  readonly region?: string;
  readonly records: readonly FirehoseInputRecord[];
}

export type FirehoseResult = "Ok" | "Dropped" | "ProcessingFailed";

export interface FirehoseOutputRecord {
  recordId: string;
  result: FirehoseResult;
  data?: string;
  metadata?: { partitionKeys: PartitionKeys };
}

export interface FirehoseTransformationResponse {
  records: FirehoseOutputRecord[];
}

export interface CwlEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A DATA_MESSAGE, validated. `hop` counts how often its events were re-ingested by this Lambda. */
export interface CwlData {
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly CwlEvent[];
  /** Where each event's message sits, JSON-escaped, in the gunzipped payload (lines copy it from there; see escaped-text.ts). */
  readonly escapedMessages?: EscapedMessages;
  readonly hop: number;
  readonly logType: LogType;
  readonly partitionKeys: PartitionKeys;
}

export type Decoded = { readonly kind: "control" } | { readonly kind: "data"; readonly payload: CwlData } | { readonly kind: "failed"; readonly reason: string };

/** Field this Lambda adds to payloads it re-ingests: `"reingest":{"hop":n}`. */
export const REINGEST_FIELD = "reingest";


/** A value for an error message, safe for any input (a deep structure would overflow JSON.stringify). */
function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "a list" : "an object";
}

function fail(reason: string): Decoded {
  return { kind: "failed", reason };
}

function describeJsonError(text: string): string {
  const position = jsonErrorPosition(text);
  return position < 0 ? "invalid JSON" : `invalid JSON at position ${position}`;
}

/**
 * Top-level JSON values of a text holding several, back to back (`{…}{…}` or `{…}\n{…}`):
 * concatenated gzip members decode to that. Undefined when it is not such a sequence.
 */
export function splitJsonValues(text: string): string[] | undefined {
  const values: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (depth++ === 0) start = i;
    } else if (c === 125 || c === 93) {
      if (--depth < 0) return undefined;
      if (depth === 0) values.push(text.slice(start, i + 1));
    } else if (depth === 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) return undefined;
  }
  return depth === 0 && values.length > 1 ? values : undefined;
}

function hopOf(value: unknown): number {
  if (value === undefined) return 0;
  const hop = (value as { hop?: unknown } | null)?.hop;
  // A hop we did not write is not trusted: treated as exhausted, so it can never feed a loop.
  return typeof hop === "number" && Number.isInteger(hop) && hop >= 0 && hop <= 100 ? hop : Number.POSITIVE_INFINITY;
}

type Checked = { readonly kind: "control" } | { readonly kind: "data"; readonly payload: Omit<CwlData, "logType" | "partitionKeys"> } | { readonly kind: "failed"; readonly reason: string };

/** Validates one decoded subscription message. */
function checkMessage(message: unknown, where: string): Checked {
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    return { kind: "failed", reason: `${where} is not a CloudWatch Logs message: the payload is ${Array.isArray(message) ? "an array" : message === null ? "null" : `a ${typeof message}`}` };
  }
  const m = message as Record<string, unknown>;
  const bad = (what: string): Checked => ({ kind: "failed", reason: `${where} is not a CloudWatch Logs message: ${what}` });
  if (m.messageType === "CONTROL_MESSAGE") return { kind: "control" };
  if (m.messageType !== "DATA_MESSAGE") return bad(`messageType is ${describeValue(m.messageType)}`);
  for (const key of ["owner", "logGroup", "logStream"] as const) {
    if (typeof m[key] !== "string" || m[key] === "") return bad(`${key} is not a non-empty string`);
  }
  const filters = m.subscriptionFilters ?? [];
  if (!Array.isArray(filters) || !filters.every((f) => typeof f === "string")) return bad("subscriptionFilters is not a list of strings");
  if (!Array.isArray(m.logEvents)) return bad("logEvents is not a list");
  for (let i = 0; i < m.logEvents.length; i++) {
    const e = m.logEvents[i] as Record<string, unknown> | null;
    if (e === null || typeof e !== "object") return bad(`logEvents[${i}] is not an object`);
    if (typeof e.id !== "string") return bad(`logEvents[${i}].id is not a string`);
    if (!Number.isSafeInteger(e.timestamp) || !isValidEpochMs(e.timestamp)) return bad(`logEvents[${i}].timestamp is not epoch milliseconds`);
    if (typeof e.message !== "string") return bad(`logEvents[${i}].message is not a string`);
  }
  return {
    kind: "data",
    payload: {
      owner: m.owner as string,
      logGroup: m.logGroup as string,
      logStream: m.logStream as string,
      subscriptionFilters: filters as string[],
      logEvents: m.logEvents as CwlEvent[],
      hop: hopOf(m[REINGEST_FIELD]),
    },
  };
}

/**
 * The partition keys of a payload, or why it has none. Values are S3-prefix and Athena
 * safe by construction: log types and regions are fixed vocabularies, the account is
 * 12 digits, a cluster name that EKS could not have created falls back to `_unknown`.
 */
export function partitionKeysOf(payload: Pick<CwlData, "owner" | "logGroup" | "logStream" | "subscriptionFilters">): PartitionKeys | string {
  if (!ACCOUNT_ID_PATTERN.test(payload.owner)) return `owner ${describeValue(payload.owner)} is not a 12-digit AWS account id (partition key account_id)`;
  const cluster = clusterOfLogGroup(payload.logGroup);
  return {
    log_type: logTypeOfStream(payload.logStream),
    account_id: payload.owner,
    region: regionOfSubscriptionFilters(payload.subscriptionFilters) ?? UNKNOWN_REGION,
    cluster: cluster !== undefined && CLUSTER_NAME_PATTERN.test(cluster) ? cluster : UNKNOWN_CLUSTER,
  };
}

/** Several payloads in one record must be one stream: same owner, group, stream and region. */
function merge(parts: Extract<Checked, { kind: "data" }>["payload"][], where: string): Decoded {
  const first = parts[0]!;
  const region = regionOfSubscriptionFilters(first.subscriptionFilters);
  for (const p of parts) {
    if (p.owner !== first.owner || p.logGroup !== first.logGroup || p.logStream !== first.logStream || regionOfSubscriptionFilters(p.subscriptionFilters) !== region) {
      return fail(
        `${where} mixes CloudWatch Logs streams (${first.owner} ${first.logGroup} ${first.logStream} and ${p.owner} ${p.logGroup} ${p.logStream}): its events cannot share partition keys`,
      );
    }
  }
  return withKeys({ ...first, logEvents: parts.flatMap((p) => p.logEvents), hop: Math.max(...parts.map((p) => p.hop)) }, where);
}

function withKeys(payload: Extract<Checked, { kind: "data" }>["payload"], where: string): Decoded {
  const keys = partitionKeysOf(payload);
  if (typeof keys === "string") return fail(`${where}: ${keys}`);
  return { kind: "data", payload: { ...payload, logType: logTypeOfStream(payload.logStream), partitionKeys: keys } };
}

/** The record's bytes, or why `data` is not base64. */
export function decodeBase64(data: unknown, index: number): Buffer | { readonly reason: string } {
  const where = `records[${index}].data`;
  if (typeof data !== "string") return { reason: `${where} is not a string` };
  // Buffer.from skips characters outside the alphabet: a decoded length short of what the text implies means it held some.
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  const compressed = Buffer.from(data, "base64");
  if (data.length % 4 !== 0 || compressed.length !== (data.length / 4) * 3 - padding) return { reason: `${where} is not base64` };
  return compressed;
}

/** base64 → gunzip → JSON → CloudWatch Logs message, or the first check that failed. */
export function decodeRecord(data: unknown, index: number, maxDecompressedBytes: number): Decoded {
  const compressed = decodeBase64(data, index);
  return Buffer.isBuffer(compressed) ? decodeCompressed(compressed, index, maxDecompressedBytes) : fail(compressed.reason);
}

/**
 * gunzip → JSON → CloudWatch Logs message. The hop is the larger of the gzip header's (gzip-hop.ts)
 * and the JSON field's: a record re-ingested whole keeps its old JSON and gains a header hop.
 */
export function decodeCompressed(compressed: Buffer, index: number, maxDecompressedBytes: number, header: GzipHeader | undefined = readGzipHeader(compressed)): Decoded {
  const decoded = decodeJson(compressed, index, maxDecompressedBytes);
  const headerHop = decoded.kind === "data" ? header?.hop : undefined;
  return headerHop === undefined || decoded.kind !== "data" || headerHop <= decoded.payload.hop ? decoded : { kind: "data", payload: { ...decoded.payload, hop: headerHop } };
}

/**
 * One output chunk for the whole payload where the gzip trailer's ISIZE (the last member's length
 * mod 2^32) says how big it is: zlib's default of 16 KiB means a chunk loop and a concat per record.
 * ISIZE is the sender's to forge, so it only sizes the chunk, within 64 KiB – 16 MiB and the bomb guard.
 */
function inflateChunkBytes(compressed: Buffer, maxDecompressedBytes: number): number {
  const isize = compressed.length >= 18 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  return Math.max(64 * 1024, Math.min(isize + 1, 16 * 1024 * 1024, maxDecompressedBytes + 1));
}

function decodeJson(compressed: Buffer, index: number, maxDecompressedBytes: number): Decoded {
  const where = `records[${index}].data`;
  let bytes: Buffer;
  try {
    bytes = gunzipSync(compressed, { maxOutputLength: maxDecompressedBytes, chunkSize: inflateChunkBytes(compressed, maxDecompressedBytes) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return fail(`${where} decompresses to more than ${maxDecompressedBytes} bytes (MAX_DECOMPRESSED_BYTES)`);
    return fail(`${where} is not gzip (${(error as Error).message})`);
  }
  // CloudWatch Logs' own shape, read string by string; anything else is parsed as text below.
  const ranges: number[] = [];
  const scanned = scanDataMessage(bytes, ranges);
  if (scanned) {
    const checked = checkMessage(scanned, where);
    return checked.kind === "data" ? withKeys({ ...checked.payload, escapedMessages: { bytes, ranges } }, where) : checked;
  }
  const text = bytes.toString("utf8");
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    const values = splitJsonValues(text);
    if (!values) return fail(`${where} is not JSON (${describeJsonError(text)})`);
    const parts: Extract<Checked, { kind: "data" }>["payload"][] = [];
    for (const [i, value] of values.entries()) {
      let part: unknown;
      try {
        part = JSON.parse(value);
      } catch {
        return fail(`${where} is not JSON (value ${i + 1} of ${values.length}: ${describeJsonError(value)})`);
      }
      if (structuralCount(value, '"logEvents"') > 1) return fail(`${where} is not a CloudWatch Logs message (value ${i + 1} of ${values.length}): "logEvents" appears more than once (a duplicate key would silently drop events)`);
      const checked = checkMessage(part, `${where} (value ${i + 1} of ${values.length})`);
      if (checked.kind === "failed") return checked;
      if (checked.kind === "data") parts.push(checked.payload);
    }
    return parts.length === 0 ? { kind: "control" } : merge(parts, where);
  }
  if (structuralCount(text, '"logEvents"') > 1) {
    // JSON.parse keeps the last of duplicate keys: the events of the others would vanish unseen.
    return fail(`${where} is not a CloudWatch Logs message: "logEvents" appears more than once (a duplicate key would silently drop events)`);
  }
  const checked = checkMessage(message, where);
  return checked.kind === "data" ? withKeys(checked.payload, where) : checked;
}

/**
 * How often `token` (a quoted JSON key) occurs as JSON syntax rather than inside a string: inside a
 * string its quotes are escaped, so an occurrence preceded by an odd run of backslashes is text.
 */
function structuralCount(text: string, token: string): number {
  let count = 0;
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length)) {
    let slashes = 0;
    while (at - slashes - 1 >= 0 && text.charCodeAt(at - slashes - 1) === 92) slashes++;
    if (slashes % 2 === 0) count++;
  }
  return count;
}
