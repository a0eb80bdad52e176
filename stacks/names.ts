/**
 * Names and ARNs computed from the environment alone. Stacks in different
 * accounts refer to each other through these plain strings, never through
 * Terraform references, so no account ever reads another account's state.
 * Modules in one stack also use them where a reference would make a cycle
 * (the key policy names the Firehose role; the Lambda names the stream).
 */
import type { S3Layout } from "../lambda-src/conventions";
import { analyticsNames } from "../modules/analytics";
import type { ResolvedEnvironment } from "../envs/validate";

export function stackNames(env: ResolvedEnvironment) {
  return {
    central: `${env.name}-central`,
    workload: (accountId: string, region: string) => `${env.name}-workload-${accountId}-${region}`,
    bootstrap: (accountId: string) => `${env.name}-bootstrap-${accountId}`,
  };
}

/** Resource names in the central account. IAM role names are at most 64 characters: prefix ≤ 30 + suffix. */
export function centralNames(env: ResolvedEnvironment) {
  const prefix = env.central.namePrefix;
  const { accountId, region } = env.central;
  const arn = `arn:${env.partition}`;
  const deliveryStream = prefix;
  const transformFunction = `${prefix}-transform`;
  return {
    logBucket: `${prefix}-${accountId}-${region}`,
    deliveryStream,
    deliveryStreamArn: `${arn}:firehose:${region}:${accountId}:deliverystream/${deliveryStream}`,
    firehoseRole: `${prefix}-firehose`,
    firehoseLogGroup: `/aws/kinesisfirehose/${deliveryStream}`,
    transformFunction,
    transformRole: `${prefix}-transform`,
    transformLogGroup: `/aws/lambda/${transformFunction}`,
    crawlerRole: `${prefix}-crawler`,
    databrewRole: `${prefix}-databrew`,
    databrewLogGroup: `/aws-glue-databrew/jobs/${analyticsNames(prefix).job}`,
    parquetTable: "parquet_logs",
    destination: prefix,
    destinationRole: (sourceRegion: string) => `${prefix}-cwl-dest-${sourceRegion}`,
    roleArn: (name: string) => `${arn}:iam::${accountId}:role/${name}`,
    logGroupArn: (name: string) => `${arn}:logs:${region}:${accountId}:log-group:${name}`,
  };
}

/** The CloudWatch Logs destination the central account offers in `region`. */
export function destinationArn(env: ResolvedEnvironment, region: string): string {
  return `arn:${env.partition}:logs:${region}:${env.central.accountId}:destination:${centralNames(env).destination}`;
}

/** Names in a workload account; the subscription filters carry the region (conventions.ts). */
export function workloadNames(env: ResolvedEnvironment) {
  const prefix = env.central.namePrefix;
  return {
    subscriptionFilter: prefix,
    subscriptionRole: (region: string) => `${prefix}-cwl-sub-${region}`,
  };
}

/** Where delivered logs and failures live in the log bucket. */
export function s3Layout(env: ResolvedEnvironment): S3Layout {
  return { prefix: "raw", extraPartitionKeys: env.pipeline.s3.extraPartitionKeys };
}
export const ERROR_PREFIX = "errors";
/** Where DataBrew writes Parquet, beside the raw prefix. */
export const PARQUET_PREFIX = "parquet";
