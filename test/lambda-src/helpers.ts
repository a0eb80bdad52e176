/** Shared test helpers: fixture cases, Firehose/CWL envelopes, the bundled handler, a fake Firehose client. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { readGzipHeader, withHop } from "../../lambda-src/gzip-hop";

export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(ROOT, "test/fixtures/lambda");

/** The module as built by test/global-setup.ts. */
export type Bundle = typeof import("../../lambda-src/handler");

/**
 * The esbuild bundle, loaded with Node's own require: it is tested as deployed, not
 * re-transformed by jest. One instance per jest worker.
 */
export function loadBundle(): Bundle {
  return createRequire(__filename)(path.join(ROOT, "dist/lambda/index.js")) as Bundle;
}

export interface FixtureCase {
  readonly name: string;
  readonly text: string;
  readonly source: string;
}

/** Named cases of a fixture file (format in test/fixtures/lambda/README.md). */
export function loadCases(file: string): Map<string, FixtureCase> {
  const cases = new Map<string, FixtureCase>();
  let source = "";
  let current: { name: string; lines: string[]; source: string } | undefined;
  const flush = (): void => {
    if (current) cases.set(current.name, { name: current.name, text: current.lines.join("\n"), source: current.source });
    current = undefined;
  };
  for (const line of readFileSync(path.join(FIXTURES, file), "utf8").replace(/\n$/, "").split("\n")) {
    if (line.startsWith("=== ")) {
      flush();
      current = { name: line.slice(4), lines: [], source };
    } else if (line.startsWith("#")) {
      flush();
      if (line.startsWith("# source:")) source = line.slice(9).trim();
    } else if (current) current.lines.push(line);
  }
  flush();
  return cases;
}

/** The text of one named case; throws on a typo so a table cannot silently test nothing. */
export function fixture(cases: Map<string, FixtureCase>, name: string): string {
  const c = cases.get(name);
  if (!c) throw new Error(`no fixture case "${name}"`);
  return c.text;
}

export interface CwlEventIn {
  id: string;
  timestamp: number;
  message: string;
}

export interface CwlMessage {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CwlEventIn[];
  reingest?: { hop: number };
}

export const ACCOUNT = "111122223333";
export const STREAM_ARN = "arn:aws:firehose:eu-west-1:111122223333:deliverystream/eks-logs";
export const AUDIT_STREAM = "kube-apiserver-audit-0123456789abcdef0123456789abcdef";
export const KLOG_STREAM = "kube-scheduler-0123456789abcdef0123456789abcdef";
export const AUTH_STREAM = "authenticator-0123456789abcdef0123456789abcdef";

let nextId = 0;

/** A DATA_MESSAGE of `messages` in one stream; event ids are unique per test process. */
export function dataMessage(logStream: string, messages: readonly string[], overrides: Partial<CwlMessage> = {}): CwlMessage {
  return {
    messageType: "DATA_MESSAGE",
    owner: ACCOUNT,
    logGroup: "/aws/eks/prod-1/cluster",
    logStream,
    subscriptionFilters: ["eks-logs@eu-west-1"],
    logEvents: messages.map((message, i) => ({ id: `${String(++nextId).padStart(56, "0")}`, timestamp: 1_687_162_041_501 + i, message })),
    ...overrides,
  };
}

/** base64(gzip(JSON)) as CloudWatch Logs writes a Firehose record; raw bytes or text are encoded as given. */
export function encodeRecord(payload: object | string | Buffer): string {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
  return gzipSync(bytes).toString("base64");
}

export interface InvocationRecord {
  recordId: string;
  approximateArrivalTimestamp: number;
  data: string;
}

export interface Invocation {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: InvocationRecord[];
}

/** A record as this Lambda re-ingests it: the hop in the JSON field and in the gzip header. */
export function encodeReingested(payload: object, hop: number): string {
  return withHeaderHop(encodeRecord({ ...payload, reingest: { hop } }), hop);
}

/** A base64 record with `hop` (and the went-round-whole mark) written into its gzip header. */
export function withHeaderHop(data: string, hop: number, whole = false): string {
  const bytes = Buffer.from(data, "base64");
  return withHop(bytes, readGzipHeader(bytes)!, hop, whole).toString("base64");
}

