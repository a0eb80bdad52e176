/**
 * Names and ARNs computed from the environment alone. Stacks in different
 * accounts refer to each other through these plain strings, never through
 * Terraform references, so no account ever reads another account's state.
 * Modules in one stack also use them where a reference would make a cycle
 * (the key policy names the Firehose role; the Lambda names the stream).
 */
import type { S3Layout } from "../lambda-src/conventions";
import { analyticsNames } from "../modules/analytics";
import { defaultResultsBucketName } from "../modules/catalog/validate";
import { logGroupArn } from "../modules/common/aws";
import { deliveryStreamNames } from "../modules/forwarder/delivery-stream";
import { storageNames } from "../modules/storage/names";
import { transformNames } from "../modules/transform";
import type { ResolvedEnvironment } from "../envs/validate";

export function stackNames(env: ResolvedEnvironment) {
  return {
    central: `${env.name}-central`,
    workload: (accountId: string, region: string) => `${env.name}-workload-${accountId}-${region}`,
    bootstrap: (accountId: string) => `${env.name}-bootstrap-${accountId}`,
  };
}

/**
 * Resource names in the central account. The stack chooses the names it passes to the modules
 * (`<prefix>-firehose`, `<prefix>-transform` …); every name or ARN a module derives from its
 * props comes from that module's own function, so the two can never disagree.
 * IAM role names are at most 64 characters: prefix ≤ 30 + suffix.
 */
export function centralNames(env: ResolvedEnvironment) {
  const prefix = env.central.namePrefix;
  const { accountId, region } = env.central;
  const placement = { accountId, region, partition: env.partition };
  const deliveryStream = prefix;
  const transformFunction = `${prefix}-transform`;
  const stream = deliveryStreamNames({ ...placement, name: deliveryStream, roleName: `${prefix}-firehose` });
  const transform = transformNames({ ...placement, functionName: transformFunction });
  const storage = storageNames({ ...placement, namePrefix: prefix, ...(env.pipeline.s3.accessLogging ? { accessLogging: {} } : {}) });
  return {
    logBucket: storage.bucketName,
    accessLogBucket: storage.accessLogBucketName,
    deliveryStream,
    deliveryStreamArn: stream.deliveryStreamArn,
    firehoseRole: `${prefix}-firehose`,
    firehoseLogGroup: stream.logGroupName,
    firehoseLogGroupArn: stream.logGroupArn,
    transformFunction,
    transformRole: `${prefix}-transform`,
    transformLogGroup: transform.logGroupName,
    transformLogGroupArn: transform.logGroupArn,
    crawlerRole: `${prefix}-crawler`,
    databrewRole: `${prefix}-databrew`,
    databrewLogGroupArn: logGroupArn(env.partition, region, accountId, analyticsNames(prefix).logGroup),
    parquetTable: "parquet_logs",
    resultsBucket: defaultResultsBucketName({ namePrefix: prefix, accountId, region }),
    destination: prefix,
    destinationRole: (sourceRegion: string) => `${prefix}-cwl-dest-${sourceRegion}`,
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
