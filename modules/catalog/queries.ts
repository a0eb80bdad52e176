/**
 * The Athena named queries, as data. Each is written once and rendered for the raw
 * JSON table and for the Parquet table (its twin), so the two never drift:
 *
 *   {{table}}      the qualified table
 *   {{window}}     the partition predicate for the last `windowHours` hours
 *                  (raw: `dt` range; Parquet: `event_date` range) plus the exact event-time bound
 *   {{ts:col}}     a timestamp column (raw: `from_iso8601_timestamp(col)`; Parquet: typed `col`)
 *   {{latency_ms}} request latency (raw: stageTimestamp − requestReceivedTimestamp; Parquet: `request_latency_ms`)
 *
 * Every query also names its log types (`log_type = …`), the table's first partition key,
 * so nothing scans more than one window of the log types it needs. Tests parse every
 * rendering and check each identifier against the table's columns.
 */
import type { LogType } from "../../lambda-src/conventions";

export interface NamedQueryDefinition {
  /** Short id, `[a-z0-9-]`: the construct id and the end of the Athena query name. */
  readonly id: string;
  /** What it answers, shown in the Athena console. */
  readonly description: string;
  /** The log types its `log_type` predicate names. */
  readonly logTypes: readonly LogType[];
  /** How far back `{{window}}` reaches. */
  readonly windowHours: number;
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

export const NAMED_QUERIES: readonly NamedQueryDefinition[] = [
  {
    id: "rbac-changes",
    description: "Who created, changed or deleted Roles, ClusterRoles and their bindings (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT {{ts:event_time}} AS event_ts, cluster, user_username, verb, objectref_resource, objectref_namespace,
  objectref_name, responsestatus_code, element_at(sourceips, 1) AS source_ip, useragent
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND objectref_apigroup = 'rbac.authorization.k8s.io'
  AND objectref_resource IN ('roles', 'rolebindings', 'clusterroles', 'clusterrolebindings')
  AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection')
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "secrets-read",
    description: "Which identities read which Secrets, how often and from where (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT cluster, user_username, objectref_namespace, objectref_name, verb, count(*) AS requests,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen,
  array_join(array_agg(DISTINCT element_at(sourceips, 1)), ',') AS source_ips
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND objectref_resource = 'secrets'
  AND verb IN ('get', 'list', 'watch')
  AND responsestatus_code BETWEEN 200 AND 299
GROUP BY cluster, user_username, objectref_namespace, objectref_name, verb
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "pod-exec-attach-port-forward",
    description: "Interactive access into pods: exec, attach and port-forward sessions, by whom and with what command (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT auditid, min({{ts:event_time}}) AS started, cluster, user_username, objectref_namespace,
  objectref_name AS pod, objectref_subresource, requesturi, max(responsestatus_code) AS status_code,
  arbitrary(element_at(sourceips, 1)) AS source_ip
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage <> 'RequestReceived'
  AND objectref_resource = 'pods'
  AND objectref_subresource IN ('exec', 'attach', 'portforward')
GROUP BY auditid, cluster, user_username, objectref_namespace, objectref_name, objectref_subresource, requesturi
ORDER BY started DESC
LIMIT 1000`,
  },
  {
    id: "anonymous-requests",
    description: "Requests by system:anonymous or the system:unauthenticated group, by source IP and path (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT cluster, element_at(sourceips, 1) AS source_ip, verb, requesturi, responsestatus_code, count(*) AS requests,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND (user_username = 'system:anonymous' OR contains(user_groups, 'system:unauthenticated'))
GROUP BY cluster, element_at(sourceips, 1), verb, requesturi, responsestatus_code
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "auth-failure-bursts",
    description: "Bursts of 401/403 responses: 20 or more in one minute from one user and source IP (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT date_trunc('minute', {{ts:event_time}}) AS minute, cluster, user_username,
  element_at(sourceips, 1) AS source_ip, responsestatus_code, count(*) AS failures
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND responsestatus_code IN (401, 403)
GROUP BY date_trunc('minute', {{ts:event_time}}), cluster, user_username, element_at(sourceips, 1), responsestatus_code
HAVING count(*) >= 20
ORDER BY failures DESC
LIMIT 1000`,
  },
  {
    id: "authorization-denied",
    description: "Requests the authorizer forbade, by user, verb and resource, with the authorizer's reason (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT cluster, user_username, verb, objectref_resource, objectref_namespace,
  annotations_authorization_k8s_io_reason, count(*) AS requests, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND annotations_authorization_k8s_io_decision = 'forbid'
GROUP BY cluster, user_username, verb, objectref_resource, objectref_namespace, annotations_authorization_k8s_io_reason
ORDER BY requests DESC
LIMIT 1000`,
  },
  {
    id: "authenticator-access-denied",
    description: "aws-iam-authenticator refusals: which IAM principals were denied and why (last 24 h).",
    logTypes: [AUTHENTICATOR],
    windowHours: 24,
    sql: `SELECT {{ts:event_time}} AS event_ts, cluster, arn, username, aws_account_id, severity, message
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUTHENTICATOR}'
  AND (lower(message) LIKE '%access denied%' OR severity IN ('warning', 'error'))
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "iam-principal-to-kubernetes-user",
    description: "Which IAM principal became which Kubernetes user and groups, per cluster (last 7 days).",
    logTypes: [AUTHENTICATOR],
    windowHours: 168,
    sql: `SELECT cluster, arn, aws_account_id, username, array_join("groups", ',') AS kubernetes_groups, count(*) AS logins,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUTHENTICATOR}'
  AND message = 'access granted'
GROUP BY cluster, arn, aws_account_id, username, array_join("groups", ',')
ORDER BY last_seen DESC
LIMIT 1000`,
  },
  {
    id: "namespace-and-crd-deletes",
    description: "Deletions of namespaces and CustomResourceDefinitions, and by whom (last 7 days).",
    logTypes: [AUDIT],
    windowHours: 168,
    sql: `SELECT {{ts:event_time}} AS event_ts, cluster, user_username, verb, objectref_resource, objectref_name,
  responsestatus_code, element_at(sourceips, 1) AS source_ip, useragent
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND verb IN ('delete', 'deletecollection')
  AND (objectref_resource = 'namespaces'
    OR (objectref_resource = 'customresourcedefinitions' AND objectref_apigroup = 'apiextensions.k8s.io'))
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "scheduler-failures",
    description: "kube-scheduler errors and pods it could not place (last 24 h).",
    logTypes: ["kube-scheduler"],
    windowHours: 24,
    sql: `SELECT {{ts:event_time}} AS event_ts, cluster, severity, source_file, message
FROM {{table}}
WHERE {{window}}
  AND log_type = 'kube-scheduler'
  AND (severity IN ('error', 'fatal')
    OR lower(message) LIKE '%unable to schedule%'
    OR lower(message) LIKE '%failed to schedule%')
ORDER BY event_ts DESC
LIMIT 1000`,
  },
  {
    id: "controller-manager-errors",
    description: "Errors of kube-controller-manager and cloud-controller-manager, grouped by source and message (last 24 h).",
    logTypes: ["kube-controller-manager", "cloud-controller-manager"],
    windowHours: 24,
    sql: `SELECT log_type, cluster, source_file, substr(message, 1, 200) AS message_start, count(*) AS occurrences,
  min({{ts:event_time}}) AS first_seen, max({{ts:event_time}}) AS last_seen
FROM {{table}}
WHERE {{window}}
  AND log_type IN ('kube-controller-manager', 'cloud-controller-manager')
  AND severity IN ('error', 'fatal')
GROUP BY log_type, cluster, source_file, substr(message, 1, 200)
ORDER BY occurrences DESC
LIMIT 1000`,
  },
  {
    id: "slow-api-requests",
    description: "API requests that took 1 s or more from receipt to completion, long-running verbs excluded (last 24 h).",
    logTypes: [AUDIT],
    windowHours: 24,
    sql: `SELECT {{ts:event_time}} AS event_ts, {{latency_ms}} AS latency_ms, annotations_apiserver_latency_k8s_io_total,
  cluster, user_username, useragent, verb, objectref_resource, objectref_namespace, requesturi, responsestatus_code
FROM {{table}}
WHERE {{window}}
  AND log_type = '${AUDIT}'
  AND stage = 'ResponseComplete'
  AND verb <> 'watch'
  AND coalesce(objectref_subresource, '') NOT IN ('exec', 'attach', 'portforward', 'proxy', 'log')
  AND {{latency_ms}} >= 1000
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

/** The SQL of `query` for one table. Throws on an unknown placeholder. */
export function renderQuery(query: NamedQueryDefinition, target: QueryTarget): string {
  const sql = query.sql.replace(/\{\{([a-z_]+)(?::([a-z_]+))?\}\}/g, (whole, name: string, arg?: string) => {
    switch (name) {
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
