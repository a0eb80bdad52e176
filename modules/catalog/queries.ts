/**
 * The Athena named queries, as data. Each is written once and rendered for the raw
 * JSON table and for the Parquet table (its twin), so the two never drift:
 *
 *   {{table}}      the qualified table
 *   {{window}}     the partition predicate for the last `windowHours` hours
 *                  (raw: `dt` range; Parquet: `event_date` range) plus the exact event-time bound
 *   {{ts:col}}     a timestamp column (raw: `from_iso8601_timestamp(col)`; Parquet: typed `col`)
 *   {{latency_ms}} request latency (raw: stageTimestamp − requestReceivedTimestamp; Parquet: `request_latency_ms`)
 *   {{match}}      the query's `match` predicates, one `AND` line each (also rendered to SPL: splunk/)
 *   {{group}}      its `by` keys (also the SPL `stats … by`); {{min_count}} its `minCount`
 *
 * Every query also names its log types (`log_type = …`), the table's first partition key,
 * so nothing scans more than one window of the log types it needs. Tests parse every
 * rendering and check each identifier against the table's columns.
 */
import type { LogType } from "../../lambda-src/conventions";

/**
 * Which events a question is about, as data: rendered to the SQL `WHERE` (after the window and
 * the log type) and to the SPL search of the Splunk add-on, so the two engines ask the same thing.
 * Fields are record columns (lambda-src/record.ts).
 */
export type Predicate =
  | { readonly op: "eq" | "ne"; readonly field: string; readonly value: string | number }
  | { readonly op: "in"; readonly field: string; readonly values: readonly (string | number)[] }
  /** Not one of `values`; a missing field counts as not in (SQL `coalesce(f, '') NOT IN`). */
  | { readonly op: "notIn"; readonly field: string; readonly values: readonly string[] }
  | { readonly op: "between"; readonly field: string; readonly low: number; readonly high: number }
  /** An array column holds `value`. */
  | { readonly op: "has"; readonly field: string; readonly value: string }
  /** Case-insensitive substring. */
  | { readonly op: "contains"; readonly field: string; readonly text: string }
  /** Request latency (receipt to completion) of at least `ms`. */
  | { readonly op: "latencyAtLeast"; readonly ms: number }
  | { readonly op: "or" | "and"; readonly of: readonly Predicate[] };

/** A grouping key, rendered to SQL `GROUP BY` and SPL `stats … by`. */
export type GroupKey =
  | { readonly kind: "column"; readonly column: string }
  /** The first item of an array column (the client address of `sourceIPs`). */
  | { readonly kind: "first"; readonly column: string; readonly as: string }
  /** The items of an array column joined with `,`. */
  | { readonly kind: "joined"; readonly column: string; readonly as: string }
  /** The first `length` characters of a text column. */
  | { readonly kind: "prefix"; readonly column: string; readonly length: number; readonly as: string }
  /** The event time truncated to the minute. */
  | { readonly kind: "minute" };

export interface NamedQueryDefinition {
  /** Short id, `[a-z0-9-]`: the construct id and the end of the Athena query name. */
  readonly id: string;
  /** What it answers, shown in the Athena console and on the Splunk saved search. */
  readonly description: string;
  /** The log types its `log_type` predicate names (one Splunk sourcetype each). */
  readonly logTypes: readonly LogType[];
  /** How far back `{{window}}` reaches. */
  readonly windowHours: number;
  /** The events it is about (all must hold): `{{match}}` in the SQL. */
  readonly match: readonly Predicate[];
  /** Grouping keys, in order: `{{group}}` in the SQL; none for a list of events. */
  readonly by?: readonly GroupKey[];
  /** Groups of at least this many events only (SQL `HAVING count(*) >=`, SPL `where count>=`). */
  readonly minCount?: number;
  /** The columns a list (no `by`) shows in Splunk, besides `_time`. */
  readonly show?: readonly string[];
  /** The SQL; its predicates and grouping come from `match` and `by`. */
  readonly sql: string;
}

export type TableFlavour = "raw" | "parquet";

export interface QueryTarget {
  readonly flavour: TableFlavour;
  readonly databaseName: string;
  readonly tableName: string;
}

const AUDIT = "kube-apiserver-audit";
const AUTHENTICATOR = "authenticator";

