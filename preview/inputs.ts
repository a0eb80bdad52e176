/**
 * Reading the CloudWatch Logs data a user can get without our pipeline, into the
 * DATA_MESSAGE payloads CloudWatch Logs would have sent to Firehose:
 *
 *   filter-log-events   `aws logs filter-log-events … --output json`: {"events":[{logStreamName, timestamp, message, eventId}]}
 *   get-log-events      `aws logs get-log-events … --output json`:    {"events":[{timestamp, message}], "nextForwardToken"}
 *   export-task         a CloudWatch Logs export task's objects, `<prefix>/<task>/<stream>/000000.gz`: `<ISO time> <message>` lines
 *   subscription        raw CWL subscription payloads (gzip'd or not, one or several JSON objects a file),
 *                       also inside a Lambda `awslogs` event or a Firehose transformation invocation
 *   processing-failed   a Firehose error-output object: JSON lines with `rawData` (the record, base64)
 *
 * Formats that do not carry the log group (or the stream) take it from `--log-group`
 * (`--log-stream`); the stream name still decides the log type, as in the Lambda.
 * Pure apart from reading files; every problem names the file and what was expected.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { splitJsonValues } from "../lambda-src/envelope";

export type InputFormat = "filter-log-events" | "get-log-events" | "export-task" | "subscription" | "processing-failed";

export interface CwlEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A CloudWatch Logs subscription DATA_MESSAGE, as CloudWatch Logs sends it. */
export interface CwlPayload {
  readonly messageType: "DATA_MESSAGE";
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly CwlEvent[];
}

/** What formats without an envelope are given. */
export interface InputDefaults {
  /** `--log-group`: for formats that do not carry one. */
  readonly logGroup?: string | undefined;
  /** `--log-stream`: for `get-log-events` output, which carries no stream. */
  readonly logStream?: string | undefined;
  /** The account that owns the log group (the payload's `owner`). */
  readonly owner: string;
  /** The subscription filter names, `<name>@<region>` (conventions.ts). */
  readonly subscriptionFilters: readonly string[];
}

export interface InputFile {
  readonly path: string;
  readonly format: InputFormat;
  readonly events: number;
}

export interface Inputs {
  readonly payloads: CwlPayload[];
  readonly files: InputFile[];
  /** Files passed over, with the reason (the export task's permission probe, CONTROL_MESSAGEs). */
  readonly skipped: { readonly path: string; readonly reason: string }[];
}

export class InputError extends Error {
  override readonly name = "InputError";
}

/** CloudWatch Logs takes at most 10,000 events or 1 MB in one PutLogEvents batch; subscription payloads stay below. */
const MAX_EVENTS_PER_PAYLOAD = 10_000;
const MAX_MESSAGE_BYTES_PER_PAYLOAD = 256 * 1024;

/** Every file under `path` (a file or a directory, walked in name order), read into payloads. */
export function readInputs(path: string, defaults: InputDefaults): Inputs {
  const inputs: Inputs = { payloads: [], files: [], skipped: [] };
  const files = listFiles(path);
  if (files.length === 0) throw new InputError(`${path}: no files to read`);
  const root = statSync(path).isDirectory() ? path : dirname(path);
  for (const [index, file] of files.entries()) readFile(file, relative(root, file) || basename(file), index, defaults, inputs);
  return inputs;
}

function listFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.name.startsWith(".") ? [] : listFiles(join(path, entry.name))));
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Buffer, where: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new InputError(`${where}: starts like gzip but does not decompress (${(error as Error).message})`);
  }
}

const EXPORT_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /;

