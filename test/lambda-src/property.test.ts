/**
 * Property: for random mixes of records (all stream types, corrupt ones, control
 * messages, huge events), budgets and Firehose failures, with re-ingested payloads fed
 * back the way Firehose would, every input event ends in exactly one place: an Ok line
 * or the error output. The one allowed exception is documented: a record whose
 * chunks were partly accepted before the rest failed every retry puts the accepted
 * events in the error output too, if Firehose writes the original record there.
 */
import fc from "fast-check";
import { prng } from "../../bench/prng";
import {
  AUDIT_STREAM,
  AUTH_STREAM,
  type CwlMessage,
  dataMessage,
  decodePayload,
  encodeRecord,
  FakeFirehose,
  invocation,
  KLOG_STREAM,
  linesOf,
  loadBundle,
  memoryLog,
  noSleep,
  storedPayload,
} from "./helpers";

const bundle = loadBundle();

type EventKind = "audit" | "truncated" | "klog" | "continuation" | "auth" | "text";
const STREAMS: Record<EventKind, string> = { audit: AUDIT_STREAM, truncated: AUDIT_STREAM, klog: KLOG_STREAM, continuation: KLOG_STREAM, auth: AUTH_STREAM, text: "etcd-0123" };

function message(kind: EventKind, size: number, n: number): string {
  const pad = "é𝄞x".repeat(Math.ceil(size / 4)).slice(0, size);
  switch (kind) {
    case "audit":
    case "truncated": {
      const text = JSON.stringify({ kind: "Event", auditID: `a-${n}`, requestObject: { pad }, stageTimestamp: "2024-02-29T23:59:59.999999Z" });
      return kind === "audit" ? text : text.slice(0, Math.max(1, text.length - 7));
    }
    case "klog":
      return `E0229 23:59:59.999999       1 x.go:${n}] "failed" pad="${pad}"\nsecond line`;
    case "continuation":
      return `Trace[${n}]: ${pad}`;
    case "auth":
      return `time="2024-02-29T23:59:59Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/${pad}" uid="aws-iam-authenticator:111122223333:${n}"`;
    case "text":
      return `${n} ${pad}`;
  }
}

