/**
 * The Firehose delivery stream (Direct PUT) that turns CloudWatch Logs subscription records into
 * partitioned, gzip'd JSON lines in the log bucket: Lambda transform, dynamic partitioning on the
 * Lambda's partition keys plus arrival hour, error prefix, SSE with the CMK, error logging to an
 * encrypted log group, and alarms. Central account, home region.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { Construct } from "constructs";
import { firehoseErrorPrefix, firehosePrefix, type S3Layout } from "../../lambda-src/conventions";
import { addStreamAlarms } from "./alarms";
import { logGroupArn, regionalService, roleArn, servicePrincipal } from "../common/aws";
import { type KeyUsage, keyUsageThroughS3 } from "../common/kms";
import { LOG_RETENTION_DAYS, PATTERNS } from "../common/patterns";
import { known, type Rule } from "../common/validate";
import { checkIdentity, problemsOf } from "./validate";

/** Central account, home region. */
export interface DeliveryStreamProps {
  /** Stream name, e.g. `eks-logs-prod`: 1–64 of [a-zA-Z0-9_.-]. */
  readonly name: string;
  /** Name of the role Firehose assumes (the KMS key policy refers to it by this name). */
  readonly roleName: string;
  /** The central account. */
  readonly accountId: string;
  /** The stream's region (the bucket's and the key's). */
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** The log bucket. */
  readonly bucketArn: string;
  /** The CMK for the S3 objects, the stream's server-side encryption and the error log group. */
  readonly kmsKeyArn: string;
  /** Where delivered objects go: prefix `firehosePrefix(layout)`. */
  readonly layout: S3Layout;
  /** Error output root, without slashes (e.g. `errors`): prefix `firehoseErrorPrefix(errorPrefix)`. */
  readonly errorPrefix: string;
  /** S3 buffer size, 64–128 MB (dynamic partitioning needs at least 64). */
  readonly bufferSizeMBs: number;
  /** S3 buffer interval, 60–900 s (dynamic partitioning has no zero buffering). */
  readonly bufferIntervalSeconds: number;
  /** The transform Lambda and how much compressed input it gets per invocation (0.2–3 MB, 0–900 s). */
  readonly processor: { readonly lambdaArn: string; readonly bufferSizeMBs: number; readonly bufferIntervalSeconds: number };
  /** Retention of the error log group `/aws/kinesisfirehose/<name>`, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** Topics every alarm notifies (on ALARM and on OK). */
  readonly alarmTopicArns: readonly string[];
  /**
   * Alarm when the oldest record is older than this.
   * @default ceil(1.5 × bufferIntervalSeconds) + processor.bufferIntervalSeconds + 300: partitioned
   * delivery can take 1.5× the buffer interval, plus the Lambda's buffer, plus 5 minutes for retries.
   */
  readonly freshnessAlarmSeconds?: number;
  /** Times Firehose retries a failed Lambda invocation before the records go to the error prefix (0–300). @default 3 */
  readonly processorRetries?: number;
  /** Seconds Firehose retries a failed delivery to an S3 partition prefix (0–7200). @default 300 */
  readonly partitioningRetrySeconds?: number;
}

/** Firehose logs delivery errors to this stream of the error log group; it must exist beforehand. */
export const ERROR_LOG_STREAM = "DestinationDelivery";

/** The freshness threshold used when `freshnessAlarmSeconds` is not set. */
export function defaultFreshnessAlarmSeconds(props: Pick<DeliveryStreamProps, "bufferIntervalSeconds" | "processor">): number {
  return Math.ceil(1.5 * props.bufferIntervalSeconds) + props.processor.bufferIntervalSeconds + 300;
}

