/**
 * The catalog: a Glue database and a table over the raw gzip JSON lines with partition
 * projection (queryable the moment Firehose writes an object, no crawler), an Athena
 * workgroup that enforces KMS-encrypted results and a per-query scan limit, the security
 * and platform named queries (with Parquet twins when analytics is on), a least-privilege
 * analyst policy, and the seed's crawler as an opt-in.
 */
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { GlueCrawler } from "@cdktf/provider-aws/lib/glue-crawler";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import type { S3Layout } from "../../lambda-src/conventions";
import { hardenedBucket, kmsOnlyBucketStatements } from "../common/private-bucket";
import { NAMED_QUERIES, renderQuery, type TableFlavour } from "./queries";
import { DEFAULT_RAW_TABLE, type PartitionValues, rawDataColumns, rawPartitionKeys, rawProjection } from "./schema";
import { resultsBucketName, validateCatalog } from "./validate";
import { regionalService, servicePrincipal } from "../common/aws";
import { type KeyUsage, keyUsageThroughS3 } from "../common/kms";

export interface CatalogProps {
  /** Prefix of every resource name, e.g. `eks-logs-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** Glue database, lowercase letters/digits/underscores, e.g. "eks_logs_prod". */
  readonly databaseName: string;
  /** The log bucket (storage). */
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The CMK (storage): encrypts the Athena results bucket; readers decrypt the logs with it. */
  readonly kmsKeyArn: string;
  /** Where the raw objects are (conventions.ts). */
  readonly layout: S3Layout;
  /** Values Athena projects for the layout's optional keys (from the env file); `unknown`/`_unknown` are added. */
  readonly partitionValues: PartitionValues;
  /** First hour the dt projection covers, yyyy-MM-dd-HH. */
  readonly projectionStart: string;
  readonly athena: {
    /** Workgroup name. */
    readonly workgroupName: string;
    /** Athena cancels a query that scans more than this many bytes; at least 10 MB. */
    readonly bytesScannedCutoffPerQuery: number;
    /** Query results are deleted this many days after they are written, 1–3650. */
    readonly resultsExpireAfterDays: number;
    /** IAM roles of people/tools that query: get exact S3/Glue/Athena/KMS read access via a managed policy attached to each. @default none */
    readonly analystRoleNames?: readonly string[];
    /** Name of the bucket that holds query results. @default "<namePrefix>-athena-<accountId>-<region>" */
    readonly resultsBucketName?: string;
  };
  /** The seed's crawler path, off by default, with its own least-privilege role. @default off */
  readonly crawler?: {
    readonly enabled: boolean;
    /** Name of the crawler's IAM role (the KMS key policy admits it by this name). */
    readonly roleName: string;
    /** Glue cron, e.g. "cron(0 * * * ? *)". @default none (run on demand) */
    readonly schedule?: string;
  };
  /** When analytics is on: the Parquet table (created by analytics) gets Parquet twins of the named queries. @default none */
  readonly parquetTableName?: string;
  /** Key prefix of the Parquet output, readable by the analyst policy. @default "parquet" (only used with parquetTableName) */
  readonly parquetPrefix?: string;
  /** Name of the raw table. @default "raw_logs" */
  readonly rawTableName?: string;
}

const ATHENA_ENGINE_VERSION = "Athena engine version 3";

type KeyProps = Pick<CatalogProps, "accountId" | "region" | "partition">;

/** What the crawler's role needs of the bucket's key: read objects, through S3 only. */
export function crawlerKeyUsage(props: KeyProps & { readonly crawlerRoleName: string }): KeyUsage {
  return keyUsageThroughS3("CrawlerReadsLogs", props, props.crawlerRoleName, ["kms:Decrypt"]);
}

/** Athena reads the logs and writes SSE-KMS results with each analyst's own credentials, through S3 only. */
export function analystKeyUsage(props: KeyProps & { readonly analystRoleNames: readonly string[] }): KeyUsage[] {
  return props.analystRoleNames.map((name, i) => keyUsageThroughS3(`AnalystQueries${i + 1}`, props, name, ["kms:Decrypt", "kms:GenerateDataKey"]));
}

