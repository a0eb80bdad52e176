/**
 * Analytics: a DataBrew recipe job (recipes/) that turns each hour's raw JSON lines into typed
 * Parquet partitioned by log type and event date, on a schedule, incrementally; and the Glue
 * table over that Parquet. The Terraform AWS provider has no DataBrew resources, so the dataset,
 * recipe, job and schedule live in one `aws_cloudformation_stack` (it plans offline).
 */
import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { ALL_LOG_TYPES, TIME_PARTITION, type S3Layout } from "../../lambda-src/conventions";
import { PARQUET_PARTITION_COLUMNS, RECIPE_STEPS, parquetDataColumns } from "./recipe";
import { type Cadence, windowFilter } from "./schedule";
import { logGroupArn, regionalService, servicePrincipal } from "../common/aws";
import { type KeyUsage, keyUsageThroughS3 } from "../common/kms";
import { validateAnalyticsProps } from "./validate";
export { scheduleProblems } from "./validate";

export interface AnalyticsProps {
  /** Prefix of every resource name, e.g. `eks-logs-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** The catalog's Glue database (pass `catalog.databaseName` so Terraform creates it first). */
  readonly databaseName: string;
  /** The Glue table over the Parquet output. */
  readonly parquetTableName: string;
  /** The log bucket (storage). */
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The CMK (storage): the job reads raw objects and writes Parquet (SSE-KMS) with it. */
  readonly kmsKeyArn: string;
  /** Input: the raw objects (conventions.ts). */
  readonly layout: S3Layout;
  /** Output prefix in the same bucket, e.g. "parquet"; must not overlap the raw prefix. */
  readonly parquetPrefix: string;
  /** The DataBrew role (the KMS key policy admits it by this name). */
  readonly roleName: string;
  /** DataBrew cron that runs every N hours at a fixed minute, e.g. "cron(15 * * * ? *)". */
  readonly schedule: string;
  /** Job capacity in DataBrew nodes, 1–149. @default 2 (the volume of one hour of control-plane logs; DataBrew's own default is 5) */
  readonly maxCapacity?: number;
  /** Worst-case seconds from an hour's end until its last raw object lands (Firehose buffer interval + transform time). The schedule's minute must be at least this late. @default 600 */
  readonly maxDeliveryDelaySeconds?: number;
  /** First hour the Parquet event_date projection covers, yyyy-MM-dd-HH (only the date is used). @default "2024-01-01-00" */
  readonly projectionStart?: string;
  /** Job timeout in minutes. @default 60 */
  readonly timeoutMinutes?: number;
  /** Retention of the job's log group, a value CloudWatch Logs accepts. @default 30 */
  readonly logRetentionDays?: number;
  /** Tags on the DataBrew resources (provider default tags do not reach resources CloudFormation creates). @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_CAPACITY = 2;
const DEFAULT_PROJECTION_START = "2024-01-01-00";

/** The CloudFormation stack policy of the DataBrew stack. */
export const DATABREW_STACK_POLICY = {
  Statement: [
    { Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*" },
    { Effect: "Deny", Action: ["Update:Replace", "Update:Delete"], Principal: "*", Resource: "*" },
  ],
};

export class Analytics extends Construct {
  readonly jobName: string;
  readonly parquetTableName: string;
  readonly roleArn: string;
  /** The CloudFormation stack holding the DataBrew resources. */
  readonly stackName: string;
  /** The job's CloudWatch log group (the KMS key policy must admit CloudWatch Logs for it). */
  readonly logGroupArn: string;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const cadence = validateAnalyticsProps(props);
    const names = analyticsNames(props.namePrefix);
    const s3ViaService = regionalService("s3", props.region, props.partition);
    const raw = props.layout.prefix;
    const out = props.parquetPrefix;

    const logGroupName = names.logGroup;
    const groupArn = logGroupArn(props.partition, props.region, props.accountId, logGroupName);
    // Created here so it is encrypted and expires; DataBrew would create it without either.
    new CloudwatchLogGroup(this, "log-group", {
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? 30,
      kmsKeyId: props.kmsKeyArn,
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("databrew")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: `DataBrew job ${names.job}: reads ${raw}/, writes ${out}/`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "ListOwnPrefixes",
          actions: ["s3:ListBucket"],
          resources: [props.bucketArn],
          condition: [{ test: "StringLike", variable: "s3:prefix", values: [`${raw}/`, `${raw}/*`, `${out}/`, `${out}/*`] }],
        },
        { sid: "LocateBucket", actions: ["s3:GetBucketLocation"], resources: [props.bucketArn] },
        { sid: "ReadRawObjects", actions: ["s3:GetObject"], resources: [`${props.bucketArn}/${raw}/*`] },
        {
          // Spark commits by writing under the output prefix and then copying and deleting.
          sid: "WriteParquetObjects",
          actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          resources: [`${props.bucketArn}/${out}/*`],
        },
        {
          sid: "UseKeyThroughS3",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [props.kmsKeyArn],
          condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [s3ViaService] }],
        },
        { sid: "WriteJobLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${groupArn}:log-stream:*`] },
        { sid: "CreateJobLogGroup", actions: ["logs:CreateLogGroup"], resources: [groupArn] },
      ],
    });
    const policy = new IamRolePolicy(this, "policy", { name: "databrew", role: role.name, policy: permissions.json });

    const template = dataBrewTemplate({
      names,
      bucketName: props.bucketName,
      accountId: props.accountId,
      layout: props.layout,
      parquetPrefix: out,
      roleArn: role.arn,
      kmsKeyArn: props.kmsKeyArn,
      schedule: props.schedule,
      cadence,
      maxCapacity: props.maxCapacity ?? DEFAULT_MAX_CAPACITY,
      timeoutMinutes: props.timeoutMinutes ?? 60,
      tags: props.tags ?? {},
    });
    const stack = new CloudformationStack(this, "stack", {
      name: names.stack,
      templateBody: JSON.stringify(template),
      // Updates may modify the dataset and job in place; replacing or deleting them (the job that
      // writes the Parquet twin) needs this policy lifted on purpose first.
      policyBody: JSON.stringify(DATABREW_STACK_POLICY),
      timeoutInMinutes: 30,
      // The job must not run before its role can read and write.
      dependsOn: [policy],
    });

    const start = (props.projectionStart ?? DEFAULT_PROJECTION_START).slice(0, 10);
    const table = new GlueCatalogTable(this, "table", {
      name: props.parquetTableName,
      databaseName: props.databaseName,
      description: `EKS control-plane logs as typed Parquet from DataBrew job ${names.job}; filter on event_date and log_type`,
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        "projection.log_type.type": "enum",
        "projection.log_type.values": ALL_LOG_TYPES.join(","),
        "projection.event_date.type": "date",
        "projection.event_date.format": "yyyy-MM-dd",
        "projection.event_date.range": `${start},NOW`,
        "projection.event_date.interval": "1",
        "projection.event_date.interval.unit": "DAYS",
        "storage.location.template": `s3://${props.bucketName}/${out}/${PARQUET_PARTITION_COLUMNS.map((c) => `${c}=$\${${c}}`).join("/")}/`,
      },
      partitionKeys: [
        { name: "log_type", type: "string", comment: "one of the six EKS log types, or unknown" },
        { name: "event_date", type: "string", comment: "UTC date of event_time, yyyy-MM-dd; always restrict it" },
      ],
      storageDescriptor: {
        location: `s3://${props.bucketName}/${out}/`,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
          name: "parquet",
          serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          parameters: { "serialization.format": "1" },
        },
        columns: parquetDataColumns(),
      },
    });

    this.jobName = names.job;
    this.parquetTableName = table.name;
    this.roleArn = role.arn;
    this.stackName = stack.name;
    this.logGroupArn = groupArn;
  }
}

