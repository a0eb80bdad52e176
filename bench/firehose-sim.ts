/**
 * Firehose, simulated for the handler: fresh records arrive one buffer's worth per
 * invocation, re-ingested payloads join the end of the queue, and each invocation takes
 * records from the head up to BufferSizeInMBs (gzip'd bytes, as Firehose counts them).
 */
import { gunzipSync } from "node:zlib";
import { readGzipHeader } from "../lambda-src/gzip-hop";

export interface SimHandler {
  (event: unknown): Promise<{ records: { recordId: string; result: string; data?: string }[] }>;
}

/** A Firehose client that accepts everything and keeps what it was given. */
export class AcceptingFirehose {
  readonly accepted: Buffer[] = [];
  calls = 0;
  async send(command: { input: { Records?: { Data?: Uint8Array }[] } }) {
    this.calls++;
    const records = command.input.Records ?? [];
    for (const r of records) this.accepted.push(Buffer.from(r.Data!));
    return { FailedPutCount: 0, RequestResponses: records.map((_, i) => ({ RecordId: `sim-${this.calls}-${i}` })), $metadata: {} };
  }
}

export interface SimResult {
  readonly invocations: number;
  readonly freshEvents: number;
  readonly deliveredEvents: number;
  readonly reingestedEvents: number;
  readonly failedEvents: number;
  readonly invocationsWithReingest: number;
  readonly maxHop: number;
  readonly maxResponseBytes: number;
}

function events(data: Buffer): { count: number; hop: number } {
  const m = JSON.parse(gunzipSync(data).toString("utf8")) as { logEvents: unknown[]; reingest?: { hop: number } };
  // A record re-ingested whole keeps its JSON; its hop is in the gzip header.
  return { count: m.logEvents.length, hop: Math.max(m.reingest?.hop ?? 0, readGzipHeader(data)?.hop ?? 0) };
}

export async function simulate(handler: SimHandler, firehose: AcceptingFirehose, fresh: readonly string[], bufferBytes: number, deliveryStreamArn: string): Promise<SimResult> {
  const incoming = fresh.map((data) => ({ data, bytes: (data.length * 3) / 4 }));
  const queue: typeof incoming = [];
  let invocations = 0;
  let delivered = 0;
  let failed = 0;
  let reingested = 0;
  let withReingest = 0;
  let maxHop = 0;
  let maxResponse = 0;
  const freshEvents = incoming.reduce((n, r) => n + events(Buffer.from(r.data, "base64")).count, 0);
  while (incoming.length > 0 || queue.length > 0) {
    for (let bytes = 0; incoming.length > 0 && bytes + incoming[0]!.bytes <= bufferBytes; ) bytes += queue[queue.push(incoming.shift()!) - 1]!.bytes;
    if (queue.length === 0) queue.push(incoming.shift()!);
    const batch: typeof queue = [];
    for (let bytes = 0; queue.length > 0 && (batch.length === 0 || bytes + queue[0]!.bytes <= bufferBytes); ) bytes += batch[batch.push(queue.shift()!) - 1]!.bytes;
    invocations++;
    const before = firehose.accepted.length;
    const response = await handler({ invocationId: `sim-${invocations}`, deliveryStreamArn, region: "eu-west-1", records: batch.map((r, i) => ({ recordId: `r${invocations}-${i}`, approximateArrivalTimestamp: 0, data: r.data })) });
    maxResponse = Math.max(maxResponse, Buffer.byteLength(JSON.stringify(response)));
    response.records.forEach((r, i) => {
      if (r.result === "Ok") delivered += Buffer.from(r.data!, "base64").toString("utf8").split("\n").length - 1;
      if (r.result === "ProcessingFailed") failed += events(Buffer.from(batch[i]!.data, "base64")).count;
    });
    const back = firehose.accepted.slice(before);
    if (back.length > 0) withReingest++;
    for (const data of back) {
      const e = events(data);
      reingested += e.count;
      maxHop = Math.max(maxHop, e.hop);
      queue.push({ data: data.toString("base64"), bytes: data.length });
    }
  }
  return { invocations, freshEvents, deliveredEvents: delivered, reingestedEvents: reingested, failedEvents: failed, invocationsWithReingest: withReingest, maxHop, maxResponseBytes: maxResponse };
}
