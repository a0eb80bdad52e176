/**
 * The output record: one JSON object per CloudWatch Logs event. Every field the
 * Lambda writes on purpose is declared here once, as data, and the catalog
 * module derives its Glue columns from `RECORD_COLUMNS` (modules/catalog/schema.ts).
 * Pure data and pure functions only: bundled into the Lambda, imported at synth time.
 */
import { ALL_LOG_TYPES, type LogType } from "./conventions";

/** Glue/Hive column types the record uses. */
export type ColumnType = "string" | "bigint" | "int" | "boolean" | "array<string>" | "map<string,string>";

export interface ColumnDefinition {
  /** Lowercase `[a-z0-9_]`, unique: the JSON key and the Glue column name. */
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  /** The log types whose lines can carry this field. */
  readonly logTypes: readonly LogType[];
  /**
   * `rfc3339`: a string the Lambda only writes when it is an RFC 3339 date-time that Athena's
   * `from_iso8601_timestamp` accepts; any other value is left out and reported in `parse_error`.
   */
  readonly format?: "rfc3339";
  /** Audit columns: the Event's own dotted path (`objectRef.apiGroup`), the name Splunk content searches. */
  readonly auditPath?: string;
}

export const AUDIT_LOG_TYPE = "kube-apiserver-audit" satisfies LogType;
export const AUTHENTICATOR_LOG_TYPE = "authenticator" satisfies LogType;
export const KLOG_LOG_TYPES = [
  "kube-apiserver",
  "kube-scheduler",
  "kube-controller-manager",
  "cloud-controller-manager",
] as const satisfies readonly LogType[];

/**
 * The column name of a key or dotted key path: lowercase, every run of characters
 * outside `[a-z0-9]` becomes one `_`, leading and trailing `_` are dropped.
 * `annotations.authorization.k8s.io/decision` → `annotations_authorization_k8s_io_decision`.
 * A key with no letter or digit at all becomes `unnamed`. The result never contains `__`,
 * which is what makes the collision suffix `__2` unambiguous (see the audit parser).
 */
export function toColumnName(key: string): string {
  return columnNameOf(columnNamePart(key));
}

/**
 * The column of a joined name part: `unnamed` for `""`, and a name Athena reserves in DDL or
 * SELECT statements gets `_value` (`timestamp` → `timestamp_value`), so no column ever needs quoting.
 */
export function columnNameOf(part: string): string {
  if (part === "") return "unnamed";
  return SQL_RESERVED_WORDS.has(part) ? `${part}${RESERVED_SUFFIX}` : part;
}

const RESERVED_SUFFIX = "_value";

/**
 * Athena's reserved keywords, lowercased: the DDL list and the SELECT list of
 * https://docs.aws.amazon.com/athena/latest/ug/reserved-words.html (a Glue column named
 * `timestamp` breaks DDL; one named `user` breaks a SELECT unless quoted).
 */
export const SQL_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    // DDL
    "all alter and array as authorization between bigint binary boolean both by case cashe cast char column conf " +
    "constraint commit create cross cube current current_date current_timestamp cursor database date dayofweek decimal " +
    "delete describe distinct div double drop else end exchange exists extended external extract false fetch float floor " +
    "following for foreign from full function grant group grouping having if import in inner insert int integer intersect " +
    "interval into is join lateral left less like local macro map more none not null numeric of on only or order out " +
    "outer over partialscan partition percent preceding precision preserve primary procedure range reads reduce regexp " +
    "references revoke right rlike rollback rollup row rows select set smallint start table tablesample then time " +
    "timestamp to transform trigger true truncate unbounded union uniquejoin update user using utc_timestamp values " +
    "varchar views when where window with " +
    // SELECT
    "current_catalog current_path current_role current_schema current_time current_user deallocate escape except " +
    "execute first json_array json_exists json_object json_query json_table json_value last listagg localtime " +
    "localtimestamp natural normalize prepare recursive skip trim uescape unnest"
  ).split(" "),
);

