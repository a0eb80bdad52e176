/**
 * `npm run bench`: builds the Lambda (npm script), generates a realistic invocation
 * (seeded), and measures in separate processes:
 *   - the baseline (decode, gunzip, one raw line per message) against the bundled handler
 *     parsing everything inline (same input, same work shape, response encoding included);
 *   - the handler as deployed (default budget, re-ingest to an accepting fake Firehose);
 *   - the whole cycle: re-ingested chunks fed back until drained;
 *   - cold start: require time of the bundle (SDK bundled vs left to the runtime), first re-ingest;
 *   - which Firehose Lambda buffer size (BufferSizeInMBs 0.2–3) keeps re-ingestion rare.
 * Writes dist/bench/results.json and prints a Markdown report.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { buildLambda, SDK_FILE } from "../scripts/build-lambda";
import { commandLine } from "../scripts/cli";
import { AcceptingFirehose, simulate } from "./firehose-sim";
import { DELIVERY_STREAM_ARN, generateInvocation, loadShapes } from "./generate";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "dist/bench");
const MIB = 1_048_576;

/** What a measure.cjs run prints (fields by mode). */
interface Measured {
  readonly medianMs: number;
  readonly deliveredEvents: number;
  readonly failedEvents: number;
  readonly maxHop: number;
  readonly baselineMedianMs: number;
  readonly ratioMedian: number;
  readonly handlerCpuMedianMs: number;
  readonly baselineCpuMedianMs: number;
  readonly cpuRatioMedian: number;
  readonly peakRssMb: number;
  readonly responseBytes: number;
  readonly inlineEvents: number;
  readonly putCalls: number;
  readonly reingestedRecords: number;
  readonly invocations: number;
  readonly maxResponseBytes: number;
  readonly firstInvocationMs: number;
  readonly laterInvocationMs: number;
}

function child(mode: string, bundle: string, invocation: string, iterations = 5, nodeOptions: string[] = [], progress: "ignore" | "inherit" = "ignore"): Measured {
  const out = execFileSync(process.execPath, [...nodeOptions, path.join(OUT, "measure.cjs"), mode, bundle, invocation, String(iterations)], { encoding: "utf8", maxBuffer: 64 * MIB, stdio: ["ignore", "pipe", progress] });
  return JSON.parse(out.trim().split("\n").pop()!) as Measured;
}

/** The invocations the transform is held to, against the passthrough floor (README, "Speed"). */
const FLOOR_CASES = [
  { name: "default buffer", what: "2 MB decoded (≈ 0.35 MB gzip: what the default 0.3 MB processor buffer delivers)", bytes: 2e6, seed: 21, nonAsciiRecords: undefined, target: { wall: 0.8, cpu: 0.7 } },
  { name: "non-ASCII", what: "8 MB decoded, half the records non-ASCII", bytes: 8e6, seed: 22, nonAsciiRecords: 0.5, target: { wall: 0.8, cpu: undefined } },
  { name: "over budget", what: "24 MB decoded (most records re-ingested)", bytes: 24e6, seed: 23, nonAsciiRecords: undefined, target: { wall: 1.0, cpu: undefined } },
] as const;

interface FloorRow {
  readonly name: string;
  readonly what: string;
  readonly records: number;
  readonly compressedBytes: number;
  readonly measured: Measured & { ratioMin: number; ratioMax: number; okRecords: number; records: number };
  /** The same with NODE_OPTIONS=--max-semi-space-size=64 (what the stack sets at ≥ 1,024 MB), in a process of its own. */
  readonly semiSpace64: Measured;
  readonly target: { readonly wall: number; readonly cpu: number | undefined };
}

/** The tuning flag the transform module sets at ≥ 1,024 MB (modules/transform runtimeDefaults). */
const SEMI_SPACE_FLAG = "--max-semi-space-size=64";