export class Catalog extends Construct {
  readonly databaseName: string;
  readonly rawTableName: string;
  readonly workgroupName: string;
  readonly resultsBucketName: string;
  readonly resultsBucketArn: string;
  readonly analystPolicyArn: string;
  /** Athena named query ids by name (`<query>` for the raw table, `<query>-parquet` for the twins). */
  readonly namedQueryIds: Readonly<Record<string, string>>;
  /** The crawler's role ARN when the crawler is on. */
  readonly crawlerRoleArn?: string;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    validateCatalog(props);
    const arn = `arn:${props.partition}`;
    const s3ViaService = regionalService("s3", props.region, props.partition);
    const layout = props.layout;

    const database = new GlueCatalogDatabase(this, "database", {
      name: props.databaseName,
      description: "EKS control-plane logs: raw JSON lines (partition projection) and, with analytics, Parquet",
    });

    const rawTable = new GlueCatalogTable(this, "raw-table", {
      name: props.rawTableName ?? DEFAULT_RAW_TABLE,
      databaseName: database.name,
      description: "EKS control-plane log lines as the transform writes them (lambda-src/record.ts); filter on dt and log_type",
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "json",
        compressionType: "gzip",
        typeOfData: "file",
        ...rawProjection(props.bucketName, layout, props.partitionValues, props.projectionStart),
      },
      partitionKeys: rawPartitionKeys(layout),
      storageDescriptor: {
        location: `s3://${props.bucketName}/${layout.prefix}/`,
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        compressed: true,
        // Hive JSON SerDe, not OpenX: Athena documents OpenX results as possibly non-deterministic,
        // and the transform always writes well-formed lines (no need for ignore.malformed.json).
        serDeInfo: {
          name: "json",
          serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe",
          parameters: { "serialization.format": "1" },
        },
        columns: rawDataColumns(layout),
      },
    });

    const results = this.resultsBucket(resultsBucketName(props), props);

    const workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: props.athena.workgroupName,
      description: "EKS control-plane logs: enforced KMS-encrypted results and a per-query scan limit",
      state: "ENABLED",
      configuration: {
        // Clients cannot override the output location, encryption or the scan limit.
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.athena.bytesScannedCutoffPerQuery,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: `s3://${results.bucket}/results/`,
          expectedBucketOwner: props.accountId,
          aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.kmsKeyArn },
        },
      },
    });

    const queryIds: Record<string, string> = {};
    const targets: { flavour: TableFlavour; table: string; suffix: string }[] = [
      // Plain names, not tokens: the SQL stays readable and a query needs no table to be saved.
      { flavour: "raw", table: props.rawTableName ?? DEFAULT_RAW_TABLE, suffix: "" },
      ...(props.parquetTableName ? [{ flavour: "parquet" as const, table: props.parquetTableName, suffix: "-parquet" }] : []),
    ];
    for (const target of targets) {
      for (const query of NAMED_QUERIES) {
        const name = `${query.id}${target.suffix}`;
        const named = new AthenaNamedQuery(this, `query-${name}`, {
          name: `${props.namePrefix}-${name}`,
          description: `${query.description}${target.flavour === "parquet" ? " Parquet table." : ""}`,
          database: database.name,
          workgroup: workgroup.name,
          query: renderQuery(query, { flavour: target.flavour, databaseName: props.databaseName, tableName: target.table }),
        });
        queryIds[name] = named.id;
      }
    }

    const glueArns = {
      catalog: `${arn}:glue:${props.region}:${props.accountId}:catalog`,
      database: `${arn}:glue:${props.region}:${props.accountId}:database/${props.databaseName}`,
      table: (name: string) => `${arn}:glue:${props.region}:${props.accountId}:table/${props.databaseName}/${name}`,
    };
    const tableNames = [props.rawTableName ?? DEFAULT_RAW_TABLE, ...(props.parquetTableName ? [props.parquetTableName] : [])];
    const readPrefixes = [layout.prefix, ...(props.parquetTableName ? [props.parquetPrefix ?? "parquet"] : [])];
    const workgroupArn = `${arn}:athena:${props.region}:${props.accountId}:workgroup/${props.athena.workgroupName}`;

    const analyst = new DataAwsIamPolicyDocument(this, "analyst-permissions", {
      statement: analystStatements({
        workgroupArn,
        dataCatalogArn: `${arn}:athena:${props.region}:${props.accountId}:datacatalog/AwsDataCatalog`,
        glueResources: [glueArns.catalog, glueArns.database, ...tableNames.map(glueArns.table)],
        bucketArn: props.bucketArn,
        readPrefixes,
        resultsBucketArn: results.arn,
        kmsKeyArn: props.kmsKeyArn,
        s3ViaService,
      }),
    });
    const analystPolicy = new IamPolicy(this, "analyst-policy", {
      name: `${props.namePrefix}-athena-analyst`,
      description: `Query ${props.databaseName} in Athena workgroup ${props.athena.workgroupName}: read the logs, write results`,
      policy: analyst.json,
    });
    for (const roleName of props.athena.analystRoleNames ?? []) {
      new IamRolePolicyAttachment(this, `analyst-${roleName}`, { role: roleName, policyArn: analystPolicy.arn });
    }

    if (props.crawler?.enabled) {
      this.crawlerRoleArn = this.crawler(props, {
        databaseName: database.name,
        tableName: rawTable.name,
        glueResources: [glueArns.catalog, glueArns.database, glueArns.table(props.rawTableName ?? DEFAULT_RAW_TABLE)],
        s3ViaService,
      });
    }

    this.databaseName = database.name;
    this.rawTableName = rawTable.name;
    this.workgroupName = workgroup.name;
    this.resultsBucketName = results.bucket;
    this.resultsBucketArn = results.arn;
    this.analystPolicyArn = analystPolicy.arn;
    this.namedQueryIds = queryIds;
  }

  /**
   * A bucket of its own for query results, not a prefix of the log bucket: results expire in days
   * while logs are kept for a year or under Object Lock; analysts get write access here and never
   * to the evidence; and the log bucket's notifications to Splunk never see result files.
   * Versioning stays off: results are disposable and expire.
   */
  private resultsBucket(name: string, props: CatalogProps): S3Bucket {
    const scope = new Construct(this, "results");
    const { bucket } = hardenedBucket(scope, name, { kmsKeyArn: props.kmsKeyArn }, { versioned: false });
    new S3BucketLifecycleConfiguration(scope, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-results",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.athena.resultsExpireAfterDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const policy = new DataAwsIamPolicyDocument(scope, "policy-document", {
      statement: kmsOnlyBucketStatements(bucket.arn, props.kmsKeyArn),
    });
    new S3BucketPolicy(scope, "policy", { bucket: bucket.id, policy: policy.json });
    return bucket;
  }

  /**
   * The seed's crawler, kept for engines that read Glue partitions instead of projecting them
   * (Redshift Spectrum, EMR, Glue ETL). It targets our own table (catalog target), adds
   * partitions only, and never rewrites the schema derived from record.ts.
   */
  private crawler(
    props: CatalogProps,
    ctx: { databaseName: string; tableName: string; glueResources: string[]; s3ViaService: string },
  ): string {
    const crawler = props.crawler!;
    const arn = `arn:${props.partition}`;
    const crawlerName = `${props.namePrefix}-raw`;
    const trust = new DataAwsIamPolicyDocument(this, "crawler-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("glue")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "crawler-role", {
      name: crawler.roleName,
      description: `Glue crawler ${crawlerName}: reads ${props.layout.prefix}/ and adds partitions to ${props.databaseName}`,
      assumeRolePolicy: trust.json,
    });
    const logGroupArn = `${arn}:logs:${props.region}:${props.accountId}:log-group:/aws-glue/crawlers`;
    const permissions = new DataAwsIamPolicyDocument(this, "crawler-permissions", {
      statement: [
        {
          sid: "ReadOwnTable",
          actions: ["glue:GetDatabase", "glue:GetTable"],
          resources: ctx.glueResources,
        },
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
          resources: ctx.glueResources,
        },
        {
          sid: "ListRawPrefix",
          actions: ["s3:ListBucket"],
          resources: [props.bucketArn],
          condition: [{ test: "StringLike", variable: "s3:prefix", values: [`${props.layout.prefix}/`, `${props.layout.prefix}/*`] }],
        },
        { sid: "ReadRawObjects", actions: ["s3:GetObject"], resources: [`${props.bucketArn}/${props.layout.prefix}/*`] },
        {
          sid: "DecryptRawObjects",
          actions: ["kms:Decrypt"],
          resources: [props.kmsKeyArn],
          condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [ctx.s3ViaService] }],
        },
        { sid: "CreateCrawlerLogGroup", actions: ["logs:CreateLogGroup"], resources: [logGroupArn] },
        { sid: "WriteCrawlerLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroupArn}:log-stream:*`] },
      ],
    });
    new IamRolePolicy(this, "crawler-policy", { name: "crawler", role: role.name, policy: permissions.json });
    new GlueCrawler(this, "crawler", {
      name: crawlerName,
      description: `Adds partitions of ${props.layout.prefix}/ to ${props.databaseName} for engines without partition projection`,
      role: role.arn,
      databaseName: ctx.databaseName,
      catalogTarget: [{ databaseName: ctx.databaseName, tables: [ctx.tableName] }],
      // Catalog-target crawlers must log, not delete; LOG on update keeps the record.ts schema.
      schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "LOG" },
      configuration: JSON.stringify({ Version: 1.0, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } } }),
      ...(crawler.schedule ? { schedule: crawler.schedule } : {}),
    });
    return role.arn;
  }
}

