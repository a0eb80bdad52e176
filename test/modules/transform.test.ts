import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Transform, type TransformProps } from "../../modules/transform";
import { awsProvider, find, policyStatements, ref, synth, type Json } from "../helpers/synth";

// test/global-setup.ts builds the real bundle before any test runs.
const BUNDLE = join(__dirname, "..", "..", "dist", "lambda.zip");
const STREAM_ARN = "arn:aws:firehose:eu-west-1:111111111111:deliverystream/eks-logs-test";

const props: TransformProps = {
  functionName: "eks-logs-test-transform",
  roleName: "eks-logs-test-transform",
  accountId: "111111111111",
  region: "eu-west-1",
  partition: "aws",
  bundlePath: BUNDLE,
  memorySizeMB: 1024,
  timeoutSeconds: 120,
  logRetentionDays: 30,
  kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/test",
  deliveryStreamArn: STREAM_ARN,
  environment: { AUDIT_OBJECT_MODE: "string" },
  alarmTopicArns: ["arn:aws:sns:eu-west-1:111111111111:eks-logs-test-alarms"],
};

function synthTransform(overrides: Partial<TransformProps> = {}): Json {
  return synth((scope) => {
    awsProvider(scope, "eu-west-1");
    new Transform(scope, "transform", { ...props, ...overrides });
  });
}

describe("transform module", () => {
  const json = synthTransform();
  const fn = find(json, "aws_lambda_function", "transform/function");

  it("deploys the bundled zip on Node.js 22 / arm64, with a hash of the zip so unchanged code plans quietly", () => {
    expect(fn).toMatchObject({
      function_name: "eks-logs-test-transform",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: 1024,
      timeout: 120,
      environment: { variables: { AUDIT_OBJECT_MODE: "string" } },
    });
    expect(fn.source_code_hash).toBe(createHash("sha256").update(readFileSync(BUNDLE)).digest("base64"));
    expect(fn.filename).toMatch(/^assets\/transform_bundle_[0-9A-F]{8}\/[0-9A-F]{32}\/lambda\.zip$/);
    expect(fn.reserved_concurrent_executions).toBeUndefined();
  });

  it("logs to its own KMS-encrypted log group with retention, created before the function", () => {
    const logGroup = find(json, "aws_cloudwatch_log_group", "transform/log-group");
    expect(logGroup).toEqual({
      name: "/aws/lambda/eks-logs-test-transform",
      retention_in_days: 30,
      kms_key_id: props.kmsKeyArn,
    });
    expect(fn.logging_config).toEqual({
      log_format: "JSON",
      log_group: ref(json, "aws_cloudwatch_log_group", "transform/log-group", "name"),
      application_log_level: "INFO",
      system_log_level: "WARN",
    });
    expect(fn.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.transform_log-group_/)]);
  });

  it("runs as a role only Lambda in this account may assume", () => {
    const role = find(json, "aws_iam_role", "transform/role");
    expect(role.name).toBe("eks-logs-test-transform");
    expect(policyStatements(json, role.assume_role_policy)).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] }],
      },
    ]);
  });

  it("may only write its own logs and re-ingest into the one delivery stream", () => {
    const policy = find(json, "aws_iam_role_policy", "transform/policy");
    expect(policyStatements(json, policy.policy)).toEqual([
      {
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/eks-logs-test-transform:log-stream:*"],
      },
      { sid: "ReingestOversizedRecords", actions: ["firehose:PutRecordBatch"], resources: [STREAM_ARN] },
    ]);
  });

  it.each([
    ["errors", "Errors", "Sum", 0],
    ["throttles", "Throttles", "Sum", 0],
    ["duration", "Duration", "Maximum", 96000],
  ])("alarms on %s to the alarm topic", (id, metric, statistic, threshold) => {
    const alarm = find(json, "aws_cloudwatch_metric_alarm", `transform/${id}`);
    expect(alarm).toMatchObject({
      alarm_name: `eks-logs-test-transform-${id}`,
      namespace: "AWS/Lambda",
      metric_name: metric,
      statistic,
      threshold,
      comparison_operator: "GreaterThanThreshold",
      dimensions: { FunctionName: ref(json, "aws_lambda_function", "transform/function", "function_name") },
      alarm_actions: props.alarmTopicArns,
      treat_missing_data: "notBreaching",
    });
  });

  it("reserves concurrency when asked", () => {
    const reserved = find(synthTransform({ reservedConcurrency: 20 }), "aws_lambda_function", "transform/function");
    expect(reserved.reserved_concurrent_executions).toBe(20);
  });

  it.each<[Partial<TransformProps>, string]>([
    [{ timeoutSeconds: 301 }, "transform: timeoutSeconds must be a whole number of 1–300 seconds (Firehose invokes transforms for at most 5 minutes), got 301"],
    [{ memorySizeMB: 64 }, "transform: memorySizeMB must be a whole number of 128–10,240 MB (Lambda MemorySize), got 64"],
    [{ durationAlarmRatio: 1.5 }, "transform: durationAlarmRatio must be greater than 0 and at most 1, got 1.5"],
    [{ bundlePath: "/nowhere/lambda.zip" }, 'transform: bundlePath must be the zip built by `npm run build:lambda`; it does not exist, got "/nowhere/lambda.zip"'],
  ])("rejects %j", (overrides, message) => {
    expect(() => synthTransform(overrides)).toThrow(message);
  });
});

describe("transform module settings", () => {
  it("checks the Lambda's settings at synth, with the Lambda's own rules", () => {
    expect(() =>
      synth((scope) => {
        awsProvider(scope, "eu-west-1");
        new Transform(scope, "transform", { ...props, environment: { REINGEST_MAX_HOPS: "99" } });
      }),
    ).toThrow('transform: environment.REINGEST_MAX_HOPS must be an integer from 0 to 10, got "99"');
  });
});
