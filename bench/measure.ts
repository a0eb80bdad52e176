/**
 * One measurement in a process of its own (so peak RSS is that measurement's):
 *   node measure.cjs <mode> <bundle.js> <invocation.json> [iterations]
 * modes: throughput | floor | baseline | unbounded | production | drain | sdk-init. Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { baselineTransform } from "./baseline";
import { AcceptingFirehose, simulate } from "./firehose-sim";

type Bundle = typeof import("../lambda-src/handler");

const [mode, bundlePath, invocationPath, iterationsArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const iterations = Number(iterationsArg ?? 5);
const quiet = { info: () => undefined, warn: () => undefined };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(run: () => Promise<unknown> | unknown): Promise<{ ms: number[]; last: unknown }> {
  let last = await run(); // warm-up: V8 compiles the hot paths
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    last = await run();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms, last };
}

interface Pair {
  readonly baselineMs: number;
  readonly handlerMs: number;
  readonly baselineCpuMs: number;
  readonly handlerCpuMs: number;
}

/**
 * Baseline and handler alternate in one process (after one warm-up each), so load on a shared
 * machine hits both alike: `rounds` × `perRound` pairs, wall and CPU time (on a shared machine wall
 * time also counts waiting for a core).
 */
async function interleaved(baseline: () => unknown, handler: () => Promise<unknown>, rounds: number, perRound: number, progress?: (round: number) => void): Promise<Pair[]> {
  const timed = async (run: () => unknown) => {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await run();
    const u = process.cpuUsage(c);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (u.user + u.system) / 1000 };
  };
  baseline();
  await handler();
  const pairs: Pair[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (let run = 0; run < perRound; run++) {
      const b = await timed(baseline);
      const h = await timed(handler);
      pairs.push({ baselineMs: b.ms, baselineCpuMs: b.cpuMs, handlerMs: h.ms, handlerCpuMs: h.cpuMs });
    }
    progress?.(round);
  }
  return pairs;
}

/** Medians of the pairs: times, and the per-pair ratios baseline / handler. */
function ratios(pairs: readonly Pair[]) {
  return {
    baselineMedianMs: median(pairs.map((p) => p.baselineMs)),
    ratioMedian: median(pairs.map((p) => p.baselineMs / p.handlerMs)),
    handlerCpuMedianMs: median(pairs.map((p) => p.handlerCpuMs)),
    baselineCpuMedianMs: median(pairs.map((p) => p.baselineCpuMs)),
    cpuRatioMedian: median(pairs.map((p) => p.baselineCpuMs / p.handlerCpuMs)),
  };
}

