import { ALL_LOG_TYPES, type S3Layout } from "../../lambda-src/conventions";
import { Analytics, type AnalyticsProps } from "../../modules/analytics";
import { RECIPE_STEPS, parquetDataColumns } from "../../modules/analytics/recipe";
import { parseCadence } from "../../modules/analytics/schedule";
import { cfnSpecProblems } from "../helpers/cfn-spec";
import { find, policyStatements, ref, synth, type Json } from "../helpers/synth";

const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET = "eks-logs-test-111111111111-eu-west-1";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

function props(overrides: Partial<AnalyticsProps> = {}): AnalyticsProps {
  return {
    namePrefix: "eks-logs-test",
    accountId: "111111111111",
    region: "eu-west-1",
    partition: "aws",
    databaseName: "eks_logs_test",
    parquetTableName: "parquet_logs",
    bucketName: BUCKET,
    bucketArn: BUCKET_ARN,
    kmsKeyArn: KEY,
    layout: { prefix: "raw", extraPartitionKeys: [] },
    parquetPrefix: "parquet",
    roleName: "eks-logs-test-databrew",
    schedule: "cron(15 * * * ? *)",
    ...overrides,
  };
}

function synthAnalytics(overrides: Partial<AnalyticsProps> = {}): Json {
  return synth((scope) => new Analytics(scope, "analytics", props(overrides)));
}

function template(json: Json): Json {
  return JSON.parse(find(json, "aws_cloudformation_stack", "analytics/stack").template_body);
}

describe("analytics: the DataBrew CloudFormation template", () => {
  it.each([
    ["no extra keys", { prefix: "raw", extraPartitionKeys: [] }],
    ["every extra key", { prefix: "raw", extraPartitionKeys: ["account_id", "region", "cluster"] }],
  ] as [string, S3Layout][])("conforms to the CloudFormation resource specification (%s)", (_name, layout) => {
    expect(cfnSpecProblems(template(synthAnalytics({ layout, tags: { Project: "eks" } })))).toEqual([]);
  });

  it("fails the specification check on a misspelled or mistyped property", () => {
    // given
    const good = template(synthAnalytics());
    const bad = JSON.parse(JSON.stringify(good));
    bad.Resources.Job.Properties.Outputs[0].Overwrites = false;
    bad.Resources.Job.Properties.MaxCapacity = "2";
    bad.Resources.Dataset.Properties.FormatOptions.Json.Multiline = false;
    delete bad.Resources.Schedule.Properties.CronExpression;
    // then
    expect(cfnSpecProblems(bad)).toEqual([
      expect.stringMatching(/^Dataset\.Properties\.FormatOptions\.Json\.Multiline: no such property/),
      expect.stringMatching(/^Job\.Properties\.Outputs\[0\]\.Overwrites: no such property/),
      'Job.Properties.MaxCapacity: expected an integer, got "2"',
      "Schedule.Properties.CronExpression: required property missing",
    ]);
    expect(cfnSpecProblems({ Resources: { X: { Type: "AWS::DataBrew::Datasets" } } })).toEqual(["X: unknown resource type AWS::DataBrew::Datasets"]);
  });

  it("reads JSON lines from the raw layout, one previous hour per hourly run", () => {
    const dataset = template(synthAnalytics({ layout: { prefix: "raw", extraPartitionKeys: ["cluster"] } })).Resources.Dataset;
    expect(dataset).toEqual({
      Type: "AWS::DataBrew::Dataset",
      Properties: {
        Name: "eks-logs-test-raw",
        Format: "JSON",
        FormatOptions: { Json: { MultiLine: false } },
        Input: { S3InputDefinition: { Bucket: BUCKET, BucketOwner: "111111111111", Key: "raw/log_type={log_type}/cluster={cluster}/dt={dt}/" } },
        PathOptions: {
          Parameters: [
            { PathParameterName: "log_type", DatasetParameter: { Name: "log_type", Type: "String", CreateColumn: false } },
            { PathParameterName: "cluster", DatasetParameter: { Name: "cluster", Type: "String", CreateColumn: false } },
            {
              PathParameterName: "dt",
              DatasetParameter: {
                Name: "dt",
                Type: "Datetime",
                DatetimeOptions: { Format: "yyyy-MM-dd-HH" },
                CreateColumn: false,
                Filter: {
                  Expression: "(relative_after :window_start) and (relative_before :window_end)",
                  ValuesMap: [
                    { ValueReference: ":window_start", Value: "-2h" },
                    { ValueReference: ":window_end", Value: "-1h" },
                  ],
                },
              },
            },
          ],
        },
      },
    });
  });

  it("widens the window to the schedule's period", () => {
    const every6 = template(synthAnalytics({ schedule: "cron(20 */6 * * ? *)" })).Resources.Dataset;
    expect(every6.Properties.PathOptions.Parameters.at(-1).DatasetParameter.Filter.ValuesMap[0].Value).toBe("-7h");
    const daily = template(synthAnalytics({ schedule: "cron(30 0 * * ? *)" })).Resources.Dataset;
    expect(daily.Properties.PathOptions.Parameters.at(-1).DatasetParameter.Filter.ValuesMap[0].Value).toBe("-25h");
  });

  it("runs the recipe from recipes/ and appends SSE-KMS Parquet partitioned by log type and event date", () => {
    const json = synthAnalytics({ tags: { Project: "eks" } });
    const resources = template(json).Resources;
    expect(resources.Recipe.Properties).toEqual({
      Name: "eks-logs-test-parquet",
      Description: expect.any(String),
      Steps: RECIPE_STEPS,
      Tags: [{ Key: "Project", Value: "eks" }],
    });
    expect(resources.Job).toEqual({
      Type: "AWS::DataBrew::Job",
      DependsOn: ["Dataset", "Recipe"],
      Properties: {
        Name: "eks-logs-test-parquet",
        Type: "RECIPE",
        RoleArn: ref(json, "aws_iam_role", "analytics/role", "arn"),
        DatasetName: "eks-logs-test-raw",
        Recipe: { Name: "eks-logs-test-parquet", Version: "LATEST_WORKING" },
        Outputs: [
          {
            Location: { Bucket: BUCKET, BucketOwner: "111111111111", Key: "parquet/" },
            Format: "PARQUET",
            CompressionFormat: "SNAPPY",
            PartitionColumns: ["log_type", "event_date"],
            Overwrite: false,
          },
        ],
        EncryptionMode: "SSE-KMS",
        EncryptionKeyArn: KEY,
        MaxCapacity: 2,
        MaxRetries: 0,
        Timeout: 60,
        LogSubscription: "ENABLE",
        Tags: [{ Key: "Project", Value: "eks" }],
      },
    });
    expect(resources.Schedule).toEqual({
      Type: "AWS::DataBrew::Schedule",
      DependsOn: ["Job"],
      Properties: { Name: "eks-logs-test-parquet", CronExpression: "cron(15 * * * ? *)", JobNames: ["eks-logs-test-parquet"], Tags: [{ Key: "Project", Value: "eks" }] },
    });
  });

  it("creates the stack only after the role's policy exists", () => {
    const json = synthAnalytics();
    const stack = find(json, "aws_cloudformation_stack", "analytics/stack");
    expect(stack.name).toBe("eks-logs-test-databrew");
    expect(stack.depends_on).toEqual([`aws_iam_role_policy.${/\.([^.]+)\.id\}$/.exec(ref(json, "aws_iam_role_policy", "analytics/policy", "id"))![1]}`]);
    expect(stack.capabilities).toBeUndefined();
  });

  it("carries a stack policy: the dataset and job are modified in place, never replaced or deleted by an update", () => {
    const policy = JSON.parse(find(synthAnalytics(), "aws_cloudformation_stack", "analytics/stack").policy_body);
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" },
      { Effect: "Deny", Action: ["Update:Replace", "Update:Delete"], Principal: "*", Resource: "*" },
    ]);
  });
});