/** The floor cases, each in its own process: `rounds` rounds of 3 interleaved pairs. */
function floorRows(shapes: ReturnType<typeof loadShapes>, bundlePath: string, rounds: number): FloorRow[] {
  return FLOOR_CASES.map((c, i) => {
    const generated = generateInvocation(shapes, c.bytes, c.seed, { measure: "decoded", ...(c.nonAsciiRecords ? { nonAsciiRecords: c.nonAsciiRecords } : {}) });
    const file = path.join(OUT, `floor-${i}.json`);
    writeFileSync(file, JSON.stringify(generated.event));
    console.log(`floor ${i + 1}/${FLOOR_CASES.length}: ${c.name}, ${generated.event.records.length} records, ${fmt(generated.decodedBytes / 1e6)} MB decoded, ${rounds} rounds × 3 pairs`);
    const measured = child("floor", bundlePath, file, rounds, [], "inherit") as FloorRow["measured"];
    console.log(`  again with ${SEMI_SPACE_FLAG}`);
    const semiSpace64 = child("floor", bundlePath, file, rounds, [SEMI_SPACE_FLAG], "inherit");
    return { name: c.name, what: c.what, records: generated.event.records.length, compressedBytes: generated.compressedBytes, measured, semiSpace64, target: c.target };
  });
}

function floorTable(rows: readonly FloorRow[]): string {
  const verdict = (r: FloorRow) => r.measured.ratioMedian >= r.target.wall && (r.target.cpu === undefined || r.measured.cpuRatioMedian >= r.target.cpu);
  return [
    `| invocation | records (Ok / chunks re-ingested) | passthrough ms (CPU) | transform ms (CPU) | × passthrough, wall (min..max) | × passthrough, CPU | target | transform ms (CPU) with ${SEMI_SPACE_FLAG} |`,
    "|---|---:|---:|---:|---:|---:|---|---:|",
    ...rows.map((r) => {
      const m = r.measured;
      const target = `wall ≥ ${r.target.wall}${r.target.cpu !== undefined ? `, CPU ≥ ${r.target.cpu}` : ""}: ${verdict(r) ? "met" : "**not met**"}`;
      return `| ${r.name}: ${r.what} | ${m.records} (${m.okRecords} / ${fmt(m.reingestedRecords, 0)}) | ${fmt(m.baselineMedianMs, 0)} (${fmt(m.baselineCpuMedianMs, 0)}) | ${fmt(m.medianMs, 0)} (${fmt(m.handlerCpuMedianMs, 0)}) | **${fmt(m.ratioMedian, 2)}** (${fmt(m.ratioMin, 2)}..${fmt(m.ratioMax, 2)}) | ${fmt(m.cpuRatioMedian, 2)} | ${target} | ${fmt(r.semiSpace64.medianMs, 0)} (${fmt(r.semiSpace64.handlerCpuMedianMs, 0)}) |`;
    }),
  ].join("\n");
}

