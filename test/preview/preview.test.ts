/**
 * The preview end to end: the shipped sample and each input format through the bundled
 * Lambda (test/global-setup.ts builds it), objects in the env's S3 layout, and every named
 * query answered by DuckDB over the Glue table's columns and types.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadEnvironment } from "../../envs/load";
import type { ResolvedEnvironment } from "../../envs/validate";
import { eksLogGroupName, logTypeOfStream } from "../../lambda-src/conventions";
import { NAMED_QUERIES } from "../../modules/catalog/queries";
import { DEFAULT_RAW_TABLE } from "../../modules/catalog/schema";
import { Engine } from "../../preview/engine";
import { type PreviewResult, runPreview } from "../../preview/index";
import { generateSample, SAMPLE_FINDINGS } from "../../preview/sample";
import { s3Layout } from "../../stacks/names";
import { FIXTURES } from "../lambda-src/helpers";

const example = loadEnvironment("example");
const tmp = () => mkdtempSync(join(tmpdir(), "preview-test-"));
const rowsOf = (result: PreviewResult, id: string) => result.answers.find((a) => a.id === id)!.result.rows;

describe("preview over the shipped sample", () => {
  let result: PreviewResult;
  const sample = generateSample({ accountId: example.workloads[0]!.accountId, cluster: "demo" })[0]!;
  const streamCounts: Record<string, number> = {};
  for (const e of sample.document.events) {
    const type = logTypeOfStream(e.logStreamName);
    streamCounts[type] = (streamCounts[type] ?? 0) + 1;
  }

  beforeAll(async () => {
    result = await runPreview({ env: example, outDir: tmp() });
  });

  it("delivers every sample event exactly once, as lines of its own log type", () => {
    expect(result.stats.eventsIn).toBe(sample.document.events.length);
    expect(result.stats.linesOut).toBe(sample.document.events.length);
    expect(result.stats.linesByLogType).toEqual(streamCounts);
    expect([result.stats.missingIds, result.stats.duplicateIds, result.stats.failedRecords]).toEqual([0, 0, 0]);
  });

  it("writes objects where Firehose would: the env's prefix, partition keys, arrival hour, .json.gz", () => {
    // One object per partition (log type and arrival hour) at least: every log type present, no key twice.
    const types = result.stats.objectKeys.map((key) => /log_type=([^/]+)/.exec(key)?.[1]);
    expect(new Set(types)).toEqual(new Set(Object.keys(streamCounts)));
    expect(new Set(result.stats.objectKeys).size).toBe(result.stats.objectKeys.length);
    for (const key of result.stats.objectKeys) {
      expect(key).toMatch(/^raw\/log_type=(kube-apiserver-audit|kube-apiserver|kube-scheduler|kube-controller-manager|cloud-controller-manager|authenticator)\/dt=2026-11-30-(09|10)\/eks-logs-example-1-2026-11-30-\d\d-\d\d-\d\d-\d{8}-preview\.json\.gz$/);
    }
  });

  it("answers every named query, each with the events planted for it", () => {
    expect(result.answers.map((a) => a.id)).toEqual(NAMED_QUERIES.map((q) => q.id));
    for (const answer of result.answers) expect([answer.id, answer.result.rows.length > 0]).toEqual([answer.id, true]);
    const f = SAMPLE_FINDINGS;
    expect(rowsOf(result, "rbac-changes")).toHaveLength(f.rbacChanges.length);
    for (const row of f.rbacChanges) expect(rowsOf(result, "rbac-changes")).toContainEqual(expect.objectContaining({ ...row, cluster: "demo" }));
    expect(rowsOf(result, "secrets-read")).toEqual(f.secretsRead.map((row) => expect.objectContaining(row)));
    expect(rowsOf(result, "pod-exec-attach-port-forward")).toHaveLength(f.podSessions.length);
    for (const row of f.podSessions) expect(rowsOf(result, "pod-exec-attach-port-forward")).toContainEqual(expect.objectContaining(row));
    expect(rowsOf(result, "anonymous-requests")).toEqual(f.anonymous.map((row) => expect.objectContaining(row)));
    expect(rowsOf(result, "auth-failure-bursts")).toEqual(f.authFailureBursts.map((row) => expect.objectContaining(row)));
    expect(rowsOf(result, "authorization-denied")).toEqual(f.authorizationDenied.map((row) => expect.objectContaining(row)));
    expect(rowsOf(result, "authenticator-access-denied")).toHaveLength(f.authenticatorDenied);
    for (const row of rowsOf(result, "authenticator-access-denied")) expect(row).toMatchObject({ message: "access denied", severity: "warning", aws_account_id: "444455556666" });
    expect(rowsOf(result, "iam-principal-to-kubernetes-user")).toEqual(expect.arrayContaining(f.iamLogins.map((row) => expect.objectContaining(row))));
    expect(rowsOf(result, "iam-principal-to-kubernetes-user")).toHaveLength(f.iamLogins.length);
    expect(rowsOf(result, "namespace-and-crd-deletes")).toEqual(expect.arrayContaining(f.deletes.map((row) => expect.objectContaining(row))));
    expect(rowsOf(result, "namespace-and-crd-deletes")).toHaveLength(f.deletes.length);
    expect(rowsOf(result, "scheduler-failures")).toHaveLength(f.schedulerFailures);
    expect(rowsOf(result, "controller-manager-errors")).toEqual(f.controllerErrors.map((row) => expect.objectContaining(row)));
    expect(rowsOf(result, "slow-api-requests")).toEqual(f.slowRequests.map((row) => expect.objectContaining(row)));
  });

  it("reads every object with the declared column types, and a line with a malformed timestamp breaks no query", async () => {
    const layout = s3Layout(example);
    const engine = await Engine.open(result.bucketDir, layout, { databaseName: "db", tableName: DEFAULT_RAW_TABLE }, result.stats.lastArrivalMs);
    try {
      expect(await engine.readAll({ databaseName: "db", tableName: DEFAULT_RAW_TABLE })).toBe(result.stats.linesOut);
      const all = await engine.query(`SELECT count(*) AS n, count(parse_error) AS errors FROM "db"."raw_logs"`);
      expect(all.rows).toEqual([{ n: result.stats.linesOut, errors: SAMPLE_FINDINGS.malformedTimestamps }]);
      const bad = await engine.query(`SELECT requestreceivedtimestamp, stagetimestamp, verb, parse_error, message FROM "db"."raw_logs" WHERE parse_error IS NOT NULL`);
      expect(bad.rows[0]).toMatchObject({ requestreceivedtimestamp: null, verb: "list", parse_error: 'audit: requestReceivedTimestamp is not an RFC 3339 date-time: "2026-11-30 09:51:00.38"' });
      expect(String(bad.rows[0]!.message)).toContain('"requestReceivedTimestamp":"2026-11-30 09:51:00.38"');
      // The value the Lambda now leaves out is exactly what Athena's parser (and the bridge) refuse.
      await expect(engine.query(`SELECT from_iso8601_timestamp('2026-11-30 09:51:00.38')`)).rejects.toThrow('from_iso8601_timestamp: Invalid format: "2026-11-30 09:51:00.38"');
      const types = await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'raw_logs' AND column_name IN ('responsestatus_code', 'cwl_timestamp', 'user_groups', 'kv', 'dt')`);
      expect(Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type]))).toEqual({ cwl_timestamp: "BIGINT", dt: "VARCHAR", kv: "MAP(VARCHAR, VARCHAR)", responsestatus_code: "INTEGER", user_groups: "VARCHAR[]" });
    } finally {
      engine.close();
    }
  });

  it("fails the read when a delivered line's value is off its declared type (a record.ts/Lambda drift)", async () => {
    // given a copy of the objects plus one line whose int column holds text
    const dir = tmp();
    const key = "raw/log_type=kube-apiserver-audit/dt=2026-11-30-09/drift.json.gz";
    mkdirSync(join(dir, "raw/log_type=kube-apiserver-audit/dt=2026-11-30-09"), { recursive: true });
    writeFileSync(join(dir, key), gzipSync('{"event_time":"2026-11-30T09:00:00.000Z","cwl_timestamp":1,"cwl_id":"1","responsestatus_code":"forbidden"}\n'));
    const engine = await Engine.open(dir, s3Layout(example), { databaseName: "db", tableName: DEFAULT_RAW_TABLE }, result.stats.lastArrivalMs);
    try {
      // when / then
      await expect(engine.readAll({ databaseName: "db", tableName: DEFAULT_RAW_TABLE })).rejects.toThrow(/forbidden/);
    } finally {
      engine.close();
    }
  });
});

describe("preview input formats", () => {
  const env = loadEnvironment("multi-account");
  const owner = env.workloads[0]!.accountId;
  const sample = generateSample({ accountId: owner, cluster: "payments" })[0]!;
  const events = sample.document.events;
  const logGroup = sample.logGroup;
  const byStream = new Map<string, typeof events>();
  for (const e of events) byStream.set(e.logStreamName, [...(byStream.get(e.logStreamName) ?? []), e]);

  async function preview(input: string, extra: Partial<Parameters<typeof runPreview>[0]> = {}, on: ResolvedEnvironment = env) {
    return runPreview({ env: on, input, outDir: tmp(), queries: ["rbac-changes", "iam-principal-to-kubernetes-user"], ...extra });
  }

  it("aws logs filter-log-events JSON, with --log-group", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "out.json"), JSON.stringify(sample.document));
    const result = await preview(join(dir, "out.json"), { logGroup });
    expect(result.inputs.files).toEqual([{ path: "out.json", format: "filter-log-events", events: events.length }]);
    expect([result.stats.linesOut, result.stats.missingIds, result.stats.duplicateIds]).toEqual([events.length, 0, 0]);
    expect(rowsOf(result, "rbac-changes")).toHaveLength(3);
    // region is a partition key in this env: the path carries the region the filter name gives
    expect(result.stats.objectKeys.every((k) => /\/region=[a-z]{2}(-[a-z]+)+-\d\//.test(k))).toBe(true);
  });

  it("aws logs get-log-events JSON, one stream, with --log-group and --log-stream", async () => {
    const stream = [...byStream.keys()].find((s) => s.startsWith("authenticator-"))!;
    const dir = tmp();
    const doc = { events: byStream.get(stream)!.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })), nextForwardToken: "f/1", nextBackwardToken: "b/1" };
    writeFileSync(join(dir, "get.json"), JSON.stringify(doc));
    const result = await preview(join(dir, "get.json"), { logGroup, logStream: stream });
    expect(result.inputs.files[0]).toEqual({ path: "get.json", format: "get-log-events", events: doc.events.length });
    expect(result.stats.linesByLogType).toEqual({ authenticator: doc.events.length });
    expect(rowsOf(result, "iam-principal-to-kubernetes-user")).toHaveLength(2);
    await expect(preview(join(dir, "get.json"), { logGroup })).rejects.toThrow("get.json: events[0]: `aws logs get-log-events` output names no log stream: pass --log-stream <stream> (its prefix decides the log type)");
  });

  it("a CloudWatch Logs export task's objects, stream from the path, multi-line messages kept whole", async () => {
    // given <prefix>/<task>/<stream>/000000.gz objects of `<ISO time> <message>` lines, and the permission probe
    const dir = tmp();
    writeFileSync(join(dir, "aws-logs-write-test"), "Permission Check Successful");
    for (const [stream, list] of byStream) {
      mkdirSync(join(dir, "task-1", stream), { recursive: true });
      writeFileSync(join(dir, "task-1", stream, "000000.gz"), gzipSync(list.map((e) => `${new Date(e.timestamp).toISOString()} ${e.message}\n`).join("")));
    }
    const trace = "I1130 09:30:00.000000      11 trace.go:236] Trace[1]: \"List\" (30-Nov-2026 09:29:58.000) (total time: 2000ms):\nTrace[1]: [2000ms] [2000ms] END";
    mkdirSync(join(dir, "task-1", "kube-apiserver-ffff"), { recursive: true });
    writeFileSync(join(dir, "task-1", "kube-apiserver-ffff", "000000.gz"), gzipSync(`2026-11-30T09:30:00.000Z ${trace}\n`));
    // when
    const result = await preview(dir, { logGroup, queries: undefined, sql: `SELECT message FROM "${env.pipeline.catalog.databaseName}"."raw_logs" WHERE log_stream = 'kube-apiserver-ffff'` });
    // then
    expect(result.inputs.skipped).toEqual([{ path: "aws-logs-write-test", reason: "the export task's permission probe, not log data" }]);
    expect(new Set(result.inputs.files.map((f) => f.format))).toEqual(new Set(["export-task"]));
    expect(result.stats.linesOut).toBe(events.length + 1);
    expect(rowsOf(result, "sql")).toEqual([{ message: expect.stringContaining("Trace[1]: [2000ms] [2000ms] END") }]);
  });

  it("raw subscription payloads: gzip'd, plain, back to back, inside a Lambda awslogs event; CONTROL_MESSAGEs skipped", async () => {
    const dir = tmp();
    const payload = (stream: string) => ({ messageType: "DATA_MESSAGE", owner, logGroup, logStream: stream, subscriptionFilters: ["eks-logs-org@eu-west-1"], logEvents: byStream.get(stream)!.map((e) => ({ id: e.eventId, timestamp: e.timestamp, message: e.message })) });
    const [a, b, c, d] = [...byStream.keys()];
    writeFileSync(join(dir, "1.gz"), gzipSync(JSON.stringify(payload(a!))));
    writeFileSync(join(dir, "2.json"), JSON.stringify(payload(b!)) + JSON.stringify({ messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [] }) + JSON.stringify(payload(c!)));
    writeFileSync(join(dir, "3.json"), JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload(d!))).toString("base64") } }));
    writeFileSync(join(dir, "4.json"), readFileSync(join(FIXTURES, "cwl-data-message.powertools.json")));
    const result = await preview(dir);
    const powertools = JSON.parse(readFileSync(join(FIXTURES, "cwl-data-message.powertools.json"), "utf8")) as { logEvents: unknown[] };
    const expected = [a, b, c, d].reduce((n, s) => n + byStream.get(s!)!.length, 0) + powertools.logEvents.length;
    expect(result.inputs.files.map((f) => f.format)).toEqual(["subscription", "subscription", "subscription", "subscription"]);
    expect(result.inputs.skipped).toEqual([{ path: "2.json: value 2", reason: "CONTROL_MESSAGE (CloudWatch Logs health check)" }]);
    expect([result.stats.eventsIn, result.stats.linesOut, result.stats.missingIds]).toEqual([expected, expected, 0]);
    // the powertools payload is a Lambda log group: delivered as log type unknown, region unknown (its filter has no @region)
    expect(result.stats.linesByLogType.unknown).toBe(powertools.logEvents.length);
    expect(result.stats.objectKeys.some((k) => k.startsWith("raw/log_type=unknown/region=unknown/"))).toBe(true);
  });

  it("a Firehose processing-failed object: rawData replayed (the real record shape from the corpus)", async () => {
    const dir = tmp();
    const failed = JSON.parse(readFileSync(join(FIXTURES, "firehose-processing-failed.ukhomeoffice.json"), "utf8")) as Record<string, unknown>;
    const ours = { ...failed, rawData: gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE", owner, logGroup, logStream: [...byStream.keys()][0], subscriptionFilters: ["eks-logs-org@eu-west-1"], logEvents: [{ id: "1", timestamp: events[0]!.timestamp, message: events[0]!.message }], reingest: { hop: 3 } })).toString("base64") };
    writeFileSync(join(dir, "eks-logs-1-2026-11-30-09-00-00-abc"), JSON.stringify(failed) + "\n" + JSON.stringify(ours) + "\n");
    const result = await preview(dir);
    expect(result.inputs.files).toEqual([{ path: "eks-logs-1-2026-11-30-09-00-00-abc", format: "processing-failed", events: 2 }]);
    expect([result.stats.linesOut, result.stats.failedRecords, result.stats.missingIds]).toEqual([2, 0, 0]);
  });

  it("names the file and what was expected when it cannot read an input", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "notes.txt"), "hello\n");
    await expect(preview(join(dir, "notes.txt"))).rejects.toThrow(/^notes\.txt: not a recognised input: expected the JSON of `aws logs filter-log-events`/);
    writeFileSync(join(dir, "fle.json"), JSON.stringify(sample.document));
    await expect(preview(join(dir, "fle.json"))).rejects.toThrow("fle.json: `aws logs filter-log-events` output does not name its log group: pass --log-group /aws/eks/<cluster>/cluster");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ messageType: "DATA_MESSAGE", owner, logGroup, logStream: "x", logEvents: [{ id: 1 }] }));
    await expect(preview(join(dir, "bad.json"))).rejects.toThrow("bad.json: logEvents[0] must be {id: string, timestamp: number, message: string}");
    await expect(preview(join(dir, "missing"))).rejects.toThrow(/missing: no such file or directory$/);
    await expect(runPreview({ env, queries: ["no-such-query"], outDir: tmp() })).rejects.toThrow(/^--query no-such-query: no such named query; choose one of: rbac-changes, /);
  });

  it("re-ingests what does not fit the largest processor buffer the env allows, and still delivers every event exactly once", async () => {
    // given an env whose 1 MB processor buffer hands the Lambda more than its 6 MB response can carry
    const big: ResolvedEnvironment = { ...env, pipeline: { ...env.pipeline, firehose: { ...env.pipeline.firehose, processorBufferSizeMBs: 1 } } };
    const dir = tmp();
    const audit = events.filter((e) => e.logStreamName.startsWith("kube-apiserver-audit-"));
    const many = [];
    let seed = 7;
    // Corpus-like entropy: a flood of one repeated line compresses far better (issue "Transform under faults").
    const noise = () => Array.from({ length: 48 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 16).toString(16)).join("");
    for (let copy = 0; copy < 120; copy++) {
      for (const [i, e] of audit.entries()) many.push({ ...e, eventId: `${String(copy).padStart(6, "0")}${String(i).padStart(50, "0")}`, message: e.message.replace('"kind":"Event"', `"kind":"Event","trace":"${noise()}${noise()}${noise()}"`) });
    }
    writeFileSync(join(dir, "big.json"), JSON.stringify({ events: many, searchedLogStreams: [] }));
    // when
    const result = await preview(join(dir, "big.json"), { logGroup: eksLogGroupName("payments"), queries: ["rbac-changes"] }, big);
    // then
    expect(result.stats.reingestedRecords).toBeGreaterThan(0);
    // Every event is a line or in a processing-failed object under errors/, none twice. (Repetitive floods at
    // 1 MB still reach the hop limit: the open issue "Transform under faults", item 5, which the preview shows.)
    expect([result.stats.missingIds, result.stats.duplicateIds, result.stats.linesOut + result.stats.failedEvents]).toEqual([0, 0, many.length]);
    const errorObjects = result.stats.objectKeys.filter((k) => k.startsWith("errors/processing-failed/dt="));
    expect(errorObjects.length > 0).toBe(result.stats.failedRecords > 0);
    expect(rowsOf(result, "rbac-changes").length).toBeGreaterThan(0);
  }, 120_000);
});

describe("floods at the default processor buffer (0.3 MB) reach no error output", () => {
  const env = loadEnvironment("example");
  const flood = (stream: string, count: number, message: (i: number) => string) => {
    const dir = tmp();
    const events = Array.from({ length: count }, (_, i) => ({ logStreamName: stream, timestamp: Date.UTC(2026, 10, 30, 9) + i, message: message(i), eventId: String(i).padStart(56, "0") }));
    writeFileSync(join(dir, "flood.json"), JSON.stringify({ events, searchedLogStreams: [] }));
    return runPreview({ env, input: join(dir, "flood.json"), logGroup: eksLogGroupName("demo"), outDir: tmp(), queries: ["rbac-changes"] });
  };
  const controller = 'E1130 09:40:00.000000      12 deployment_controller.go:495] "Error syncing deployment" deployment="payments/api" err="Operation cannot be fulfilled on deployments.apps \\"api\\": the object has been modified; please apply your changes to the latest version and try again"';
  const audit = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"x","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/configmaps/x","verb":"get","user":{"username":"system:kube-controller-manager","groups":["system:authenticated"]},"sourceIPs":["10.0.1.23"],"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"x","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-11-30T09:00:00.000000Z","stageTimestamp":"2026-11-30T09:00:00.004000Z"}';

  it.each<[string, string, number, (i: number) => string]>([
    ["one controller error repeated 28,000 times", "kube-controller-manager-x", 28_000, () => controller],
    ["32,000 identical audit events", "kube-apiserver-audit-x", 32_000, () => audit],
    ["100,000 tiny scheduler lines", "kube-scheduler-x", 100_000, (i) => `I1130 09:00:00.${String(i % 1e6).padStart(6, "0")} 1 a.go:1] t`],
  ])("%s: every event delivered once, none ProcessingFailed", async (_name, stream, count, message) => {
    const result = await flood(stream, count, message);
    expect(result.stats.reingestedEvents).toBeGreaterThan(0);
    expect([result.stats.linesOut, result.stats.failedEvents, result.stats.missingIds, result.stats.duplicateIds]).toEqual([count, 0, 0, 0]);
  }, 60_000);
});