function readFile(file: string, name: string, index: number, defaults: InputDefaults, inputs: Inputs): void {
  if (basename(file) === "aws-logs-write-test") {
    inputs.skipped.push({ path: name, reason: "the export task's permission probe, not log data" });
    return;
  }
  const raw = readFileSync(file);
  const text = (isGzip(raw) ? gunzip(raw, name) : raw).toString("utf8");
  const trimmed = text.trimStart();
  if (trimmed === "") {
    inputs.skipped.push({ path: name, reason: "empty" });
    return;
  }
  if (EXPORT_LINE.test(trimmed)) {
    const events = exportTaskEvents(trimmed, index);
    add(inputs, name, "export-task", payloadsOf(events, logGroupFor(defaults, name, "a CloudWatch Logs export task's objects"), defaults.logStream ?? basename(dirname(file)), defaults));
    return;
  }
  if (!trimmed.startsWith("{")) {
    throw new InputError(
      `${name}: not a recognised input: expected the JSON of \`aws logs filter-log-events\`/\`get-log-events\`, ` +
        `CloudWatch Logs subscription payloads, Firehose processing-failed records, or an export task's \`<time> <message>\` lines`,
    );
  }
  const values = jsonValues(trimmed, name);
  const first = values[0]!;
  if (values.length === 1 && Array.isArray(first.events)) {
    readEventList(first, name, index, defaults, inputs);
    return;
  }
  const payloads: CwlPayload[] = [];
  let format: InputFormat = "subscription";
  for (const [i, value] of values.entries()) {
    const where = values.length > 1 ? `${name}: value ${i + 1}` : name;
    if (typeof value.rawData === "string") {
      format = "processing-failed";
      collect(payloads, decodeRecordData(value.rawData, `${where}: rawData`), `${where}: rawData`, inputs);
    } else if (isObject(value.awslogs) && typeof value.awslogs.data === "string") {
      collect(payloads, decodeRecordData(value.awslogs.data, `${where}: awslogs.data`), `${where}: awslogs.data`, inputs);
    } else if (Array.isArray(value.records)) {
      value.records.forEach((r, j) => {
        const at = `${where}: records[${j}].data`;
        if (!isObject(r) || typeof r.data !== "string") throw new InputError(`${at}: expected a base64 string`);
        collect(payloads, decodeRecordData(r.data, at), at, inputs);
      });
    } else collect(payloads, value, where, inputs);
  }
  add(inputs, name, format, payloads);
}

function add(inputs: Inputs, name: string, format: InputFormat, payloads: CwlPayload[]): void {
  inputs.payloads.push(...payloads);
  inputs.files.push({ path: name, format, events: payloads.reduce((n, p) => n + p.logEvents.length, 0) });
}

