/**
 * The Firehose transform Lambda (lambda-src/, bundled by scripts/build-lambda.ts):
 * the function, its role, its log group, and alarms on errors, throttles and
 * duration near the timeout.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { logGroupArn, servicePrincipal } from "../common/aws";
import { validateTransformProps } from "./validate";
import { addSilenceAlarms, type SilenceProps } from "./silence";

export interface TransformProps {
  /** Function name, e.g. `eks-logs-prod-transform`. */
  readonly functionName: string;
  /** Execution role name (the KMS key policy and the Firehose role refer to it by this name). */
  readonly roleName: string;
  readonly accountId: string;
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** The deterministic zip from `npm run build:lambda` (dist/lambda.zip). */
  readonly bundlePath: string;
  /** 128–10240 MB. */
  readonly memorySizeMB: number;
  /** 1–300 s: Firehose waits at most 5 minutes for a transform. */
  readonly timeoutSeconds: number;
  /** Reserved concurrent executions. @default none (unreserved) */
  readonly reservedConcurrency?: number;
  /** Retention of the function's log group, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** The CMK that encrypts the function's log group. */
  readonly kmsKeyArn: string;
  /** The only stream the function may re-ingest oversized records into (PutRecordBatch). */
  readonly deliveryStreamArn: string;
  /**
   * Environment variables of the function (lambda-src/config.ts reads them; checked at synth).
   * @default none (no Node flags: `npm run bench` measured `--max-semi-space-size=64` slower on the default buffer)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Topics every alarm notifies. */
  readonly alarmTopicArns: readonly string[];
  /** Alarm when the slowest invocation in 5 minutes exceeds this share of the timeout. @default 0.8 */
  readonly durationAlarmRatio?: number;
  /** @default "arm64" (cheaper per GB-second) */
  readonly architecture?: "arm64" | "x86_64";
  /**
   * Count delivered lines per sender (METRICS_NAMESPACE, EXPECTED_SENDERS) and alarm on silence.
   * @default none (no line metrics)
   */
  readonly silence?: Omit<SilenceProps, "alarmTopicArns" | "namePrefix"> & { readonly expectedSenders?: readonly string[] };
}

const RUNTIME = "nodejs22.x";

/** The names and ARNs the transform creates, as pure functions of its props. */
export function transformNames(props: Pick<TransformProps, "functionName" | "accountId" | "region" | "partition">) {
  const logGroupName = `/aws/lambda/${props.functionName}`;
  return {
    functionArn: `arn:${props.partition}:lambda:${props.region}:${props.accountId}:function:${props.functionName}`,
    /** Created encrypted before the function, so Lambda never creates it itself. */
    logGroupName,
    logGroupArn: logGroupArn(props.partition, props.region, props.accountId, logGroupName),
  };
}

export class Transform extends Construct {
  readonly functionArn: string;
  readonly functionName: string;
  readonly roleArn: string;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: TransformProps) {
    super(scope, id);
    validateTransformProps(props);
    const silence = props.silence;
    const environment = {
      ...(silence ? { METRICS_NAMESPACE: silence.namespace } : {}),
      ...(silence?.expectedSenders && silence.expectedSenders.length > 0 ? { EXPECTED_SENDERS: silence.expectedSenders.join(",") } : {}),
      ...props.environment,
    };
    const { logGroupName, logGroupArn } = transformNames(props);

    // Created before the function, so Lambda never creates it unencrypted and without retention.
    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("lambda")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: trust.json });

    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "WriteOwnLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroupArn}:log-stream:*`],
        },
        {
          sid: "ReingestOversizedRecords",
          actions: ["firehose:PutRecordBatch"],
          resources: [props.deliveryStreamArn],
        },
      ],
    });
    new IamRolePolicy(this, "policy", { name: "transform", role: role.name, policy: permissions.json });

    const bundle = new TerraformAsset(this, "bundle", { path: props.bundlePath, type: AssetType.FILE });
    const fn = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: "Parses EKS control-plane logs from CloudWatch Logs for Firehose (lambda-src/)",
      role: role.arn,
      runtime: RUNTIME,
      architectures: [props.architecture ?? "arm64"],
      handler: "index.handler",
      filename: bundle.path,
      // Hash of the deterministic zip: unchanged code, quiet plan.
      sourceCodeHash: createHash("sha256").update(readFileSync(props.bundlePath)).digest("base64"),
      memorySize: props.memorySizeMB,
      timeout: props.timeoutSeconds,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      ...(Object.keys(environment).length > 0
        ? { environment: { variables: environment } }
        : {}),
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      dependsOn: [logGroup],
    });

    const alarm = (id: string, metricName: string, statistic: string, threshold: number, description: string) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${props.functionName}-${id}`,
        alarmDescription: description,
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: fn.functionName },
        statistic,
        period: 300,
        evaluationPeriods: 1,
        threshold,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [...props.alarmTopicArns],
        okActions: [...props.alarmTopicArns],
      });
    alarm(
      "errors",
      "Errors",
      "Sum",
      0,
      "The transform threw: Firehose retries the batch, then writes it to the error prefix.",
    );
    alarm(
      "throttles",
      "Throttles",
      "Sum",
      0,
      "The transform was throttled: Firehose retries, delivery slows; raise reserved concurrency.",
    );
    const ratio = props.durationAlarmRatio ?? 0.8;
    alarm(
      "duration",
      "Duration",
      "Maximum",
      Math.round(props.timeoutSeconds * 1000 * ratio),
      `An invocation took over ${Math.round(ratio * 100)}% of the ${props.timeoutSeconds} s timeout: raise memory or lower the processor buffer.`,
    );

    if (silence) {
      addSilenceAlarms(this, {
        ...silence,
        unexpectedSenders: silence.unexpectedSenders ?? (silence.expectedSenders ?? []).length > 0,
        namePrefix: props.functionName,
        alarmTopicArns: props.alarmTopicArns,
      });
    }

    this.functionArn = fn.arn;
    this.functionName = fn.functionName;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
  }
}

