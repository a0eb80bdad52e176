/**
 * The Splunk add-on, generated from the data contract (lambda-src/record.ts, conventions.ts),
 * the named queries' questions and an environment: every file as text, keyed by its path in
 * the app. Pure: `cli.ts` writes it and packs it.
 */
import { DEFAULT_CONFIG, type Config } from "../lambda-src/config";
import { type LogType } from "../lambda-src/conventions";
import { maxLineBytes } from "../lambda-src/limits";
import type { ResolvedEnvironment } from "../envs/validate";
import { NAMED_QUERIES, type NamedQueryDefinition } from "../modules/catalog/queries";
import { serviceDomain } from "../modules/common/aws";
import { storageNames } from "../modules/storage/names";
import { SPLUNK_DEFAULTS } from "../modules/storage";
import { renderConf, type Stanza } from "./conf";
import { type Alias, auditAliases, LOG_TYPES, logTypeMacro, objectAliases, sourcetype } from "./fields";
import { renderSpl } from "./spl";

export const APP_NAME = "TA-eks-control-plane-logs";
export const APP_VERSION = "0.1.0";

export interface AddonOptions {
  readonly env: ResolvedEnvironment;
  /** The Lambda's settings (its response budget bounds the longest line). */
  readonly lambdaConfig?: Config;
  /** The Splunk Add-on for AWS account entry the inputs use. */
  readonly awsAccount?: string;
  /** The add-on's IAM role entry that holds the reader role's ARN. */
  readonly iamRole?: string;
  /** The index the inputs write to (and `eks_index` searches). */
  readonly index?: string;
}

/** Splunk parses each line as one event: the longest line the Lambda can write, plus one byte. */
export function truncateBytes(config: Config): number {
  return maxLineBytes(config.responseBudgetBytes) + 1;
}

function props(options: Required<Pick<AddonOptions, "lambdaConfig">>): Stanza[] {
  const truncate = truncateBytes(options.lambdaConfig);
  const common = (logType: LogType | "all"): [string, string][] => [
    ["SHOULD_LINEMERGE", "false"],
    ["LINE_BREAKER", "([\\r\\n]+)"],
    ["TRUNCATE", String(truncate)],
    ["TIME_PREFIX", '^\\{"event_time":"'],
    ["TIME_FORMAT", "%Y-%m-%dT%H:%M:%S.%3NZ"],
    ["MAX_TIMESTAMP_LOOKAHEAD", "24"],
    ["TZ", "UTC"],
    ["KV_MODE", "json"],
    ["NO_BINARY_CHECK", "true"],
    ["category", "Structured"],
    ["description", logType === "all" ? "EKS control-plane logs from one shared queue; each line is re-typed by its log_type" : `Amazon EKS ${logType} logs, one JSON line per CloudWatch Logs event`],
  ];
  const aliasEntries = (aliases: readonly Alias[]): [string, string][] => aliases.map((a) => [`EVAL-${a.name}`, a.expression]);
  const stanzas: Stanza[] = [];
  for (const logType of LOG_TYPES) {
    const entries: [string, string][] = [...common(logType)];
    if (logType === "kube-apiserver-audit") {
      entries.push(...aliasEntries(auditAliases()), ...aliasEntries(objectAliases()), ...CIM_AUDIT);
    }
    if (logType === "authenticator") entries.push(...CIM_AUTHENTICATOR);
    stanzas.push({
      name: sourcetype(logType),
      comment: logType === "kube-apiserver-audit" ? ["The audit Event's own field names (ESCU, Sigma) and the CIM fields, at search time."] : undefined,
      entries,
    });
  }
  // One shared queue: one input, one sourcetype; each line is re-typed at index time by its log_type.
  stanzas.push({ name: sourcetype("all"), entries: [...common("all"), ["TRANSFORMS-eks_log_type", "eks_sourcetype_by_log_type"]] });
  return stanzas;
}

/** CIM Change (writes) and Authentication (401s) for audit lines. */
const CIM_AUDIT: [string, string][] = [
  ["EVAL-action", 'case(responsestatus_code==401, "failure", verb=="create", "created", verb=="update" OR verb=="patch", "modified", verb=="delete" OR verb=="deletecollection", "deleted")'],
  ["EVAL-status", 'if(responsestatus_code>=200 AND responsestatus_code<300, "success", "failure")'],
  ["EVAL-change_type", '"Kubernetes"'],
  ["EVAL-object", "objectref_name"],
  ["EVAL-object_category", "objectref_resource"],
  ["EVAL-object_id", "objectref_uid"],
  ["EVAL-object_path", "requesturi"],
  ["EVAL-command", "verb"],
  ["EVAL-user", "user_username"],
  ["EVAL-src", "mvindex('sourceips{}', 0)"],
  ["EVAL-dest", "cluster"],
  ["EVAL-app", '"kube-apiserver"'],
  ["EVAL-vendor_product", '"Amazon EKS"'],
  ["EVAL-http_user_agent", "useragent"],
];

