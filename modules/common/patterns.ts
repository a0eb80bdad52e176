/**
 * Names and identifiers AWS accepts, each pattern written once with the rule a problem
 * states when a value breaks it. Modules and envs/ check the same fact with the same rule.
 * The account, region and cluster patterns are the transform's own (lambda-src/conventions.ts).
 */
import { ACCOUNT_ID_PATTERN, CLUSTER_NAME_PATTERN, REGION_PATTERN, TIME_PARTITION } from "../../lambda-src/conventions";
import type { Rule } from "./validate";

const rule = (pattern: RegExp, text: string): Rule => ({ pattern, rule: text });

// S3 "safe" key characters (Amazon S3 User Guide, object key naming). No `=`: Athena and Hive read
// `a=b` in a path as a partition, so a prefix holding one would change what the tables see.
const KEY_CHARS = "[A-Za-z0-9!_.*'()-]";

export const PATTERNS = {
  accountId: rule(ACCOUNT_ID_PATTERN, "must be a 12-digit AWS account id"),
  region: rule(REGION_PATTERN, "must be an AWS region name such as eu-west-1"),
  clusterName: rule(CLUSTER_NAME_PATTERN, "must be an EKS cluster name ([0-9A-Za-z][A-Za-z0-9_-]*, at most 100)"),
  /** Every resource name starts with it; 30 keeps the longest derived names (SQS 80, IAM roles 64) in their limits. */
  namePrefix: rule(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/, "must be 3–30 characters: a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen"),
  iamRoleName: rule(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN"),
  iamRoleArn: rule(/^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "must be an exact IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
  principalArn: rule(/^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, "must be an IAM role, user or account root ARN"),
  externalId: rule(/^[\w+=,.@:/-]{2,1224}$/, "must be 2–1224 characters of [A-Za-z0-9+=,.@:/_-] (STS ExternalId)"),
  snsTopicArn: rule(/^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN"),
  email: rule(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an e-mail address"),
  organizationId: rule(/^o-[a-z0-9]{10,32}$/, "must be an AWS Organizations id (o-<10–32 lowercase letters or digits>)"),
  /** aws:PrincipalOrgPaths values: `<org>/<root>/<ou>/…/`, a trailing `*` to include the OUs below. */
  organizationPath: rule(
    /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*\*?$/,
    "must be an AWS Organizations path such as o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (end with * to include the OUs below it)",
  ),
  keyPrefix: rule(new RegExp(`^${KEY_CHARS}+(?:/${KEY_CHARS}+)*$`), "must be S3 key segments separated by / (no leading or trailing /)"),
  keySegment: rule(new RegExp(`^${KEY_CHARS}+$`), "must be one S3 key segment (no slashes)"),
  kmsAction: rule(/^kms:[A-Za-z]+$/, "must be one KMS action such as kms:Decrypt (no wildcards)"),
  statementId: rule(/^[A-Za-z0-9]+$/, "must be letters and digits only"),
  viaService: rule(/^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/, "must be a kms:ViaService value (a regional endpoint such as s3.eu-west-1.amazonaws.com)"),
  glueName: rule(/^[a-z][a-z0-9_]{0,254}$/, "must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena name)"),
  workgroupName: rule(/^[A-Za-z0-9._-]{1,128}$/, "must be 1–128 characters of letters, digits, '.', '_' or '-' (Athena workgroup name)"),
  /** Glue crawler and DataBrew schedules: cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>). */
  cron6: rule(/^cron\((\S+ ){5}\S+\)$/, "must be a cron expression with 6 fields, e.g. cron(15 * * * ? *)"),
  logGroupName: rule(/^[.\-_/#A-Za-z0-9]{1,512}$/, "must be a CloudWatch Logs log group name (1–512 of [.-_/#A-Za-z0-9])"),
  destinationArn: rule(/^arn:[\w-]+:logs:[a-z0-9-]+:\d{12}:destination:[^:*]+$/, "must be a CloudWatch Logs destination ARN"),
  /** Subscription filter and destination names: 1–512 characters, no ':' or '*'. */
  cwlName: rule(/^[^:*]{1,512}$/, "must be 1–512 characters without ':' or '*'"),
  deliveryStreamName: rule(/^[a-zA-Z0-9_.-]{1,64}$/, "must be 1–64 characters of letters, digits, '_', '.' or '-' (Firehose stream name)"),
} as const;

/** An hour of the `dt` partition (`yyyy-MM-dd-HH`, UTC) that exists on the calendar. */
export function isPartitionHour(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d, h] = m.slice(1).map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h;
}

export const PARTITION_HOUR_RULE = `must be an hour in the ${TIME_PARTITION.format} format of the dt partition, e.g. "2025-01-01-00"`;

/** CloudWatch Logs PutRetentionPolicy accepts exactly these retentions, in days (0 = never expire). */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
