import { randomBytes } from "node:crypto";
import { encodePayload, makeChunks, MAX_RECORD_BYTES, PUT_RECORD_LIMIT_BYTES } from "../../lambda-src/reingest";
import type { Config } from "../../lambda-src/config";
import {
  AUDIT_STREAM,
  AUTH_STREAM,
  type CwlMessage,
  dataMessage,
  decodePayload,
  encodeRecord,
  encodeReingested,
  headerHop,
  wentWhole,
  withHeaderHop,
  FakeFirehose,
  invocation,
  KLOG_STREAM,
  linesOf,
  loadBundle,
  memoryLog,
  type OutputRecord,
  STREAM_ARN,
} from "./helpers";

const bundle = loadBundle();

/** A small budget so a few KB of events overflow it; chunks a quarter of it. */
const SMALL: Partial<Config> = { responseBudgetBytes: 40_000, reingestChunkBytes: 10_000 };

function auditEvent(i: number, pad = 1500): string {
  return JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1", auditID: `id-${i}`, verb: "get", requestURI: `/api/v1/pods/${"p".repeat(pad)}`, stageTimestamp: "2024-01-01T00:00:00.000001Z" });
}

function setup(overrides: Partial<Config> = {}, fake = new FakeFirehose()) {
  const log = memoryLog();
  const delays: number[] = [];
  const handler = bundle.createHandler({
    config: { ...bundle.DEFAULT_CONFIG, ...SMALL, ...overrides },
    firehoseClient: fake,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    log,
  });
  return { handler, fake, log, delays };
}

function ids(messages: readonly CwlMessage[]): string[] {
  return messages.flatMap((m) => m.logEvents.map((e) => e.id));
}

function okIds(records: readonly OutputRecord[]): string[] {
  return records.flatMap((r) => (r.result === "Ok" ? linesOf(r).map((l) => l.cwl_id as string) : []));
}

function responseBytes(response: unknown): number {
  return Buffer.byteLength(JSON.stringify(response));
}