/** Whether a record's gzip header says it went round whole. */
export function wentWhole(data: Uint8Array | string): boolean {
  return readGzipHeader(typeof data === "string" ? Buffer.from(data, "base64") : data)?.whole ?? false;
}

/** The hop a record carries in its gzip header (undefined: none). */
export function headerHop(data: Uint8Array | string): number | undefined {
  return readGzipHeader(typeof data === "string" ? Buffer.from(data, "base64") : data)?.hop;
}

/** A Firehose transformation event whose records hold the given payloads (already-encoded strings pass through). */
export function invocation(payloads: readonly (object | { data: string })[]): Invocation {
  return {
    invocationId: "00000000-0000-4000-8000-000000000000",
    deliveryStreamArn: STREAM_ARN,
    region: "eu-west-1",
    records: payloads.map((p, i) => ({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: 1_700_000_000_000,
      data: "data" in p && typeof p.data === "string" ? p.data : encodeRecord(p),
    })),
  };
}

export interface OutputRecord {
  recordId: string;
  result: string;
  data?: string;
  metadata?: { partitionKeys: Record<string, string> };
}

/** The JSON lines of an Ok record. */
export function linesOf(record: OutputRecord | undefined): Record<string, unknown>[] {
  if (!record?.data) return [];
  const text = Buffer.from(record.data, "base64").toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * What a fake Firehose keeps of a record it stored. Firehose never reads the data: a record that is
 * not a payload (a corrupt one re-ingested whole) is stored all the same, with no events.
 */
export function storedPayload(data: Uint8Array): CwlMessage {
  try {
    return decodePayload(data);
  } catch {
    return { messageType: "(not a payload)", owner: "", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [] };
  }
}

/** Decodes a re-ingested or echoed payload. */
export function decodePayload(data: Uint8Array | string): CwlMessage {
  const bytes = typeof data === "string" ? Buffer.from(data, "base64") : Buffer.from(data);
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as CwlMessage;
}

type Entry = { ErrorCode?: string; ErrorMessage?: string; RecordId?: string };

/**
 * A fake Firehose client: records every PutRecordBatch call and answers per entry with
 * `decide(callNumber, entryIndex, data)`: "ok", an error code, or a thrown error for the whole call.
 */
export class FakeFirehose {
  readonly calls: { streamName: string; records: Uint8Array[] }[] = [];
  readonly accepted: CwlMessage[] = [];
  /** The gzip-header hop of each accepted record, in the same order. */
  readonly acceptedHops: (number | undefined)[] = [];
  /** Each accepted record's bytes, base64: what Firehose hands the Lambda when it comes back. */
  readonly acceptedData: string[] = [];
  constructor(private readonly decide: (call: number, entry: number, data: Uint8Array) => "ok" | string = () => "ok", private readonly throwOn: (call: number) => Error | undefined = () => undefined) {}

  async send(command: { input: { DeliveryStreamName?: string; Records?: { Data?: Uint8Array }[] } }): Promise<{ FailedPutCount: number; RequestResponses: Entry[]; $metadata: object }> {
    const call = this.calls.length;
    const records = (command.input.Records ?? []).map((r) => r.Data!);
    this.calls.push({ streamName: command.input.DeliveryStreamName!, records });
    const error = this.throwOn(call);
    if (error) throw error;
    const responses = records.map((data, i): Entry => {
      const verdict = this.decide(call, i, data);
      if (verdict === "ok") {
        this.accepted.push(storedPayload(data));
        this.acceptedHops.push(headerHop(data));
        this.acceptedData.push(Buffer.from(data).toString("base64"));
        return { RecordId: `fake-${call}-${i}` };
      }
      return { ErrorCode: verdict, ErrorMessage: "fake failure" };
    });
    return { FailedPutCount: responses.filter((r) => r.ErrorCode).length, RequestResponses: responses, $metadata: {} };
  }
}

/** A logger that keeps what it is given. */
export function memoryLog(): { info: (e: Record<string, unknown>) => void; warn: (e: Record<string, unknown>) => void; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  return { info: (e) => entries.push(e), warn: (e) => entries.push(e), entries };
}

export const noSleep = async (): Promise<void> => undefined;