/** Names of the DataBrew resources (DataBrew allows letters, digits, hyphen, period and space). */
export function analyticsNames(namePrefix: string) {
  const job = `${namePrefix}-parquet`;
  return {
    stack: `${namePrefix}-databrew`,
    dataset: `${namePrefix}-raw`,
    recipe: `${namePrefix}-parquet`,
    job,
    schedule: `${namePrefix}-parquet`,
    /** The job's log group, created encrypted here (DataBrew would create it without a key or expiry). */
    logGroup: `/aws-glue-databrew/jobs/${job}`,
  };
}

/** What the DataBrew role needs of the bucket's key: read raw objects and write Parquet, through S3 only. */
export function analyticsKeyUsage(props: Pick<AnalyticsProps, "roleName" | "accountId" | "region" | "partition">): KeyUsage {
  return keyUsageThroughS3("DataBrewWritesParquet", props, props.roleName, ["kms:Decrypt", "kms:GenerateDataKey"]);
}

export interface TemplateInput {
  readonly names: ReturnType<typeof analyticsNames>;
  readonly bucketName: string;
  readonly accountId: string;
  readonly layout: S3Layout;
  readonly parquetPrefix: string;
  readonly roleArn: string;
  readonly kmsKeyArn: string;
  readonly schedule: string;
  readonly cadence: Cadence;
  readonly maxCapacity: number;
  readonly timeoutMinutes: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** The CloudFormation template: dataset, recipe, job and schedule. */
export function dataBrewTemplate(input: TemplateInput) {
  const { names, layout } = input;
  const dt = TIME_PARTITION.name;
  const keys = ["log_type", ...layout.extraPartitionKeys];
  const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
  const withTags = tags.length > 0 ? { Tags: tags } : {};
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `DataBrew: raw EKS control-plane logs to Parquet (${names.job})`,
    Resources: {
      Dataset: {
        Type: "AWS::DataBrew::Dataset",
        Properties: {
          Name: names.dataset,
          Format: "JSON",
          // One JSON object per line, not one document per file.
          FormatOptions: { Json: { MultiLine: false } },
          Input: {
            S3InputDefinition: {
              Bucket: input.bucketName,
              BucketOwner: input.accountId,
              Key: `${layout.prefix}/${keys.map((k) => `${k}={${k}}/`).join("")}${dt}={${dt}}/`,
            },
          },
          PathOptions: {
            Parameters: [
              ...keys.map((k) => ({
                PathParameterName: k,
                DatasetParameter: { Name: k, Type: "String", CreateColumn: false },
              })),
              {
                PathParameterName: dt,
                DatasetParameter: {
                  Name: dt,
                  Type: "Datetime",
                  DatetimeOptions: { Format: TIME_PARTITION.format },
                  CreateColumn: false,
                  Filter: windowFilter(input.cadence),
                },
              },
            ],
          },
          ...withTags,
        },
      },
      Recipe: {
        Type: "AWS::DataBrew::Recipe",
        Properties: {
          Name: names.recipe,
          Description: "recipes/eks-control-plane-logs.json: typed timestamps, latency, response codes; event_date",
          Steps: RECIPE_STEPS,
          ...withTags,
        },
      },
      Job: {
        Type: "AWS::DataBrew::Job",
        DependsOn: ["Dataset", "Recipe"],
        Properties: {
          Name: names.job,
          Type: "RECIPE",
          RoleArn: input.roleArn,
          DatasetName: names.dataset,
          // CloudFormation creates the recipe's working version; it never publishes one.
          Recipe: { Name: names.recipe, Version: "LATEST_WORKING" },
          Outputs: [
            {
              Location: { Bucket: input.bucketName, BucketOwner: input.accountId, Key: `${input.parquetPrefix}/` },
              Format: "PARQUET",
              CompressionFormat: "SNAPPY",
              PartitionColumns: [...PARQUET_PARTITION_COLUMNS],
              // Append: each run adds files for its own window; true would delete all earlier output.
              Overwrite: false,
            },
          ],
          EncryptionMode: "SSE-KMS",
          EncryptionKeyArn: input.kmsKeyArn,
          MaxCapacity: input.maxCapacity,
          // A retry would run the same window again and could write it twice.
          MaxRetries: 0,
          Timeout: input.timeoutMinutes,
          LogSubscription: "ENABLE",
          ...withTags,
        },
      },
      Schedule: {
        Type: "AWS::DataBrew::Schedule",
        DependsOn: ["Job"],
        Properties: {
          Name: names.schedule,
          CronExpression: input.schedule,
          JobNames: [names.job],
          ...withTags,
        },
      },
    },
  };
}

