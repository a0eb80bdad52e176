/**
 * Constructor checks of CatalogProps: each failure names the module, the prop, the rule and
 * the value received. Unresolved Terraform tokens are skipped (they are checked at plan time).
 */
import { Token } from "cdktf";
import { REGION_PATTERN, TIME_PARTITION, type S3Layout } from "../../lambda-src/conventions";
import type { CatalogProps } from "./index";
import { bucketNameProblem } from "../common/s3-names";

/** Athena's per-query data usage control accepts at least 10 MB (10,485,760 bytes). */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

/** Glue/Athena names: Athena DDL wants lowercase, and names beginning with a letter need no quoting. */
export const GLUE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const NAME_PREFIX = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
const ACCOUNT_ID = /^\d{12}$/;
// EKS CreateCluster: [0-9A-Za-z][A-Za-z0-9\-_]*, at most 100; `_unknown` is the transform's fallback.
const CLUSTER_NAME = /^(?:[0-9A-Za-z][A-Za-z0-9_-]{0,99}|_unknown)$/;
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/;
// Glue crawler schedules are cron(<min> <hour> <dom> <month> <dow> <year>).
const GLUE_CRON = /^cron\((\S+ ){5}\S+\)$/;

export function fail(prop: string, rule: string, value: unknown): never {
  throw new Error(`catalog: ${prop} ${rule}, got ${JSON.stringify(value)}`);
}

const known = (value: unknown) => value !== undefined && !Token.isUnresolved(value);

function matches(prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  if (known(value) && !pattern.test(value!)) fail(prop, rule, value);
}

/** A yyyy-MM-dd-HH hour that exists on the calendar. */
export function isProjectionHour(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d, h] = m.slice(1).map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h;
}

export function validateLayout(prop: string, layout: S3Layout): void {
  matches(`${prop}.prefix`, layout.prefix, KEY_PREFIX, "must be S3 key segments separated by / (no leading or trailing /)");
  const seen = new Set<string>();
  for (const [i, key] of layout.extraPartitionKeys.entries()) {
    if (!["account_id", "region", "cluster"].includes(key)) fail(`${prop}.extraPartitionKeys[${i}]`, "must be one of account_id, region, cluster", key);
    if (seen.has(key)) fail(`${prop}.extraPartitionKeys[${i}]`, "must not repeat a key", key);
    seen.add(key);
  }
}

const VALUE_RULES = {
  account_id: { pattern: ACCOUNT_ID, rule: "must be 12-digit AWS account ids" },
  region: { pattern: REGION_PATTERN, rule: "must be AWS region names" },
  cluster: { pattern: CLUSTER_NAME, rule: "must be EKS cluster names ([0-9A-Za-z][A-Za-z0-9_-]*, at most 100)" },
} as const;

export function validateCatalog(props: CatalogProps): void {
  matches("namePrefix", props.namePrefix, NAME_PREFIX, "must be 3–30 characters: a lowercase letter, then lowercase letters, digits or hyphens");
  matches("accountId", props.accountId, ACCOUNT_ID, "must be a 12-digit AWS account id");
  matches("region", props.region, REGION_PATTERN, "must be an AWS region name");
  matches("databaseName", props.databaseName, GLUE_NAME, "must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena database name)");
  matches("rawTableName", props.rawTableName, GLUE_NAME, "must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena table name)");
  matches("parquetTableName", props.parquetTableName, GLUE_NAME, "must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena table name)");
  if (known(props.parquetTableName) && props.parquetTableName === (props.rawTableName ?? "raw_logs")) {
    fail("parquetTableName", "must differ from rawTableName", props.parquetTableName);
  }
  matches("parquetPrefix", props.parquetPrefix, KEY_PREFIX, "must be S3 key segments separated by / (no leading or trailing /)");
  validateLayout("layout", props.layout);

  for (const key of props.layout.extraPartitionKeys) {
    const values = props.partitionValues[key];
    if (values.length === 0) fail(`partitionValues.${key}`, `must list at least one value: the layout partitions by ${key} and Athena projects only listed values`, values);
    const { pattern, rule } = VALUE_RULES[key];
    for (const [i, value] of values.entries()) {
      if (!pattern.test(value)) fail(`partitionValues.${key}[${i}]`, rule, value);
      if (values.indexOf(value) !== i) fail(`partitionValues.${key}[${i}]`, "must not repeat a value", value);
    }
  }
  if (!isProjectionHour(props.projectionStart)) {
    fail("projectionStart", `must be an hour in the ${TIME_PARTITION.format} format of the dt partition, e.g. "2025-01-01-00"`, props.projectionStart);
  }

  const athena = props.athena;
  matches("athena.workgroupName", athena.workgroupName, WORKGROUP_NAME, "must be 1–128 characters of letters, digits, '.', '_' or '-' (Athena workgroup name)");
  const cutoff = athena.bytesScannedCutoffPerQuery;
  if (known(cutoff) && (!Number.isInteger(cutoff) || cutoff < ATHENA_MIN_BYTES_SCANNED_CUTOFF)) {
    fail("athena.bytesScannedCutoffPerQuery", `must be a whole number of bytes of at least ${ATHENA_MIN_BYTES_SCANNED_CUTOFF} (Athena's 10 MB minimum)`, cutoff);
  }
  const days = athena.resultsExpireAfterDays;
  if (known(days) && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    fail("athena.resultsExpireAfterDays", "must be a whole number of days from 1 to 3650", days);
  }
  if (known(athena.resultsBucketName)) {
    const problem = bucketNameProblem(athena.resultsBucketName!);
    if (problem) fail("athena.resultsBucketName", `is not a valid S3 bucket name: ${problem}`, athena.resultsBucketName);
  }
  for (const [i, name] of (athena.analystRoleNames ?? []).entries()) {
    matches(`athena.analystRoleNames[${i}]`, name, ROLE_NAME, "must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN");
    if (athena.analystRoleNames!.indexOf(name) !== i) fail(`athena.analystRoleNames[${i}]`, "must not repeat a role", name);
  }

  if (props.crawler?.enabled) {
    matches("crawler.roleName", props.crawler.roleName, ROLE_NAME, "must be an IAM role name (1–64 characters of letters, digits and +=,.@_-)");
    matches("crawler.schedule", props.crawler.schedule, GLUE_CRON, "must be a Glue cron expression with 6 fields, e.g. cron(0 * * * ? *)");
  }
}

/** The default results bucket name, checked because a long prefix and region overflow 63 characters. */
export function resultsBucketName(props: CatalogProps): string {
  const name = props.athena.resultsBucketName ?? `${props.namePrefix}-athena-${props.accountId}-${props.region}`;
  if (!props.athena.resultsBucketName && !Token.isUnresolved(name)) {
    const problem = bucketNameProblem(name);
    if (problem) fail("athena.resultsBucketName", `must be set: the default "<namePrefix>-athena-<accountId>-<region>" ${problem}`, name);
  }
  return name;
}