/** CIM Authentication for aws-iam-authenticator logins. */
const CIM_AUTHENTICATOR: [string, string][] = [
  ["EVAL-action", 'case(message=="access granted", "success", message=="access denied", "failure")'],
  ["EVAL-app", '"aws-iam-authenticator"'],
  ["EVAL-user", "coalesce(username, arn)"],
  ["EVAL-src_user", "arn"],
  ["EVAL-src", "replace('kv.client', \":\\d+$\", \"\")"],
  ["EVAL-dest", "cluster"],
  ["EVAL-signature", "message"],
  ["EVAL-reason", "'kv.error'"],
  ["EVAL-vendor_product", '"Amazon EKS"'],
];

/** Eventtypes that put lines in CIM data models, and their tags. */
export const EVENTTYPES: readonly { readonly name: string; readonly search: string; readonly tags: readonly string[]; readonly reads: readonly [LogType, string][] }[] = [
  {
    name: "eks_authenticator_authentication",
    search: `sourcetype="${sourcetype("authenticator")}" message IN ("access granted", "access denied")`,
    tags: ["authentication"],
    reads: [["authenticator", "message"]],
  },
  {
    name: "eks_audit_authentication_failure",
    search: `sourcetype="${sourcetype("kube-apiserver-audit")}" stage="ResponseComplete" responsestatus_code=401`,
    tags: ["authentication"],
    reads: [["kube-apiserver-audit", "stage"], ["kube-apiserver-audit", "responsestatus_code"]],
  },
  {
    name: "eks_audit_change",
    search: `sourcetype="${sourcetype("kube-apiserver-audit")}" stage="ResponseComplete" verb IN ("create", "update", "patch", "delete", "deletecollection")`,
    tags: ["change"],
    reads: [["kube-apiserver-audit", "stage"], ["kube-apiserver-audit", "verb"]],
  },
];

function macros(index: string): Stanza[] {
  return [
    { name: "eks_index", comment: ["Where the EKS control-plane logs are: set it to your index (and the inputs' index)."], entries: [["definition", `index=${index}`], ["iseval", "0"]] },
    ...LOG_TYPES.map((t) => ({ name: logTypeMacro(t), entries: [["definition", `\`eks_index\` sourcetype="${sourcetype(t)}"`], ["iseval", "0"]] as [string, string][] })),
    {
      name: "eks_kube_audit",
      comment: ["For Splunk Security Content (ESCU): set ESCU's `kube_audit` macro to `eks_kube_audit` and its Kubernetes audit detections run on these logs."],
      entries: [["definition", `\`${logTypeMacro("kube-apiserver-audit")}\``], ["iseval", "0"]],
    },
  ];
}

/** When a question runs and what it waits for: short windows every 15 minutes, week-long inventories daily. */
function schedule(query: NamedQueryDefinition): [string, string][] {
  return query.windowHours <= 24
    ? [["cron_schedule", "*/15 * * * *"], ["dispatch.earliest_time", "-20m@m"], ["dispatch.latest_time", "-5m@m"]]
    : [["cron_schedule", "5 6 * * *"], ["dispatch.earliest_time", "-1d@d"], ["dispatch.latest_time", "@d"]];
}

function throttleFields(query: NamedQueryDefinition): string {
  const names = (query.by ?? []).flatMap((k) => (k.kind === "column" ? [k.column] : k.kind === "minute" ? [] : [k.as]));
  const listed = query.show?.filter((n) => ["cluster", "user_username", "username", "arn"].includes(n)) ?? [];
  return ["account_id", ...(names.length > 0 ? names.filter((n) => n !== "auditid" && n !== "requesturi") : listed)].join(",");
}

function savedSearches(): Stanza[] {
  return NAMED_QUERIES.map((query) => ({
    name: `EKS - ${query.id}`,
    comment: [query.description],
    entries: [
      ["description", `${query.description} Same question as the Athena named query ${query.id}.`],
      ["search", renderSpl(query)],
      ["disabled", "1"],
      ["enableSched", "1"],
      ...schedule(query),
      ["counttype", "number of events"],
      ["relation", "greater than"],
      ["quantity", "0"],
      ["alert.track", "1"],
      ["alert.severity", query.id.includes("denied") || query.id.includes("burst") || query.id === "rbac-changes" || query.id === "secrets-read" ? "4" : "3"],
      ["alert.suppress", "1"],
      ["alert.suppress.period", "1h"],
      ["alert.suppress.fields", throttleFields(query)],
    ],
  }));
}