async function main(): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const bundle = createRequire(__filename)(bundlePath) as Bundle;
  const requireMs = Number(process.hrtime.bigint() - t0) / 1e6;

  if (mode === "sdk-init") {
    // The first re-ingest loads the SDK and builds its client; measured against a local fake endpoint.
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const n = (JSON.parse(body) as { Records: unknown[] }).Records.length;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ FailedPutCount: 0, RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `${i}` })) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    Object.assign(process.env, { AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "local-fake", AWS_EC2_METADATA_DISABLED: "true" });
    const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: 1_000_000, reingestChunkBytes: 200_000 }, log: quiet });
    const events = Array.from({ length: 2000 }, (_, i) => ({ id: `${i}`, timestamp: 1_700_000_000_000, message: `I0101 00:00:00.000000 1 a.go:1] ${"m".repeat(800)}` }));
    const { gzipSync } = await import("node:zlib");
    const data = gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE", owner: "111122223333", logGroup: "/aws/eks/x/cluster", logStream: "kube-scheduler-x", subscriptionFilters: [], logEvents: events })).toString("base64");
    const event = { deliveryStreamArn: "arn:aws:firehose:eu-west-1:111122223333:deliverystream/bench", records: [{ recordId: "a", data }] };
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      await handler(event);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    server.close();
    console.log(JSON.stringify({ mode, requireMs, firstInvocationMs: times[0], laterInvocationMs: median(times.slice(1)) }));
    return;
  }

  const event = JSON.parse(readFileSync(invocationPath, "utf8")) as { deliveryStreamArn: string; records: { recordId: string; data: string }[] };
  const firehose = new AcceptingFirehose();
  let result: Record<string, unknown>;
  if (mode === "throughput") {
    // Baseline and parsing handler alternate in one process, so load on a shared machine hits both alike.
    const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: Number.MAX_SAFE_INTEGER }, firehoseClient: firehose, log: quiet });
    const pairs = await interleaved(() => JSON.stringify(baselineTransform(event)), async () => JSON.stringify(await handler(event as never)), iterations, 1);
    result = { ms: pairs.map((p) => p.handlerMs), baselineMs: pairs.map((p) => p.baselineMs), ratios: pairs.map((p) => p.baselineMs / p.handlerMs), ...ratios(pairs) };
  } else if (mode === "floor") {
    // The handler as deployed (default budget, re-ingest to an accepting Firehose) against the
    // passthrough floor, interleaved: `iterations` rounds of 3 pairs, progress on stderr.
    // Counts what it is sent and keeps nothing: a copy of each record would be charged to the handler.
    const counting = {
      records: 0,
      async send(command: { input: { Records?: unknown[] } }) {
        const n = command.input.Records?.length ?? 0;
        counting.records += n;
        return { FailedPutCount: 0, RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })), $metadata: {} };
      },
    };
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, firehoseClient: counting as never, log: quiet });
    const runHandler = async () => JSON.stringify(await handler(event as never));
    const pairs = await interleaved(() => JSON.stringify(baselineTransform(event)), runHandler, iterations, 3, (round) => process.stderr.write(`  round ${round}/${iterations}\n`));
    const wall = pairs.map((p) => p.baselineMs / p.handlerMs);
    const response = JSON.parse(await runHandler()) as { records: { result: string }[] };
    result = {
      ms: pairs.map((p) => p.handlerMs),
      ...ratios(pairs),
      ratioMin: Math.min(...wall),
      ratioMax: Math.max(...wall),
      records: event.records.length,
      okRecords: response.records.filter((r) => r.result === "Ok").length,
      reingestedRecords: counting.records / (iterations * 3 + 2),
    };
  } else if (mode === "baseline") {
    const { ms, last } = await timed(() => JSON.stringify(baselineTransform(event)));
    result = { ms, responseBytes: (last as string).length };
  } else if (mode === "unbounded" || mode === "production") {
    const config = mode === "unbounded" ? { ...bundle.DEFAULT_CONFIG, responseBudgetBytes: Number.MAX_SAFE_INTEGER } : bundle.DEFAULT_CONFIG;
    const handler = bundle.createHandler({ config, firehoseClient: firehose, log: quiet });
    const { ms, last } = await timed(async () => JSON.stringify(await handler(event as never)));
    const response = JSON.parse(last as string) as { records: { result: string; data?: string }[] };
    const inline = response.records.reduce((n, r) => n + (r.result === "Ok" ? Buffer.from(r.data!, "base64").toString().split("\n").length - 1 : 0), 0);
    result = { ms, responseBytes: (last as string).length, inlineEvents: inline, putCalls: firehose.calls / (iterations + 1), reingestedRecords: firehose.accepted.length / (iterations + 1) };
  } else if (mode === "drain") {
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, firehoseClient: firehose, log: quiet });
    const buffer = event.records.reduce((n, r) => n + (r.data.length * 3) / 4, 0);
    const { ms, last } = await timed(() => simulate(handler as never, firehose, event.records.map((r) => r.data), buffer, event.deliveryStreamArn));
    result = { ms, ...(last as object) };
  } else throw new Error(`unknown mode ${mode}`);
  const memory = process.memoryUsage();
  console.log(JSON.stringify({ mode, requireMs, medianMs: median(result.ms as number[]), ...result, peakRssMb: process.resourceUsage().maxRSS / 1024, rssBeforeMb: rssBefore / 1048576, heapUsedMb: memory.heapUsed / 1048576, heapTotalMb: memory.heapTotal / 1048576 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