export class DeliveryStream extends Construct {
  /** The stream's ARN (a reference: things that need the stream to exist wait for it). */
  readonly deliveryStreamArn: string;
  readonly deliveryStreamName: string;
  /** The role Firehose assumes. */
  readonly roleArn: string;
  /** `/aws/kinesisfirehose/<name>`: exclude it from any account-level subscription policy. */
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: DeliveryStreamProps) {
    super(scope, id);
    validate(props);
    const arn = `arn:${props.partition}`;
    const { logGroupName } = deliveryStreamNames(props);
    const processorRetries = props.processorRetries ?? 3;
    const freshness = props.freshnessAlarmSeconds ?? defaultFreshnessAlarmSeconds(props);

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const logStream = new CloudwatchLogStream(this, "log-stream", { name: ERROR_LOG_STREAM, logGroupName: logGroup.name });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("firehose")] }],
          // AWS's Firehose guide: Firehose passes the account id as the external id when it assumes the role.
          condition: [{ test: "StringEquals", variable: "sts:ExternalId", values: [props.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Firehose ${props.name} writes to the log bucket`,
      assumeRolePolicy: trust.json,
    });

    // Only what Firehose uses under the two prefixes it writes
    // (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3).
    const objects = [`${props.bucketArn}/${props.layout.prefix}/*`, `${props.bucketArn}/${props.errorPrefix}/*`];
    const policy = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        {
          sid: "Bucket",
          actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
          resources: [props.bucketArn],
        },
        {
          sid: "Objects",
          actions: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
          resources: objects,
        },
        {
          sid: "ObjectKey",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [props.kmsKeyArn],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: [regionalService("s3", props.region, props.partition)] },
            // With an S3 Bucket Key the encryption context is the bucket ARN, without one the object ARN.
            { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [props.bucketArn, ...objects] },
          ],
        },
        {
          sid: "Transform",
          actions: ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
          resources: lambdaResources(props.processor.lambdaArn),
        },
        {
          sid: "ErrorLog",
          actions: ["logs:PutLogEvents"],
          resources: [`${arn}:logs:${props.region}:${props.accountId}:log-group:${logGroupName}:log-stream:${ERROR_LOG_STREAM}`],
        },
      ],
    });
    const rolePolicy = new IamRolePolicy(this, "policy", { name: "delivery", role: role.name, policy: policy.json });

    const stream = new KinesisFirehoseDeliveryStream(this, "stream", {
      name: props.name,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: props.kmsKeyArn },
      extendedS3Configuration: {
        roleArn: role.arn,
        bucketArn: props.bucketArn,
        prefix: firehosePrefix(props.layout),
        errorOutputPrefix: firehoseErrorPrefix(props.errorPrefix),
        bufferingSize: props.bufferSizeMBs,
        bufferingInterval: props.bufferIntervalSeconds,
        // CloudWatch Logs payloads arrive gzip'd; the Lambda returns plain JSON lines, so compress here.
        compressionFormat: "GZIP",
        fileExtension: ".json.gz",
        customTimeZone: "UTC",
        kmsKeyArn: props.kmsKeyArn,
        s3BackupMode: "Disabled",
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: props.partitioningRetrySeconds ?? 300 },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: "Lambda",
              parameters: [
                { parameterName: "LambdaArn", parameterValue: props.processor.lambdaArn },
                { parameterName: "BufferSizeInMBs", parameterValue: String(props.processor.bufferSizeMBs) },
                { parameterName: "BufferIntervalInSeconds", parameterValue: String(props.processor.bufferIntervalSeconds) },
                { parameterName: "NumberOfRetries", parameterValue: String(processorRetries) },
              ],
            },
          ],
        },
      },
      // Firehose checks the role when the stream is created: the policy must be attached first.
      dependsOn: [rolePolicy],
    });

    addStreamAlarms(this, { streamName: props.name, freshnessSeconds: freshness, topicArns: props.alarmTopicArns });

    this.deliveryStreamArn = stream.arn;
    this.deliveryStreamName = props.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroupName;
  }
}

/** The names and ARNs the delivery stream creates, as pure functions of its props. */
export function deliveryStreamNames(props: Pick<DeliveryStreamProps, "name" | "roleName" | "accountId" | "region" | "partition">) {
  const logGroupName = `/aws/kinesisfirehose/${props.name}`;
  return {
    deliveryStreamArn: `arn:${props.partition}:firehose:${props.region}:${props.accountId}:deliverystream/${props.name}`,
    roleArn: roleArn(props.partition, props.accountId, props.roleName),
    /** Firehose's error log group, encrypted with the bucket's key. */
    logGroupName,
    logGroupArn: logGroupArn(props.partition, props.region, props.accountId, logGroupName),
  };
}

/** What the stream's role needs of the bucket's key: write and read objects, through S3 only. */
export function deliveryStreamKeyUsage(props: Pick<DeliveryStreamProps, "roleName" | "accountId" | "region" | "partition">): KeyUsage {
  return keyUsageThroughS3("FirehoseWritesLogs", props, props.roleName, ["kms:GenerateDataKey", "kms:Decrypt"]);
}

/**
 * The function, and for an unqualified ARN also its qualified forms: Firehose may invoke
 * `<function>:$LATEST`. The wildcard stays inside this one function's versions and aliases.
 */
function lambdaResources(lambdaArn: string): string[] {
  const qualified = known(lambdaArn) && lambdaArn.split(":").length > 7;
  return qualified ? [lambdaArn] : [lambdaArn, `${lambdaArn}:*`];
}

const BUCKET_ARN: Rule = { pattern: /^arn:[\w-]+:s3:::[a-z0-9.-]{3,63}$/, rule: "must be an S3 bucket ARN" };
const KMS_KEY_ARN: Rule = { pattern: /^arn:[\w-]+:kms:[a-z0-9-]+:\d{12}:key\/.+$/, rule: "must be a KMS key ARN (Firehose SSE needs the key ARN, not an alias)" };
const LAMBDA_ARN: Rule = { pattern: /^arn:[\w-]+:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/, rule: "must be a Lambda function ARN" };

/** Firehose's own ranges (S3 destination BufferingHints, Lambda processor parameters), for DeliveryStreamProps. */
export const FIREHOSE_LIMITS = {
  /** SizeInMBs 1–128; dynamic partitioning needs at least 64. */
  bufferSizeMBs: { min: 64, max: 128 },
  /** IntervalInSeconds 0–900; dynamic partitioning has no zero buffering (60 is the floor used). */
  bufferIntervalSeconds: { min: 60, max: 900 },
  /** Lambda processor BufferSizeInMBs 0.2–3. */
  processorBufferSizeMBs: { min: 0.2, max: 3 },
  /** Lambda processor BufferIntervalInSeconds 0–900. */
  processorBufferIntervalSeconds: { min: 0, max: 900 },
} as const;

function validate(props: DeliveryStreamProps): void {
  const p = problemsOf("DeliveryStreamProps");
  checkIdentity(p, props);
  p.match("name", props.name, PATTERNS.deliveryStreamName);
  p.match("roleName", props.roleName, PATTERNS.iamRoleName);
  p.match("bucketArn", props.bucketArn, BUCKET_ARN);
  p.match("kmsKeyArn", props.kmsKeyArn, KMS_KEY_ARN);
  p.match("layout.prefix", props.layout.prefix, PATTERNS.keyPrefix);
  p.match("errorPrefix", props.errorPrefix, PATTERNS.keyPrefix);
  if (known(props.layout.prefix) && known(props.errorPrefix)) {
    const [a, b] = [props.layout.prefix, props.errorPrefix];
    p.check(
      "errorPrefix",
      b,
      () => a !== b && !a.startsWith(`${b}/`) && !b.startsWith(`${a}/`),
      `must not overlap layout.prefix ${JSON.stringify(a)} (failed records would reach the Splunk notifications and Athena tables)`,
    );
  }
  const L = FIREHOSE_LIMITS;
  p.range("bufferSizeMBs", props.bufferSizeMBs, L.bufferSizeMBs.min, L.bufferSizeMBs.max, "MB", { why: "dynamic partitioning needs at least 64" });
  p.range("bufferIntervalSeconds", props.bufferIntervalSeconds, L.bufferIntervalSeconds.min, L.bufferIntervalSeconds.max, "seconds", { why: "dynamic partitioning does not support zero buffering" });
  p.range("processor.bufferSizeMBs", props.processor.bufferSizeMBs, L.processorBufferSizeMBs.min, L.processorBufferSizeMBs.max, "MB", { integer: false, why: "Firehose's Lambda processor range" });
  p.range("processor.bufferIntervalSeconds", props.processor.bufferIntervalSeconds, L.processorBufferIntervalSeconds.min, L.processorBufferIntervalSeconds.max, "seconds");
  p.match("processor.lambdaArn", props.processor.lambdaArn, LAMBDA_ARN);
  p.oneOf("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS);
  p.range("freshnessAlarmSeconds", props.freshnessAlarmSeconds, 60, 86400, "seconds");
  p.range("processorRetries", props.processorRetries, 0, 300, "retries");
  p.range("partitioningRetrySeconds", props.partitioningRetrySeconds, 0, 7200, "seconds");
  p.throwIfAny();
}