const eq = (field: string, value: string | number): Predicate => ({ op: "eq", field, value });
const ne = (field: string, value: string | number): Predicate => ({ op: "ne", field, value });
const isIn = (field: string, ...values: (string | number)[]): Predicate => ({ op: "in", field, values });
const notIn = (field: string, ...values: string[]): Predicate => ({ op: "notIn", field, values });
const or = (...of: Predicate[]): Predicate => ({ op: "or", of });
const and = (...of: Predicate[]): Predicate => ({ op: "and", of });
const col = (column: string): GroupKey => ({ kind: "column", column });
const SOURCE_IP: GroupKey = { kind: "first", column: "sourceips", as: "source_ip" };
const COMPLETE = eq("stage", "ResponseComplete");

export const NAMED_QUERIES: readonly NamedQueryDefinition[] = [
  {
    id: "rbac-changes",
    description: "Who created, changed or deleted Roles, ClusterRoles and their bindings (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [
      COMPLETE,
      eq("objectref_apigroup", "rbac.authorization.k8s.io"),
      isIn("objectref_resource", "roles", "rolebindings", "clusterroles", "clusterrolebindings"),
      isIn("verb", "create", "update", "patch", "delete", "deletecollection"),
    ],
    show: ["account_id", "cluster", "user_username", "verb", "objectref_resource", "objectref_namespace", "objectref_name", "responsestatus_code", "sourceips", "useragent"],
    sql: `SELECT {{ts:event_time}} AS event_ts, account_id, cluster, user_username, verb, objectref_resource, objectref_namespace,
  objectref_name, responsestatus_code, element_at(sourceips, 1) AS source_ip, useragent
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "secrets-read",
    description: "Which identities read which Secrets, how often and from where (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [COMPLETE, eq("objectref_resource", "secrets"), isIn("verb", "get", "list", "watch"), { op: "between", field: "responsestatus_code", low: 200, high: 299 }],
    by: [col("account_id"), col("cluster"), col("user_username"), col("objectref_namespace"), col("objectref_name"), col("verb")],
    sql: `SELECT account_id, cluster, user_username, objectref_namespace, objectref_name, verb, count(*) AS requests,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen,
  array_join(array_agg(DISTINCT element_at(sourceips, 1)), ',') AS source_ips
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
GROUP BY {{group}}
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "pod-exec-attach-port-forward",
    description: "Interactive access into pods: exec, attach and port-forward sessions, by whom and with what command (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [ne("stage", "RequestReceived"), eq("objectref_resource", "pods"), isIn("objectref_subresource", "exec", "attach", "portforward")],
    by: [col("auditid"), col("account_id"), col("cluster"), col("user_username"), col("objectref_namespace"), col("objectref_name"), col("objectref_subresource"), col("requesturi")],
    sql: `SELECT auditid, min({{ts:event_time}}) AS started, account_id, cluster, user_username, objectref_namespace,
  objectref_name AS pod, objectref_subresource, requesturi, max(responsestatus_code) AS status_code,
  arbitrary(element_at(sourceips, 1)) AS source_ip
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
GROUP BY {{group}}
ORDER BY started DESC
LIMIT 1000`,
  },
  {
    id: "anonymous-requests",
    description: "Requests by system:anonymous or the system:unauthenticated group, by source IP and path (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [COMPLETE, or(eq("user_username", "system:anonymous"), { op: "has", field: "user_groups", value: "system:unauthenticated" })],
    by: [col("account_id"), col("cluster"), SOURCE_IP, col("verb"), col("requesturi"), col("responsestatus_code")],
    sql: `SELECT account_id, cluster, element_at(sourceips, 1) AS source_ip, verb, requesturi, responsestatus_code, count(*) AS requests,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
GROUP BY {{group}}
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "auth-failure-bursts",
    description: "Bursts of 401/403 responses: 20 or more in one minute from one user and source IP (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [COMPLETE, isIn("responsestatus_code", 401, 403)],
    by: [{ kind: "minute" }, col("account_id"), col("cluster"), col("user_username"), SOURCE_IP, col("responsestatus_code")],
    minCount: 20,
    sql: `SELECT date_trunc('minute', {{ts:event_time}}) AS minute, account_id, cluster, user_username,
  element_at(sourceips, 1) AS source_ip, responsestatus_code, count(*) AS failures
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
GROUP BY {{group}}
HAVING count(*) >= {{min_count}}
ORDER BY failures DESC
LIMIT 1000`,
  },
  {
    id: "authorization-denied",
    description: "Requests the authorizer forbade, by user, verb and resource, with the authorizer's reason (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [COMPLETE, eq("annotations_authorization_k8s_io_decision", "forbid")],
    by: [col("account_id"), col("cluster"), col("user_username"), col("verb"), col("objectref_resource"), col("objectref_namespace"), col("annotations_authorization_k8s_io_reason")],
    sql: `SELECT account_id, cluster, user_username, verb, objectref_resource, objectref_namespace,
  annotations_authorization_k8s_io_reason, count(*) AS requests, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
GROUP BY {{group}}
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "authenticator-access-denied",
    description: "aws-iam-authenticator refusals: which IAM principals were denied and why (last 24 h).",
    logTypes: [AUTHENTICATOR],
    windowHours: 24,
    match: [or({ op: "contains", field: "message", text: "access denied" }, isIn("severity", "warning", "error"))],
    show: ["account_id", "cluster", "arn", "username", "aws_account_id", "severity", "message"],
    sql: `SELECT {{ts:event_time}} AS event_ts, account_id, cluster, arn, username, aws_account_id, severity, message
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUTHENTICATOR}'
  {{match}}
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "iam-principal-to-kubernetes-user",
    description: "Which IAM principal became which Kubernetes user and groups, per cluster (last 7 days).",
    logTypes: [AUTHENTICATOR],
    windowHours: 168,
    match: [eq("message", "access granted")],
    by: [col("account_id"), col("cluster"), col("arn"), col("aws_account_id"), col("username"), { kind: "joined", column: "groups", as: "kubernetes_groups" }],
    sql: `SELECT account_id, cluster, arn, aws_account_id, username, array_join("groups", ',') AS kubernetes_groups, count(*) AS logins,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUTHENTICATOR}'
  {{match}}