const eventArb = fc.record({ kind: fc.constantFrom<EventKind>("audit", "truncated", "klog", "continuation", "auth", "text"), size: fc.oneof(fc.nat(300), fc.nat(6_000), fc.constant(25_000)) });
const recordArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant("data" as const), kind: fc.constantFrom<EventKind>("audit", "klog", "auth", "text"), events: fc.array(eventArb, { maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("control" as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("corrupt" as const), how: fc.constantFrom("base64", "gzip", "json", "cwl") }) },
);
const scenarioArb = fc.record({
  records: fc.array(recordArb, { minLength: 1, maxLength: 6 }),
  budget: fc.integer({ min: 30_000, max: 150_000 }),
  maxHops: fc.integer({ min: 0, max: 3 }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
  failPercent: fc.constantFrom(0, 0, 10, 50, 100),
  throwPercent: fc.constantFrom(0, 0, 20),
  seed: fc.integer(),
  perInvocation: fc.integer({ min: 1, max: 8 }),
});

type RecordSpec = typeof recordArb extends fc.Arbitrary<infer R> ? R : never;

function encode(spec: RecordSpec, counter: { n: number }): { data: string; ids: string[] } {
  if (spec.type === "control") return { data: encodeRecord({ messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [] }), ids: [] };
  if (spec.type === "corrupt") {
    const data = { base64: "%%%%", gzip: Buffer.from("nope").toString("base64"), json: encodeRecord("{"), cwl: encodeRecord({ messageType: "DATA_MESSAGE" }) }[spec.how];
    return { data, ids: [] };
  }
  // One stream per record; events of other kinds still land in it (a klog line in an audit stream is just a parse error).
  const msg = dataMessage(STREAMS[spec.kind], spec.events.map((e) => message(e.kind, e.size, counter.n++)));
  return { data: encodeRecord(msg), ids: msg.logEvents.map((e) => e.id) };
}

function idsOf(data: string): string[] {
  try {
    const m: CwlMessage = decodePayload(data);
    return m.messageType === "DATA_MESSAGE" && Array.isArray(m.logEvents) ? m.logEvents.map((e) => e.id) : [];
  } catch {
    return [];
  }
}

describe("exactly once (property, bundled handler)", () => {
  it("every input event id ends in one Ok line or in the error output", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        // given
        const random = prng(s.seed);
        const fake = new FakeFirehose(
          () => (random() * 100 < s.failPercent ? "ServiceUnavailableException" : "ok"),
          () => (random() * 100 < s.throwPercent ? Object.assign(new Error("throttled"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }) : undefined),
        );
        const log = memoryLog();
        const handler = bundle.createHandler({
          config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: s.budget, reingestChunkBytes: Math.floor(s.budget / 4), reingestMaxHops: s.maxHops, reingestMaxAttempts: s.maxAttempts },
          firehoseClient: fake,
          sleep: noSleep,
          random,
          log,
        });
        const counter = { n: 0 };
        const inputs = s.records.map((r) => encode(r, counter));
        const expected = inputs.flatMap((i) => i.ids);
        const queue = inputs.map((i) => i.data);
        const delivered: string[] = [];
        const seen = new Set<string>();
        const errorOriginal = new Map<string, string[]>(); // recordId → ids of the original record
        const partly = new Set<string>();
        let accepted = 0;
        let invocations = 0;

        // when Firehose hands records over, re-ingested ones joining the queue
        while (queue.length > 0) {
          if (++invocations > 400) throw new Error("did not drain: a loop");
          const batch = queue.splice(0, s.perInvocation);
          const event = invocation(batch.map((data) => ({ data })));
          event.records.forEach((r, i) => (r.recordId = `inv${invocations}-rec${i}`));
          log.entries.length = 0;
          const response = await handler(event as never);

          // then each response is complete and bounded
          expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
          expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(s.budget);
          for (const [i, r] of response.records.entries()) {
            if (r.result === "Ok") {
              expect(Object.keys(r.metadata!.partitionKeys)).toEqual(["log_type", "account_id", "region", "cluster"]);
              for (const l of linesOf(r)) {
                delivered.push(l.cwl_id as string);
                seen.add(l.cwl_id as string);
              }
            } else if (r.result === "ProcessingFailed") {
              errorOriginal.set(r.recordId, idsOf(batch[i]!));
              if (r.data !== undefined && r.data !== batch[i]) {
                // returned data other than the original: exactly the events not delivered elsewhere
                const returned = idsOf(r.data);
                expect(returned.filter((id) => seen.has(id) || !idsOf(batch[i]!).includes(id))).toEqual([]);
              }
            }
          }
          for (const e of log.entries) if (typeof e.reason === "string" && e.reason.startsWith("re-ingest partly failed")) partly.add(e.recordId as string);
          // Firehose hands back the bytes as they were put (the hop in their gzip header too).
          queue.push(...fake.acceptedData.slice(accepted));
          accepted = fake.accepted.length;
        }

        // nothing delivered twice, nothing lost
        expect(seen.size).toBe(delivered.length);
        const inError = new Set([...errorOriginal.values()].flat());
        expect(expected.filter((id) => !seen.has(id) && !inError.has(id))).toEqual([]);
        // an event both delivered and in an original error record: only from a partly re-ingested record
        for (const [recordId, errorIds] of errorOriginal) {
          if (!partly.has(recordId)) expect(errorIds.filter((id) => seen.has(id))).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });

  type Fault = "ok" | "refuse-entries" | "http-503" | "reset-after-store" | "reset-before-store" | "broken-count-after-store" | "hang";
  const faultArb = fc.constantFrom<Fault>("ok", "ok", "refuse-entries", "http-503", "reset-after-store", "reset-before-store", "broken-count-after-store", "hang");

  /** A Firehose that follows a script of faults per call; what it stores comes back as records. */
  class FaultyFirehose {
    readonly stored: CwlMessage[] = [];
    /** The stored records' bytes, base64, as they come back. */
    readonly storedData: string[] = [];
    calls = 0;
    unknownCalls = 0;
    constructor(private readonly faults: readonly Fault[]) {}
    async send(command: { input: { Records?: { Data?: Uint8Array }[] } }, options?: { abortSignal?: AbortSignal }) {
      const records = (command.input.Records ?? []).map((r) => r.Data!);
      const fault = this.faults[this.calls++ % this.faults.length]!;
      const store = () => {
        this.stored.push(...records.map((d) => storedPayload(d)));
        this.storedData.push(...records.map((d) => Buffer.from(d).toString("base64")));
      };
      const ids = records.map((_, i) => ({ RecordId: `f-${this.calls}-${i}` }));
      switch (fault) {
        case "ok":
          store();
          return { FailedPutCount: 0, RequestResponses: ids, $metadata: {} };
        case "refuse-entries":
          return { FailedPutCount: records.length, RequestResponses: records.map(() => ({ ErrorCode: "ServiceUnavailableException", ErrorMessage: "busy" })), $metadata: {} };
        case "http-503":
          throw Object.assign(new Error("unavailable"), { name: "ServiceUnavailableException", $metadata: { httpStatusCode: 503 } });
        case "reset-after-store":
          store();
          this.unknownCalls++;
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        case "reset-before-store":
          this.unknownCalls++;
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        case "broken-count-after-store":
          store();
          this.unknownCalls++;
          return { FailedPutCount: 1, RequestResponses: ids, $metadata: {} };
        case "hang":
          this.unknownCalls++;
          return new Promise((_resolve, reject) => options?.abortSignal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }))));
      }
    }
  }

  /** Firehose's own handling of a failed invocation: up to 3 retries, then every record of the batch to the error output. */
  async function invokeLikeFirehose(handler: (e: never, c: unknown) => Promise<{ records: { recordId: string; result: string; data?: string }[] }>, event: { records: { recordId: string }[] }) {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const response = await handler(event as never, { getRemainingTimeInMillis: () => 3_040 });
        if (response.records.length === event.records.length) return { response, failedWhole: false };
      } catch {
        // retried below
      }
    }
    return { response: { records: event.records.map((r): { recordId: string; result: string; data?: string } => ({ recordId: r.recordId, result: "ProcessingFailed" })) }, failedWhole: true };
  }

  it("under Firehose faults (refusals, resets before and after storing, broken answers, hangs): nothing lost, the handler never throws, duplicates only from unknown outcomes and at most one extra copy", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ records: fc.array(recordArb, { minLength: 1, maxLength: 5 }), budget: fc.integer({ min: 30_000, max: 120_000 }), faults: fc.array(faultArb, { minLength: 1, maxLength: 6 }), perInvocation: fc.integer({ min: 1, max: 6 }), seed: fc.integer() }),
        async (s) => {
          const fake = new FaultyFirehose(s.faults);
          const handler = bundle.createHandler({
            config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: s.budget, reingestChunkBytes: Math.floor(s.budget / 4), reingestMaxAttempts: 3 },
            firehoseClient: fake as never,
            sleep: noSleep,
            random: prng(s.seed),
            log: memoryLog(),
          });
          const counter = { n: 0 };
          const inputs = s.records.map((r) => encode(r, counter));
          const expected = inputs.flatMap((i) => i.ids);
          const queue = inputs.map((i) => i.data);
          const delivered = new Map<string, number>();
          const inError = new Set<string>();
          let taken = 0;
          let invocations = 0;
          while (queue.length > 0) {
            if (++invocations > 300) throw new Error("did not drain: a loop");
            const batch = queue.splice(0, s.perInvocation);
            const event = invocation(batch.map((data) => ({ data })));
            event.records.forEach((r, i) => (r.recordId = `inv${invocations}-rec${i}`));
            const { response, failedWhole } = await invokeLikeFirehose(handler as never, event);
            // the handler itself never fails an invocation, and stays within its budget
            expect(failedWhole).toBe(false);
            expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(s.budget);
            for (const [i, r] of response.records.entries()) {
              if (r.result === "Ok") for (const l of linesOf(r as never)) delivered.set(l.cwl_id as string, (delivered.get(l.cwl_id as string) ?? 0) + 1);
              // the error output as the handler returns it (the events the record still owes; see the first property for the original-record reading)
              if (r.result === "ProcessingFailed") for (const id of r.data !== undefined ? idsOf(r.data) : idsOf(batch[i]!)) inError.add(id);
            }
            queue.push(...fake.storedData.slice(taken));
            taken = fake.stored.length;
          }
          // nothing lost
          expect(expected.filter((id) => !delivered.has(id) && !inError.has(id))).toEqual([]);
          // never delivered twice
          expect([...delivered.values()].filter((n) => n > 1)).toEqual([]);
          // a copy beside the delivered one exists only in the error output, and only if some outcome was unknown
          const both = expected.filter((id) => delivered.has(id) && inError.has(id));
          if (fake.unknownCalls === 0) expect(both).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  }, 180_000);
});