describe("re-ingest (bundled handler, fake Firehose)", () => {
  it("over budget: what fits is Ok, the rest goes back in chunks, each event exactly once", async () => {
    // given 6 records of 20 × ~1.7 KB audit events: ~200 KB of lines for a 40 KB budget
    const { handler, fake } = setup();
    const payloads = Array.from({ length: 6 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 20 }, (_, i) => auditEvent(r * 100 + i))));
    // when
    const response = await handler(invocation(payloads) as never);
    // then
    expect(responseBytes(response)).toBeLessThanOrEqual(40_000);
    expect(response.records.map((r) => r.recordId)).toEqual(payloads.map((_, i) => `record-${i}`));
    // the first record fills the budget with its first events; everything else goes back
    expect(response.records.map((r) => r.result)).toEqual(["Ok", "Dropped", "Dropped", "Dropped", "Dropped", "Dropped"]);
    const inline = okIds(response.records);
    expect(inline.length).toBeGreaterThan(5);
    expect(inline).toEqual(ids([payloads[0]!]).slice(0, inline.length));
    const delivered = [...inline, ...ids(fake.accepted)];
    expect(delivered.sort()).toEqual(ids(payloads).sort());
    expect(fake.calls.map((c) => c.streamName)).toEqual(["eks-logs"]);
  });

  it("re-ingested payloads keep the envelope, carry hop 1 and come back Ok", async () => {
    const { handler, fake } = setup();
    const payload = dataMessage(KLOG_STREAM, Array.from({ length: 100 }, (_, i) => `I0101 00:00:00.000000 1 a.go:1] ${"m".repeat(500)} ${i}`));
    await handler(invocation([payload]) as never);
    expect(fake.accepted.length).toBeGreaterThan(1);
    for (const chunk of fake.accepted) {
      const { logEvents, ...envelope } = chunk;
      expect(envelope).toEqual({ messageType: "DATA_MESSAGE", owner: payload.owner, logGroup: payload.logGroup, logStream: payload.logStream, subscriptionFilters: payload.subscriptionFilters, reingest: { hop: 1 } });
      expect(logEvents.length).toBeGreaterThan(0);
    }
    // when each chunk comes back in an invocation of its own, it fits
    for (const chunk of fake.accepted.slice()) {
      const back = await setup().handler(invocation([chunk]) as never);
      expect(back.records[0]!.result).toBe("Ok");
      expect(linesOf(back.records[0]).map((l) => l.cwl_id)).toEqual(chunk.logEvents.map((e) => e.id));
    }
  });

  it("a record that goes round gets the budget before fresh ones", async () => {
    const { handler, fake } = setup();
    const fresh = Array.from({ length: 4 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 10 }, (_, i) => auditEvent(r * 100 + i))));
    // As this Lambda re-ingests: the hop in the gzip header, read before anything is inflated.
    const returning = { data: encodeReingested(dataMessage(AUDIT_STREAM, Array.from({ length: 10 }, (_, i) => auditEvent(900 + i))), 2) };
    const response = await handler(invocation([...fresh, returning]) as never);
    expect(response.records[4]!.result).toBe("Ok");
    expect(fake.accepted.length).toBeGreaterThan(0);
    // What went back: fresh records whole (hop 0, marked) or chunks at hop 1.
    const sent = fake.calls.flatMap((c) => c.records);
    expect(sent.every((d, i) => (wentWhole(d) ? fake.acceptedHops[i] === 0 && fake.accepted[i]!.reingest === undefined : fake.acceptedHops[i] === 1))).toBe(true);
  });

  it("only the failed entries are retried, with backoff, and nothing is sent twice", async () => {
    // given a Firehose that rejects the first entry of the first call
    const fake = new FakeFirehose((call, entry) => (call === 0 && entry === 0 ? "ServiceUnavailableException" : "ok"));
    const { handler, delays } = setup({ reingestBaseDelayMs: 100 }, fake);
    const payloads = Array.from({ length: 4 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 20 }, (_, i) => auditEvent(r * 100 + i))));
    // when
    const response = await handler(invocation(payloads) as never);
    // then
    expect(fake.calls.length).toBe(2);
    expect(fake.calls[1]!.records).toEqual([fake.calls[0]!.records[0]]);
    expect(delays).toEqual([50]); // random 0.5 × 100 ms × 2^0
    expect(response.records.every((r) => r.result !== "ProcessingFailed")).toBe(true);
    expect([...okIds(response.records), ...ids(fake.accepted)].sort()).toEqual(ids(payloads).sort());
  });

  it("a whole-call error is retried; a non-retryable one is not", async () => {
    // as the SDK throws them: with the HTTP status of Firehose's answer
    const throttled = Object.assign(new Error("slow down"), { name: "ServiceUnavailableException", $metadata: { httpStatusCode: 503 } });
    const denied = Object.assign(new Error("no"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    const payload = dataMessage(AUDIT_STREAM, Array.from({ length: 40 }, (_, i) => auditEvent(i)));

    const retried = setup({}, new FakeFirehose(undefined, (call) => (call === 0 ? throttled : undefined)));
    expect((await retried.handler(invocation([payload]) as never)).records[0]!.result).toBe("Ok");
    expect(retried.fake.calls.length).toBe(2);

    const stopped = setup({ reingestMaxAttempts: 4 }, new FakeFirehose(undefined, () => denied));
    const response = await stopped.handler(invocation([payload]) as never);
    expect(stopped.fake.calls.length).toBe(1);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(stopped.log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: "record-0", reason: "re-ingest failed (AccessDeniedException: no); the record goes to the error output whole" });
  });

  it("final failure: after REINGEST_MAX_ATTEMPTS the records are ProcessingFailed with their original data, inline lines withdrawn", async () => {
    // given a Firehose that rejects everything
    const fake = new FakeFirehose(() => "ServiceUnavailableException");
    const { handler, delays } = setup({ reingestMaxAttempts: 3, reingestBaseDelayMs: 200 }, fake);
    const payloads = Array.from({ length: 3 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 30 }, (_, i) => auditEvent(r * 100 + i))));
    const event = invocation(payloads);
    // when
    const response = await handler(event as never);
    // then
    expect(fake.calls.length).toBe(3);
    expect(delays).toEqual([100, 200]);
    const failed = response.records.filter((r) => r.result === "ProcessingFailed");
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.data).toBe(event.records.find((e) => e.recordId === r.recordId)!.data);
    // nothing of a failed record is also delivered
    const failedIds = failed.flatMap((r) => decodePayload(r.data!).logEvents.map((e) => e.id));
    expect(okIds(response.records).filter((id) => failedIds.includes(id))).toEqual([]);
    expect([...okIds(response.records), ...failedIds].sort()).toEqual(ids(payloads).sort());
  });

  it("partial final failure: the record returns exactly the events not sent, never those that were", async () => {
    // given one record split into several chunks, and a Firehose that always rejects its second chunk
    let second: Uint8Array | undefined;
    const fake = new FakeFirehose((call, entry, data) => {
      if (call === 0 && entry === 1) second = data;
      return second !== undefined && Buffer.compare(Buffer.from(data), Buffer.from(second)) === 0 ? "InternalFailure" : "ok";
    });
    const { handler, log } = setup({ reingestMaxAttempts: 2 }, fake);
    const payload = dataMessage(AUDIT_STREAM, Array.from({ length: 60 }, (_, i) => auditEvent(i)));
    // when
    const response = await handler(invocation([payload]) as never);
    // then
    const [record] = response.records;
    expect(record!.result).toBe("ProcessingFailed");
    const owed = ids([decodePayload(record!.data!)]);
    const sent = ids(fake.accepted);
    expect(owed.filter((id) => sent.includes(id))).toEqual([]);
    expect([...owed, ...sent].sort()).toEqual(ids([payload]).sort());
    expect(owed).toEqual(expect.arrayContaining(ids([decodePayload(second!)])));
    expect(log.entries.find((e) => e.msg === "record ProcessingFailed")!.reason).toMatch(/^re-ingest partly failed \(\d+ of \d+ chunks sent; InternalFailure: fake failure\); the \d+ events not sent go to the error output$/);
  });

  it("PutRecordBatch calls stay within 500 records and the per-call byte bound", async () => {
    // given 1,200 small events in many records, a large budget for nothing: they must all go back
    const { handler, fake } = setup({ responseBudgetBytes: 1_000_000, reingestChunkBytes: 100_000, reingestMaxHops: 3 });
    const many = Array.from({ length: 1200 }, (_, r) => dataMessage(AUDIT_STREAM, [auditEvent(r, 800_000 / 1200)]));
    const blocker = dataMessage(AUDIT_STREAM, Array.from({ length: 600 }, (_, i) => auditEvent(5000 + i, 1200)), { reingest: { hop: 1 } });
    // when the returning record takes the whole budget
    await handler(invocation([blocker, ...many]) as never);
    // then
    expect(fake.calls.length).toBeGreaterThan(1);
    for (const call of fake.calls) {
      expect(call.records.length).toBeLessThanOrEqual(500);
      expect(call.records.reduce((n, d) => n + d.length, 0)).toBeLessThanOrEqual(3_000_000);
      for (const d of call.records) expect(d.length).toBeLessThanOrEqual(1_000_000);
    }
  });

  it("at REINGEST_MAX_HOPS a record that still does not fit is ProcessingFailed, not sent round again", async () => {
    const { handler, fake, log } = setup({ reingestMaxHops: 2 });
    const stuck = dataMessage(AUDIT_STREAM, Array.from({ length: 60 }, (_, i) => auditEvent(i)), { reingest: { hop: 2 } });
    const response = await handler(invocation([stuck]) as never);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(fake.calls).toEqual([]);
    expect(log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: "record-0", reason: "over the response budget and not re-ingested: re-ingested 2 times (REINGEST_MAX_HOPS=2)" });
  });

  it("a fresh record with no room left goes back whole: its own deflate bytes, marked in its gzip header, no hop spent", async () => {
    const { handler, fake } = setup();
    const payloads = Array.from({ length: 6 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 20 }, (_, i) => auditEvent(r * 100 + i))));
    const event = invocation(payloads);
    const response = await handler(event as never);
    expect(response.records.slice(1).map((r) => r.result)).toEqual(["Dropped", "Dropped", "Dropped", "Dropped", "Dropped"]);
    // Records 1–5 were never rendered: each went back as it came, the JSON untouched (no `reingest` field).
    const sent = fake.calls.flatMap((c) => c.records).map((d) => Buffer.from(d));
    for (const r of [1, 2, 3, 4, 5]) {
      const original = Buffer.from(event.records[r]!.data, "base64");
      // The header grows by 8 bytes: XLEN, "EH", LEN and "0w".
      const copy = sent.find((d) => d.length - original.length === 8 && d.subarray(18).equals(original.subarray(10)))!;
      expect(copy).toBeDefined();
      expect([headerHop(copy), wentWhole(copy)]).toEqual([0, true]);
      expect(decodePayload(copy)).toEqual(payloads[r]);
    }
    // Coming back, it is planned before fresh records and, still without room, chunked at hop 1: never whole again.
    const back = setup();
    const whole = sent.find((d) => wentWhole(d))!;
    const fresh = encodeRecord(dataMessage(AUDIT_STREAM, Array.from({ length: 20 }, (_, i) => auditEvent(900 + i))));
    const second = await back.handler(invocation([{ data: fresh }, { data: whole.toString("base64") }]) as never);
    expect(second.records.map((r) => r.result)).toEqual(["Dropped", "Ok"]);
    expect(back.fake.acceptedHops.filter((_, i) => back.fake.accepted[i]!.reingest !== undefined).every((hop) => hop === 1)).toBe(true);
    expect(back.fake.accepted.filter((c) => c.reingest !== undefined).length).toBeGreaterThan(0);
  });

  it("goes back whole only once: a record that went round whole and still finds no room is chunked to sizes that fit", async () => {
    const { handler, fake } = setup();
    const whole = [1, 2].map((r) => ({ data: withHeaderHop(encodeRecord(dataMessage(AUDIT_STREAM, Array.from({ length: 20 }, (_, i) => auditEvent(r * 100 + i)))), 0, true) }));
    const response = await handler(invocation(whole) as never);
    expect(response.records.map((r) => r.result)).toEqual(["Ok", "Dropped"]);
    // Everything that went back was re-encoded in chunks at hop 1 (JSON and header), none of it whole again.
    expect(fake.accepted.length).toBeGreaterThan(2);
    expect(fake.accepted.every((c) => c.reingest?.hop === 1)).toBe(true);
    expect(fake.calls.flatMap((c) => c.records).some((d) => wentWhole(d))).toBe(false);
  });

  it("a record whose header hop is at REINGEST_MAX_HOPS, or forged, is not sent round again", async () => {
    const { handler, fake } = setup({ reingestMaxHops: 2 });
    const events = Array.from({ length: 60 }, (_, i) => auditEvent(i));
    // The JSON says 0, the header 2: the larger counts.
    const headerTwo = Buffer.from(withHeaderHop(encodeReingested(dataMessage(AUDIT_STREAM, events), 0), 2), "base64");
    expect(headerHop(headerTwo)).toBe(2);
    expect(decodePayload(headerTwo).reingest).toEqual({ hop: 0 });
    // The hop digit at offset 16 (10 fixed bytes, XLEN, "EH", LEN) turned into a letter.
    const forged = Buffer.from(headerTwo);
    forged.write("x", 16, "latin1");
    expect(headerHop(forged)).toBe(Number.POSITIVE_INFINITY);
    const response = await handler(invocation([{ data: headerTwo.toString("base64") }, { data: forged.toString("base64") }]) as never);
    expect(response.records.map((r) => r.result)).toEqual(["ProcessingFailed", "ProcessingFailed"]);
    expect(fake.calls).toEqual([]);
  });

  it("a hop this Lambda did not write is treated as exhausted", async () => {
    const { handler, fake } = setup();
    const forged = { ...dataMessage(AUDIT_STREAM, Array.from({ length: 60 }, (_, i) => auditEvent(i))), reingest: { hop: "0" } };
    expect((await handler(invocation([forged]) as never)).records[0]!.result).toBe("ProcessingFailed");
    expect(fake.calls).toEqual([]);
  });

  it("REINGEST_MAX_HOPS=0 turns re-ingestion off; a missing deliveryStreamArn too", async () => {
    const payload = dataMessage(AUDIT_STREAM, Array.from({ length: 60 }, (_, i) => auditEvent(i)));
    const off = setup({ reingestMaxHops: 0 });
    expect((await off.handler(invocation([payload]) as never)).records[0]!.result).toBe("ProcessingFailed");
    const noArn = setup();
    const response = await noArn.handler({ ...invocation([payload]), deliveryStreamArn: undefined } as never);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(noArn.log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: "record-0", reason: "over the response budget and not re-ingested: deliveryStreamArn undefined names no delivery stream" });
    expect([off.fake.calls, noArn.fake.calls]).toEqual([[], []]);
  });

  describe("an event whose line alone is huge", () => {
    // budget 40,000 → line limit (40,000 − 16,384) × 3/4 = 17,712 bytes
    it("is delivered unparsed when its raw text fits", async () => {
      // an authenticator line repeats arn in `arn` and in `kv`: parsed ≈ 2 × raw
      const { handler } = setup();
      const line = `level=info msg=x arn="arn:aws:iam::111122223333:role/${"r".repeat(10_000)}"`;
      const [out] = linesOf((await handler(invocation([dataMessage(AUTH_STREAM, [line])]) as never)).records[0]);
      expect(out).toMatchObject({ parse_error: expect.stringMatching(/^authenticator: line of \d+ bytes exceeds the 16212-byte line limit; delivered unparsed$/), message: line });
    });

    it("goes to the error output alone when even its raw text cannot fit any response", async () => {
      const { handler, fake } = setup();
      const huge = "I0101 00:00:00.000000 1 a.go:1] " + "x".repeat(30_000);
      const small = "I0101 00:00:00.000000 1 a.go:1] small";
      // alone in its record: ProcessingFailed right away
      const alone = await handler(invocation([dataMessage(KLOG_STREAM, [huge])]) as never);
      expect(alone.records[0]!.result).toBe("ProcessingFailed");
      // among others: the others are delivered, it travels in a chunk of its own
      const mixed = dataMessage(KLOG_STREAM, [small, huge, small]);
      const response = await handler(invocation([mixed]) as never);
      expect(linesOf(response.records[0]).map((l) => l.cwl_id)).toEqual([mixed.logEvents[0]!.id]);
      expect(fake.accepted.map((c) => c.logEvents.map((e) => e.id))).toEqual([[mixed.logEvents[1]!.id], [mixed.logEvents[2]!.id]]);
    });
  });

  /**
   * Firehose stands in: a FIFO of records (fresh ones first, re-ingested ones appended as
   * PutRecordBatch accepts them), cut into invocations of at most `bufferBytes` of record data.
   */
  async function drain(bufferBytes: number, fresh: CwlMessage[], overrides: Partial<Config> = {}) {
    const fake = new FakeFirehose();
    const { handler } = setup(overrides, fake);
    const queue = fresh.map((m) => encodeRecord(m));
    const delivered: string[] = [];
    const failed: string[] = [];
    let invocations = 0;
    let accepted = 0;
    while (queue.length > 0) {
      expect(++invocations).toBeLessThanOrEqual(200);
      const batch: string[] = [];
      for (let bytes = 0; queue.length > 0 && (batch.length === 0 || bytes + queue[0]!.length <= bufferBytes); ) bytes += (batch[batch.length] = queue.shift()!).length;
      const response = await handler(invocation(batch.map((data) => ({ data }))) as never);
      delivered.push(...okIds(response.records));
      // without returned data, Firehose's error record holds the original record
      response.records.forEach((r, i) => r.result === "ProcessingFailed" && failed.push(...ids([decodePayload(r.data ?? batch[i]!)])));
      queue.push(...fake.acceptedData.slice(accepted));
      accepted = fake.accepted.length;
    }
    return { delivered, failed, invocations, reingested: ids(fake.accepted).length };
  }

  // 12 records of 10 events: ~23 KB of base64 lines each, for a 40 KB budget
  const freshAudit = () => Array.from({ length: 12 }, (_, r) => dataMessage(AUDIT_STREAM, Array.from({ length: 10 }, (_, i) => auditEvent(r * 100 + i))));

  it("never loops: with a buffer the budget can hold, re-ingested events come back once and are delivered", async () => {
    // given invocations of about one record's gzip size, and one record five times that
    const fresh = freshAudit();
    const buffer = encodeRecord(fresh[0]!).length + 100;
    fresh.unshift(dataMessage(AUDIT_STREAM, Array.from({ length: 50 }, (_, i) => auditEvent(9000 + i))));
    // when
    const { delivered, failed, reingested } = await drain(buffer, fresh);
    // then every event is delivered exactly once, only the big record went round
    expect(failed).toEqual([]);
    expect(delivered.sort()).toEqual(ids(fresh).sort());
    expect(reingested).toBeGreaterThan(0);
    expect(reingested).toBeLessThan(ids(fresh).length / 2);
  });

  it("never loops: with a buffer far beyond the budget, the hop bound ends the rounds and the excess goes to the error output, nothing lost", async () => {
    const fresh = freshAudit();
    const { delivered, failed, invocations } = await drain(1_000_000, fresh, { reingestMaxHops: 2 });
    expect(failed.length).toBeGreaterThan(0);
    expect([...delivered, ...failed].sort()).toEqual(ids(fresh).sort());
    expect(invocations).toBe(4); // fresh, once whole (no hop spent), hop 1, hop 2
  });

  it("uses the stream named by deliveryStreamArn", async () => {
    const { handler, fake } = setup();
    const event = { ...invocation([dataMessage(AUDIT_STREAM, Array.from({ length: 60 }, (_, i) => auditEvent(i)))]), deliveryStreamArn: STREAM_ARN.replace("eks-logs", "other-stream") };
    await handler(event as never);
    expect(new Set(fake.calls.map((c) => c.streamName))).toEqual(new Set(["other-stream"]));
  });

  describe("outcomes Firehose leaves unknown are never resent; nothing counts as stored without a positive answer", () => {
    const payload = () => dataMessage(AUDIT_STREAM, Array.from({ length: 40 }, (_, i) => auditEvent(i)));
    /** A client whose answer the test scripts; it keeps what it stored. */
    const scripted = (answer: (records: Uint8Array[], signal: AbortSignal | undefined) => Promise<object>) => {
      const calls: Uint8Array[][] = [];
      return {
        calls,
        client: {
          async send(command: { input: { Records?: { Data?: Uint8Array }[] } }, options?: { abortSignal?: AbortSignal }) {
            const records = (command.input.Records ?? []).map((r) => r.Data!);
            calls.push(records);
            return answer(records, options?.abortSignal) as never;
          },
        },
      };
    };
    const run = async (client: { send: unknown }, remainingMs = 60_000) => {
      const log = memoryLog();
      const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: 40_000, reingestChunkBytes: 10_000, reingestMaxAttempts: 4 }, firehoseClient: client as never, sleep: async () => undefined, log });
      const started = Date.now();
      const response = await handler(invocation([payload()]) as never, { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) });
      return { response, log, ms: Date.now() - started };
    };

    it("a call that hangs is aborted at its deadline, the handler answers with the safety margin left, and nothing is resent", async () => {
      // given a Firehose that never answers, and 4.5 s left in the invocation
      const hung = scripted((_records, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })))));
      // when
      const { response, log, ms } = await run(hung.client, 4_500);
      // then the one call was cut at 4.5 − 3 s, answered well before the timeout, its events sent to the error output
      expect(hung.calls).toHaveLength(1);
      expect(ms).toBeGreaterThanOrEqual(1_400);
      expect(ms).toBeLessThan(2_500);
      expect(response.records[0]!.result).toBe("ProcessingFailed");
      expect(log.entries).toContainEqual(expect.objectContaining({ msg: "record ProcessingFailed", reason: expect.stringMatching(/no answer within 1[45]\d\d ms \(aborted\); the outcome is unknown, not resent/) }));
    }, 10_000);

    it.each<[string, (records: Uint8Array[]) => Promise<object>]>([
      ["a connection reset after the request went out", async () => Promise.reject(Object.assign(new Error("socket hang up"), { name: "Error", code: "ECONNRESET" }))],
      ["a 200 whose body cannot be read", async () => Promise.reject(Object.assign(new Error("Unexpected token <"), { name: "SyntaxError", $metadata: { httpStatusCode: 200 } }))],
      ["FailedPutCount that contradicts the entries", async (records) => ({ FailedPutCount: 2, RequestResponses: records.map((_, i) => ({ RecordId: `r${i}` })), $metadata: {} })],
      ["fewer results than records", async (records) => ({ FailedPutCount: 0, RequestResponses: records.slice(1).map((_, i) => ({ RecordId: `r${i}` })), $metadata: {} })],
      ["entries with an empty ErrorCode and no RecordId", async (records) => ({ FailedPutCount: 0, RequestResponses: records.map(() => ({ ErrorCode: "" })), $metadata: {} })],
    ])("%s: sent once, never again, and the record is not Ok or Dropped", async (_name, answer) => {
      const fake = scripted(answer);
      const { response, log } = await run(fake.client);
      expect(fake.calls).toHaveLength(1);
      expect(response.records[0]!.result).toBe("ProcessingFailed");
      // the events that were (maybe) stored go to the error output too: at most one extra copy, known by cwl_id
      const failed = log.entries.find((e) => e.msg === "record ProcessingFailed")!;
      expect(String(failed.reason)).toMatch(/unknown, not resent/);
    });

    it("a connection that never opened is refused, so retried", async () => {
      let first = true;
      const fake = scripted(async (records) => {
        if (first) {
          first = false;
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
        }
        return { FailedPutCount: 0, RequestResponses: records.map((_, i) => ({ RecordId: `r${i}` })), $metadata: {} };
      });
      const { response } = await run(fake.client);
      expect(fake.calls).toHaveLength(2);
      expect(response.records[0]!.result).toBe("Ok");
    });
  });
});

