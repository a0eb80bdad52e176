/**
 * The Lambda's settings: environment variables with defaults, validated once at
 * cold start. A bad value fails the init with a message naming the variable, the
 * value and the rule, so a misconfigured deploy is visible before any record is read.
 * `loadConfig` is pure: the transform module can run it at synth time on the
 * environment it is about to set.
 */

export type AuditObjectMode = "drop" | "string" | "flatten";

export interface Config {
  /** What to do with audit `requestObject`/`responseObject`: drop them, keep each as one JSON-text column, or flatten. */
  readonly auditObjectMode: AuditObjectMode;
  /** With `flatten`: key levels flattened below the object; deeper values are written as JSON text. */
  readonly auditObjectFlattenDepth: number;
  /** Upper bound of the whole response (base64 data + JSON framing), in bytes. Lambda's limit is 6 MB. */
  readonly responseBudgetBytes: number;
  /** Estimated response bytes of one re-ingested chunk once it comes back. */
  readonly reingestChunkBytes: number;
  /** How many times an event may be re-ingested; a record at the bound that still does not fit is ProcessingFailed. 0 disables re-ingestion. */
  readonly reingestMaxHops: number;
  /** PutRecordBatch attempts per invocation (first try included); only failed entries are retried. */
  readonly reingestMaxAttempts: number;
  /** Base of the exponential backoff (full jitter) between attempts, in milliseconds. */
  readonly reingestBaseDelayMs: number;
  /** A record that gunzips to more than this is ProcessingFailed (decompression-bomb guard). */
  readonly maxDecompressedBytes: number;
  /** CloudWatch namespace of the line counts (embedded metric format in the function's log); empty: no metrics. */
  readonly metricsNamespace: string;
  /** Accounts expected to send; lines of any other account are also counted as `UnexpectedSenderLines`. Empty: no such count. */
  readonly expectedSenders: readonly string[];
}

interface Variable<K extends keyof Config> {
  readonly name: string;
  readonly key: K;
  readonly defaultValue: Config[K];
  readonly rule: string;
  readonly description: string;
  parse(raw: string): Config[K] | undefined;
}

function integer<K extends keyof Config>(
  name: string,
  key: K,
  min: number,
  max: number,
  defaultValue: Config[K] & number,
  description: string,
): Variable<K> {
  return {
    name,
    key,
    defaultValue,
    description,
    rule: `must be an integer from ${min} to ${max}`,
    parse: (raw) => {
      if (!/^\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? (n as Config[K]) : undefined;
    },
  };
}

const OBJECT_MODES: readonly AuditObjectMode[] = ["drop", "string", "flatten"];

/** Every variable the Lambda reads, with its default and rule (lambda-src/README.md lists them; a test keeps the two equal). */
export const CONFIG_VARIABLES = [
  {
    name: "AUDIT_OBJECT_MODE",
    key: "auditObjectMode",
    defaultValue: "string",
    description: "audit requestObject/responseObject: `string` keeps each as one JSON-text column, `drop` omits them, `flatten` writes their fields as columns (Splunk sees them; Athena only the declared ones)",
    rule: `must be one of ${OBJECT_MODES.join(", ")}`,
    parse: (raw: string) => OBJECT_MODES.find((m) => m === raw),
  } satisfies Variable<"auditObjectMode">,
  integer("AUDIT_OBJECT_FLATTEN_DEPTH", "auditObjectFlattenDepth", 1, 10, 2, "with AUDIT_OBJECT_MODE=flatten: key levels flattened below requestObject/responseObject; deeper values are JSON text"),
  // Lambda rejects a synchronous response over 6 MB (6,291,456 bytes); the default leaves ~0.8 MB of margin.
  integer("RESPONSE_BUDGET_BYTES", "responseBudgetBytes", 1_000_000, 6_000_000, 5_500_000, "upper bound of the whole response, base64 data and JSON framing included"),
  integer("REINGEST_CHUNK_BYTES", "reingestChunkBytes", 100_000, 3_000_000, 1_000_000, "target response size of one re-ingested chunk when it comes back; at most half of RESPONSE_BUDGET_BYTES"),
  integer("REINGEST_MAX_HOPS", "reingestMaxHops", 0, 10, 6, "times an event may be re-ingested before an over-budget record is returned ProcessingFailed; 0 disables re-ingestion"),
  integer("REINGEST_MAX_ATTEMPTS", "reingestMaxAttempts", 1, 10, 4, "PutRecordBatch attempts per invocation, first try included; only failed entries are retried"),
  integer("REINGEST_BASE_DELAY_MS", "reingestBaseDelayMs", 0, 10_000, 100, "base of the exponential backoff with full jitter between PutRecordBatch attempts"),
  integer("MAX_DECOMPRESSED_BYTES", "maxDecompressedBytes", 1_048_576, 268_435_456, 67_108_864, "a record that gunzips to more than this is ProcessingFailed"),
  {
    name: "METRICS_NAMESPACE",
    key: "metricsNamespace",
    defaultValue: "",
    description: "CloudWatch namespace of the per-cluster line counts (`Lines` by AccountId, Region, Cluster and by AccountId), written in embedded metric format to the function's log; empty emits none",
    rule: "must be 1–255 characters of letters, digits and . - _ / # : (a CloudWatch namespace), not starting with AWS/",
    parse: (raw: string) => (/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(raw) && !raw.startsWith("AWS/") ? raw : undefined),
  } satisfies Variable<"metricsNamespace">,
  {
    name: "EXPECTED_SENDERS",
    key: "expectedSenders",
    defaultValue: [] as readonly string[],
    description: "comma-separated account ids expected to send; with METRICS_NAMESPACE, lines of any other account also count as `UnexpectedSenderLines`",
    rule: "must be comma-separated 12-digit account ids",
    parse: (raw: string) => {
      const ids = raw.split(",").map((id) => id.trim());
      return ids.every((id) => /^\d{12}$/.test(id)) ? ids : undefined;
    },
  } satisfies Variable<"expectedSenders">,
] as const;

export const DEFAULT_CONFIG: Config = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v.key, v.defaultValue])) as unknown as Config;

/** Thrown at cold start when a variable is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid Lambda configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the settings; unset (or empty) variables take their defaults. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const problems: string[] = [];
  for (const variable of CONFIG_VARIABLES) {
    const raw = env[variable.name];
    if (raw === undefined || raw === "") continue;
    const value = variable.parse(raw.trim());
    if (value === undefined) problems.push(`${variable.name} ${variable.rule}, got ${JSON.stringify(raw)}`);
    else config[variable.key] = value;
  }
  const result = config as unknown as Config;
  if (problems.length === 0 && result.reingestChunkBytes * 2 > result.responseBudgetBytes) {
    problems.push(
      `REINGEST_CHUNK_BYTES must be at most half of RESPONSE_BUDGET_BYTES (${result.responseBudgetBytes}) so a returning chunk fits beside others, got ${result.reingestChunkBytes}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}
