/**
 * A realistic Firehose transformation invocation, deterministic for a seed: records of
 * gzip'd CloudWatch Logs payloads from the six EKS streams, audit ≈ 90 % of the bytes,
 * built from the shapes of the shared corpus (../shared/corpus, read at bench time and
 * never copied into the repo) or, without it, from the permissive fixtures in
 * test/fixtures/lambda. Values that differ between real events (ids, times, names, IPs)
 * are randomised so the data compresses like the real thing, not like copies.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { prng } from "./prng";

const ROOT = path.resolve(__dirname, "..");
const CORPUS = path.resolve(ROOT, "../shared/corpus");
const FIXTURES = path.join(ROOT, "test/fixtures/lambda");

const KLOG_TYPES = ["kube-apiserver", "kube-scheduler", "kube-controller-manager", "cloud-controller-manager"] as const;

export interface Shapes {
  readonly source: string;
  readonly audit: readonly Record<string, unknown>[];
  readonly klog: readonly string[];
  readonly authenticator: readonly string[];
}

function dataLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

/** klog events, multi-line blocks glued to their header line. */
function klogEvents(lines: readonly string[]): string[] {
  const events: string[] = [];
  for (const line of lines) {
    if (/^[IWEF]\d{4} /.test(line) || events.length === 0) events.push(line);
    else events[events.length - 1] += "\n" + line;
  }
  return events.filter((e) => /^[IWEF]\d{4} /.test(e));
}

