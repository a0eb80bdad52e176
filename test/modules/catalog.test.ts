import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { ALL_LOG_TYPES, athenaLocationTemplate, type S3Layout } from "../../lambda-src/conventions";
import { RECORD_COLUMNS } from "../../lambda-src/record";
import { Catalog, type CatalogProps } from "../../modules/catalog";
import { blocks, find, policyStatements, ref, statementBySid, synth, type Json } from "../helpers/synth";

const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET = "eks-logs-test-111111111111-eu-west-1";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const NO_EXTRA: S3Layout = { prefix: "raw", extraPartitionKeys: [] };
const ALL_EXTRA: S3Layout = { prefix: "raw", extraPartitionKeys: ["account_id", "region", "cluster"] };

function props(overrides: Partial<CatalogProps> = {}): CatalogProps {
  return {
    namePrefix: "eks-logs-test",
    accountId: "111111111111",
    region: "eu-west-1",
    partition: "aws",
    databaseName: "eks_logs_test",
    bucketName: BUCKET,
    bucketArn: BUCKET_ARN,
    kmsKeyArn: KEY,
    layout: NO_EXTRA,
    partitionValues: { account_id: ["111111111111", "222222222222"], region: ["eu-west-1", "us-east-1"], cluster: ["demo"] },
    projectionStart: "2025-01-01-00",
    athena: { workgroupName: "eks-logs-test", bytesScannedCutoffPerQuery: 10 * 1024 ** 3, resultsExpireAfterDays: 30 },
    ...overrides,
  };
}

function synthCatalog(overrides: Partial<CatalogProps> = {}): Json {
  return synth((scope) => new Catalog(scope, "catalog", props(overrides)));
}