function coldRequireMs(bundle: string, runs = 15): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })));
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const shapes = loadShapes();
  console.log(`shapes from ${shapes.source}`);

  // Bundles: as deployed (SDK bundled in its own file, loaded on the first re-ingest) and with the SDK left to the runtime.
  const deployed = await buildLambda();
  await build({ entryPoints: [path.join(__dirname, "measure.ts")], outfile: path.join(OUT, "measure.cjs"), bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning" });

  const floor = floorRows(shapes, deployed.bundlePath, Number(rounds));
  const floorReport = `## Transform against the passthrough floor (${process.version}, ${shapes.source})\n\nThe handler as deployed (default budget, re-ingest to a local Firehose that accepts everything) against one that only decodes, gunzips and writes each raw message as a line; ${rounds} rounds × 3 interleaved pairs per invocation, medians of the per-pair ratios.\n\n${floorTable(floor)}\n`;
  if (flags["floor-only"]) {
    writeFileSync(path.join(OUT, "floor.json"), JSON.stringify(floor, null, 2));
    console.log(`\n${floorReport}`);
    return;
  }
  const external = await buildLambda({ outDir: path.join(OUT, "runtime-sdk"), sdk: "runtime" });

  // The main input: a full 3 MiB buffer.
  const main = generateInvocation(shapes, 3 * MIB, 1);
  const invocationPath = path.join(OUT, "invocation-3mib.json");
  writeFileSync(invocationPath, JSON.stringify(main.event));
  const requestBytes = Buffer.byteLength(JSON.stringify(main.event));

  // Throughput: baseline and handler alternate in one process; peak RSS: each alone in its own.
  const throughput = child("throughput", deployed.bundlePath, invocationPath, 15);
  const throughputBigYoungGen = child("throughput", deployed.bundlePath, invocationPath, 9, ["--max-semi-space-size=64"]);
  const baseline = child("baseline", deployed.bundlePath, invocationPath, 3);
  const unbounded = child("unbounded", deployed.bundlePath, invocationPath, 3);
  const production = child("production", deployed.bundlePath, invocationPath);
  const drain = child("drain", deployed.bundlePath, invocationPath, 3);
  const sdkInit = child("sdk-init", deployed.bundlePath, "-");
  const sdkInitExternal = child("sdk-init", external.bundlePath, "-");
  const cold = { bundledSdk: coldRequireMs(deployed.bundlePath), externalSdk: coldRequireMs(external.bundlePath) };

  const rate = (ms: number) => ({ eventsPerSecond: main.events / (ms / 1000), mbPerSecond: main.decodedBytes / 1e6 / (ms / 1000) });
  const base = rate(throughput.baselineMedianMs);
  const parsed = rate(throughput.medianMs);
  const deployedRate = rate(production.medianMs);

  // gzip level of re-ingested payloads: the decoded payloads of the main input, at level 1 and 6.
  const { gunzipSync, gzipSync } = await import("node:zlib");
  const payloads = main.event.records.map((r) => gunzipSync(Buffer.from(r.data, "base64")));
  const gzipLevels = [1, 6].map((level) => {
    const t = process.hrtime.bigint();
    const bytes = payloads.reduce((n, p) => n + gzipSync(p, { level }).length, 0);
    return { level, ms: Number(process.hrtime.bigint() - t) / 1e6, bytes };
  });

  // Buffer sizes: a steady stream of fresh data (6 buffers' worth), re-ingested chunks mixed back in.
  const bundle = createRequire(__filename)(deployed.bundlePath) as typeof import("../lambda-src/handler");
  const sweep: Record<string, number | string>[] = [];
  for (const sizeMb of [0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3]) {
    const bufferBytes = sizeMb * MIB;
    // six buffers' worth of fresh data, arriving one buffer per invocation
    const fresh = generateInvocation(shapes, bufferBytes * 6, 100 + sizeMb * 10).event.records.map((r) => r.data);
    const firehose = new AcceptingFirehose();
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, firehoseClient: firehose, log: { info: () => undefined, warn: () => undefined } });
    const sim = await simulate(handler as never, firehose, fresh, bufferBytes, DELIVERY_STREAM_ARN);
    sweep.push({
      bufferSizeInMBs: sizeMb,
      invocations: sim.invocations,
      withReingest: sim.invocationsWithReingest,
      reingestedPerFreshEvent: sim.reingestedEvents / sim.freshEvents,
      failedEvents: sim.failedEvents,
      maxHop: sim.maxHop,
      maxResponseBytes: sim.maxResponseBytes,
      delivered: sim.deliveredEvents === sim.freshEvents - sim.failedEvents ? "all" : `${sim.deliveredEvents}/${sim.freshEvents}`,
    });
  }

  const results = {
    input: {
      source: shapes.source,
      records: main.event.records.length,
      events: main.events,
      compressedBytes: main.compressedBytes,
      decodedBytes: main.decodedBytes,
      requestBytes,
      auditShareOfBytes: (main.decodedByType["kube-apiserver-audit"] ?? 0) / main.decodedBytes,
      largeAuditEvents: main.largeAudit,
      truncatedAuditEvents: main.truncatedAudit,
    },
    baseline: { medianMs: throughput.baselineMedianMs, cpuMedianMs: throughput.baselineCpuMedianMs, responseBytes: baseline.responseBytes, peakRssMb: baseline.peakRssMb, ...base },
    parsedInline: {
      medianMs: throughput.medianMs,
      cpuMedianMs: throughput.handlerCpuMedianMs,
      responseBytes: unbounded.responseBytes,
      peakRssMb: unbounded.peakRssMb,
      ...parsed,
      ratioToBaseline: throughput.ratioMedian,
      cpuRatioToBaseline: throughput.cpuRatioMedian,
      withMaxSemiSpace64: { medianMs: throughputBigYoungGen.medianMs, baselineMedianMs: throughputBigYoungGen.baselineMedianMs, ratio: throughputBigYoungGen.ratioMedian },
    },
    gzipLevels,
    deployed: { ...production, ...deployedRate },
    drain: { ...drain, eventsPerSecondDelivered: (drain.deliveredEvents + drain.failedEvents) / (drain.medianMs / 1000) },
    coldStart: { requireMsBundledSdk: cold.bundledSdk, requireMsExternalSdk: cold.externalSdk, firstReingestMs: sdkInit.firstInvocationMs, laterReingestMs: sdkInit.laterInvocationMs, firstReingestMsExternalSdk: sdkInitExternal.firstInvocationMs, laterReingestMsExternalSdk: sdkInitExternal.laterInvocationMs },
    bundle: { bundledSdkBytes: deployed.bundleBytes, sdkFileBytes: statSync(path.join(path.dirname(deployed.bundlePath), SDK_FILE)).size, externalSdkBytes: external.bundleBytes, zipBytes: deployed.zipBytes, zipSha256: deployed.zipSha256 },
    bufferSweep: sweep,
    floor,
    node: process.version,
  };
  writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));

  const r = results;
  console.log(`
${floorReport}
## Bench (${r.node}, ${r.input.source})

Input: ${r.input.records} records, ${r.input.events} events, ${fmt(r.input.compressedBytes / MIB, 2)} MiB gzip'd → ${fmt(r.input.decodedBytes / 1e6)} MB decoded (request ${fmt(r.input.requestBytes / 1e6, 2)} MB), audit ${fmt(r.input.auditShareOfBytes * 100)} % of bytes, ${r.input.largeAuditEvents} large audit events (${r.input.truncatedAuditEvents} cut at 256 KiB).

| run | median ms (CPU ms) | events/s | MB/s decoded | response | peak RSS |
|---|---:|---:|---:|---:|---:|
| baseline: decode, gunzip, raw lines | ${fmt(r.baseline.medianMs, 0)} (${fmt(r.baseline.cpuMedianMs, 0)}) | ${fmt(r.baseline.eventsPerSecond, 0)} | ${fmt(r.baseline.mbPerSecond)} | ${fmt(r.baseline.responseBytes / 1e6)} MB | ${fmt(r.baseline.peakRssMb, 0)} MB |
| handler, everything parsed inline | ${fmt(r.parsedInline.medianMs, 0)} (${fmt(r.parsedInline.cpuMedianMs, 0)}) | ${fmt(r.parsedInline.eventsPerSecond, 0)} | ${fmt(r.parsedInline.mbPerSecond)} (**${fmt(r.parsedInline.ratioToBaseline, 2)}×**, CPU ${fmt(r.parsedInline.cpuRatioToBaseline, 2)}×) | ${fmt(r.parsedInline.responseBytes / 1e6)} MB | ${fmt(r.parsedInline.peakRssMb, 0)} MB |
| handler as deployed (budget, re-ingest) | ${fmt(r.deployed.medianMs, 0)} | ${fmt(r.deployed.eventsPerSecond, 0)} | ${fmt(r.deployed.mbPerSecond)} | ${fmt(r.deployed.responseBytes / 1e6, 2)} MB, ${r.deployed.inlineEvents} events inline, ${r.deployed.reingestedRecords} chunks re-ingested in ${r.deployed.putCalls} calls | ${fmt(r.deployed.peakRssMb, 0)} MB |
| whole cycle until drained, 3 MiB buffers throughout (${r.drain.invocations} invocations) | ${fmt(r.drain.medianMs, 0)} | ${fmt(r.drain.eventsPerSecondDelivered, 0)} | | max ${fmt(r.drain.maxResponseBytes / 1e6, 2)} MB; ${r.drain.deliveredEvents} delivered, ${r.drain.failedEvents} ProcessingFailed at hop ${r.drain.maxHop} | ${fmt(r.drain.peakRssMb, 0)} MB |

Ratio per run pair (wall): median ${fmt(r.parsedInline.ratioToBaseline, 2)}; with --max-semi-space-size=64: handler ${fmt(r.parsedInline.withMaxSemiSpace64.medianMs, 0)} ms, baseline ${fmt(r.parsedInline.withMaxSemiSpace64.baselineMedianMs, 0)} ms, ratio ${fmt(r.parsedInline.withMaxSemiSpace64.ratio, 2)}.
gzip of the decoded payloads (what re-ingest compresses): ${r.gzipLevels.map((g) => `level ${g.level} ${fmt(g.ms, 0)} ms → ${fmt(g.bytes / MIB, 2)} MiB`).join(", ")}.

Bundle: index.js ${fmt(r.bundle.bundledSdkBytes / 1024, 0)} KiB (+ firehose-sdk.js ${fmt(r.bundle.sdkFileBytes / 1024, 0)} KiB); zip ${fmt(r.bundle.zipBytes / 1024, 0)} KiB, sha256 ${r.bundle.zipSha256}.
Cold require (median of 15 fresh processes): ${fmt(r.coldStart.requireMsBundledSdk)} ms as deployed (SDK in its own file), ${fmt(r.coldStart.requireMsExternalSdk)} ms with the runtime's SDK. First re-ingest (SDK load + client + call to a local fake endpoint): ${fmt(r.coldStart.firstReingestMs, 0)} ms as deployed vs ${fmt(r.coldStart.firstReingestMsExternalSdk, 0)} ms from node_modules (later calls ${fmt(r.coldStart.laterReingestMs, 0)} / ${fmt(r.coldStart.laterReingestMsExternalSdk, 0)} ms).

| BufferSizeInMBs | invocations | with re-ingest | re-ingested per fresh event | ProcessingFailed events | max hop | max response |
|---:|---:|---:|---:|---:|---:|---:|
${r.bufferSweep.map((s) => `| ${s.bufferSizeInMBs} | ${s.invocations} | ${s.withReingest} | ${fmt((s.reingestedPerFreshEvent as number) * 100)} % | ${s.failedEvents} | ${s.maxHop} | ${fmt((s.maxResponseBytes as number) / 1e6, 2)} MB |`).join("\n")}
`);
}

const flags = commandLine(
  "bench",
  "Usage: npm run bench [-- --floor-only] [--rounds N]\n\nMeasures the bundled transform against the passthrough floor (a default-buffer, a non-ASCII and an\nover-budget invocation; interleaved, wall and CPU), everything parsed inline, the deployed handler, the\nre-ingest cycle, cold start and the Firehose buffer sizes; writes dist/bench/results.json and prints a\nMarkdown report.\n\n  --floor-only  only the floor table (dist/bench/floor.json)\n  --rounds N    rounds of 3 interleaved pairs per floor invocation (default 10)\n  -h, --help    this text",
  { "floor-only": { type: "boolean", default: false }, rounds: { type: "string", default: "10" } },
);
const rounds = flags.rounds ?? "10";
if (!/^[1-9]\d{0,2}$/.test(rounds)) {
  console.error(`bench: --rounds must be a whole number 1–999, got ${JSON.stringify(rounds)}`);
  process.exit(2);
}
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