function fixtureCases(file: string): string[] {
  return readFileSync(path.join(FIXTURES, file), "utf8")
    .split(/^=== .*$/m)
    .slice(1)
    .map((c) => c.split(/^#/m)[0]!.replace(/^\n|\n$/g, ""))
    .filter((c) => c !== "");
}

export function loadShapes(): Shapes {
  if (existsSync(CORPUS)) {
    const audit = readdirSync(path.join(CORPUS, "audit"))
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) => dataLines(path.join(CORPUS, "audit", f)).map((l) => JSON.parse(l) as Record<string, unknown>));
    const klog = KLOG_TYPES.flatMap((t) => klogEvents(readFileSync(path.join(CORPUS, "klog", `${t}.txt`), "utf8").split("\n").filter((l) => !l.startsWith("#") && l !== "")));
    return { source: `shared corpus (${CORPUS})`, audit, klog, authenticator: dataLines(path.join(CORPUS, "authenticator.txt")) };
  }
  const audit = fixtureCases("audit.txt").flatMap((c) => {
    try {
      const event = JSON.parse(c) as unknown;
      return event && typeof event === "object" && !Array.isArray(event) && "stageTimestamp" in event ? [event as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  return { source: "test/fixtures/lambda (no shared corpus found)", audit, klog: fixtureCases("klog.txt").filter((c) => /^[IWEF]\d{4} /.test(c)), authenticator: fixtureCases("authenticator.txt").filter((c) => c.includes("level=")) };
}

export interface GeneratedInvocation {
  readonly event: { invocationId: string; deliveryStreamArn: string; region: string; records: { recordId: string; approximateArrivalTimestamp: number; data: string }[] };
  readonly events: number;
  /** Bytes of the gunzipped payloads. */
  readonly decodedBytes: number;
  /** Bytes of the gzip'd records: what Firehose's BufferSizeInMBs counts. */
  readonly compressedBytes: number;
  readonly decodedByType: Readonly<Record<string, number>>;
  readonly largeAudit: number;
  readonly truncatedAudit: number;
}

export const DELIVERY_STREAM_ARN = "arn:aws:firehose:eu-west-1:111122223333:deliverystream/bench";
/** CloudWatch Logs' event size limit: longer audit events arrive cut (EKS best-practices guide: 256 KB). */
const CWL_EVENT_LIMIT = 262_144;
const UNICODE = ["café", "ポッド", "数据库", "résumé-✓", "Ωmega", "😀-emoji"];
const WORDS = ["nginx", "config", "frontend", "backend", "cache", "worker", "metrics", "ingress", "auth", "payments", "search", "batch"];

export interface GenerateOptions {
  /** What `targetBytes` counts: the gzip'd records (Firehose's buffer) or their decoded payloads. @default "compressed" */
  readonly measure?: "compressed" | "decoded";
  /** Share of records whose every message carries non-ASCII text (names, user agents, notes). @default 0.02 of messages */
  readonly nonAsciiRecords?: number;
}

/** Generates records until their gzip'd (or decoded) size reaches `targetBytes`. */
export function generateInvocation(shapes: Shapes, targetBytes: number, seed: number, options: GenerateOptions = {}): GeneratedInvocation {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const ip = () => `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
  let clock = Date.UTC(2024, 5, 1, 12);
  const micros = (ms: number) => new Date(ms).toISOString().replace("Z", `${hex(3).replace(/[a-f]/g, "7")}Z`);
  const streamSuffix = hex(32);
  let largeAudit = 0;
  let truncatedAudit = 0;
  let auditCount = 0;
  // Whether the record being built is one of the non-ASCII ones.
  let unicode = false;

  function auditMessage(): string {
    const e = structuredClone(pick(shapes.audit)) as Record<string, any>;
    clock += Math.floor(rand() * 20);
    e.auditID = uuid();
    e.requestReceivedTimestamp = micros(clock);
    e.stageTimestamp = micros(clock + Math.floor(rand() * 50));
    if (Array.isArray(e.sourceIPs)) e.sourceIPs = [ip()];
    if (e.objectRef?.name) e.objectRef.name = `${String(e.objectRef.name).replace(/-[a-z0-9]{5}$/, "")}-${hex(5)}`;
    if (unicode || rand() < 0.02) e.objectRef = { ...(e.objectRef ?? {}), name: `${pick(UNICODE)}-${hex(4)}` };
    if (unicode) e.userAgent = `${String(e.userAgent ?? "kubectl")} (${pick(UNICODE)} ${pick(UNICODE)})`;
    // A large RequestResponse event (a ConfigMap-sized object) now and then, and one over CloudWatch's limit, cut.
    const r = rand();
    const truncated = auditCount === 400 || r < 0.0003;
    if (auditCount++ === 50 || truncated || r < 0.001) {
      largeAudit++;
      const data: Record<string, string> = {};
      const size = truncated ? CWL_EVENT_LIMIT + 40_000 : 20_000 + Math.floor(rand() * 180_000);
      for (let bytes = 0; bytes < size; bytes += 90) data[`${pick(WORDS)}-${hex(4)}.yaml`] = `${pick(WORDS)}: ${pick(WORDS)}-${hex(6)}\nreplicas: ${Math.floor(rand() * 9)}\nimage: registry.local/${pick(WORDS)}:${hex(7)}`;
      e.level = "RequestResponse";
      // In the API server's field order: requestObject before requestReceivedTimestamp.
      const { requestReceivedTimestamp, stageTimestamp, annotations, requestObject: _old, ...head } = e;
      const text = JSON.stringify({ ...head, requestObject: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: `cm-${hex(5)}`, namespace: "default" }, data }, requestReceivedTimestamp, stageTimestamp, annotations });
      if (text.length > CWL_EVENT_LIMIT) {
        truncatedAudit++;
        return text.slice(0, CWL_EVENT_LIMIT);
      }
      return text;
    }
    return JSON.stringify(e);
  }

  function klogMessage(): string {
    clock += Math.floor(rand() * 20);
    const d = new Date(clock);
    const two = (n: number) => String(n).padStart(2, "0");
    const header = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}${hex(3).replace(/[a-f]/g, "1")}`;
    let line = pick(shapes.klog).replace(/^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+/, `$1${header}`).replace(/pod="[^"/]+\/[^"]+"/, `pod="default/web-${hex(5)}"`);
    if (unicode || rand() < 0.02) line += ` note="${pick(UNICODE)}"`;
    return line;
  }

  function authenticatorMessage(): string {
    clock += Math.floor(rand() * 20);
    return pick(shapes.authenticator)
      .replace(/time="[^"]*"/, `time="${new Date(clock).toISOString().slice(0, 19)}Z"`)
      .replace(/client="127\.0\.0\.1:\d+"/, `client="127.0.0.1:${40000 + Math.floor(rand() * 20000)}"`)
      .concat(unicode ? ` note="${pick(UNICODE)}"` : "");
  }

  const records: GeneratedInvocation["event"]["records"] = [];
  const decodedByType: Record<string, number> = {};
  let compressed = 0;
  let decoded = 0;
  let events = 0;
  let id = BigInt(36_000_000) * 10n ** 48n + BigInt(seed >>> 0) * 10n ** 30n;
  while ((options.measure === "decoded" ? decoded : compressed) < targetBytes) {
    // audit streams dominate EKS control-plane volume; the others trickle
    unicode = options.nonAsciiRecords !== undefined && records.length % Math.round(1 / options.nonAsciiRecords) === 0;
    const r = rand();
    const logType = r < 0.6 ? "kube-apiserver-audit" : r < 0.9 ? pick(KLOG_TYPES) : "authenticator";
    const count = 20 + Math.floor(rand() * (logType === "kube-apiserver-audit" ? 180 : 380));
    const make = logType === "kube-apiserver-audit" ? auditMessage : logType === "authenticator" ? authenticatorMessage : klogMessage;
    const logEvents = Array.from({ length: count }, () => ({ id: String((id += 1n + BigInt(Math.floor(rand() * 1000)))), timestamp: clock, message: make() }));
    const payload = JSON.stringify({
      messageType: "DATA_MESSAGE",
      owner: "111122223333",
      logGroup: "/aws/eks/bench-cluster/cluster",
      logStream: `${logType}-${streamSuffix}`,
      subscriptionFilters: ["eks-control-plane@eu-west-1"],
      logEvents,
    });
    const gz = gzipSync(payload);
    // A Firehose record holds at most 1,000 KiB: CloudWatch Logs never sends bigger ones.
    if (gz.length > 1_024_000) continue;
    records.push({ recordId: `${records.length}`.padStart(8, "0") + hex(48), approximateArrivalTimestamp: clock, data: gz.toString("base64") });
    compressed += gz.length;
    decoded += Buffer.byteLength(payload);
    decodedByType[logType] = (decodedByType[logType] ?? 0) + Buffer.byteLength(payload);
    events += count;
  }
  return {
    event: { invocationId: uuid(), deliveryStreamArn: DELIVERY_STREAM_ARN, region: "eu-west-1", records },
    events,
    decodedBytes: decoded,
    compressedBytes: compressed,
    decodedByType,
    largeAudit,
    truncatedAudit,
  };
}