GROUP BY {{group}}
ORDER BY last_seen DESC
LIMIT 1000`,
  },
  {
    id: "namespace-and-crd-deletes",
    description: "Deletions of namespaces and CustomResourceDefinitions, and by whom (last 7 days).",
    logTypes: [AUDIT],
    windowHours: 168,
    match: [
      COMPLETE,
      isIn("verb", "delete", "deletecollection"),
      or(eq("objectref_resource", "namespaces"), and(eq("objectref_resource", "customresourcedefinitions"), eq("objectref_apigroup", "apiextensions.k8s.io"))),
    ],
    show: ["account_id", "cluster", "user_username", "verb", "objectref_resource", "objectref_name", "responsestatus_code", "sourceips", "useragent"],
    sql: `SELECT {{ts:event_time}} AS event_ts, account_id, cluster, user_username, verb, objectref_resource, objectref_name,
  responsestatus_code, element_at(sourceips, 1) AS source_ip, useragent
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "scheduler-failures",
    description: "kube-scheduler errors and pods it could not place (last 24 h).",
    logTypes: ["kube-scheduler"],
    windowHours: 24,
    match: [or(isIn("severity", "error", "fatal"), { op: "contains", field: "message", text: "unable to schedule" }, { op: "contains", field: "message", text: "failed to schedule" })],
    show: ["account_id", "cluster", "severity", "source_file", "message"],
    sql: `SELECT {{ts:event_time}} AS event_ts, account_id, cluster, severity, source_file, message
FROM {{table}}
WHERE {{window}}
  AND log_type = 'kube-scheduler'
  {{match}}
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "controller-manager-errors",
    description: "Errors of kube-controller-manager and cloud-controller-manager, grouped by source and message (last 24 h).",
    logTypes: ["kube-controller-manager", "cloud-controller-manager"],
    windowHours: 24,
    match: [isIn("severity", "error", "fatal")],
    by: [col("log_type"), col("account_id"), col("cluster"), col("source_file"), { kind: "prefix", column: "message", length: 200, as: "message_start" }],
    sql: `SELECT log_type, account_id, cluster, source_file, substr(message, 1, 200) AS message_start, count(*) AS occurrences,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type IN ('kube-controller-manager', 'cloud-controller-manager')
  {{match}}