describe("catalog: raw table", () => {
  it.each([
    ["no extra partition keys", NO_EXTRA],
    ["every extra partition key", ALL_EXTRA],
  ])("has every record.ts field exactly once, as a data column or a partition key (%s)", (_name, layout) => {
    // given
    const table = find(synthCatalog({ layout }), "aws_glue_catalog_table", "catalog/raw-table");
    const partitionNames = ["log_type", ...layout.extraPartitionKeys, "dt"];
    // then: the drift test — record.ts is the one source of the columns
    expect(table.storage_descriptor.columns.map((c: Json) => [c.name, c.type])).toEqual(
      RECORD_COLUMNS.filter((c) => !partitionNames.includes(c.name)).map((c) => [c.name, c.type]),
    );
    expect(table.partition_keys.map((k: Json) => [k.name, k.type])).toEqual(partitionNames.map((n) => [n, "string"]));
    const all = [...table.storage_descriptor.columns, ...table.partition_keys].map((c: Json) => c.name).filter((n: string) => n !== "dt");
    expect([...all].sort()).toEqual(RECORD_COLUMNS.map((c) => c.name).sort());
  });

  it("keeps Glue's 255-character limit on column comments", () => {
    const table = find(synthCatalog(), "aws_glue_catalog_table", "catalog/raw-table");
    for (const column of table.storage_descriptor.columns) expect(column.comment.length).toBeLessThanOrEqual(255);
  });

  it("projects every partition of the layout exactly as conventions.ts writes it", () => {
    const table = find(synthCatalog({ layout: ALL_EXTRA }), "aws_glue_catalog_table", "catalog/raw-table");
    expect(table.parameters).toEqual({
      EXTERNAL: "TRUE",
      classification: "json",
      compressionType: "gzip",
      typeOfData: "file",
      "projection.enabled": "true",
      "projection.log_type.type": "enum",
      "projection.log_type.values": ALL_LOG_TYPES.join(","),
      "projection.account_id.type": "enum",
      "projection.account_id.values": "111111111111,222222222222",
      "projection.region.type": "enum",
      "projection.region.values": "eu-west-1,us-east-1,unknown",
      "projection.cluster.type": "enum",
      "projection.cluster.values": "demo,_unknown",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd-HH",
      "projection.dt.range": "2025-01-01-00,NOW",
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "HOURS",
      "storage.location.template":
        "s3://eks-logs-test-111111111111-eu-west-1/raw/log_type=$${log_type}/account_id=$${account_id}/region=$${region}/cluster=$${cluster}/dt=$${dt}/",
    });
  });

  it.each([["no extra keys", NO_EXTRA], ["all extra keys", ALL_EXTRA], ["cluster only", { prefix: "logs/eks", extraPartitionKeys: ["cluster"] } as S3Layout]])(
    "escapes athenaLocationTemplate for Terraform and nothing else (%s)",
    (_name, layout) => {
      const table = find(synthCatalog({ layout }), "aws_glue_catalog_table", "catalog/raw-table");
      const athena = athenaLocationTemplate(BUCKET, layout);
      expect(table.parameters["storage.location.template"]).toBe(athena.split("${").join("$${"));
      expect(table.storage_descriptor.location).toBe(`s3://${BUCKET}/${layout.prefix}/`);
    },
  );

  it("keeps a bucket token unescaped in the template, so Terraform still interpolates it", () => {
    const json = synth((scope) => {
      const bucket = new S3Bucket(scope, "bucket", { bucket: BUCKET });
      new Catalog(scope, "catalog", props({ bucketName: bucket.bucket, bucketArn: bucket.arn }));
    });
    const table = find(json, "aws_glue_catalog_table", "catalog/raw-table");
    expect(table.parameters["storage.location.template"]).toBe("s3://${aws_s3_bucket.bucket.bucket}/raw/log_type=$${log_type}/dt=$${dt}/");
  });

  it("reads gzip JSON lines with the Hive JSON SerDe", () => {
    const table = find(synthCatalog(), "aws_glue_catalog_table", "catalog/raw-table");
    expect(table.table_type).toBe("EXTERNAL_TABLE");
    expect(table.storage_descriptor).toMatchObject({
      input_format: "org.apache.hadoop.mapred.TextInputFormat",
      output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      compressed: true,
      ser_de_info: { serialization_library: "org.apache.hive.hcatalog.data.JsonSerDe" },
    });
    expect(table.database_name).toBe(ref(synthCatalog(), "aws_glue_catalog_database", "catalog/database", "name"));
  });
});

