/**
 * The contract between the transform Lambda, the forwarder and the catalog.
 *
 * Everything that one side writes and another side reads (stream names, the
 * region carried in the subscription filter name, partition keys, the S3 key
 * layout) is defined here once. Pure functions only: this file is bundled into
 * the Lambda and imported by the modules at synth time.
 */

/** The six EKS control-plane log types. Order matters: audit must match before apiserver. */
export const EKS_LOG_TYPES = [
  "kube-apiserver-audit",
  "kube-apiserver",
  "kube-scheduler",
  "kube-controller-manager",
  "cloud-controller-manager",
  "authenticator",
] as const;

export type EksLogType = (typeof EKS_LOG_TYPES)[number];

/** A stream that matches none of the six prefixes is still delivered, as `unknown`. */
export const UNKNOWN_LOG_TYPE = "unknown";
export type LogType = EksLogType | typeof UNKNOWN_LOG_TYPE;

/** Every value `log_type` can take, in S3 and in Athena. */
export const ALL_LOG_TYPES: readonly LogType[] = [...EKS_LOG_TYPES, UNKNOWN_LOG_TYPE];

/** EKS names streams `<component>-<32 hex>`; the prefix is the log type. */
export function logTypeOfStream(logStream: string): LogType {
  for (const type of EKS_LOG_TYPES) {
    if (logStream.startsWith(`${type}-`)) return type;
  }
  return UNKNOWN_LOG_TYPE;
}

const EKS_LOG_GROUP = /^\/aws\/eks\/([^/]+)\/cluster$/;

/**
 * The `cluster` value (column and partition key) of events from a log group that is not
 * `/aws/eks/<cluster>/cluster`. EKS cluster names start with a letter or digit, so the
 * leading underscore can never name a real cluster.
 */
export const UNKNOWN_CLUSTER = "_unknown";

/** EKS writes to `/aws/eks/<cluster>/cluster`; anything else has no cluster. */
export function clusterOfLogGroup(logGroup: string): string | undefined {
  return EKS_LOG_GROUP.exec(logGroup)?.[1];
}

/** The log group EKS writes a cluster's control-plane logs to. */
export function eksLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/**
 * CloudWatch Logs payloads carry no region, but they do carry the names of the
 * subscription filters that matched. The forwarder names every filter
 * `<name>@<region>` and the Lambda reads the region back from it.
 * `@` is legal in filter names (pattern `[^:*]*`) and never part of a region.
 */
export const REGION_SEPARATOR = "@";

/** AWS account ids: 12 digits (the payload's `owner`, partition key `account_id`). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** EKS CreateCluster names: 1–100 characters, `[0-9A-Za-z][A-Za-z0-9_-]*`; anything else cannot be an EKS log group's cluster. */
export const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, ap-southeast-7 … */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The subscription filter name that carries `region` to the Lambda. */
export function subscriptionFilterName(name: string, region: string): string {
  if (name.includes(REGION_SEPARATOR)) {
    throw new Error(`subscription filter name "${name}" must not contain "${REGION_SEPARATOR}"`);
  }
  if (!REGION_PATTERN.test(region)) {
    throw new Error(`"${region}" is not an AWS region name`);
  }
  return `${name}${REGION_SEPARATOR}${region}`;
}

/** The region encoded by `subscriptionFilterName`, from the first filter that has one. */
export function regionOfSubscriptionFilters(filters: readonly unknown[] | undefined): string | undefined {
  for (const filter of filters ?? []) {
    if (typeof filter !== "string") continue;
    const at = filter.lastIndexOf(REGION_SEPARATOR);
    if (at < 0) continue;
    const region = filter.slice(at + 1);
    if (REGION_PATTERN.test(region)) return region;
  }
  return undefined;
}

/** Written when the region cannot be derived (a filter not made by the forwarder). */
export const UNKNOWN_REGION = "unknown";

/**
 * Keys the Lambda returns in `metadata.partitionKeys` for every record.
 * Values are S3- and Athena-safe: log types and regions are fixed vocabularies,
 * account ids are 12 digits, EKS cluster names are `[0-9A-Za-z][A-Za-z0-9_-]*`.
 */
export const PARTITION_KEYS = ["log_type", "account_id", "region", "cluster"] as const;
export type PartitionKey = (typeof PARTITION_KEYS)[number];
export type PartitionKeys = Record<PartitionKey, string>;

/**
 * The S3 layout of delivered objects:
 *   <prefix>/log_type=<t>[/account_id=<a>][/region=<r>][/cluster=<c>]/dt=<yyyy-MM-dd-HH>/<object>.json.gz
 *
 * `log_type` always comes first so S3 notifications can send each log type to
 * its own queue with a plain prefix filter. `dt` is Firehose's arrival hour (UTC),
 * which Athena projects as an hourly date partition. The optional keys trade
 * Athena pruning for Firehose active partitions (500 per stream by default).
 */
export interface S3Layout {
  /** Key prefix without leading or trailing slash, e.g. `eks-logs`. */
  readonly prefix: string;
  /** Partition keys in path order after `log_type`. */
  readonly extraPartitionKeys: readonly Exclude<PartitionKey, "log_type">[];
}

/** The hourly time partition. Firehose and Athena spell the same format differently. */
export const TIME_PARTITION = {
  name: "dt",
  /** Java DateTimeFormatter pattern, used by both Firehose `!{timestamp:…}` and Athena projection. */
  format: "yyyy-MM-dd-HH",
} as const;

function partitionPath(layout: S3Layout, value: (key: PartitionKey) => string, time: string): string {
  const keys: PartitionKey[] = ["log_type", ...layout.extraPartitionKeys];
  const parts = keys.map((key) => `${key}=${value(key)}`);
  return [layout.prefix, ...parts, `${TIME_PARTITION.name}=${time}`].join("/") + "/";
}

/** Firehose `Prefix` with dynamic-partitioning expressions. */
export function firehosePrefix(layout: S3Layout): string {
  return partitionPath(layout, (key) => `!{partitionKeyFromLambda:${key}}`, `!{timestamp:${TIME_PARTITION.format}}`);
}

/** Prefix under which S3 notifications for one log type fire. */
export function logTypePrefix(layout: S3Layout, logType: LogType): string {
  return `${layout.prefix}/log_type=${logType}/`;
}

/**
 * Athena `storage.location.template` (partition projection). The `${…}`
 * placeholders are Athena's, so inside Terraform they must be written `$${…}`:
 * callers that put this into HCL/JSON strings escape it at that point.
 */
export function athenaLocationTemplate(bucket: string, layout: S3Layout): string {
  return `s3://${bucket}/` + partitionPath(layout, (key) => `\${${key}}`, `\${${TIME_PARTITION.name}}`);
}

/** Firehose error output prefix; `error-output-type` separates Lambda failures from partitioning failures. */
export function firehoseErrorPrefix(errorPrefix: string): string {
  return `${errorPrefix}/!{firehose:error-output-type}/${TIME_PARTITION.name}=!{timestamp:${TIME_PARTITION.format}}/`;
}
