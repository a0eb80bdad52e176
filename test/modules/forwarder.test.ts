import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { eksLogGroupName, firehoseErrorPrefix, firehosePrefix, regionOfSubscriptionFilters, type S3Layout } from "../../lambda-src/conventions";
import {
  DeliveryStream,
  type DeliveryStreamProps,
  LogDestination,
  type LogDestinationProps,
  Subscription,
  type SubscriptionProps,
} from "../../modules/forwarder";
import { awsProvider, blocks, find, type Json, ref, synth } from "../helpers/synth";

const CENTRAL = "111111111111";
const WORKLOAD = "222222222222";
const STREAM_ARN = `arn:aws:firehose:eu-west-1:${CENTRAL}:deliverystream/eks-logs-test`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BUCKET_ARN = "arn:aws:s3:::eks-logs-test-111111111111";
const LAMBDA_ARN = `arn:aws:lambda:eu-west-1:${CENTRAL}:function:eks-logs-test-transform`;
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${CENTRAL}:eks-logs-alarms`;
const DESTINATION_ARN = `arn:aws:logs:eu-west-1:${CENTRAL}:destination:eks-logs-test`;
const layout: S3Layout = { prefix: "eks-logs", extraPartitionKeys: ["account_id", "cluster"] };

function streamProps(overrides: Partial<DeliveryStreamProps> = {}): DeliveryStreamProps {
  return {
    name: "eks-logs-test",
    roleName: "eks-logs-test-firehose",
    accountId: CENTRAL,
    region: "eu-west-1",
    partition: "aws",
    bucketArn: BUCKET_ARN,
    kmsKeyArn: KEY_ARN,
    layout,
    errorPrefix: "errors",
    bufferSizeMBs: 64,
    bufferIntervalSeconds: 120,
    processor: { lambdaArn: LAMBDA_ARN, bufferSizeMBs: 1, bufferIntervalSeconds: 60 },
    logRetentionDays: 30,
    alarmTopicArns: [TOPIC_ARN],
    ...overrides,
  };
}

function destinationProps(scope: Construct, overrides: Partial<Omit<LogDestinationProps, "provider">> = {}): LogDestinationProps {
  return {
    provider: awsProvider(scope, "us-east-1", "us-east-1"),
    name: "eks-logs-test",
    roleName: "eks-logs-test-cwl-us-east-1",
    accountId: CENTRAL,
    region: "us-east-1",
    partition: "aws",
    deliveryStreamArn: STREAM_ARN,
    senders: { organizationId: "o-a1b2c3d4e5", accountIds: [WORKLOAD, "333333333333"] },
    ...overrides,
  };
}

function subscriptionProps(overrides: Partial<SubscriptionProps> = {}): SubscriptionProps {
  return {
    accountId: WORKLOAD,
    region: "eu-west-1",
    partition: "aws",
    clusters: ["prod-a", "prod-b"],
    filterName: "eks-logs-test",
    destinationArn: DESTINATION_ARN,
    ...overrides,
  };
}

const policyDoc = (json: Json, path: string) => find(json, "aws_iam_policy_document", path, "data").statement;

/** Every statement of the synth's aws_iam_policy_document data sources, as {actions, resources}. */
function allStatements(json: Json): { actions: string[]; resources: string[] }[] {
  const fromData = Object.values(blocks(json, "aws_iam_policy_document", "data")).flatMap((d) => d.statement as Json[]);
  return fromData.map((s) => ({ actions: s.actions ?? [], resources: s.resources ?? [] }));
}

describe("DeliveryStream", () => {
  const json = synth((scope) => new DeliveryStream(scope, "delivery", streamProps()));
  const stream = find(json, "aws_kinesis_firehose_delivery_stream", "delivery/stream");
  const s3 = stream.extended_s3_configuration;

  it("delivers Direct PUT records to the log bucket, prefixed by the conventions' layout", () => {
    expect(stream.name).toBe("eks-logs-test");
    expect(stream.destination).toBe("extended_s3");
    expect(stream.kinesis_source_configuration).toBeUndefined();
    expect(s3.bucket_arn).toBe(BUCKET_ARN);
    expect(s3.prefix).toBe(firehosePrefix(layout));
    expect(s3.prefix).toBe(
      "eks-logs/log_type=!{partitionKeyFromLambda:log_type}/account_id=!{partitionKeyFromLambda:account_id}/cluster=!{partitionKeyFromLambda:cluster}/dt=!{timestamp:yyyy-MM-dd-HH}/",
    );
    expect(s3.error_output_prefix).toBe(firehoseErrorPrefix("errors"));
    expect(s3.error_output_prefix).toContain("!{firehose:error-output-type}");
  });

  it("writes gzip'd .json.gz objects in UTC, buffered as configured, encrypted with the CMK", () => {
    expect(s3).toMatchObject({
      compression_format: "GZIP",
      file_extension: ".json.gz",
      custom_time_zone: "UTC",
      buffering_size: 64,
      buffering_interval: 120,
      kms_key_arn: KEY_ARN,
      s3_backup_mode: "Disabled",
    });
    expect(stream.server_side_encryption).toEqual({ enabled: true, key_type: "CUSTOMER_MANAGED_CMK", key_arn: KEY_ARN });
  });

  it("partitions dynamically on the Lambda's keys, transformed by the Lambda with its buffer hints and retries", () => {
    expect(s3.dynamic_partitioning_configuration).toEqual({ enabled: true, retry_duration: 300 });
    expect(s3.processing_configuration).toEqual({
      enabled: true,
      processors: [
        {
          type: "Lambda",
          parameters: [
            { parameter_name: "LambdaArn", parameter_value: LAMBDA_ARN },
            { parameter_name: "BufferSizeInMBs", parameter_value: "1" },
            { parameter_name: "BufferIntervalInSeconds", parameter_value: "60" },
            { parameter_name: "NumberOfRetries", parameter_value: "3" },
          ],
        },
      ],
    });
  });

  it("logs delivery errors to its own KMS-encrypted log group with retention, through the role it creates first", () => {
    expect(find(json, "aws_cloudwatch_log_group", "delivery/log-group")).toEqual({
      name: "/aws/kinesisfirehose/eks-logs-test",
      retention_in_days: 30,
      kms_key_id: KEY_ARN,
    });
    expect(find(json, "aws_cloudwatch_log_stream", "delivery/log-stream").name).toBe("DestinationDelivery");
    expect(s3.cloudwatch_logging_options).toEqual({
      enabled: true,
      log_group_name: ref(json, "aws_cloudwatch_log_group", "delivery/log-group", "name"),
      log_stream_name: ref(json, "aws_cloudwatch_log_stream", "delivery/log-stream", "name"),
    });
    expect(s3.role_arn).toBe(ref(json, "aws_iam_role", "delivery/role", "arn"));
    expect(stream.depends_on).toHaveLength(1);
    expect(stream.depends_on[0]).toMatch(/^aws_iam_role_policy\.delivery_policy_[0-9A-F]{8}$/);
  });

  it("lets only Firehose assume its role, on behalf of this account", () => {
    const role = find(json, "aws_iam_role", "delivery/role");
    expect(role.name).toBe("eks-logs-test-firehose");
    expect(role.assume_role_policy).toBe(ref(json, "aws_iam_policy_document", "delivery/trust", "json", "data"));
    expect(policyDoc(json, "delivery/trust")).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["firehose.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "sts:ExternalId", values: [CENTRAL] },
        ],
      },
    ]);
  });

  it("grants exactly the S3, KMS (via S3, with the S3 encryption context), Lambda and log-stream access Firehose uses", () => {
    expect(find(json, "aws_iam_role_policy", "delivery/policy").policy).toBe(ref(json, "aws_iam_policy_document", "delivery/policy-document", "json", "data"));
    const objects = [`${BUCKET_ARN}/eks-logs/*`, `${BUCKET_ARN}/errors/*`];
    expect(policyDoc(json, "delivery/policy-document")).toEqual([
      { sid: "Bucket", actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], resources: [BUCKET_ARN] },
      { sid: "Objects", actions: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], resources: objects },
      {
        sid: "ObjectKey",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [KEY_ARN],
        condition: [
          { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] },
          { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [BUCKET_ARN, ...objects] },
        ],
      },
      { sid: "Transform", actions: ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"], resources: [LAMBDA_ARN, `${LAMBDA_ARN}:*`] },
      {
        sid: "ErrorLog",
        actions: ["logs:PutLogEvents"],
        resources: [`arn:aws:logs:eu-west-1:${CENTRAL}:log-group:/aws/kinesisfirehose/eks-logs-test:log-stream:DestinationDelivery`],
      },
    ]);
  });

  it("grants a qualified Lambda ARN exactly, without the versions wildcard", () => {
    const qualified = synth((scope) => new DeliveryStream(scope, "delivery", streamProps({ processor: { lambdaArn: `${LAMBDA_ARN}:live`, bufferSizeMBs: 3, bufferIntervalSeconds: 0 } })));
    const transform = policyDoc(qualified, "delivery/policy-document").find((s: Json) => s.sid === "Transform");
    expect(transform.resources).toEqual([`${LAMBDA_ARN}:live`]);
  });

  it("has no '*' action and no resource wildcard but the object prefixes and the function's qualifiers", () => {
    for (const statement of allStatements(json)) {
      expect(statement.actions.some((a) => a.includes("*"))).toBe(false);
      for (const resource of statement.resources.filter((r) => r.includes("*"))) {
        expect([`${BUCKET_ARN}/eks-logs/*`, `${BUCKET_ARN}/errors/*`, `${LAMBDA_ARN}:*`]).toContain(resource);
      }
    }
  });

  describe("alarms", () => {
    const alarms = blocks(json, "aws_cloudwatch_metric_alarm");
    const byName = (name: string) => Object.values(alarms).find((a) => a.alarm_name === name)!;
    const common = {
      namespace: "AWS/Firehose",
      dimensions: { DeliveryStreamName: "eks-logs-test" },
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC_ARN],
      ok_actions: [TOPIC_ARN],
    };

    it.each([
      // name, metric, statistic, comparison, threshold, period, evaluation periods, datapoints
      ["freshness", "DeliveryToS3.DataFreshness", "Maximum", "GreaterThanThreshold", 540, 300, 1, 1],
      ["processing", "ExecuteProcessing.Success", "Average", "LessThanThreshold", 0.99, 300, 3, 2],
      ["delivery", "DeliveryToS3.Success", "Average", "LessThanThreshold", 0.99, 300, 3, 2],
      ["partitions", "PartitionCountExceeded", "Maximum", "GreaterThanOrEqualToThreshold", 1, 300, 1, 1],
      ["throttling", "ThrottledRecords", "Sum", "GreaterThanThreshold", 0, 300, 1, 1],
    ] as const)("%s: %s %s %s %s", (name, metric, statistic, comparison, threshold, period, evaluations, datapoints) => {
      expect(byName(`eks-logs-test-${name}`)).toMatchObject({
        ...common,
        metric_name: metric,
        statistic,
        comparison_operator: comparison,
        threshold,
        period,
        evaluation_periods: evaluations,
        datapoints_to_alarm: datapoints,
      });
    });

    it("has exactly these five", () => {
      expect(Object.values(alarms).map((a) => a.alarm_name).sort()).toEqual(
        ["delivery", "freshness", "partitions", "processing", "throttling"].map((n) => `eks-logs-test-${n}`),
      );
    });

    it("derives freshness from the buffers (1.5 × 120 + 60 + 300 = 540 s) unless told", () => {
      const told = synth((scope) => new DeliveryStream(scope, "delivery", streamProps({ freshnessAlarmSeconds: 1200 })));
      const freshness = Object.values(blocks(told, "aws_cloudwatch_metric_alarm")).find((a) => a.alarm_name === "eks-logs-test-freshness")!;
      expect(freshness.threshold).toBe(1200);
    });
  });

  describe("validation", () => {
    const build = (overrides: Partial<DeliveryStreamProps>) => () => synth((scope) => new DeliveryStream(scope, "delivery", streamProps(overrides)));

    it.each<[string, Partial<DeliveryStreamProps>, string]>([
      ["buffer below 64 MB", { bufferSizeMBs: 32 }, "forwarder: DeliveryStreamProps.bufferSizeMBs must be a whole number of 64–128 MB (dynamic partitioning needs at least 64), got 32"],
      ["buffer above 128 MB", { bufferSizeMBs: 256 }, "forwarder: DeliveryStreamProps.bufferSizeMBs must be a whole number of 64–128 MB (dynamic partitioning needs at least 64), got 256"],
      ["zero buffering", { bufferIntervalSeconds: 0 }, "forwarder: DeliveryStreamProps.bufferIntervalSeconds must be a whole number of 60–900 seconds (dynamic partitioning does not support zero buffering), got 0"],
      ["interval above 900 s", { bufferIntervalSeconds: 1000 }, "forwarder: DeliveryStreamProps.bufferIntervalSeconds must be a whole number of 60–900 seconds (dynamic partitioning does not support zero buffering), got 1000"],
      [
        "processor buffer above 3 MB",
        { processor: { lambdaArn: LAMBDA_ARN, bufferSizeMBs: 5, bufferIntervalSeconds: 60 } },
        "forwarder: DeliveryStreamProps.processor.bufferSizeMBs must be 0.2–3 MB (Firehose's Lambda processor range), got 5",
      ],
      [
        "processor interval above 900 s",
        { processor: { lambdaArn: LAMBDA_ARN, bufferSizeMBs: 1, bufferIntervalSeconds: 901 } },
        "forwarder: DeliveryStreamProps.processor.bufferIntervalSeconds must be a whole number of 0–900 seconds, got 901",
      ],
      ["a stream name with a space", { name: "eks logs" }, `forwarder: DeliveryStreamProps.name must be 1–64 characters of letters, digits, '_', '.' or '-' (Firehose stream name), got "eks logs"`],
      ["a key alias", { kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:alias/logs" }, 'forwarder: DeliveryStreamProps.kmsKeyArn must be a KMS key ARN (Firehose SSE needs the key ARN, not an alias), got "arn:aws:kms:eu-west-1:111111111111:alias/logs"'],
      ["an error prefix inside the data prefix", { errorPrefix: "eks-logs/errors" }, 'forwarder: DeliveryStreamProps.errorPrefix must not overlap layout.prefix "eks-logs" (failed records would reach the Splunk notifications and Athena tables), got "eks-logs/errors"'],
      ["a prefix with a trailing slash", { layout: { prefix: "eks-logs/", extraPartitionKeys: [] } }, 'forwarder: DeliveryStreamProps.layout.prefix must be S3 key segments separated by / (no leading or trailing /), got "eks-logs/"'],
      ["a short account id", { accountId: "1111" }, 'forwarder: DeliveryStreamProps.accountId must be a 12-digit AWS account id, got "1111"'],
      ["an unknown partition", { partition: "aws-iso" }, 'forwarder: DeliveryStreamProps.partition must be one of aws, aws-cn, aws-us-gov, got "aws-iso"'],
    ])("refuses %s", (_case, overrides, message) => {
      expect(build(overrides)).toThrow(message);
    });

    it("skips values that are Terraform references", () => {
      expect(() =>
        synth((scope) => {
          const bucket = new TerraformVariable(scope, "bucket", { type: "string" }).stringValue;
          const size = new TerraformVariable(scope, "size", { type: "number" }).numberValue;
          new DeliveryStream(scope, "delivery", streamProps({ bucketArn: bucket, bufferSizeMBs: size }));
        }),
      ).not.toThrow();
    });
  });
});

describe("LogDestination", () => {
  const json = synth((scope) => new LogDestination(scope, "destination", destinationProps(scope)));

  it("points a destination at the stream through its role, with the region's provider", () => {
    const destination = find(json, "aws_cloudwatch_log_destination", "destination/destination");
    expect(destination).toMatchObject({
      name: "eks-logs-test",
      target_arn: STREAM_ARN,
      role_arn: ref(json, "aws_iam_role", "destination/role", "arn"),
      provider: "aws.us-east-1",
    });
    for (const type of ["aws_iam_role", "aws_iam_role_policy", "aws_cloudwatch_log_destination_policy"]) {
      for (const block of Object.values(blocks(json, type))) expect(block.provider).toBe("aws.us-east-1");
    }
  });

  it("admits the organisation with aws:PrincipalOrgID, to subscribe filters and account policies", () => {
    const policy = find(json, "aws_cloudwatch_log_destination_policy", "destination/policy-attachment");
    expect(policy.destination_name).toBe(ref(json, "aws_cloudwatch_log_destination", "destination/destination", "name"));
    expect(policy.force_update).toBe(true);
    expect(JSON.parse(policy.access_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OrganizationSubscribes",
          Effect: "Allow",
          Principal: "*",
          Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
          Resource: "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-test",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        },
      ],
    });
  });

  it("narrows the organisation to OU paths with aws:PrincipalOrgPaths, and refuses paths of another organisation", () => {
    const paths = ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/"];
    const narrowed = synth((scope) =>
      new LogDestination(scope, "destination", destinationProps(scope, { senders: { organizationId: "o-a1b2c3d4e5", accountIds: [], organizationalUnitPaths: paths } })),
    );
    const policy = JSON.parse(find(narrowed, "aws_cloudwatch_log_destination_policy", "destination/policy-attachment").access_policy);
    expect(policy.Statement[0].Condition).toEqual({
      StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
      "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": paths },
    });
    expect(() =>
      synth((scope) =>
        new LogDestination(scope, "destination", destinationProps(scope, { senders: { organizationId: "o-a1b2c3d4e5", accountIds: [], organizationalUnitPaths: ["o-zzzzzzzzzz/r-ab12/*", "ou-ab12-1"] } })),
      ),
    ).toThrow(
      [
        'forwarder: LogDestinationProps.senders.organizationalUnitPaths[0] must be a path in o-a1b2c3d4e5 (start with o-a1b2c3d4e5/), got "o-zzzzzzzzzz/r-ab12/*"',
        `forwarder: LogDestinationProps.senders.organizationalUnitPaths[1] ${"must be an AWS Organizations path such as o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (end with * to include the OUs below it)"}, got "ou-ab12-1"`,
        'forwarder: LogDestinationProps.senders.organizationalUnitPaths[1] must be a path in o-a1b2c3d4e5 (start with o-a1b2c3d4e5/), got "ou-ab12-1"',
      ].join("\n"),
    );
  });

  it("lists the accounts when there is no organisation", () => {
    const listed = synth((scope) => new LogDestination(scope, "destination", destinationProps(scope, { senders: { accountIds: [WORKLOAD, "333333333333"] } })));
    const policy = JSON.parse(find(listed, "aws_cloudwatch_log_destination_policy", "destination/policy-attachment").access_policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "AccountsSubscribe",
        Effect: "Allow",
        Principal: { AWS: [WORKLOAD, "333333333333"] },
        Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
        Resource: "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-test",
      },
    ]);
  });

  it("lets CloudWatch Logs assume its role only on behalf of this account and the senders, in this region", () => {
    const role = find(json, "aws_iam_role", "destination/role");
    expect(role.name).toBe("eks-logs-test-cwl-us-east-1");
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringLike: {
              "aws:SourceArn": ["arn:aws:logs:us-east-1:111111111111:*", "arn:aws:logs:us-east-1:222222222222:*", "arn:aws:logs:us-east-1:333333333333:*"],
            },
          },
        },
      ],
    });
  });

  it("trusts any sender of the region when the organisation is given without an account list", () => {
    const org = synth((scope) => new LogDestination(scope, "destination", destinationProps(scope, { senders: { organizationId: "o-a1b2c3d4e5", accountIds: [] } })));
    const trust = JSON.parse(find(org, "aws_iam_role", "destination/role").assume_role_policy);
    expect(trust.Statement[0].Condition).toEqual({ StringLike: { "aws:SourceArn": ["arn:aws:logs:us-east-1:*:*"] } });
  });

  it("allows its role only firehose:PutRecord and PutRecordBatch on the one stream", () => {
    expect(policyDoc(json, "destination/policy-document")).toEqual([{ sid: "Stream", actions: ["firehose:PutRecord", "firehose:PutRecordBatch"], resources: [STREAM_ARN] }]);
    expect(find(json, "aws_iam_role_policy", "destination/policy").role).toBe(ref(json, "aws_iam_role", "destination/role", "name"));
  });

  it("creates the destination after the role may write (CloudWatch Logs sends a test message)", () => {
    const destination = find(json, "aws_cloudwatch_log_destination", "destination/destination");
    expect(destination.depends_on).toHaveLength(1);
    expect(destination.depends_on[0]).toMatch(/^aws_iam_role_policy\.destination_policy_[0-9A-F]{8}$/);
  });

  describe("validation", () => {
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(200000000000 + i));
    const build = (overrides: Partial<Omit<LogDestinationProps, "provider">>) => () =>
      synth((scope) => new LogDestination(scope, "destination", destinationProps(scope, overrides)));

    it("refuses a destination policy over 5,120 bytes", () => {
      expect(build({ region: "eu-west-1", senders: { accountIds: accounts(330) } })).toThrow(
        "forwarder: LogDestinationProps.senders.accountIds make a destination policy of 5,194 bytes in eu-west-1, over the 5,120-byte limit of CloudWatch Logs destination policies; list fewer accounts or set senders.organizationId, got 330",
      );
    });

    it("fits an organisation policy whatever the number of accounts", () => {
      expect(build({ senders: { organizationId: "o-a1b2c3d4e5", accountIds: [] } })).not.toThrow();
    });

    it("refuses a trust policy over IAM's 2,048 characters", () => {
      expect(build({ senders: { organizationId: "o-a1b2c3d4e5", accountIds: accounts(46) } })).toThrow(
        "forwarder: LogDestinationProps.senders.accountIds make the trust policy of role eks-logs-test-cwl-us-east-1 (us-east-1) 2,055 characters, over IAM's default 2,048-character limit for role trust policies; list fewer accounts, or admit the organisation instead (senders.organizationId with no account list: the role then trusts any account of the region, and the destination policy's aws:PrincipalOrgID decides who may subscribe), got 46",
      );
    });

    it.each<[string, Partial<LogDestinationProps>, string]>([
      ["no senders", { senders: { accountIds: [] } }, 'forwarder: LogDestinationProps.senders must name an organizationId or at least one account id, got {"accountIds":[]}'],
      ["a bad organisation id", { senders: { organizationId: "org-1", accountIds: [] } }, 'forwarder: LogDestinationProps.senders.organizationId must be an AWS Organizations id (o-<10–32 lowercase letters or digits>), got "org-1"'],
      ["a bad sender", { senders: { accountIds: ["12345"] } }, 'forwarder: LogDestinationProps.senders.accountIds[0] must be a 12-digit AWS account id, got "12345"'],
      ["a repeated sender", { senders: { accountIds: [WORKLOAD, WORKLOAD] } }, 'forwarder: LogDestinationProps.senders.accountIds[1] must not repeat an account, got "222222222222"'],
      [
        "a stream of another account",
        { deliveryStreamArn: "arn:aws:firehose:eu-west-1:999999999999:deliverystream/x" },
        'forwarder: LogDestinationProps.deliveryStreamArn must be a Firehose stream of account 111111111111, got "arn:aws:firehose:eu-west-1:999999999999:deliverystream/x"',
      ],
      ["a name with a colon", { name: "eks:logs" }, `forwarder: LogDestinationProps.name must be 1–512 characters without ':' or '*', got "eks:logs"`],
    ])("refuses %s", (_case, overrides, message) => {
      expect(build(overrides)).toThrow(message);
    });
  });
});

describe("Subscription", () => {
  describe("cross-account, destination policy by account list", () => {
    let sub!: Subscription;
    const json = synth((scope) => {
      sub = new Subscription(scope, "subscription", subscriptionProps());
    });

    it("subscribes each cluster's log group to the region's destination, named <name>@<region>", () => {
      for (const cluster of ["prod-a", "prod-b"]) {
        expect(find(json, "aws_cloudwatch_log_subscription_filter", `subscription/filter-${cluster}`)).toEqual({
          name: "eks-logs-test@eu-west-1",
          log_group_name: eksLogGroupName(cluster),
          destination_arn: DESTINATION_ARN,
          filter_pattern: "",
        });
      }
      expect(sub.filterNames).toEqual(["eks-logs-test@eu-west-1", "eks-logs-test@eu-west-1"]);
      expect(regionOfSubscriptionFilters(sub.filterNames)).toBe("eu-west-1");
    });

    it("needs no role", () => {
      expect(blocks(json, "aws_iam_role")).toEqual({});
      expect(sub.roleArn).toBeUndefined();
      expect(blocks(json, "aws_cloudwatch_log_account_policy")).toEqual({});
    });
  });

  describe("cross-account, organisation-wide destination policy", () => {
    let sub!: Subscription;
    const json = synth((scope) => {
      sub = new Subscription(scope, "subscription", subscriptionProps({ requireRoleArn: true, roleName: "eks-logs-sender", filterPattern: "{ $.verb = * }" }));
    });

    it("passes its role on every filter", () => {
      const roleArn = ref(json, "aws_iam_role", "subscription/role", "arn");
      for (const cluster of ["prod-a", "prod-b"]) {
        const filter = find(json, "aws_cloudwatch_log_subscription_filter", `subscription/filter-${cluster}`);
        expect(filter.role_arn).toBe(roleArn);
        expect(filter.filter_pattern).toBe("{ $.verb = * }");
      }
      expect(sub.roleArn).toEqual(expect.any(String));
    });

    it("has a role CloudWatch Logs assumes for this account and region, allowed PutLogEvents on the subscribed log groups", () => {
      expect(find(json, "aws_iam_role", "subscription/role").name).toBe("eks-logs-sender");
      expect(policyDoc(json, "subscription/trust")).toEqual([
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
          condition: [{ test: "StringLike", variable: "aws:SourceArn", values: [`arn:aws:logs:eu-west-1:${WORKLOAD}:*`] }],
        },
      ]);
      expect(policyDoc(json, "subscription/policy-document")).toEqual([
        {
          sid: "SubscribedLogGroups",
          actions: ["logs:PutLogEvents"],
          resources: [`arn:aws:logs:eu-west-1:${WORKLOAD}:log-group:/aws/eks/prod-a/cluster:*`, `arn:aws:logs:eu-west-1:${WORKLOAD}:log-group:/aws/eks/prod-b/cluster:*`],
        },
      ]);
    });

    it("names its role <filterName>-cwl-<region> by default", () => {
      const defaulted = synth((scope) => new Subscription(scope, "subscription", subscriptionProps({ requireRoleArn: true })));
      expect(find(defaulted, "aws_iam_role", "subscription/role").name).toBe("eks-logs-test-cwl-eu-west-1");
    });
  });

  describe("same account as the stream", () => {
    const props = subscriptionProps({ accountId: CENTRAL, clusters: ["central-a"], destinationArn: undefined, deliveryStreamArn: STREAM_ARN });
    const json = synth((scope) => new Subscription(scope, "subscription", props));

    it("subscribes straight to the stream, through a role", () => {
      expect(find(json, "aws_cloudwatch_log_subscription_filter", "subscription/filter-central-a")).toEqual({
        name: "eks-logs-test@eu-west-1",
        log_group_name: "/aws/eks/central-a/cluster",
        destination_arn: STREAM_ARN,
        filter_pattern: "",
        role_arn: ref(json, "aws_iam_role", "subscription/role", "arn"),
      });
    });

    it("allows that role only firehose:PutRecord and PutRecordBatch on the stream", () => {
      expect(policyDoc(json, "subscription/policy-document")).toEqual([{ sid: "Stream", actions: ["firehose:PutRecord", "firehose:PutRecordBatch"], resources: [STREAM_ARN] }]);
      expect(policyDoc(json, "subscription/trust")[0].condition).toEqual([
        { test: "StringLike", variable: "aws:SourceArn", values: [`arn:aws:logs:eu-west-1:${CENTRAL}:*`] },
      ]);
    });
  });

  describe("account-level subscription policy", () => {
    const pipeline = ["/aws/kinesisfirehose/eks-logs-test", "/aws/lambda/eks-logs-test-transform"];

    it("subscribes every other log group to the destination, excluding ours and the clusters that have filters", () => {
      const json = synth((scope) => new Subscription(scope, "subscription", subscriptionProps({ accountPolicy: { enabled: true, excludeLogGroupNames: ["/aws/lambda/audit"] } })));
      const policy = find(json, "aws_cloudwatch_log_account_policy", "subscription/account-policy");
      expect(policy).toMatchObject({
        policy_name: "eks-logs-test@eu-west-1",
        policy_type: "SUBSCRIPTION_FILTER_POLICY",
        scope: "ALL",
        selection_criteria: 'LogGroupName NOT IN ["/aws/lambda/audit", "/aws/eks/prod-a/cluster", "/aws/eks/prod-b/cluster"]',
      });
      expect(JSON.parse(policy.policy_document)).toEqual({ DestinationArn: DESTINATION_ARN, FilterPattern: "" });
    });

    it("passes the role and grants it every log group when the organisation policy needs one", () => {
      const json = synth((scope) =>
        new Subscription(scope, "subscription", subscriptionProps({ clusters: [], requireRoleArn: true, accountPolicy: { enabled: true, excludeLogGroupNames: [] } })),
      );
      const roleArn = ref(json, "aws_iam_role", "subscription/role", "arn");
      const policy = find(json, "aws_cloudwatch_log_account_policy", "subscription/account-policy");
      expect(JSON.parse(policy.policy_document)).toEqual({ DestinationArn: DESTINATION_ARN, FilterPattern: "", RoleArn: roleArn });
      expect(policy.selection_criteria).toBe("LogGroupName NOT IN []");
      expect(policyDoc(json, "subscription/policy-document")[0].resources).toEqual([`arn:aws:logs:eu-west-1:${WORKLOAD}:log-group:*:*`]);
    });

    it("in the same account, sends to the stream with the role and excludes the pipeline's own log groups", () => {
      const json = synth((scope) =>
        new Subscription(
          scope,
          "subscription",
          subscriptionProps({ accountId: CENTRAL, clusters: ["central-a"], destinationArn: undefined, deliveryStreamArn: STREAM_ARN, accountPolicy: { enabled: true, excludeLogGroupNames: pipeline } }),
        ),
      );
      const policy = find(json, "aws_cloudwatch_log_account_policy", "subscription/account-policy");
      expect(JSON.parse(policy.policy_document)).toEqual({ DestinationArn: STREAM_ARN, FilterPattern: "", RoleArn: ref(json, "aws_iam_role", "subscription/role", "arn") });
      expect(policy.selection_criteria).toBe('LogGroupName NOT IN ["/aws/kinesisfirehose/eks-logs-test", "/aws/lambda/eks-logs-test-transform", "/aws/eks/central-a/cluster"]');
    });
  });

  describe("validation", () => {
    const build = (overrides: Partial<SubscriptionProps>) => () => synth((scope) => new Subscription(scope, "subscription", subscriptionProps(overrides)));
    const sameAccount = { accountId: CENTRAL, destinationArn: undefined, deliveryStreamArn: STREAM_ARN };

    it.each<[string, Partial<SubscriptionProps>, string]>([
      [
        "both targets",
        { deliveryStreamArn: STREAM_ARN },
        `forwarder: SubscriptionProps.destinationArn must be set, or else deliveryStreamArn, not both (destinationArn cross-account, deliveryStreamArn in the same account), got {"destinationArn":"${DESTINATION_ARN}","deliveryStreamArn":"${STREAM_ARN}"}`,
      ],
      ["no target", { destinationArn: undefined }, "forwarder: SubscriptionProps.destinationArn must be set, or else deliveryStreamArn, not both (destinationArn cross-account, deliveryStreamArn in the same account), got {}"],
      ["a filter name with @", { filterName: "eks@logs" }, 'forwarder: SubscriptionProps.filterName must not contain "@" (it separates the region), got "eks@logs"'],
      [
        "a destination in another region",
        { destinationArn: "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-test" },
        'forwarder: SubscriptionProps.destinationArn must be in the log groups\' region eu-west-1 (a destination must be in its senders\' region), got "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-test"',
      ],
      [
        "a destination in the same account",
        { accountId: CENTRAL },
        `forwarder: SubscriptionProps.destinationArn must belong to another account than 111111111111 (destinations are cross-account only; use deliveryStreamArn), got "${DESTINATION_ARN}"`,
      ],
      [
        "a stream in another account",
        { destinationArn: undefined, deliveryStreamArn: STREAM_ARN },
        `forwarder: SubscriptionProps.deliveryStreamArn must be a Firehose stream of account 222222222222 (a subscription filter delivers straight to a stream only in its own account), got "${STREAM_ARN}"`,
      ],
      [
        "requireRoleArn with a stream",
        { ...sameAccount, requireRoleArn: true },
        "forwarder: SubscriptionProps.requireRoleArn applies to destinationArn only (same-account delivery always uses a role), got true",
      ],
      ["a repeated cluster", { clusters: ["prod-a", "prod-a"] }, 'forwarder: SubscriptionProps.clusters[1] must not repeat a cluster (one filter of ours per log group), got "prod-a"'],
      ["a bad cluster name", { clusters: ["-prod"] }, 'forwarder: SubscriptionProps.clusters[0] must be an EKS cluster name ([0-9A-Za-z][A-Za-z0-9_-]*, at most 100), got "-prod"'],
      ["no cluster and no account policy", { clusters: [] }, "forwarder: SubscriptionProps.clusters must name at least one cluster unless accountPolicy is enabled, got []"],
      [
        "a same-account account policy that would loop",
        { ...sameAccount, accountPolicy: { enabled: true, excludeLogGroupNames: ["/aws/lambda/eks-logs-test-transform"] } },
        'forwarder: SubscriptionProps.accountPolicy.excludeLogGroupNames must name the stream\'s error log group (/aws/kinesisfirehose/<stream>) and the transform\'s (/aws/lambda/<function>) in the same-account case, or the policy subscribes them and loops, got ["/aws/lambda/eks-logs-test-transform"]',
      ],
      [
        "a default role name over 64 characters",
        { filterName: "a-very-long-subscription-filter-name-for-eks-control-plane", requireRoleArn: true },
        'forwarder: SubscriptionProps.roleName must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN; the default is <filterName>-cwl-<region>, got "a-very-long-subscription-filter-name-for-eks-control-plane-cwl-eu-west-1"',
      ],
    ])("refuses %s", (_case, overrides, message) => {
      expect(build(overrides)).toThrow(message);
    });

    it("refuses exclusions over the 25 KB selection-criteria limit", () => {
      const many = Array.from({ length: 300 }, (_, i) => `/aws/lambda/${"x".repeat(80)}-${i}`);
      expect(build({ accountPolicy: { enabled: true, excludeLogGroupNames: many } })).toThrow(
        /^forwarder: SubscriptionProps\.accountPolicy\.excludeLogGroupNames make a selection criteria of 29,\d{3} bytes, over the 25 KB limit of PutAccountPolicy; exclude fewer log groups, got 300$/,
      );
    });
  });
});