function jsonValues(text: string, name: string): Record<string, unknown>[] {
  let values: unknown[];
  try {
    values = [JSON.parse(text)];
  } catch {
    // JSON lines (processing-failed objects) or objects written back to back (Firehose without a processor).
    const parts = splitJsonValues(text);
    if (!parts) throw new InputError(`${name}: starts with "{" but is neither one JSON value nor a sequence of JSON objects`);
    values = parts.map((part, i) => {
      try {
        return JSON.parse(part);
      } catch (error) {
        throw new InputError(`${name}: value ${i + 1} is not valid JSON (${(error as Error).message})`);
      }
    });
  }
  values.forEach((v, i) => {
    if (!isObject(v)) throw new InputError(`${name}: value ${i + 1} is not a JSON object`);
  });
  return values as Record<string, unknown>[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** base64 of a gzip'd (or plain) CWL payload, as Firehose records, `awslogs.data` and `rawData` hold it. */
function decodeRecordData(data: string, where: string): Record<string, unknown> {
  const bytes = Buffer.from(data, "base64");
  const text = (isGzip(bytes) ? gunzip(bytes, where) : bytes).toString("utf8");
  try {
    const value = JSON.parse(text) as unknown;
    if (isObject(value)) return value;
  } catch {
    // reported below
  }
  throw new InputError(`${where}: expected base64 of a (gzip'd) CloudWatch Logs subscription payload, got ${JSON.stringify(text.slice(0, 60))}`);
}

/** A subscription payload, checked; CONTROL_MESSAGEs are skipped as CloudWatch Logs' own health checks. */
function collect(payloads: CwlPayload[], value: Record<string, unknown>, where: string, inputs: Inputs): void {
  if (value.messageType === "CONTROL_MESSAGE") {
    inputs.skipped.push({ path: where, reason: "CONTROL_MESSAGE (CloudWatch Logs health check)" });
    return;
  }
  if (value.messageType !== "DATA_MESSAGE") throw new InputError(`${where}: expected messageType "DATA_MESSAGE", got ${JSON.stringify(value.messageType)}`);
  for (const key of ["owner", "logGroup", "logStream"] as const) {
    if (typeof value[key] !== "string") throw new InputError(`${where}: ${key} must be a string`);
  }
  if (!Array.isArray(value.logEvents)) throw new InputError(`${where}: logEvents must be a list`);
  const filters = Array.isArray(value.subscriptionFilters) ? value.subscriptionFilters.filter((f): f is string => typeof f === "string") : [];
  const logEvents = value.logEvents.map((e, i) => {
    if (!isObject(e) || typeof e.id !== "string" || typeof e.timestamp !== "number" || typeof e.message !== "string") {
      throw new InputError(`${where}: logEvents[${i}] must be {id: string, timestamp: number, message: string}`);
    }
    return { id: e.id, timestamp: e.timestamp, message: e.message };
  });
  // A replay starts a fresh journey: the Lambda's re-ingest hop count (if any) is not carried over.
  payloads.push({
    messageType: "DATA_MESSAGE",
    owner: value.owner as string,
    logGroup: value.logGroup as string,
    logStream: value.logStream as string,
    subscriptionFilters: filters,
    logEvents,
  });
}

function readEventList(doc: Record<string, unknown>, name: string, index: number, defaults: InputDefaults, inputs: Inputs): void {
  const events = doc.events as unknown[];
  const carriesStreams = events.some((e) => isObject(e) && typeof e.logStreamName === "string");
  const format: InputFormat = carriesStreams || "searchedLogStreams" in doc ? "filter-log-events" : "get-log-events";
  const what = `\`aws logs ${format}\` output`;
  const logGroup = logGroupFor(defaults, name, what);
  const byStream = new Map<string, CwlEvent[]>();
  events.forEach((e, i) => {
    const at = `${name}: events[${i}]`;
    if (!isObject(e) || typeof e.timestamp !== "number" || typeof e.message !== "string") throw new InputError(`${at}: expected {timestamp: number, message: string, …}`);
    const stream = typeof e.logStreamName === "string" ? e.logStreamName : defaults.logStream;
    if (stream === undefined) throw new InputError(`${at}: ${what} names no log stream: pass --log-stream <stream> (its prefix decides the log type)`);
    const id = typeof e.eventId === "string" && /^\d+$/.test(e.eventId) ? e.eventId : syntheticId(e.timestamp, index, i);
    let list = byStream.get(stream);
    if (!list) byStream.set(stream, (list = []));
    list.push({ id, timestamp: e.timestamp, message: e.message });
  });
  const payloads = [...byStream].flatMap(([stream, list]) => payloadsOf(list, logGroup, stream, defaults));
  add(inputs, name, format, payloads);
}

function logGroupFor(defaults: InputDefaults, name: string, what: string): string {
  if (defaults.logGroup === undefined) throw new InputError(`${name}: ${what} does not name its log group: pass --log-group /aws/eks/<cluster>/cluster`);
  return defaults.logGroup;
}

/** A 56-digit id, as CloudWatch Logs' are, unique per file and event, for formats that carry none. */
function syntheticId(timestamp: number, file: number, event: number): string {
  return `${String(Math.max(0, Math.floor(timestamp))).padStart(20, "0")}${String(file).padStart(10, "0")}${String(event).padStart(26, "0")}`;
}

/** Export lines: `<ISO time> <message>`; a line without a time continues the message before it (multi-line klog). */
function exportTaskEvents(text: string, index: number): CwlEvent[] {
  const events: { timestamp: number; lines: string[] }[] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const m = EXPORT_LINE.exec(line);
    if (m) events.push({ timestamp: Date.parse(m[1]!), lines: [line.slice(m[0].length)] });
    else events.at(-1)!.lines.push(line);
  }
  return events.map((e, i) => ({ id: syntheticId(e.timestamp, index, i), timestamp: e.timestamp, message: e.lines.join("\n") }));
}

/** One stream's events in time order, cut into payloads the size CloudWatch Logs sends. */
export function payloadsOf(events: readonly CwlEvent[], logGroup: string, logStream: string, defaults: Pick<InputDefaults, "owner" | "subscriptionFilters">): CwlPayload[] {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const payloads: CwlPayload[] = [];
  let batch: CwlEvent[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length > 0) payloads.push({ messageType: "DATA_MESSAGE", owner: defaults.owner, logGroup, logStream, subscriptionFilters: defaults.subscriptionFilters, logEvents: batch });
    batch = [];
    bytes = 0;
  };
  for (const event of sorted) {
    const size = Buffer.byteLength(event.message);
    if (batch.length >= MAX_EVENTS_PER_PAYLOAD || (batch.length > 0 && bytes + size > MAX_MESSAGE_BYTES_PER_PAYLOAD)) flush();
    batch.push(event);
    bytes += size;
  }
  flush();
  return payloads;
}