GROUP BY {{group}}
ORDER BY occurrences DESC
LIMIT 1000`,
  },
  {
    id: "slow-api-requests",
    description: "API requests that took 1 s or more from receipt to completion, long-running verbs excluded (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    match: [COMPLETE, ne("verb", "watch"), notIn("objectref_subresource", "exec", "attach", "portforward", "proxy", "log"), { op: "latencyAtLeast", ms: 1000 }],
    show: ["latency_ms", "annotations_apiserver_latency_k8s_io_total", "account_id", "cluster", "user_username", "useragent", "verb", "objectref_resource", "objectref_namespace", "requesturi", "responsestatus_code"],
    sql: `SELECT {{ts:event_time}} AS event_ts, {{latency_ms}} AS latency_ms, annotations_apiserver_latency_k8s_io_total,
  account_id, cluster, user_username, useragent, verb, objectref_resource, objectref_namespace, requesturi, responsestatus_code
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  {{match}}
ORDER BY latency_ms DESC
LIMIT 200`,
  },
];

/** Columns whose raw values are RFC 3339 strings and whose Parquet values are timestamps. */
export const TIMESTAMP_COLUMNS = ["event_time", "requestreceivedtimestamp", "stagetimestamp"] as const;

function window(flavour: TableFlavour, hours: number): string {
  const since = `current_timestamp - interval '${hours}' hour`;
  if (flavour === "raw") {
    // dt is the arrival hour, never earlier than the event: the dt range holds every event of the window.
    return (
      `dt BETWEEN date_format(${since}, '%Y-%m-%d-%H') AND date_format(current_timestamp, '%Y-%m-%d-%H')\n` +
      `  AND from_iso8601_timestamp(event_time) >= ${since}`
    );
  }
  return (
    `event_date BETWEEN date_format(${since}, '%Y-%m-%d') AND date_format(current_timestamp, '%Y-%m-%d')\n` +
    `  AND event_time >= ${since}`
  );
}

function timestamp(flavour: TableFlavour, column: string): string {
  if (!(TIMESTAMP_COLUMNS as readonly string[]).includes(column)) {
    throw new Error(`catalog: {{ts:${column}}} names a column that is not a timestamp (${TIMESTAMP_COLUMNS.join(", ")})`);
  }
  return flavour === "raw" ? `from_iso8601_timestamp(${column})` : column;
}

function latency(flavour: TableFlavour): string {
  return flavour === "raw"
    ? "date_diff('millisecond', from_iso8601_timestamp(requestreceivedtimestamp), from_iso8601_timestamp(stagetimestamp))"
    : "request_latency_ms";
}

function sqlValue(value: string | number): string {
  return typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** One predicate as Trino SQL, on the raw or Parquet table. */
export function predicateSql(p: Predicate, flavour: TableFlavour): string {
  switch (p.op) {
    case "eq":
      return `${p.field} = ${sqlValue(p.value)}`;
    case "ne":
      return `${p.field} <> ${sqlValue(p.value)}`;
    case "in":
      return `${p.field} IN (${p.values.map(sqlValue).join(", ")})`;
    case "notIn":
      return `coalesce(${p.field}, '') NOT IN (${p.values.map(sqlValue).join(", ")})`;
    case "between":
      return `${p.field} BETWEEN ${p.low} AND ${p.high}`;
    case "has":
      return `contains(${p.field}, ${sqlValue(p.value)})`;
    case "contains":
      return `lower(${p.field}) LIKE ${sqlValue(`%${p.text.toLowerCase()}%`)}`;
    case "latencyAtLeast":
      return `${latency(flavour)} >= ${p.ms}`;
    case "or":
    case "and":
      return `(${p.of.map((q) => predicateSql(q, flavour)).join(p.op === "or" ? " OR " : " AND ")})`;
  }
}

/** One grouping key as Trino SQL. */
export function groupKeySql(key: GroupKey, flavour: TableFlavour): string {
  switch (key.kind) {
    case "column":
      return key.column;
    case "first":
      return `element_at(${key.column}, 1)`;
    case "joined":
      return `array_join("${key.column}", ',')`;
    case "prefix":
      return `substr(${key.column}, 1, ${key.length})`;
    case "minute":
      return `date_trunc('minute', ${timestamp(flavour, "event_time")})`;
  }
}

/** The SQL of `query` for one table. Throws on an unknown placeholder. */
export function renderQuery(query: NamedQueryDefinition, target: QueryTarget): string {
  const sql = query.sql.replace(/\{\{([a-z_]+)(?::([a-z_]+))?\}\}/g, (whole, name: string, arg?: string) => {
    switch (name) {
      case "match":
        return query.match.map((p) => `AND ${predicateSql(p, target.flavour)}`).join("\n  ");
      case "group":
        if (!query.by) throw new Error(`catalog: query "${query.id}" uses {{group}} but has no \`by\``);
        return query.by.map((k) => groupKeySql(k, target.flavour)).join(", ");
      case "min_count":
        if (query.minCount === undefined) throw new Error(`catalog: query "${query.id}" uses {{min_count}} but has no \`minCount\``);
        return String(query.minCount);
      case "table":
        return `"${target.databaseName}"."${target.tableName}"`;
      case "window":
        return window(target.flavour, query.windowHours);
      case "ts":
        return timestamp(target.flavour, arg ?? "");
      case "latency_ms":
        return latency(target.flavour);
      default:
        throw new Error(`catalog: query "${query.id}" has an unknown placeholder ${whole}`);
    }
  });
  if (sql.includes("{{")) throw new Error(`catalog: query "${query.id}" has a malformed placeholder`);
  return sql;
}