describe("re-ingest chunks of one event", () => {
  it("an event just over 1,000,000 gzip'd bytes uses the full 1,000 KiB record (recompressed at level 9) instead of failing", () => {
    // given one near-incompressible event whose level-1 gzip is between 1,000,000 and 1,024,000 bytes
    const bytes = randomBytes(1_540_000);
    const message = Array.from(bytes, (b) => (b < 150 ? String.fromCharCode(97 + (b % 26)) : b < 230 ? String.fromCharCode(48 + (b % 10)) : " ")).join("");
    const payload = { ...dataMessage(AUDIT_STREAM, [message]), hop: 0, logType: "kube-apiserver-audit", partitionKeys: {} } as unknown as Parameters<typeof makeChunks>[1];
    const level1 = encodePayload(payload, payload.logEvents, 1).length;
    expect(level1).toBeGreaterThan(MAX_RECORD_BYTES);
    expect(level1).toBeLessThan(PUT_RECORD_LIMIT_BYTES);
    // when
    const [chunk, ...rest] = makeChunks(0, payload, payload.logEvents, 1_000_000);
    // then it goes back whole, within PutRecordBatch's limit
    expect(rest).toEqual([]);
    expect(chunk!.status).toBe("pending");
    expect(chunk!.data!.length).toBeLessThanOrEqual(PUT_RECORD_LIMIT_BYTES);
  });
});

describe("a line that fits an empty response but not beside a full batch's result entries", () => {
  it("is never re-ingested in vain: the line limit leaves room for the framing, so it goes to the error output at once, its neighbours Ok", async () => {
    // given 400 small records and one whose only event renders a ~4.08 MB line (control characters escape six-fold)
    const fake = new FakeFirehose();
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, firehoseClient: fake, sleep: async () => undefined, log: memoryLog() });
    const small = Array.from({ length: 400 }, (_, i) => dataMessage(KLOG_STREAM, [`I0101 00:00:00.000000 1 a.go:1] small ${i}`]));
    const big = dataMessage(KLOG_STREAM, [`I0101 00:00:00.000000 1 a.go:1] ${"\u0001".repeat(680_000)}`]);
    // when
    const response = await handler(invocation([...small, big]) as never);
    // then no PutRecordBatch for it (it could never come back into a batch and fit), and the response is bounded
    expect(fake.calls).toHaveLength(0);
    expect(response.records.at(-1)!.result).toBe("ProcessingFailed");
    expect(response.records.slice(0, -1).every((r) => r.result === "Ok")).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(bundle.DEFAULT_CONFIG.responseBudgetBytes);
  });
});