describe("catalog: Athena workgroup and results", () => {
  const json = synthCatalog();

  it("enforces engine v3, metrics, the scan limit and KMS-encrypted results in its own bucket", () => {
    const workgroup = find(json, "aws_athena_workgroup", "catalog/workgroup");
    expect(workgroup.name).toBe("eks-logs-test");
    expect(workgroup.configuration).toEqual({
      enforce_workgroup_configuration: true,
      publish_cloudwatch_metrics_enabled: true,
      bytes_scanned_cutoff_per_query: 10 * 1024 ** 3,
      requester_pays_enabled: false,
      engine_version: { selected_engine_version: "Athena engine version 3" },
      result_configuration: {
        output_location: `s3://${ref(json, "aws_s3_bucket", "catalog/results/bucket", "bucket")}/results/`,
        expected_bucket_owner: "111111111111",
        acl_configuration: { s3_acl_option: "BUCKET_OWNER_FULL_CONTROL" },
        encryption_configuration: { encryption_option: "SSE_KMS", kms_key_arn: KEY },
      },
    });
  });

  it("hardens the results bucket: no public access, no ACLs, the CMK, TLS only, expiry", () => {
    const bucketId = ref(json, "aws_s3_bucket", "catalog/results/bucket", "id");
    const bucketArn = ref(json, "aws_s3_bucket", "catalog/results/bucket", "arn");
    expect(find(json, "aws_s3_bucket", "catalog/results/bucket").bucket).toBe("eks-logs-test-athena-111111111111-eu-west-1");
    expect(find(json, "aws_s3_bucket_public_access_block", "catalog/results/public-access-block")).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(find(json, "aws_s3_bucket_ownership_controls", "catalog/results/ownership").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(find(json, "aws_s3_bucket_server_side_encryption_configuration", "catalog/results/encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
    expect(find(json, "aws_s3_bucket_lifecycle_configuration", "catalog/results/lifecycle").rule).toEqual([
      {
        id: "expire-results",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
    const statements = policyStatements(json, find(json, "aws_s3_bucket_policy", "catalog/results/policy").policy);
    expect(statementBySid(statements, "DenyInsecureTransport")).toEqual({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: ["s3:*"],
      resources: [bucketArn, `${bucketArn}/*`],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(statements.map((st) => st.sid)).toEqual(["DenyInsecureTransport", "DenyOtherEncryption", "DenyOtherKmsKey", "DenyCustomerProvidedKeys"]);
    // Results are disposable: no versioning.
    expect(blocks(json, "aws_s3_bucket_versioning")).toEqual({});
    expect(statementBySid(statements, "DenyOtherKmsKey").condition).toEqual([
      { test: "Null", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: ["false"] },
      { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: [KEY] },
    ]);
  });
});

describe("catalog: analyst policy", () => {
  it("grants exactly the workgroup, the tables, the log prefixes, the results bucket and the key through S3", () => {
    // given
    const json = synthCatalog({
      athena: { ...props().athena, analystRoleNames: ["security-analyst", "platform-oncall"] },
      parquetTableName: "parquet_logs",
    });
    const results = ref(json, "aws_s3_bucket", "catalog/results/bucket", "arn");
    const policy = find(json, "aws_iam_policy", "catalog/analyst-policy");
    // then
    expect(policy.name).toBe("eks-logs-test-athena-analyst");
    expect(policyStatements(json, policy.policy)).toEqual([
      {
        sid: "RunQueriesInWorkgroup",
        actions: [
          "athena:StartQueryExecution",
          "athena:StopQueryExecution",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:GetQueryResultsStream",
          "athena:GetQueryRuntimeStatistics",
          "athena:BatchGetQueryExecution",
          "athena:ListQueryExecutions",
          "athena:GetWorkGroup",
          "athena:GetNamedQuery",
          "athena:BatchGetNamedQuery",
          "athena:ListNamedQueries",
        ],
        resources: ["arn:aws:athena:eu-west-1:111111111111:workgroup/eks-logs-test"],
      },
      {
        sid: "BrowseDataCatalog",
        actions: ["athena:GetDataCatalog", "athena:GetDatabase", "athena:ListDatabases", "athena:GetTableMetadata", "athena:ListTableMetadata"],
        resources: ["arn:aws:athena:eu-west-1:111111111111:datacatalog/AwsDataCatalog"],
      },
      {
        sid: "ReadTables",
        actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
        resources: [
          "arn:aws:glue:eu-west-1:111111111111:catalog",
          "arn:aws:glue:eu-west-1:111111111111:database/eks_logs_test",
          "arn:aws:glue:eu-west-1:111111111111:table/eks_logs_test/raw_logs",
          "arn:aws:glue:eu-west-1:111111111111:table/eks_logs_test/parquet_logs",
        ],
      },
      {
        sid: "ListLogPrefixes",
        actions: ["s3:ListBucket"],
        resources: [BUCKET_ARN],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: ["raw/", "raw/*", "parquet/", "parquet/*"] }],
      },
      { sid: "LocateLogBucket", actions: ["s3:GetBucketLocation"], resources: [BUCKET_ARN] },
      { sid: "ReadLogObjects", actions: ["s3:GetObject"], resources: [`${BUCKET_ARN}/raw/*`, `${BUCKET_ARN}/parquet/*`] },
      { sid: "UseResultsBucket", actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], resources: [results] },
      {
        sid: "ReadWriteResults",
        actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: [`${results}/*`],
      },
      {
        sid: "UseKeyThroughS3",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [KEY],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] }],
      },
    ]);
    const attachments = Object.values(blocks(json, "aws_iam_role_policy_attachment"));
    expect(attachments.map((a) => [a.role, a.policy_arn]).sort()).toEqual([
      ["platform-oncall", ref(json, "aws_iam_policy", "catalog/analyst-policy", "arn")],
      ["security-analyst", ref(json, "aws_iam_policy", "catalog/analyst-policy", "arn")],
    ]);
  });

  it("creates the policy but attaches it to nobody by default", () => {
    const json = synthCatalog();
    expect(Object.keys(blocks(json, "aws_iam_policy"))).toHaveLength(1);
    expect(blocks(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  it("uses the China DNS suffix for kms:ViaService in aws-cn", () => {
    const json = synthCatalog({ partition: "aws-cn", region: "cn-north-1" });
    const statements = policyStatements(json, find(json, "aws_iam_policy", "catalog/analyst-policy").policy);
    expect(statementBySid(statements, "UseKeyThroughS3").condition[0].values).toEqual(["s3.cn-north-1.amazonaws.com.cn"]);
  });
});

describe("catalog: crawler", () => {
  it("is off by default: no crawler, no crawler role", () => {
    const json = synthCatalog();
    expect(blocks(json, "aws_glue_crawler")).toEqual({});
    expect(blocks(json, "aws_iam_role")).toEqual({});
  });

  it("when on, adds partitions to our own table with its own least-privilege role", () => {
    // given
    const json = synthCatalog({ crawler: { enabled: true, roleName: "eks-logs-test-crawler", schedule: "cron(5 * * * ? *)" } });
    const crawler = find(json, "aws_glue_crawler", "catalog/crawler");
    const role = find(json, "aws_iam_role", "catalog/crawler-role");
    const database = ref(json, "aws_glue_catalog_database", "catalog/database", "name");
    // then
    expect(crawler).toMatchObject({
      name: "eks-logs-test-raw",
      role: ref(json, "aws_iam_role", "catalog/crawler-role", "arn"),
      database_name: database,
      catalog_target: [{ database_name: database, tables: [ref(json, "aws_glue_catalog_table", "catalog/raw-table", "name")] }],
      schema_change_policy: { delete_behavior: "LOG", update_behavior: "LOG" },
      schedule: "cron(5 * * * ? *)",
    });
    expect(JSON.parse(crawler.configuration)).toEqual({ Version: 1, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } } });
    expect(role.name).toBe("eks-logs-test-crawler");
    expect(policyStatements(json, role.assume_role_policy)).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["glue.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] }],
      },
    ]);
    const glue = [
      "arn:aws:glue:eu-west-1:111111111111:catalog",
      "arn:aws:glue:eu-west-1:111111111111:database/eks_logs_test",
      "arn:aws:glue:eu-west-1:111111111111:table/eks_logs_test/raw_logs",
    ];
    const logs = "arn:aws:logs:eu-west-1:111111111111:log-group:/aws-glue/crawlers";
    expect(policyStatements(json, find(json, "aws_iam_role_policy", "catalog/crawler-policy").policy)).toEqual([
      { sid: "ReadOwnTable", actions: ["glue:GetDatabase", "glue:GetTable"], resources: glue },
      {
        sid: "AddPartitions",
        actions: [
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:BatchGetPartition",
          "glue:CreatePartition",
          "glue:BatchCreatePartition",
          "glue:UpdatePartition",
          "glue:BatchUpdatePartition",
          "glue:UpdateTable",
        ],
        resources: glue,
      },
      {
        sid: "ListRawPrefix",
        actions: ["s3:ListBucket"],
        resources: [BUCKET_ARN],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: ["raw/", "raw/*"] }],
      },
      { sid: "ReadRawObjects", actions: ["s3:GetObject"], resources: [`${BUCKET_ARN}/raw/*`] },
      {
        sid: "DecryptRawObjects",
        actions: ["kms:Decrypt"],
        resources: [KEY],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] }],
      },
      { sid: "CreateCrawlerLogGroup", actions: ["logs:CreateLogGroup"], resources: [logs] },
      { sid: "WriteCrawlerLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logs}:log-stream:*`] },
    ]);
  });

  it("is off when enabled is false even with a role name", () => {
    expect(blocks(synthCatalog({ crawler: { enabled: false, roleName: "x" } }), "aws_glue_crawler")).toEqual({});
  });
});

