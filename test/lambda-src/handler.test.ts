import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import {
  ACCOUNT,
  AUDIT_STREAM,
  AUTH_STREAM,
  dataMessage,
  encodeRecord,
  FIXTURES,
  fixture,
  invocation,
  KLOG_STREAM,
  linesOf,
  loadBundle,
  loadCases,
  memoryLog,
  ROOT,
} from "./helpers";

const bundle = loadBundle();
const json = (file: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8"));

function handlerWith(overrides: Partial<import("../../lambda-src/config").Config> = {}) {
  const log = memoryLog();
  const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, ...overrides }, log });
  return { handler, log };
}

describe("handler (bundled) — envelope", () => {
  it("exports a handler built from the environment at load time: it answers an invocation, and a bad setting fails the cold start", async () => {
    // the default export, configured from this process's (empty) environment, drops a health check
    const control = { messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [] };
    const logged = jest.spyOn(console, "log").mockImplementation(() => {});
    const response = await bundle.handler(invocation([control]) as never);
    expect(response.records).toEqual([{ recordId: "record-0", result: "Dropped" }]);
    // its summary goes to the function's log as one JSON line
    expect(JSON.parse(logged.mock.calls[0]![0] as string)).toMatchObject({ msg: "transformed", records: 1, dropped: 1 });
    logged.mockRestore();
    // a setting the Lambda refuses stops the module from loading, so the function never answers wrongly
    const child = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(ROOT, "dist/lambda/index.js"))})`], {
      encoding: "utf8",
      env: { ...process.env, AUDIT_OBJECT_MODE: "keep" },
    });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain("AUDIT_OBJECT_MODE must be one of drop, string, flatten");
  });

  it("a real Firehose invocation: a double-encoded record fails alone, its neighbour is Ok", async () => {
    // given the UKHomeOffice capture: record 0 gunzips to a JSON string, record 1 to a DATA_MESSAGE
    const event = json("firehose-invocation.ukhomeoffice.json") as { records: { recordId: string; data: string }[] };
    const { handler, log } = handlerWith();
    // when
    const response = await handler(event as never);
    // then
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(event.records.map((r, i) => [r.recordId, i === 0 ? "ProcessingFailed" : "Ok"]));
    expect(response.records[0]!.data).toBe(event.records[0]!.data); // the original bytes travel to the error output
    expect(log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: event.records[0]!.recordId, reason: "records[0].data is not a CloudWatch Logs message: the payload is a string" });
    expect(linesOf(response.records[1])).toEqual([
      {
        event_time: "2025-03-04T08:35:19.673Z",
        cwl_timestamp: 1741077319673,
        cwl_id: "38827321676968221599380308613085283283304884928304447488",
        account_id: "104046402197",
        region: "unknown",
        cluster: "_unknown",
        log_group: "ho-it-sec-test-cw2splunk-testing",
        log_stream: "test_stream",
        log_type: "unknown",
        message: '{"foo":"bar"}',
      },
    ]);
    expect(response.records[1]!.metadata).toEqual({ partitionKeys: { log_type: "unknown", account_id: "104046402197", region: "unknown", cluster: "_unknown" } });
  });

  it("a CONTROL_MESSAGE is Dropped", async () => {
    const { handler } = handlerWith();
    const response = await handler(invocation([json("cwl-control-message.thiagofborn.json") as object]) as never);
    expect(response.records).toEqual([{ recordId: "record-0", result: "Dropped" }]);
  });

  it("a DATA_MESSAGE without events is Dropped", async () => {
    const { handler } = handlerWith();
    const response = await handler(invocation([dataMessage(KLOG_STREAM, [])]) as never);
    expect(response.records).toEqual([{ recordId: "record-0", result: "Dropped" }]);
  });

  describe("a corrupt record fails alone, with the check that failed", () => {
    const good = dataMessage(KLOG_STREAM, ["W0424 11:47:41.605188       1 authorization.go:47] Authorization is disabled"]);
    it.each<[string, { data: string } | object, string]>([
      ["not base64", { data: "H4sI*not base64*" }, "records[1].data is not base64"],
      ["not gzip", { data: Buffer.from("plain text").toString("base64") }, "records[1].data is not gzip (incorrect header check)"],
      ["not JSON", { data: encodeRecord("{\"messageType\":\"DATA_MESSAGE\",") }, "records[1].data is not JSON (invalid JSON at position 30)"],
      ["an unknown messageType", { messageType: "HEARTBEAT" }, 'records[1].data is not a CloudWatch Logs message: messageType is "HEARTBEAT"'],
      ["no logEvents", { ...good, logEvents: undefined }, "records[1].data is not a CloudWatch Logs message: logEvents is not a list"],
      ["an event without message", { ...good, logEvents: [{ id: "1", timestamp: 1 }] }, "records[1].data is not a CloudWatch Logs message: logEvents[0].message is not a string"],
      ["a fractional timestamp", { ...good, logEvents: [{ id: "1", timestamp: 1.5, message: "m" }] }, "records[1].data is not a CloudWatch Logs message: logEvents[0].timestamp is not epoch milliseconds"],
      ["an owner that is no account", { ...good, owner: "CloudwatchLogs" }, 'records[1].data: owner "CloudwatchLogs" is not a 12-digit AWS account id (partition key account_id)'],
      ["two streams in one record", { data: encodeRecord(JSON.stringify(good) + JSON.stringify({ ...good, logStream: AUTH_STREAM })) }, `records[1].data mixes CloudWatch Logs streams (${ACCOUNT} /aws/eks/prod-1/cluster ${KLOG_STREAM} and ${ACCOUNT} /aws/eks/prod-1/cluster ${AUTH_STREAM}): its events cannot share partition keys`],
    ])("%s", async (_name, bad, reason) => {
      // given a bad record between two good ones
      const { handler, log } = handlerWith();
      // when
      const response = await handler(invocation([good, bad, good]) as never);
      // then
      expect(response.records.map((r) => r.result)).toEqual(["Ok", "ProcessingFailed", "Ok"]);
      expect(log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: "record-1", reason });
    });
  });

  it("a record that gunzips beyond MAX_DECOMPRESSED_BYTES fails instead of exhausting memory", async () => {
    const { handler, log } = handlerWith({ maxDecompressedBytes: 1_048_576 });
    const bomb = { data: gzipSync(Buffer.alloc(2_000_000, 32)).toString("base64") };
    const response = await handler(invocation([bomb]) as never);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(log.entries).toContainEqual({ msg: "record ProcessingFailed", recordId: "record-0", reason: "records[0].data decompresses to more than 1048576 bytes (MAX_DECOMPRESSED_BYTES)" });
  });

  it("concatenated payloads of one stream are one record's events", async () => {
    const { handler } = handlerWith();
    const a = dataMessage(KLOG_STREAM, ["I0101 00:00:00.000000 1 a.go:1] one"]);
    const b = dataMessage(KLOG_STREAM, ["I0101 00:00:00.000000 1 a.go:1] two"]);
    const response = await handler(invocation([{ data: encodeRecord(JSON.stringify(a) + "\n" + JSON.stringify(b)) }]) as never);
    expect(linesOf(response.records[0]).map((l) => l.message)).toEqual(["one", "two"]);
  });

  it.each([
    ["no records", {}],
    ["records not a list", { records: "x" }],
    ["null", null],
  ])("a malformed invocation (%s) throws", async (_name, event) => {
    const { handler } = handlerWith();
    await expect(handler(event as never)).rejects.toThrow("malformed Firehose transformation event: `records` is not a list");
  });

  it("a record without recordId makes the invocation malformed", async () => {
    const { handler } = handlerWith();
    await expect(handler({ records: [{ data: "" }] } as never)).rejects.toThrow("malformed Firehose transformation event: records[0].recordId is not a string");
  });
});

describe("handler (bundled) — lines and partition keys", () => {
  const klog = loadCases("klog.txt");
  const audit = loadCases("audit.txt");

  it("every line carries the common fields in order, then the parsed fields", async () => {
    const { handler } = handlerWith();
    const message = fixture(klog, "structured scheduler line (EKS)");
    const payload = dataMessage(KLOG_STREAM, [message], { logEvents: [{ id: "36000000000000000000000000000000000000000000000000000001", timestamp: Date.UTC(2021, 8, 15, 12, 19, 44), message }] });
    const [line] = linesOf((await handler(invocation([payload]) as never)).records[0]);
    expect(Object.keys(line!)).toEqual([
      "event_time",
      "cwl_timestamp",
      "cwl_id",
      "account_id",
      "region",
      "cluster",
      "log_group",
      "log_stream",
      "log_type",
      "severity",
      "thread_id",
      "source_file",
      "source_line",
      "message",
      "kv",
    ]);
    expect(line).toMatchObject({
      event_time: "2021-09-15T12:19:43.933Z",
      cwl_timestamp: Date.UTC(2021, 8, 15, 12, 19, 44),
      cwl_id: "36000000000000000000000000000000000000000000000000000001",
      account_id: ACCOUNT,
      region: "eu-west-1",
      cluster: "prod-1",
      log_group: "/aws/eks/prod-1/cluster",
      log_stream: KLOG_STREAM,
      log_type: "kube-scheduler",
    });
  });

  it("a parse error keeps the raw text in message and falls back to the CloudWatch time", async () => {
    const { handler } = handlerWith();
    const truncated = fixture(audit, "truncated event");
    const payload = dataMessage(AUDIT_STREAM, [truncated]);
    const [line] = linesOf((await handler(invocation([payload]) as never)).records[0]);
    expect(line).toMatchObject({ event_time: new Date(payload.logEvents[0]!.timestamp).toISOString(), parse_error: "audit: invalid JSON at position 600 (truncated event?)", message: truncated });
    expect(Object.keys(line!).slice(-2)).toEqual(["parse_error", "message"]);
  });

  it("an unknown stream is delivered raw as log_type unknown", async () => {
    const { handler } = handlerWith();
    const response = await handler(invocation([dataMessage("etcd-0123", ["raw text"])]) as never);
    expect(linesOf(response.records[0])[0]).toMatchObject({ log_type: "unknown", message: "raw text" });
    expect(response.records[0]!.metadata!.partitionKeys.log_type).toBe("unknown");
  });

  it.each([
    ["an EKS group, region in the filter name", "/aws/eks/prod-1/cluster", ["eks-logs@eu-west-1"], { log_type: "kube-scheduler", account_id: ACCOUNT, region: "eu-west-1", cluster: "prod-1" }],
    ["a non-EKS group, a filter without region", "/aws/lambda/other", ["manual"], { log_type: "kube-scheduler", account_id: ACCOUNT, region: "unknown", cluster: "_unknown" }],
    ["an EKS-shaped group no EKS cluster can have", "/aws/eks/a#b/cluster", [], { log_type: "kube-scheduler", account_id: ACCOUNT, region: "unknown", cluster: "_unknown" }],
  ])("partition keys: %s", async (_name, logGroup, subscriptionFilters, keys) => {
    const { handler } = handlerWith();
    const response = await handler(invocation([dataMessage(KLOG_STREAM, ["I0101 00:00:00.000000 1 a.go:1] m"], { logGroup, subscriptionFilters })]) as never);
    expect(response.records[0]!.metadata).toEqual({ partitionKeys: keys });
    expect(linesOf(response.records[0])[0]).toMatchObject({ ...keys, log_group: logGroup });
  });
});

describe("handler (bundled) — hostile nesting", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

  it.each(["string", "flatten", "drop"] as const)("a value nested 10,000 deep (Kubernetes' limit) becomes one unparsed line, its neighbours parsed (AUDIT_OBJECT_MODE=%s)", async (mode) => {
    // given a pretty-printed event (the general path) with a 10,000-level array, beside a normal event
    const { handler } = handlerWith({ auditObjectMode: mode });
    const hostile = `{"kind": "Event", "auditID": "deep", "x": ${deep(10_000)}}`;
    const response = await handler(invocation([dataMessage(AUDIT_STREAM, [hostile, '{"kind":"Event","auditID":"fine","verb":"get"}'])]) as never);
    // then the record is Ok, the hostile event delivered raw with the reason, the other parsed
    expect(response.records[0]!.result).toBe("Ok");
    const [first, second] = linesOf(response.records[0]);
    expect(first).toMatchObject({ message: hostile, parse_error: expect.stringMatching(/^kube-apiserver-audit: parsed fields cannot be written as JSON \(Maximum call stack size exceeded\); delivered unparsed$/) });
    expect(second).toMatchObject({ auditid: "fine", verb: "get" });
    expect(second!.parse_error).toBeUndefined();
  });

  it("a deeply nested messageType fails its record with a reason, never the invocation", async () => {
    const { handler, log } = handlerWith();
    const bad = `{"messageType":${deep(10_000)},"owner":"111122223333","logGroup":"g","logStream":"s","logEvents":[]}`;
    const response = await handler(invocation([{ data: encodeRecord(bad) }, dataMessage(KLOG_STREAM, ["I0101 00:00:00.000000 1 a.go:1] fine"])]) as never);
    expect(response.records.map((r) => r.result)).toEqual(["ProcessingFailed", "Ok"]);
    expect(log.entries).toContainEqual(expect.objectContaining({ msg: "record ProcessingFailed", reason: "records[0].data is not a CloudWatch Logs message: messageType is a list" }));
  });
});

describe("handler (bundled) — what JSON.parse or a length would hide", () => {
  it("a payload with logEvents twice fails its record whole (JSON.parse would keep only the last list), with the reason", async () => {
    const { handler, log } = handlerWith();
    const twice = '{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/eks/a/cluster","logStream":"kube-scheduler-x","subscriptionFilters":["f@eu-west-1"],"logEvents":[{"id":"1","timestamp":1,"message":"I0101 00:00:00.000000 1 a.go:1] first"}],"logEvents":[{"id":"2","timestamp":2,"message":"I0101 00:00:00.000000 1 a.go:1] second"}]}';
    const event = invocation([{ data: encodeRecord(twice) }]);
    const response = await handler(event as never);
    expect(response.records[0]).toMatchObject({ result: "ProcessingFailed", data: event.records[0]!.data });
    expect(log.entries).toContainEqual(expect.objectContaining({ reason: 'records[0].data is not a CloudWatch Logs message: "logEvents" appears more than once (a duplicate key would silently drop events)' }));
  });

  it("the text \"logEvents\" inside a message is not a duplicate key", async () => {
    const { handler } = handlerWith();
    const response = await handler(invocation([dataMessage(KLOG_STREAM, ['I0101 00:00:00.000000 1 a.go:1] saw "logEvents" in a payload'])]) as never);
    expect(response.records[0]!.result).toBe("Ok");
  });

  it("an echoed record is sized by its serialised bytes: text that escapes six-fold is left out rather than overflow the response", async () => {
    // given a record that is not base64: 1.5 MB of control characters, 9 MB once JSON-escaped
    const { handler } = handlerWith();
    const hostile = "\u0001".repeat(1_500_000);
    const response = await handler({ ...invocation([]), records: [{ recordId: "r0", approximateArrivalTimestamp: 0, data: hostile }] } as never);
    // then it fails alone, and the response stays within Lambda's 6 MB
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(bundle.DEFAULT_CONFIG.responseBudgetBytes);
  });
});