/** The analyst policy: run queries in one workgroup, read the catalog tables and log prefixes, write results. */
export function analystStatements(input: {
  workgroupArn: string;
  dataCatalogArn: string;
  glueResources: string[];
  bucketArn: string;
  readPrefixes: string[];
  resultsBucketArn: string;
  kmsKeyArn: string;
  s3ViaService: string;
}): DataAwsIamPolicyDocumentStatement[] {
  return [
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
      resources: [input.workgroupArn],
    },
    {
      sid: "BrowseDataCatalog",
      actions: [
        "athena:GetDataCatalog",
        "athena:GetDatabase",
        "athena:ListDatabases",
        "athena:GetTableMetadata",
        "athena:ListTableMetadata",
      ],
      resources: [input.dataCatalogArn],
    },
    {
      sid: "ReadTables",
      actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
      resources: input.glueResources,
    },
    {
      sid: "ListLogPrefixes",
      actions: ["s3:ListBucket"],
      resources: [input.bucketArn],
      condition: [
        { test: "StringLike", variable: "s3:prefix", values: input.readPrefixes.flatMap((p) => [`${p}/`, `${p}/*`]) },
      ],
    },
    { sid: "LocateLogBucket", actions: ["s3:GetBucketLocation"], resources: [input.bucketArn] },
    { sid: "ReadLogObjects", actions: ["s3:GetObject"], resources: input.readPrefixes.map((p) => `${input.bucketArn}/${p}/*`) },
    {
      sid: "UseResultsBucket",
      actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      resources: [input.resultsBucketArn],
    },
    {
      sid: "ReadWriteResults",
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      resources: [`${input.resultsBucketArn}/*`],
    },
    {
      sid: "UseKeyThroughS3",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [input.kmsKeyArn],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [input.s3ViaService] }],
    },
  ];
}