function inputs(options: Required<Omit<AddonOptions, "lambdaConfig">>): { stanzas: Stanza[]; header: string[] } {
  const { env } = options;
  const { accountId, region, namePrefix } = env.central;
  const queues = storageNames({ namePrefix, accountId, region, partition: env.partition });
  const perType = env.pipeline.splunk.queuePerLogType ?? SPLUNK_DEFAULTS.queuePerLogType;
  const keys: (LogType | "all")[] = perType ? [...LOG_TYPES] : ["all"];
  const url = (name: string) => `https://sqs.${region}.${serviceDomain(env.partition)}/${accountId}/${name}`;
  const withRole = !env.pipeline.splunk.requireExternalId && env.pipeline.splunk.readerPrincipalArns.length > 0;
  const header = [
    `SQS-based S3 inputs of the Splunk Add-on for AWS for environment "${env.name}" (${perType ? "one queue per log type" : "one shared queue"}).`,
    `Before enabling: create the add-on account entry "${options.awsAccount}" (the identity in pipeline.splunk.readerPrincipalArns).`,
    withRole
      ? `and the IAM role entry "${options.iamRole}" with the central stack's storage_splunk_reader_role_arn; the add-on assumes it without an external id.`
      : env.pipeline.splunk.readerPrincipalArns.length > 0
        ? `The reader role requires an external id, which the add-on's IAM role entry cannot send: let the account entry's credentials be the reader role (e.g. a profile with role_arn and external_id), or set pipeline.splunk.requireExternalId: false.`
        : "No reader role: the account entry's own identity needs the reader permissions on the queues, the bucket and the key.",
  ];
  const stanzas = keys.map((key) => ({
    name: `aws_sqs_based_s3://eks-${key}`,
    entries: [
      ["aws_account", options.awsAccount],
      ...(withRole ? [["aws_iam_role", options.iamRole] as [string, string]] : []),
      ["sqs_queue_region", region],
      ["sqs_queue_url", url(queues.queueName(key))],
      ["sqs_batch_size", "10"],
      ["s3_file_decoder", "CustomLogs"],
      ["sourcetype", sourcetype(key)],
      ["index", options.index],
      ["interval", "60"],
      ["using_dlq", "1"],
      ["sqs_sns_validation", "0"],
      ["disabled", "1"],
    ] as [string, string][],
  }));
  return { stanzas, header };
}

/** Every file of the add-on, by its path inside the app directory. */
export function buildAddon(options: AddonOptions): Map<string, string> {
  const config = options.lambdaConfig ?? DEFAULT_CONFIG;
  const index = options.index ?? "eks";
  const awsAccount = options.awsAccount ?? "eks-logs";
  const iamRole = options.iamRole ?? "eks-logs-reader";
  const files = new Map<string, string>();
  const generated = [`Generated by npm run build:splunk from the data contract (lambda-src/record.ts) and envs/${options.env.name}.ts: do not edit, regenerate.`];
  files.set(
    "default/app.conf",
    renderConf(
      [
        { name: "install", entries: [["is_configured", "false"], ["build", "1"]] },
        { name: "launcher", entries: [["author", "eks-control-plane-logs-to-s3"], ["description", "Amazon EKS control-plane logs from S3 (SQS-based S3 input): parsing, ESCU/Sigma field names, CIM, alerts"], ["version", APP_VERSION]] },
        { name: "package", entries: [["id", APP_NAME], ["check_for_updates", "false"]] },
        { name: "ui", entries: [["is_visible", "false"], ["label", "EKS control-plane logs"]] },
      ],
      generated,
    ),
  );
  files.set("default/props.conf", renderConf(props({ lambdaConfig: config }), generated));
  files.set(
    "default/transforms.conf",
    renderConf(
      [
        {
          name: "eks_sourcetype_by_log_type",
          comment: ["Shared queue: the sourcetype of each line is its log_type (the S3 prefix's log type, on every line)."],
          entries: [["REGEX", '"log_type":"([a-z-]+)"'], ["FORMAT", "sourcetype::aws:eks:$1"], ["DEST_KEY", "MetaData:Sourcetype"]],
        },
      ],
      generated,
    ),
  );
  files.set("default/eventtypes.conf", renderConf(EVENTTYPES.map((e) => ({ name: e.name, entries: [["search", e.search]] })), generated));
  files.set("default/tags.conf", renderConf(EVENTTYPES.map((e) => ({ name: `eventtype=${e.name}`, entries: e.tags.map((t) => [t, "enabled"] as [string, string]) })), generated));
  files.set("default/macros.conf", renderConf(macros(index), generated));
  files.set("default/savedsearches.conf", renderConf(savedSearches(), generated));
  const input = inputs({ env: options.env, awsAccount, iamRole, index });
  files.set("default/inputs.conf", renderConf(input.stanzas, [...generated, ...input.header]));
  files.set("metadata/default.meta", renderConf([{ name: "", entries: [["access", "read : [ * ], write : [ admin ]"], ["export", "system"]] }], generated));
  files.set(
    "README.txt",
    [
      `${APP_NAME} ${APP_VERSION}: Amazon EKS control-plane logs delivered to S3 by eks-control-plane-logs-to-s3.`,
      "",
      "Install on the search heads and on the heavy forwarder that runs the Splunk Add-on for AWS.",
      "Sourcetypes: " + [...LOG_TYPES.map((t) => sourcetype(t)), sourcetype("all")].join(", ") + ".",
      "Set the eks_index macro to your index. For ESCU, set its kube_audit macro to `eks_kube_audit`.",
      "The saved searches are disabled: enable the alerts you want (Settings > Searches, reports, and alerts).",
      "The inputs are disabled: create the account (and IAM role) entries named in inputs.conf, then enable them.",
      "",
    ].join("\n"),
  );
  return files;
}