describe("analytics: the DataBrew role", () => {
  const json = synthAnalytics();
  const role = find(json, "aws_iam_role", "analytics/role");
  const logGroup = "arn:aws:logs:eu-west-1:111111111111:log-group:/aws-glue-databrew/jobs/eks-logs-test-parquet";

  it("is assumable by DataBrew in this account only", () => {
    expect(role.name).toBe("eks-logs-test-databrew");
    expect(policyStatements(json, role.assume_role_policy)).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["databrew.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] }],
      },
    ]);
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  it("reads only the raw prefix, writes only the Parquet prefix and uses the key only through S3", () => {
    expect(policyStatements(json, find(json, "aws_iam_role_policy", "analytics/policy").policy)).toEqual([
      {
        sid: "ListOwnPrefixes",
        actions: ["s3:ListBucket"],
        resources: [BUCKET_ARN],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: ["raw/", "raw/*", "parquet/", "parquet/*"] }],
      },
      { sid: "LocateBucket", actions: ["s3:GetBucketLocation"], resources: [BUCKET_ARN] },
      { sid: "ReadRawObjects", actions: ["s3:GetObject"], resources: [`${BUCKET_ARN}/raw/*`] },
      {
        sid: "WriteParquetObjects",
        actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: [`${BUCKET_ARN}/parquet/*`],
      },
      {
        sid: "UseKeyThroughS3",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [KEY],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] }],
      },
      { sid: "WriteJobLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup}:log-stream:*`] },
      { sid: "CreateJobLogGroup", actions: ["logs:CreateLogGroup"], resources: [logGroup] },
    ]);
  });

  it("logs to an encrypted log group with retention", () => {
    expect(find(json, "aws_cloudwatch_log_group", "analytics/log-group")).toEqual({
      name: "/aws-glue-databrew/jobs/eks-logs-test-parquet",
      retention_in_days: 30,
      kms_key_id: KEY,
    });
  });
});

