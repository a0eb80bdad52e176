/**
 * The default client path: the real SDK v3 Firehose client, standard endpoint
 * resolution (AWS_ENDPOINT_URL_FIREHOSE), against a local fake endpoint. No network,
 * no real credentials: static dummy keys for the fake.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AUDIT_STREAM, dataMessage, decodePayload, invocation, loadBundle, memoryLog } from "./helpers";

const bundle = loadBundle();
const ENV = ["AWS_ENDPOINT_URL_FIREHOSE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED", "AWS_MAX_ATTEMPTS"] as const;

/** Points the SDK's standard endpoint resolution at a loopback server, with dummy keys. */
async function listenAsFirehose(server: Server, extra: Record<string, string> = {}): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-a-local-fake",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  });
}

describe("re-ingest through the SDK client (local fake endpoint)", () => {
  let server: Server;
  const requests: { target: string | undefined; body: { DeliveryStreamName: string; Records: { Data: string }[] } }[] = [];
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        const body = JSON.parse(text) as (typeof requests)[number]["body"];
        requests.push({ target: req.headers["x-amz-target"] as string | undefined, body });
        // the first entry of the first call fails, to exercise the per-entry retry on the wire
        const responses = body.Records.map((_, i) => (requests.length === 1 && i === 0 ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "busy" } : { RecordId: `r-${requests.length}-${i}` }));
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ FailedPutCount: responses.filter((r) => "ErrorCode" in r).length, Encrypted: false, RequestResponses: responses }));
      });
    });
    await listenAsFirehose(server, { AWS_MAX_ATTEMPTS: "1" });
  });

  afterAll(async () => {
    for (const k of ENV) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends PutRecordBatch to the stream of the ARN and retries only the failed entry", async () => {
    // given no injected client: the handler builds the SDK client for the ARN's region
    const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: 40_000, reingestChunkBytes: 10_000 }, sleep: async () => undefined, log: memoryLog() });
    const events = Array.from({ length: 60 }, (_, i) => JSON.stringify({ kind: "Event", auditID: `sdk-${i}`, requestURI: "/".repeat(1500) }));
    const event = { ...invocation([dataMessage(AUDIT_STREAM, events)]), deliveryStreamArn: "arn:aws:firehose:eu-south-2:111122223333:deliverystream/wire-test" };
    // when
    const response = await handler(event as never);
    // then
    expect(response.records[0]!.result).toBe("Ok");
    expect(requests.map((r) => r.target)).toEqual(["Firehose_20150804.PutRecordBatch", "Firehose_20150804.PutRecordBatch"]);
    expect(requests.map((r) => r.body.DeliveryStreamName)).toEqual(["wire-test", "wire-test"]);
    expect(requests[1]!.body.Records).toEqual([requests[0]!.body.Records[0]]);
    const chunk = decodePayload(requests[0]!.body.Records[0]!.Data);
    expect(chunk.reingest).toEqual({ hop: 1 });
  });
});

describe("re-ingest through the SDK client when the endpoint misbehaves (local fake endpoint)", () => {
  let server: Server;
  let mode: "hang" | "reset" = "hang";
  let requests = 0;
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      // hang: read the request and never answer; reset: read it (it may be stored) and drop the connection
      if (mode === "reset") req.on("end", () => res.socket?.destroy());
    });
    await listenAsFirehose(server);
    // no AWS_MAX_ATTEMPTS: the client itself must not retry
    delete process.env.AWS_MAX_ATTEMPTS;
  });

  afterAll(async () => {
    for (const k of ENV) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reingesting = async (region: string, remainingMs: number) => {
    const log = memoryLog();
    const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: 40_000, reingestChunkBytes: 10_000 }, sleep: async () => undefined, log });
    const events = Array.from({ length: 60 }, (_, i) => JSON.stringify({ kind: "Event", auditID: `wire-${i}`, requestURI: "/".repeat(1500) }));
    const event = { ...invocation([dataMessage(AUDIT_STREAM, events)]), deliveryStreamArn: `arn:aws:firehose:${region}:111122223333:deliverystream/wire-faults` };
    const started = Date.now();
    const response = await handler(event as never, { getRemainingTimeInMillis: () => remainingMs - (Date.now() - started) });
    return { response, log, ms: Date.now() - started };
  };

  it("a hung endpoint: the SDK call is aborted at the deadline and the handler answers with the margin left", async () => {
    mode = "hang";
    requests = 0;
    const { response, ms, log } = await reingesting("ap-south-2", 4_500);
    expect(requests).toBe(1);
    expect(ms).toBeLessThan(2_500);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(log.entries).toContainEqual(expect.objectContaining({ msg: "record ProcessingFailed", reason: expect.stringContaining("(aborted); the outcome is unknown, not resent") }));
  }, 10_000);

  it("a reset after the request was read: one request on the wire (no SDK retry), the outcome unknown, not resent", async () => {
    mode = "reset";
    requests = 0;
    const { response, log } = await reingesting("eu-central-2", 30_000);
    expect(requests).toBe(1);
    expect(response.records[0]!.result).toBe("ProcessingFailed");
    expect(log.entries).toContainEqual(expect.objectContaining({ msg: "record ProcessingFailed", reason: expect.stringContaining("the outcome is unknown, not resent") }));
  }, 10_000);
});