describe("catalog: validation", () => {
  const cases: [string, Partial<CatalogProps>, string][] = [
    [
      "a scan limit below Athena's minimum",
      { athena: { ...props().athena, bytesScannedCutoffPerQuery: 1_000_000 } },
      "catalog: athena.bytesScannedCutoffPerQuery must be a whole number of bytes, at least 10,485,760 (Athena's 10 MB minimum), got 1000000",
    ],
    [
      "a database name Athena cannot use",
      { databaseName: "EKS-Logs" },
      'catalog: databaseName must be a lowercase letter followed by lowercase letters, digits or underscores, at most 255 (Glue/Athena name), got "EKS-Logs"',
    ],
    [
      "no values for a partition key of the layout",
      { layout: { prefix: "raw", extraPartitionKeys: ["cluster"] }, partitionValues: { account_id: [], region: [], cluster: [] } },
      "catalog: partitionValues.cluster must list at least one value: the layout partitions by cluster and Athena projects only listed values, got []",
    ],
    [
      "a value that is not a region",
      { layout: { prefix: "raw", extraPartitionKeys: ["region"] }, partitionValues: { account_id: [], region: ["eu-west-1", "europe"], cluster: [] } },
      'catalog: partitionValues.region[1] must be an AWS region name such as eu-west-1, got "europe"',
    ],
    [
      "a projection start that is not an hour",
      { projectionStart: "2025-02-30-00" },
      'catalog: projectionStart must be an hour in the yyyy-MM-dd-HH format of the dt partition, e.g. "2025-01-01-00", got "2025-02-30-00"',
    ],
    [
      "a results expiry of zero days",
      { athena: { ...props().athena, resultsExpireAfterDays: 0 } },
      "catalog: athena.resultsExpireAfterDays must be a whole number of 1–3,650 days, got 0",
    ],
    [
      "a default results bucket name longer than S3 allows",
      { namePrefix: "eks-logs-a-very-long-prefix-xx", region: "ap-southeast-5" },
      'catalog: athena.resultsBucketName must be set: the default "<namePrefix>-athena-<accountId>-<region>" must be 3–63 characters long; it is 65 (S3 bucket naming rules), got "eks-logs-a-very-long-prefix-xx-athena-111111111111-ap-southeast-5"',
    ],
    [
      "an analyst role given as an ARN",
      { athena: { ...props().athena, analystRoleNames: ["arn:aws:iam::111111111111:role/x"] } },
      'catalog: athena.analystRoleNames[0] must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN, got "arn:aws:iam::111111111111:role/x"',
    ],
    [
      "a crawler schedule that is not a Glue cron",
      { crawler: { enabled: true, roleName: "crawler", schedule: "rate(1 hour)" } },
      'catalog: crawler.schedule must be a cron expression with 6 fields, e.g. cron(15 * * * ? *), got "rate(1 hour)"',
    ],
    [
      "a Parquet table named like the raw one",
      { parquetTableName: "raw_logs" },
      'catalog: parquetTableName must differ from rawTableName, got "raw_logs"',
    ],
  ];
  it.each(cases)("rejects %s", (_name, overrides, message) => {
    expect(() => synthCatalog(overrides)).toThrow(message);
  });
});