describe("analytics: the Parquet table", () => {
  const table = find(synthAnalytics(), "aws_glue_catalog_table", "analytics/table");

  it("declares exactly the recipe's output columns", () => {
    expect(table.storage_descriptor.columns.map((c: Json) => ({ name: c.name, type: c.type }))).toEqual(parquetDataColumns());
    expect(table.partition_keys.map((k: Json) => [k.name, k.type])).toEqual([
      ["log_type", "string"],
      ["event_date", "string"],
    ]);
  });

  it("reads Parquet under the output prefix with projection on log type and event date", () => {
    expect(table).toMatchObject({
      name: "parquet_logs",
      database_name: "eks_logs_test",
      table_type: "EXTERNAL_TABLE",
      storage_descriptor: {
        location: `s3://${BUCKET}/parquet/`,
        input_format: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        output_format: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        ser_de_info: { serialization_library: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      },
    });
    expect(table.parameters).toEqual({
      EXTERNAL: "TRUE",
      classification: "parquet",
      "parquet.compression": "SNAPPY",
      "projection.enabled": "true",
      "projection.log_type.type": "enum",
      "projection.log_type.values": ALL_LOG_TYPES.join(","),
      "projection.event_date.type": "date",
      "projection.event_date.format": "yyyy-MM-dd",
      "projection.event_date.range": "2024-01-01,NOW",
      "projection.event_date.interval": "1",
      "projection.event_date.interval.unit": "DAYS",
      "storage.location.template": `s3://${BUCKET}/parquet/log_type=$\${log_type}/event_date=$\${event_date}/`,
    });
  });
});

describe("analytics: schedule cadence", () => {
  it.each([
    ["cron(15 * * * ? *)", { minute: 15, everyHours: 1 }],
    ["cron(5 */3 * * ? *)", { minute: 5, everyHours: 3 }],
    ["cron(5 0/12 ? * * *)", { minute: 5, everyHours: 12 }],
    ["cron(30 2 * * ? *)", { minute: 30, everyHours: 24 }],
  ])("%s runs every %j", (schedule, cadence) => {
    expect(parseCadence(schedule)).toEqual(cadence);
  });

  it.each(["cron(0 * * * ? *)", "cron(*/15 * * * ? *)", "cron(15 */5 * * ? *)", "cron(15 * * * MON *)", "rate(1 hour)", "cron(15 * * * ?)", "cron(15 1,13 * * ? *)"])(
    "rejects %s",
    (schedule) => {
      expect(parseCadence(schedule)).toBeUndefined();
    },
  );
});

describe("analytics: validation", () => {
  const cases: [string, Partial<AnalyticsProps>, string][] = [
    [
      "a schedule that is not a DataBrew cron",
      { schedule: "rate(1 hour)" },
      'analytics: schedule must be a DataBrew cron that runs every hour, every N hours (N divides 24) or daily, at a fixed minute from 1 to 59, e.g. cron(15 * * * ? *): each run reads the whole hours since the last one, got "rate(1 hour)"',
    ],
    [
      "a schedule that fires before the previous hour has landed",
      { schedule: "cron(5 * * * ? *)" },
      `analytics: schedule must fire at least 10 minutes past the hour: an hour's last objects land up to 600 s after it ends, and an earlier run would miss them, got "cron(5 * * * ? *)"`,
    ],
    [
      "a Parquet prefix inside the raw prefix",
      { parquetPrefix: "raw/parquet" },
      'analytics: parquetPrefix must not overlap the raw prefix "raw" (the job would read its own output), got "raw/parquet"',
    ],
    ["a capacity of zero nodes", { maxCapacity: 0 }, "analytics: maxCapacity must be a whole number of 1–149 DataBrew nodes, got 0"],
    [
      "a table name Athena cannot use",
      { parquetTableName: "Parquet-Logs" },
      'analytics: parquetTableName must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena name), got "Parquet-Logs"',
    ],
    [
      "a role ARN instead of a name",
      { roleName: "arn:aws:iam::111111111111:role/databrew" },
      'analytics: roleName must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN, got "arn:aws:iam::111111111111:role/databrew"',
    ],
  ];
  it.each(cases)("rejects %s", (_name, overrides, message) => {
    expect(() => synthAnalytics(overrides)).toThrow(message);
  });

  it("accepts an early schedule when delivery is known to be quick", () => {
    expect(() => synthAnalytics({ schedule: "cron(5 * * * ? *)", maxDeliveryDelaySeconds: 240 })).not.toThrow();
  });
});
