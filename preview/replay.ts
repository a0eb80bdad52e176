/**
 * Firehose, on disk: payloads become gzip'd records, records are buffered into Lambda
 * invocations of the processor buffer's size, the bundled handler transforms them, what it
 * re-ingests with PutRecordBatch comes back as new records, and what it returns is written
 * the way Firehose writes it: `Ok` data under the dynamic-partitioning prefix of its
 * `metadata.partitionKeys` and arrival hour (gzip, `.json.gz`), `ProcessingFailed` records as
 * JSON lines under the error prefix. Nothing is sent anywhere; the client below only records.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { firehoseErrorPrefix, firehosePrefix, type S3Layout, TIME_PARTITION } from "../lambda-src/conventions";
import type { CwlPayload } from "./inputs";

/** What the preview needs of the bundle: lambda-src/handler.ts `createHandler`. */
export type Handler = (event: Invocation, context: { getRemainingTimeInMillis(): number }) => Promise<{ records: OutputRecord[] }>;

interface InputRecord {
  readonly recordId: string;
  readonly approximateArrivalTimestamp: number;
  readonly data: string;
}

interface Invocation {
  readonly invocationId: string;
  readonly deliveryStreamArn: string;
  readonly region: string;
  readonly records: InputRecord[];
}

interface OutputRecord {
  readonly recordId: string;
  readonly result: string;
  readonly data?: string;
  readonly metadata?: { readonly partitionKeys?: Record<string, string> };
}

/** The PutRecordBatch the handler calls (SDK v3 command shape), answered as Firehose would: every record stored. */
export interface RecordingFirehose {
  send(command: { input: { DeliveryStreamName?: string; Records?: { Data?: Uint8Array }[] } }): Promise<{ FailedPutCount: number; RequestResponses: { RecordId: string }[]; $metadata: object }>;
}

