/**
 * The central log-archive account: everything the pipeline owns lives here,
 * in the home region, plus a CloudWatch Logs destination in every region that
 * other accounts send from (a destination must be in its senders' region).
 *
 * Order of construction follows the data: storage (key, bucket, queues, alarm
 * topic) → transform (Lambda) → forwarder (Firehose, destinations) → catalog
 * (Glue, Athena) → analytics (DataBrew, Parquet). Where a
 * reference would close a cycle (the key policy names the Firehose role; the
 * Lambda names the stream it re-ingests into), the names come from names.ts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { deliveryDelaySeconds, type ResolvedEnvironment } from "../envs/validate";
import { Analytics, analyticsKeyUsage } from "../modules/analytics";
import { analystKeyUsage, Catalog, crawlerKeyUsage } from "../modules/catalog";
import { DeliveryStream, deliveryStreamKeyUsage, LogDestination } from "../modules/forwarder";
import { roleArn } from "../modules/common/aws";
import { Storage, type StorageGuard } from "../modules/storage";
import { Transform } from "../modules/transform";
import { AccountStack } from "./account-stack";
import { ERROR_PREFIX, PARQUET_PREFIX, centralNames, s3Layout } from "./names";

/**
 * The deterministic zip `npm run build:lambda` writes: dist/lambda.zip at the package root, one
 * level up from stacks/ in the sources and two from lib/stacks/ in the installed package.
 */
export const LAMBDA_BUNDLE = [join(__dirname, "..", "dist", "lambda.zip"), join(__dirname, "..", "..", "dist", "lambda.zip")].find((p) => existsSync(p)) ?? join(__dirname, "..", "dist", "lambda.zip");

export class CentralStack extends AccountStack {
  constructor(scope: Construct, name: string, env: ResolvedEnvironment) {
    const { accountId, region } = env.central;
    super(scope, name, { env, accountId, region, access: env.central.access, state: env.central.state });
    const pipeline = centralPipeline(this, env, { bundlePath: LAMBDA_BUNDLE, providerFor: (r) => this.providerFor(r) });
    for (const { name: id, value, description } of pipeline.outputs) new TerraformOutput(this, id, { value, description });
  }
}

export interface CentralOutput {
  readonly name: string;
  readonly value: unknown;
  readonly description: string;
}

export interface CentralPipelineOptions {
  /** The Lambda zip. */
  readonly bundlePath: string;
  /** The provider of a source region's destination. */
  readonly providerFor: (region: string) => AwsProvider;
  /** Where the destinations' ARNs are keyed; the region names themselves by default. */
  readonly destinationKey?: (region: string) => string;
  /** Buckets whose configuration changes raise the tamper alarm. @default the state bucket, when in the home region */
  readonly watchedBucketNames?: readonly string[];
  /** Who administers the key and the bucket's guards. @default from the env (deploy, key-admin and break-glass roles) */
  readonly admins?: Pick<StorageGuard, "keyAdminArns" | "bucketAdminArns">;
}

/**
 * Everything the central account holds, built into `scope` (a stack, or a module stack whose
 * env carries variables). What it hands back are the outputs, for the caller to declare.
 */
