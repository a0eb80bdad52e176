/**
 * Constructor checks of CatalogProps, in the modules' one vocabulary (modules/common/validate.ts):
 * every problem at once, each naming the prop, the rule and the value received.
 */
import { UNKNOWN_CLUSTER, type S3Layout } from "../../lambda-src/conventions";
import { isPartitionHour, PARTITION_HOUR_RULE, PATTERNS } from "../common/patterns";
import { bucketNameProblem } from "../common/s3-names";
import { known, Problems } from "../common/validate";
import type { CatalogProps } from "./index";

/** Athena's per-query data usage control accepts at least 10 MB (10,485,760 bytes). */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;


export function validateLayout(p: Problems, prop: string, layout: S3Layout): void {
  p.match(`${prop}.prefix`, layout.prefix, PATTERNS.keyPrefix);
  for (const [i, key] of layout.extraPartitionKeys.entries()) p.oneOf(`${prop}.extraPartitionKeys[${i}]`, key, ["account_id", "region", "cluster"]);
  p.unique(`${prop}.extraPartitionKeys`, layout.extraPartitionKeys, "a key");
}

/** Values Athena projects for a partition key: the transform's fallback `_unknown` is a cluster too. */
const VALUE_RULES = {
  account_id: PATTERNS.accountId,
  region: PATTERNS.region,
  cluster: { pattern: new RegExp(`${PATTERNS.clusterName.pattern.source}|^${UNKNOWN_CLUSTER}$`), rule: PATTERNS.clusterName.rule },
} as const;

export function validateCatalog(props: CatalogProps): void {
  const p = new Problems("catalog");
  p.match("namePrefix", props.namePrefix, PATTERNS.namePrefix);
  p.match("accountId", props.accountId, PATTERNS.accountId);
  p.match("region", props.region, PATTERNS.region);
  p.match("databaseName", props.databaseName, PATTERNS.glueName);
  p.match("rawTableName", props.rawTableName, PATTERNS.glueName);
  p.match("parquetTableName", props.parquetTableName, PATTERNS.glueName);
  if (known(props.parquetTableName) && props.parquetTableName === (props.rawTableName ?? "raw_logs")) {
    p.add("parquetTableName", "must differ from rawTableName", props.parquetTableName);
  }
  p.match("parquetPrefix", props.parquetPrefix, PATTERNS.keyPrefix);
  validateLayout(p, "layout", props.layout);

  for (const key of props.layout.extraPartitionKeys) {
    const values = props.partitionValues[key] ?? [];
    if (values.length === 0) p.add(`partitionValues.${key}`, `must list at least one value: the layout partitions by ${key} and Athena projects only listed values`, values);
    for (const [i, value] of values.entries()) p.match(`partitionValues.${key}[${i}]`, value, VALUE_RULES[key]);
    p.unique(`partitionValues.${key}`, values, "a value");
  }
  p.check("projectionStart", props.projectionStart, isPartitionHour, PARTITION_HOUR_RULE);

  const athena = props.athena;
  p.match("athena.workgroupName", athena.workgroupName, PATTERNS.workgroupName);
  p.range("athena.bytesScannedCutoffPerQuery", athena.bytesScannedCutoffPerQuery, ATHENA_MIN_BYTES_SCANNED_CUTOFF, Infinity, "bytes", { why: "Athena's 10 MB minimum" });
  p.range("athena.resultsExpireAfterDays", athena.resultsExpireAfterDays, 1, 3650, "days");
  p.bucketName("athena.resultsBucketName", athena.resultsBucketName);
  for (const [i, name] of (athena.analystRoleNames ?? []).entries()) p.match(`athena.analystRoleNames[${i}]`, name, PATTERNS.iamRoleName);
  p.unique("athena.analystRoleNames", athena.analystRoleNames, "a role");

  if (props.crawler?.enabled) {
    p.match("crawler.roleName", props.crawler.roleName, PATTERNS.iamRoleName);
    p.match("crawler.schedule", props.crawler.schedule, PATTERNS.cron6);
  }
  p.throwIfAny();
}

/** The results bucket's name when `athena.resultsBucketName` is unset. */
export function defaultResultsBucketName(props: Pick<CatalogProps, "namePrefix" | "accountId" | "region">): string {
  return `${props.namePrefix}-athena-${props.accountId}-${props.region}`;
}

/** The results bucket name, checked because a long prefix and region overflow 63 characters. */
export function resultsBucketName(props: CatalogProps): string {
  const name = props.athena.resultsBucketName ?? defaultResultsBucketName(props);
  if (!props.athena.resultsBucketName && known(name)) {
    const problem = bucketNameProblem(name);
    if (problem) {
      const p = new Problems("catalog");
      p.add("athena.resultsBucketName", `must be set: the default "<namePrefix>-athena-<accountId>-<region>" ${problem}`, name);
      p.throwIfAny();
    }
  }
  return name;
}