/** toColumnName without the fallback: `""` for a key with no letter or digit. Joining parts with `_` names a path. */
export function columnNamePart(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const ALL = ALL_LOG_TYPES;
const AUDIT = [AUDIT_LOG_TYPE] as const;
const AUTH = [AUTHENTICATOR_LOG_TYPE] as const;
const KLOG = KLOG_LOG_TYPES;
const KLOG_AND_AUTH = [...KLOG_LOG_TYPES, AUTHENTICATOR_LOG_TYPE] as const;

function column(name: string, type: ColumnType, logTypes: readonly LogType[], description: string): ColumnDefinition {
  return { name, type, logTypes, description };
}

/** An audit Event field, named by its Go/JSON path (`objectRef.apiGroup`). */
function audit(path: string, type: ColumnType, description: string): ColumnDefinition {
  return { ...column(toColumnName(path), type, AUDIT, `audit \`${path}\`: ${description}`), auditPath: path };
}

/** An audit timestamp field: a string only when it is a valid RFC 3339 date-time. */
function auditTime(path: string, description: string): ColumnDefinition {
  return { ...audit(path, "string", `${description}; other values are left out and named in \`parse_error\``), format: "rfc3339" };
}

/** Fields on every line, in the order they are written. */
export const COMMON_COLUMNS: readonly ColumnDefinition[] = [
  column("event_time", "string", ALL, "the event's own time, RFC 3339 UTC with milliseconds; the CloudWatch timestamp when the line has none"),
  column("cwl_timestamp", "bigint", ALL, "CloudWatch Logs event timestamp, epoch milliseconds"),
  column("cwl_id", "string", ALL, "CloudWatch Logs event id: unique per event, the de-duplication key"),
  column("account_id", "string", ALL, "AWS account that owns the log group (the payload's `owner`); partition key"),
  column("region", "string", ALL, "source region, from the subscription filter name `<name>@<region>`, else `unknown`; partition key"),
  column("cluster", "string", ALL, "EKS cluster, from `/aws/eks/<cluster>/cluster`, else `_unknown`; partition key"),
  column("log_group", "string", ALL, "CloudWatch Logs log group"),
  column("log_stream", "string", ALL, "CloudWatch Logs log stream"),
  column("log_type", "string", ALL, "one of the six EKS log types (stream prefix), or `unknown`; partition key"),
];

/** Present only on lines whose text could not be parsed; `message` then holds the raw text. */
export const ERROR_COLUMNS: readonly ColumnDefinition[] = [
  column("parse_error", "string", ALL, "why the text could not be parsed, e.g. `audit: invalid JSON at position 1234 (truncated event?)`; absent when parsing succeeded"),
  column("message", "string", ALL, "klog/authenticator message; for unknown streams and parse errors the raw event text"),
];

export const KLOG_COLUMNS: readonly ColumnDefinition[] = [
  column("severity", "string", KLOG_AND_AUTH, "`info`, `warning`, `error` or `fatal` (klog I/W/E/F); authenticator `level`, `warn` normalised to `warning`"),
  column("thread_id", "int", KLOG, "klog thread id"),
  column("source_file", "string", KLOG, "klog source file, e.g. `node_authorizer.go`"),
  column("source_line", "int", KLOG, "klog source line"),
  column("kv", "map<string,string>", KLOG_AND_AUTH, "structured klog `key=value` pairs / every authenticator `key=value` pair, values unquoted"),
];

export const AUTHENTICATOR_COLUMNS: readonly ColumnDefinition[] = [
  column("arn", "string", AUTH, "IAM ARN (`arn=`, or `role=` when it holds an ARN)"),
  column("username", "string", AUTH, "Kubernetes username the identity maps to"),
  column("uid", "string", AUTH, "`aws-iam-authenticator:<account>:<id>` (older `heptio-authenticator-aws:`)"),
  column("aws_account_id", "string", AUTH, "AWS account of the identity: from `uid`, else the ARN, else `accountid=`"),
  column("groups", "array<string>", AUTH, "Kubernetes groups, from `groups=\"[a b]\"`"),
];

/** `user.extra` keys set by aws-iam-authenticator (AWS identity) and kube-apiserver (service-account tokens). */
const USER_EXTRA_KEYS = [
  "accessKeyId",
  "arn",
  "canonicalArn",
  "principalId",
  "sessionName",
  "authentication.kubernetes.io/pod-name",
  "authentication.kubernetes.io/pod-uid",
  "authentication.kubernetes.io/credential-id",
  "authentication.kubernetes.io/node-name",
  "authentication.kubernetes.io/node-uid",
  // Current EKS clusters: the IAM principal id under aws-iam-authenticator's own key.
  "sigs.k8s.io/aws-iam-authenticator/principalId",
];

/** Webhook admission annotations are numbered per round and webhook: rounds 0–1 × webhooks 0–7 declared. */
function webhookAnnotationKeys(): string[] {
  const keys: string[] = [];
  for (const kind of ["mutation", "patch"]) {
    for (let round = 0; round <= 1; round++) {
      for (let index = 0; index <= 7; index++) keys.push(`${kind}.webhook.admission.k8s.io/round_${round}_index_${index}`);
    }
  }
  return keys;
}

/** Annotation keys seen in the corpus plus the well-known upstream ones. Others are still written (Splunk sees them), just not declared. */
const ANNOTATION_KEYS = [
  "authorization.k8s.io/decision",
  "authorization.k8s.io/reason",
  "authentication.kubernetes.io/issued-credential-id",
  "pod-security.kubernetes.io/enforce-policy",
  "pod-security.kubernetes.io/audit-violations",
  "pod-security.kubernetes.io/exempt",
  "apiserver.latency.k8s.io/total",
  "apiserver.latency.k8s.io/etcd",
  "apiserver.latency.k8s.io/apf-queue-wait",
  "apiserver.latency.k8s.io/decode-response-object",
  "apiserver.latency.k8s.io/mutating-webhook",
  "apiserver.latency.k8s.io/validating-webhook",
  "apiserver.latency.k8s.io/response-write",
  "apiserver.latency.k8s.io/serialize-response-object",
  "apiserver.latency.k8s.io/transform-response-object",
  "k8s.io/deprecated",
  "k8s.io/removed-release",
  "validation.policy.admission.k8s.io/validation_failure",
  ...webhookAnnotationKeys(),
];

/** audit.k8s.io/v1 `Event` (and v1beta1's extra `timestamp`, `metadata`), flattened. */
export const AUDIT_COLUMNS: readonly ColumnDefinition[] = [
  audit("kind", "string", "always `Event`"),
  audit("apiVersion", "string", "`audit.k8s.io/v1` (or v1beta1)"),
  audit("level", "string", "Metadata, Request or RequestResponse"),
  audit("auditID", "string", "unique per request; the stages of one request share it"),
  audit("stage", "string", "RequestReceived, ResponseStarted, ResponseComplete or Panic"),
  audit("requestURI", "string", "request URI as sent by the client"),
  audit("verb", "string", "Kubernetes verb (get, list, watch, create, update, patch, delete …)"),
  audit("user.username", "string", "authenticated user"),
  audit("user.uid", "string", "user uid; `aws-iam-authenticator:<account>:<id>` for IAM identities"),
  audit("user.groups", "array<string>", "user groups"),
  ...USER_EXTRA_KEYS.map((key) => audit(`user.extra.${key}`, "array<string>", "user extra value")),
  audit("impersonatedUser.username", "string", "impersonated user"),
  audit("impersonatedUser.uid", "string", "impersonated user uid"),
  audit("impersonatedUser.groups", "array<string>", "impersonated user groups"),
  audit("sourceIPs", "array<string>", "client and intermediate proxy addresses"),
  audit("userAgent", "string", "client user agent"),
  audit("objectRef.resource", "string", "resource"),
  audit("objectRef.namespace", "string", "namespace"),
  audit("objectRef.name", "string", "object name"),
  audit("objectRef.uid", "string", "object uid"),
  audit("objectRef.apiGroup", "string", "API group (empty for core)"),
  audit("objectRef.apiVersion", "string", "API version"),
  audit("objectRef.resourceVersion", "string", "resource version"),
  audit("objectRef.subresource", "string", "subresource (status, exec, binding …)"),
  audit("responseStatus.kind", "string", "Status kind"),
  audit("responseStatus.apiVersion", "string", "Status apiVersion"),
  audit("responseStatus.metadata.selfLink", "string", "Status list metadata"),
  audit("responseStatus.metadata.resourceVersion", "string", "Status list metadata"),
  audit("responseStatus.metadata.continue", "string", "Status list metadata"),
  audit("responseStatus.metadata.remainingItemCount", "bigint", "Status list metadata"),
  audit("responseStatus.status", "string", "Success or Failure"),
  audit("responseStatus.message", "string", "human-readable status"),
  audit("responseStatus.reason", "string", "machine-readable reason (Forbidden, NotFound …)"),
  audit("responseStatus.details.name", "string", "status details"),
  audit("responseStatus.details.group", "string", "status details"),
  audit("responseStatus.details.kind", "string", "status details"),
  audit("responseStatus.details.uid", "string", "status details"),
  audit("responseStatus.details.causes", "array<string>", "status causes, each a JSON object text"),
  audit("responseStatus.details.retryAfterSeconds", "int", "status details"),
  audit("responseStatus.code", "int", "HTTP status code"),
  audit("requestObject", "string", "request body as JSON text (AUDIT_OBJECT_MODE=string, the default)"),
  audit("responseObject", "string", "response body as JSON text (AUDIT_OBJECT_MODE=string, the default)"),
  auditTime("requestReceivedTimestamp", "RFC 3339, microseconds"),
  auditTime("stageTimestamp", "RFC 3339, microseconds"),
  auditTime("timestamp", "v1beta1 only (column `timestamp_value`: `timestamp` is reserved in Athena)"),
  auditTime("metadata.creationTimestamp", "v1beta1 only"),
  ...ANNOTATION_KEYS.map((key) => audit(`annotations.${key}`, "string", "annotation")),
];

/** Every declared field (names unique and `[a-z0-9_]`: test/lambda-src/record.test.ts checks). */
export const RECORD_COLUMNS: readonly ColumnDefinition[] = [
  ...COMMON_COLUMNS,
  ...ERROR_COLUMNS,
  ...KLOG_COLUMNS,
  ...AUTHENTICATOR_COLUMNS,
  ...AUDIT_COLUMNS,
];

/** Audit columns that only ever hold RFC 3339 date-times (`format: "rfc3339"`). */
export const AUDIT_TIMESTAMP_COLUMNS: ReadonlySet<string> = new Set(AUDIT_COLUMNS.filter((c) => c.format === "rfc3339").map((c) => c.name));

/** Declared type of every audit column, by name. */
export const AUDIT_COLUMN_TYPES: ReadonlyMap<string, ColumnType> = new Map(AUDIT_COLUMNS.map((c) => [c.name, c.type]));

/**
 * Names an audit key may not take: the common fields and every non-audit column
 * (a flattened key `message` or `severity` would otherwise change the meaning of a shared column).
 */
export const AUDIT_RESERVED_NAMES: ReadonlySet<string> = new Set(
  RECORD_COLUMNS.filter((c) => !AUDIT_COLUMN_TYPES.has(c.name)).map((c) => c.name),
);