export interface ReplayOptions {
  readonly handler: (client: RecordingFirehose) => Handler;
  readonly deliveryStreamArn: string;
  readonly region: string;
  readonly layout: S3Layout;
  readonly errorPrefix: string;
  /** Firehose processor `BufferSizeInMBs`: records are handed to the Lambda in batches of about this size. */
  readonly processorBufferBytes: number;
  /** Firehose S3 `SizeInMBs`: an object is written per partition when this much has accumulated, and at the end. */
  readonly s3BufferBytes: number;
  /** Where the bucket's objects go (created). */
  readonly outDir: string;
  /** Arrival delay of a record after its last event, as CloudWatch Logs and Firehose add it. */
  readonly deliveryDelayMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReplayStats {
  readonly eventsIn: number;
  readonly recordsIn: number;
  readonly invocations: number;
  readonly linesOut: number;
  readonly objects: number;
  readonly reingestedRecords: number;
  readonly reingestedEvents: number;
  readonly failedRecords: number;
  readonly failedEvents: number;
  readonly droppedRecords: number;
  readonly linesByLogType: Readonly<Record<string, number>>;
  /** cwl_ids that came out more than once, and input ids that came out nowhere (neither line nor error record). */
  readonly duplicateIds: number;
  readonly missingIds: number;
  /** Latest arrival time (epoch ms): "now" for windows relative to the data. */
  readonly lastArrivalMs: number;
  readonly objectKeys: readonly string[];
}

const LAMBDA_TIMEOUT_MS = 120_000;

interface Pending {
  readonly data: string;
  readonly arrival: number;
}

/** Records with their arrival times: each payload arrives after its last event. */
function recordsOf(payloads: readonly CwlPayload[], delayMs: number): Pending[] {
  return payloads
    .map((p) => ({ data: gzipSync(JSON.stringify(p)).toString("base64"), arrival: Math.max(...p.logEvents.map((e) => e.timestamp)) + delayMs }))
    .sort((a, b) => a.arrival - b.arrival);
}

function formatTime(ms: number, withSeconds: boolean): string {
  const iso = new Date(ms).toISOString();
  const hour = `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
  return withSeconds ? `${hour}-${iso.slice(14, 16)}-${iso.slice(17, 19)}` : hour;
}

/** Firehose's hourly `!{timestamp:yyyy-MM-dd-HH}`, the only timestamp format the layout uses. */
function timestampExpression(ms: number): string {
  if (TIME_PARTITION.format !== "yyyy-MM-dd-HH") throw new Error(`preview: no formatter for the time partition format ${TIME_PARTITION.format}`);
  return formatTime(ms, false);
}

function objectPrefix(layout: S3Layout, keys: Record<string, string>, arrival: number): string {
  return firehosePrefix(layout)
    .replace(/!\{partitionKeyFromLambda:([a-z_]+)\}/g, (_, key: string) => {
      const value = keys[key];
      if (value === undefined) throw new Error(`preview: the Lambda returned no partition key "${key}" (metadata.partitionKeys: ${JSON.stringify(keys)})`);
      return value;
    })
    .replace(/!\{timestamp:[^}]+\}/g, timestampExpression(arrival));
}

export async function replay(payloads: readonly CwlPayload[], options: ReplayOptions): Promise<ReplayStats> {
  const delay = options.deliveryDelayMs ?? 60_000;
  const streamName = options.deliveryStreamArn.split("/").pop()!;
  const queue: Pending[] = recordsOf(payloads, delay);
  const inputIds = new Map<string, number>();
  for (const p of payloads) for (const e of p.logEvents) inputIds.set(e.id, 0);
  const eventsIn = inputIds.size;
  let reingestedRecords = 0;
  let reingestedEvents = 0;
  let failedRecords = 0;
  let failedEvents = 0;
  let droppedRecords = 0;
  let invocations = 0;
  let linesOut = 0;
  let lastArrival = queue.at(-1)?.arrival ?? 0;
  let serial = 0;
  const byLogType: Record<string, number> = {};
  const buffers = new Map<string, { chunks: Buffer[]; bytes: number; arrival: number }>();
  const errorLines = new Map<string, string[]>();
  const objectKeys: string[] = [];
  const recordsIn = queue.length;

  const write = (key: string, body: Buffer) => {
    const path = join(options.outDir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    objectKeys.push(key);
  };
  const objectName = (arrival: number) => `${streamName}-1-${formatTime(arrival, true)}-${String(++serial).padStart(8, "0")}-preview`;
  const flush = (prefix: string) => {
    const b = buffers.get(prefix);
    if (!b || b.bytes === 0) return;
    write(`${prefix}${objectName(b.arrival)}.json.gz`, gzipSync(Buffer.concat(b.chunks)));
    buffers.delete(prefix);
  };

  let reingestArrival = 0;
  const client: RecordingFirehose = {
    async send(command) {
      const records = command.input.Records ?? [];
      for (const r of records) {
        const data = Buffer.from(r.Data ?? new Uint8Array()).toString("base64");
        queue.push({ data, arrival: reingestArrival });
        reingestedRecords++;
        reingestedEvents += countEvents(data);
      }
      return { FailedPutCount: 0, RequestResponses: records.map(() => ({ RecordId: `preview-${++serial}` })), $metadata: {} };
    },
  };
  const handler = options.handler(client);

  for (let next = 0; next < queue.length; ) {
    // One invocation: records in arrival order until the processor buffer is full.
    const batch: Pending[] = [];
    let bytes = 0;
    while (next < queue.length && (batch.length === 0 || bytes + queue[next]!.data.length * 0.75 <= options.processorBufferBytes)) {
      const r = queue[next++]!;
      batch.push(r);
      bytes += r.data.length * 0.75;
    }
    const now = Math.max(...batch.map((r) => r.arrival));
    reingestArrival = now + delay;
    lastArrival = Math.max(lastArrival, now);
    const event: Invocation = {
      invocationId: `preview-${++invocations}`,
      deliveryStreamArn: options.deliveryStreamArn,
      region: options.region,
      records: batch.map((r, i) => ({ recordId: `${invocations}-${i}`, approximateArrivalTimestamp: r.arrival, data: r.data })),
    };
    const response = await handler(event, { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS });
    const results = checkResponse(event, response);
    for (const [i, out] of results.entries()) {
      const input = event.records[i]!;
      if (out.result === "Dropped") droppedRecords++;
      else if (out.result === "ProcessingFailed") {
        // What the record still owes: the returned data where the Lambda gave it (see lambda-src/README.md), else the record.
        const rawData = out.data ?? input.data;
        failedRecords++;
        const ids = eventIds(rawData);
        failedEvents += ids.length;
        for (const id of ids) inputIds.set(id, (inputIds.get(id) ?? 0) + 1);
        const prefix = firehoseErrorPrefix(options.errorPrefix).replace("!{firehose:error-output-type}", "processing-failed").replace(/!\{timestamp:[^}]+\}/g, timestampExpression(input.approximateArrivalTimestamp));
        const line = JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: input.approximateArrivalTimestamp,
          errorCode: "Lambda.ProcessingFailed",
          errorMessage: "The Lambda function returned ProcessingFailed for this record",
          attemptEndingTimestamp: now,
          rawData,
          lambdaArn: "preview",
        });
        (errorLines.get(prefix) ?? errorLines.set(prefix, []).get(prefix)!).push(line);
      } else {
        const data = Buffer.from(out.data ?? "", "base64");
        const prefix = objectPrefix(options.layout, out.metadata?.partitionKeys ?? {}, input.approximateArrivalTimestamp);
        const lines = countLines(data);
        linesOut += lines;
        const logType = out.metadata?.partitionKeys?.log_type ?? "unknown";
        byLogType[logType] = (byLogType[logType] ?? 0) + lines;
        for (const id of lineIds(data)) inputIds.set(id, (inputIds.get(id) ?? 0) + 1);
        const b = buffers.get(prefix) ?? { chunks: [], bytes: 0, arrival: input.approximateArrivalTimestamp };
        b.chunks.push(data);
        b.bytes += data.length;
        buffers.set(prefix, b);
        if (b.bytes >= options.s3BufferBytes) flush(prefix);
      }
    }
    options.onProgress?.(next, queue.length);
  }
  for (const prefix of [...buffers.keys()]) flush(prefix);
  for (const [prefix, lines] of errorLines) write(`${prefix}${objectName(lastArrival)}`, gzipSync(lines.join("\n") + "\n"));

  let duplicateIds = 0;
  let missingIds = 0;
  for (const count of inputIds.values()) {
    if (count === 0) missingIds++;
    if (count > 1) duplicateIds++;
  }
  return {
    eventsIn,
    recordsIn,
    invocations,
    linesOut,
    objects: objectKeys.length,
    reingestedRecords,
    reingestedEvents,
    failedRecords,
    failedEvents,
    droppedRecords,
    linesByLogType: byLogType,
    duplicateIds,
    missingIds,
    lastArrivalMs: lastArrival,
    objectKeys,
  };
}

/** Firehose's own checks on a transformation response: one result per recordId, a known result. */
function checkResponse(event: Invocation, response: { records: OutputRecord[] }): OutputRecord[] {
  const byId = new Map(response?.records?.map((r) => [r.recordId, r]) ?? []);
  if (byId.size !== event.records.length || response.records.length !== event.records.length) {
    throw new Error(`preview: invocation ${event.invocationId}: the Lambda returned ${response?.records?.length} results for ${event.records.length} records (Firehose fails the batch)`);
  }
  return event.records.map((r) => {
    const out = byId.get(r.recordId);
    if (!out || !["Ok", "Dropped", "ProcessingFailed"].includes(out.result)) throw new Error(`preview: invocation ${event.invocationId}: record ${r.recordId} has no valid result`);
    return out;
  });
}

function payloadOf(base64: string): { logEvents?: { id?: unknown }[] } | undefined {
  try {
    const bytes = Buffer.from(base64, "base64");
    return JSON.parse((bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString("utf8"));
  } catch {
    return undefined;
  }
}

function countEvents(base64: string): number {
  return payloadOf(base64)?.logEvents?.length ?? 0;
}

function eventIds(base64: string): string[] {
  return (payloadOf(base64)?.logEvents ?? []).map((e) => String(e.id));
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n++;
  return n;
}

const CWL_ID = /"cwl_id":"([^"]*)"/;

function lineIds(data: Buffer): string[] {
  const ids: string[] = [];
  for (const line of data.toString("utf8").split("\n")) {
    if (line === "") continue;
    const id = CWL_ID.exec(line)?.[1];
    if (id === undefined) throw new Error(`preview: a delivered line has no cwl_id: ${line.slice(0, 80)}`);
    ids.push(id);
  }
  return ids;
}