export function centralPipeline(scope: Construct, env: ResolvedEnvironment, options: CentralPipelineOptions): { outputs: CentralOutput[] } {
  const { accountId, region } = env.central;
  const names = centralNames(env);
  const layout = s3Layout(env);
  const { partition } = env;
  const { s3, splunk, firehose, lambda, alarms, logRetentionDays, athena, catalog, databrew } = env.pipeline;
  const placement = { accountId, region, partition };

  const firehoseRoleArn = roleArn(partition, accountId, names.firehoseRole);
  const storage = new Storage(scope, "storage", {
    namePrefix: env.central.namePrefix,
    accountId,
    region,
    partition,
    bucketName: names.logBucket,
    layout,
    errorPrefix: ERROR_PREFIX,
    lifecycle: {
      transitions: s3.transitions,
      expireAfterDays: s3.expireAfterDays,
      noncurrentVersionExpireAfterDays: s3.noncurrentVersionExpireAfterDays,
      abortIncompleteMultipartUploadAfterDays: s3.abortIncompleteMultipartUploadAfterDays,
      ...(s3.errorExpireAfterDays !== undefined ? { errorExpireAfterDays: s3.errorExpireAfterDays } : {}),
      ...(databrew.enabled ? { derivedPrefixes: [PARQUET_PREFIX] } : {}),
    },
    ...(s3.objectLock ? { objectLock: { mode: s3.objectLock.mode, days: s3.objectLock.days ?? s3.expireAfterDays } } : {}),
    protectFromDestroy: !s3.allowDestroy,
    ...(s3.accessLogging ? { accessLogging: { expireAfterDays: s3.accessLogging.expireAfterDays } } : {}),
    splunk: {
      enabled: splunk.enabled,
      readerPrincipalArns: splunk.readerPrincipalArns,
      requireExternalId: splunk.requireExternalId,
      // Unset tuning keeps the storage module's defaults.
      externalId: splunk.externalId,
      queuePerLogType: splunk.queuePerLogType,
      visibilityTimeoutSeconds: splunk.visibilityTimeoutSeconds,
      maxReceiveCount: splunk.maxReceiveCount,
    },
    // What each module's role needs of the key, as each module describes it; the stack only concatenates.
    keyUsers: [
      deliveryStreamKeyUsage({ ...placement, roleName: names.firehoseRole }),
      ...(catalog.crawler.enabled ? [crawlerKeyUsage({ ...placement, crawlerRoleName: names.crawlerRole })] : []),
      ...(databrew.enabled ? [analyticsKeyUsage({ ...placement, roleName: names.databrewRole })] : []),
      ...analystKeyUsage({ ...placement, analystRoleNames: athena.analystRoleNames }),
    ],
    encryptedLogGroupArns: [names.firehoseLogGroupArn, names.transformLogGroupArn, ...(databrew.enabled ? [names.databrewLogGroupArn] : [])],
    alarms: {
      emails: alarms.emails,
      ...(alarms.snsTopicArn ? { extraTopicArn: alarms.snsTopicArn } : {}),
      // CloudTrail delivers a bucket's events to EventBridge in the bucket's region.
      watchedBucketNames: options.watchedBucketNames ?? (env.central.state.region === region ? [env.central.state.bucket] : []),
    },
    // Insiders: the deploy role (Terraform must keep managing both) and the named roles only.
    guard: {
      ...(options.admins ?? {
        keyAdminArns: unique([env.central.access.roleArn, ...env.central.keyAdminRoleArns, ...env.central.breakGlassRoleArns]),
        bucketAdminArns: unique([env.central.access.roleArn, ...env.central.breakGlassRoleArns]),
      }),
      writers: [
        { prefix: layout.prefix, roleArns: [firehoseRoleArn] },
        { prefix: ERROR_PREFIX, roleArns: [firehoseRoleArn] },
        ...(databrew.enabled ? [{ prefix: PARQUET_PREFIX, roleArns: [roleArn(partition, accountId, names.databrewRole)] }] : []),
      ],
    },
  });

  const transform = new Transform(scope, "transform", {
    functionName: names.transformFunction,
    roleName: names.transformRole,
    accountId,
    region,
    partition,
    bundlePath: options.bundlePath,
    memorySizeMB: lambda.memorySizeMB,
    timeoutSeconds: lambda.timeoutSeconds,
    ...(lambda.reservedConcurrency !== undefined ? { reservedConcurrency: lambda.reservedConcurrency } : {}),
    environment: lambda.environment,
    logRetentionDays,
    kmsKeyArn: storage.kmsKeyArn,
    deliveryStreamArn: names.deliveryStreamArn,
    alarmTopicArns: storage.alarmTopicArns,
    silence: {
      namespace: metricsNamespace(env.central.namePrefix),
      clusters: env.workloads.flatMap((w) => w.regions.flatMap((r) => r.clusters.map((cluster) => ({ accountId: w.accountId, region: r.region, cluster })))),
      // With an organisation, clusters nobody listed can appear in a configured account; the account's own alarm covers them.
      accounts: env.senders.organizationId ? unique(env.workloads.map((w) => w.accountId)) : [],
      expectedSenders: unique([...env.workloads.map((w) => w.accountId), ...env.senders.accountIds]),
      quietHours: alarms.silenceHours,
    },
  });

  const delivery = new DeliveryStream(scope, "delivery", {
    name: names.deliveryStream,
    roleName: names.firehoseRole,
    accountId,
    region,
    partition,
    bucketArn: storage.bucketArn,
    kmsKeyArn: storage.kmsKeyArn,
    layout,
    errorPrefix: ERROR_PREFIX,
    bufferSizeMBs: firehose.bufferSizeMBs,
    bufferIntervalSeconds: firehose.bufferIntervalSeconds,
    processor: {
      lambdaArn: transform.functionArn,
      bufferSizeMBs: firehose.processorBufferSizeMBs,
      bufferIntervalSeconds: firehose.processorBufferIntervalSeconds,
    },
    logRetentionDays,
    alarmTopicArns: storage.alarmTopicArns,
  });

  const destinations: Record<string, string> = {};
  for (const sourceRegion of env.central.destinationRegions) {
    const key = options.destinationKey?.(sourceRegion) ?? sourceRegion;
    const destination = new LogDestination(scope, `destination-${key}`, {
      provider: options.providerFor(sourceRegion),
      name: names.destination,
      roleName: names.destinationRole(sourceRegion),
      accountId,
      region: sourceRegion,
      partition,
      deliveryStreamArn: delivery.deliveryStreamArn,
      senders: env.senders,
    });
    destinations[key] = destination.destinationArn;
  }

  // Athena projects these values for the layout's optional keys; unknown/_unknown catch the rest.
  const partitionValues = {
    account_id: unique(env.workloads.map((w) => w.accountId)),
    // Every region a line can come from: the workloads', each destination's, and the home region's own clusters.
    region: unique([...env.workloads.flatMap((w) => w.regions.map((r) => r.region)), ...env.central.destinationRegions, region]),
    cluster: unique(env.workloads.flatMap((w) => w.regions.flatMap((r) => r.clusters))),
  };
  const glue = new Catalog(scope, "catalog", {
    namePrefix: env.central.namePrefix,
    accountId,
    region,
    partition,
    databaseName: catalog.databaseName,
    bucketName: storage.bucketName,
    bucketArn: storage.bucketArn,
    kmsKeyArn: storage.kmsKeyArn,
    layout,
    partitionValues,
    projectionStart: catalog.projectionStart,
    athena: {
      workgroupName: athena.workgroupName,
      bytesScannedCutoffPerQuery: athena.bytesScannedCutoffPerQuery,
      resultsExpireAfterDays: athena.resultsExpireAfterDays,
      analystRoleNames: athena.analystRoleNames,
    },
    ...(catalog.crawler.enabled
      ? { crawler: { enabled: true, roleName: names.crawlerRole, schedule: catalog.crawler.schedule } }
      : {}),
    ...(databrew.enabled ? { parquetTableName: names.parquetTable, parquetPrefix: PARQUET_PREFIX } : {}),
  });

  const analytics = databrew.enabled
    ? new Analytics(scope, "analytics", {
        namePrefix: env.central.namePrefix,
        accountId,
        region,
        partition,
        // The catalog's reference, so the database exists before the Parquet table.
        databaseName: glue.databaseName,
        parquetTableName: names.parquetTable,
        bucketName: storage.bucketName,
        bucketArn: storage.bucketArn,
        kmsKeyArn: storage.kmsKeyArn,
        layout,
        parquetPrefix: PARQUET_PREFIX,
        roleName: names.databrewRole,
        schedule: databrew.schedule,
        maxCapacity: databrew.maxCapacity,
        maxDeliveryDelaySeconds: deliveryDelaySeconds(env),
        projectionStart: catalog.projectionStart,
        logRetentionDays,
      })
    : undefined;

  const outputs: CentralOutput[] = [];
  const output = (name: string, value: unknown, description: string) => outputs.push({ name, value, description });
  output("storage_bucket_name", storage.bucketName, "The log bucket");
  output("storage_bucket_arn", storage.bucketArn, "The log bucket's ARN");
  output("storage_kms_key_arn", storage.kmsKeyArn, "The CMK of the bucket, queues, topic and log groups");
  output("storage_alarm_topic_arn", storage.alarmTopicArn, "SNS topic every alarm notifies");
  output(
    "storage_splunk_queue_urls",
    Object.fromEntries(Object.entries(storage.splunkQueues).map(([type, q]) => [type, q.queueUrl])),
    "SQS queue per log type for Splunk's SQS-based S3 input",
  );
  output("storage_splunk_reader_role_arn", storage.readerRoleArn ?? "", "Role Splunk assumes (empty without reader principals)");
  output("transform_function_name", transform.functionName, "The transform Lambda");
  output("forwarder_delivery_stream_arn", delivery.deliveryStreamArn, "The Firehose stream");
  output("forwarder_destination_arns", destinations, "CloudWatch Logs destination per source region");
  output("catalog_database_name", glue.databaseName, "Glue database");
  output("catalog_raw_table_name", glue.rawTableName, "Table over the delivered JSON (partition projection)");
  output("catalog_workgroup_name", glue.workgroupName, "Athena workgroup to query with");
  output("catalog_analyst_policy_arn", glue.analystPolicyArn, "Managed policy to attach to people and tools that query");
  output("catalog_named_query_ids", glue.namedQueryIds, "Athena named queries by name");
  output("analytics_parquet_table_name", analytics?.parquetTableName ?? "", "Parquet table (empty without DataBrew)");
  output("analytics_job_name", analytics?.jobName ?? "", "DataBrew job (empty without DataBrew)");
  return { outputs };
}

/** Where the transform's line counts go (CloudWatch namespace), one per deployment. */
export function metricsNamespace(namePrefix: string): string {
  return `EKSControlPlaneLogs/${namePrefix}`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
