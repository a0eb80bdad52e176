/**
 * What an environment file may say, with every default in one place.
 *
 * `EnvironmentConfig` is what you write in `envs/<name>.ts`; `Environment` is
 * what the stacks receive after validation, with every default filled in.
 */
import { z } from "zod";
import { isPartitionHour, PARTITION_HOUR_RULE, PATTERNS } from "../modules/common/patterns";
import type { Rule } from "../modules/common/validate";
import {
  FIREHOSE,
  FIREHOSE_ACTIVE_PARTITIONS_DEFAULT,
  LAMBDA,
  LIFECYCLE_STORAGE_CLASSES,
  LOG_RETENTION_DAYS,
  TAGS,
  bucketNameProblem,
  partitionOfRegion,
  type LifecycleStorageClass,
} from "./aws-facts";

/** How Terraform reaches an account. */
export interface AccountAccess {
  /** Role Terraform assumes in the account, e.g. `arn:aws:iam::111111111111:role/terraform`. */
  readonly roleArn: string;
  /** External id the role's trust policy requires. @default none */
  readonly externalId?: string;
}

/** Where a stack's Terraform state lives (an S3 backend with S3-native locking). */
export interface StateBackend {
  /** State bucket; the bootstrap stack of the first account naming it creates it. */
  readonly bucket: string;
  /** Region of the state bucket. @default the account's first region */
  readonly region?: string;
  /** Key prefix; each stack writes `<keyPrefix>/<stack>/terraform.tfstate`. @default "eks-control-plane-logs" */
  readonly keyPrefix?: string;
  /** Role the backend assumes to reach the bucket. @default the bucket owner's `access.roleArn` */
  readonly roleArn?: string;
  /** S3-native state locking (`use_lockfile`, Terraform >= 1.10). @default true */
  readonly lockfile?: boolean;
  /** Keep the bootstrap stack's own state in this bucket (after a first apply with local state). @default false */
  readonly bootstrapStateInBucket?: boolean;
  /**
   * Let `terraform destroy` of the bootstrap stack remove the state bucket and its KMS key. Off,
   * Terraform refuses (`prevent_destroy`). @default false
   */
  readonly allowDestroy?: boolean;
}

/** The log-archive account that owns the bucket, Firehose, Lambda and catalog. */
export interface CentralAccountConfig {
  /** 12-digit account id. */
  readonly accountId: string;
  /** Home region: Firehose, Lambda, bucket, catalog. */
  readonly region: string;
  /** Prefix of every resource name. @default "eks-logs-<env name>" */
  readonly namePrefix?: string;
  readonly access: AccountAccess;
  readonly state: StateBackend;
  /** Regions that get a CloudWatch Logs destination. @default every workload region */
  readonly destinationRegions?: readonly string[];
  /**
   * Roles (exact ARNs, this account) that administer the log key besides `access.roleArn`, which
   * Terraform applies with; nobody else may schedule its deletion, disable it or change its policy.
   * @default none (the deploy role and the break-glass roles only)
   */
  readonly keyAdminRoleArns?: readonly string[];
  /**
   * Roles that alone, besides the deploy role, may delete object versions of the log bucket or change
   * its policy, lifecycle, versioning, encryption, public-access block or Object Lock; they also
   * administer the key. @default none
   */
  readonly breakGlassRoleArns?: readonly string[];
}

/** One region of a workload account and the EKS clusters whose log groups are subscribed. */
export interface WorkloadRegionConfig {
  readonly region: string;
  /** EKS cluster names; each `/aws/eks/<name>/cluster` log group gets a subscription filter. */
  readonly clusters: readonly string[];
}

/** An account that runs EKS clusters. It may be the central account itself. */
export interface WorkloadAccountConfig {
  /** 12-digit account id. */
  readonly accountId: string;
  readonly access: AccountAccess;
  readonly state: StateBackend;
  readonly regions: readonly WorkloadRegionConfig[];
  /**
   * Also add an account-level subscription policy in each region, so clusters created later are sent
   * without a config change. It subscribes every log group of the account except ours, not only EKS ones.
   * @default false
   */
  readonly accountWideSubscription?: boolean;
}

/** Which accounts the CloudWatch Logs destinations admit. Give exactly one. */
export interface SendersConfig {
  /** AWS Organizations id (`o-…`): admits every account of the organisation (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /** Explicit account list; must contain every workload account. @default the workload accounts */
  readonly accountIds?: readonly string[];
  /**
   * With `organizationId`: admit only accounts under these OU paths (`aws:PrincipalOrgPaths`), e.g.
   * `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*` for an OU and the OUs below it. @default the whole organisation
   */
  readonly organizationalUnitPaths?: readonly string[];
}

export interface LifecycleTransition {
  /** Object age in days at which it moves. */
  readonly afterDays: number;
  readonly storageClass: LifecycleStorageClass;
}

/** Tuning of the pipeline. Every field has a default. */
export interface PipelineConfig {
  readonly firehose?: {
    /** S3 buffer size, 64–128 MB (dynamic partitioning needs >= 64). @default 64 */
    readonly bufferSizeMBs?: number;
    /** S3 buffer interval, 60–900 s (dynamic partitioning has no zero buffering); the delivery latency bound. @default 60 */
    readonly bufferIntervalSeconds?: number;
    /** Lambda processor buffer size, 0.2–1 MB of compressed input per invocation (bench: 0.3 never re-ingests). @default 0.3 */
    readonly processorBufferSizeMBs?: number;
    /** Lambda processor buffer interval, 0–900 s. @default 60 */
    readonly processorBufferIntervalSeconds?: number;
    /** Active partitions this stream may have (the account's Firehose quota). @default 500 */
    readonly activePartitionLimit?: number;
  };
  readonly lambda?: {
    /** Transform Lambda memory, 128–10240 MB. @default 1024 */
    readonly memorySizeMB?: number;
    /** Transform Lambda timeout, 1–300 s (Firehose invokes transforms for at most 5 minutes). @default 120 */
    readonly timeoutSeconds?: number;
    /** Reserved concurrency, 1–10000: a cap on what a flooding sender can take. @default 20 */
    readonly reservedConcurrency?: number;
    /** Settings of the transform (lambda-src/config.ts: AUDIT_OBJECT_MODE, RESPONSE_BUDGET_BYTES, …). @default none (the Lambda's defaults) */
    readonly environment?: Readonly<Record<string, string>>;
  };
  /** Retention of our own CloudWatch log groups (Lambda, Firehose errors), a value CWL accepts: a year of the pipeline's own evidence. @default 365 */
  readonly logRetentionDays?: number;
  readonly s3?: {
    /** Storage class transitions, ascending. @default STANDARD_IA at 30 days, GLACIER_IR at 90 */
    readonly transitions?: readonly LifecycleTransition[];
    /** Delete objects this many days after creation; 0 keeps them forever. @default 365 */
    readonly expireAfterDays?: number;
    /** Delete noncurrent versions after this many days. @default 30 */
    readonly noncurrentVersionExpireAfterDays?: number;
    /** Abort incomplete multipart uploads after this many days. @default 7 */
    readonly abortIncompleteMultipartUploadAfterDays?: number;
    /** Days to keep Firehose's error output (failed records). @default expireAfterDays */
    readonly errorExpireAfterDays?: number;
    /**
     * S3 key parts after `log_type`, for Athena pruning. Each multiplies Firehose's active
     * partitions (checked against firehose.activePartitionLimit). @default none
     */
    readonly extraPartitionKeys?: readonly ("account_id" | "region" | "cluster")[];
    /**
     * Object Lock default retention on the log bucket (write once, read many): every delivered
     * object is locked for `days` (default: `expireAfterDays`, as long as the lifecycle keeps it).
     * GOVERNANCE lets only principals with `s3:BypassGovernanceRetention` (the bucket admins)
     * shorten or lift it; COMPLIANCE lets nobody, not even the account root. Enabling it on a
     * bucket is irreversible; `false` leaves it off. @default { "mode": "GOVERNANCE" }
     */
    readonly objectLock?: false | { readonly mode?: "GOVERNANCE" | "COMPLIANCE"; readonly days?: number };
    /** Server access logs of the log bucket, kept in a separate bucket. @default off */
    readonly accessLogging?: {
      /** Days the access logs are kept. @default 90 */
      readonly expireAfterDays?: number;
    };
    /**
     * Let `terraform destroy` of the central stack remove the log bucket, its hardening and the
     * KMS key. Off, Terraform refuses (`prevent_destroy`): set it only for a disposable
     * environment, synthesize, then destroy. @default false
     */
    readonly allowDestroy?: boolean;
  };
  readonly splunk?: {
    /** S3 → SQS notifications and the reader role for Splunk's SQS-based S3 input. @default true */
    readonly enabled?: boolean;
    /** Principals (role/user ARNs of your Splunk hosts or Splunk Cloud) allowed to assume the reader role. @default none */
    readonly readerPrincipalArns?: readonly string[];
    /** External id the reader role requires. @default none (required when readerPrincipalArns is set) */
    readonly externalId?: string;
    /**
     * The reader role trusts its principals only with `sts:ExternalId`. Splunk_TA_aws's own "IAM Role"
     * setting cannot send an external id: set false for it (principals must then be exact roles/users). @default true
     */
    readonly requireExternalId?: boolean;
    /** One SQS queue per log type (one sourcetype each) instead of one shared queue. @default the storage module's */
    readonly queuePerLogType?: boolean;
    /** SQS visibility timeout: time for Splunk to read one object. @default the storage module's */
    readonly visibilityTimeoutSeconds?: number;
    /** Receives before a notification moves to the DLQ. @default the storage module's */
    readonly maxReceiveCount?: number;
  };
  readonly athena?: {
    /** Athena workgroup (enforced configuration, KMS-encrypted results). @default the name prefix */
    readonly workgroupName?: string;
    /** Per-query scan limit in bytes; Athena's minimum is 10 MB. @default 10 GiB */
    readonly bytesScannedCutoffPerQuery?: number;
    /** Days query results are kept. @default 30 */
    readonly resultsExpireAfterDays?: number;
    /** IAM role names (central account) that may query: they get a managed policy and use of the key. @default none */
    readonly analystRoleNames?: readonly string[];
  };
  readonly catalog?: {
    /** Glue database. @default the name prefix with `-` → `_` */
    readonly databaseName?: string;
    /** First hour (yyyy-MM-dd-HH, UTC) the `dt` partition projection covers. @default "2025-01-01-00" */
    readonly projectionStart?: string;
    /** The seed's Glue crawler, for tools that need registered partitions (Spectrum, EMR). @default off */
    readonly crawler?: {
      /** Run the crawler. @default false */
      readonly enabled?: boolean;
      /** Glue cron. @default "cron(20 * * * ? *)" */
      readonly schedule?: string;
    };
  };
  readonly databrew?: {
    /** DataBrew recipe job to Parquet. @default false */
    readonly enabled?: boolean;
    /** Job schedule: every N hours (N divides 24) or daily, at a fixed minute. @default "cron(15 * * * ? *)" (hourly) */
    readonly schedule?: string;
    /** DataBrew nodes per run, 1–149. @default 2 */
    readonly maxCapacity?: number;
  };
  readonly alarms?: {
    /** E-mail addresses subscribed to the alarm topic (each must confirm). @default none */
    readonly emails?: readonly string[];
    /** An existing SNS topic to notify as well. @default none */
    readonly snsTopicArn?: string;
    /**
     * Hours without a delivered line after which a configured cluster (and, with an organisation,
     * a configured account) raises its silence alarm, 1–24. @default 2
     */
    readonly silenceHours?: number;
  };
}

export interface EnvironmentConfig {
  /** Environment name, the first part of every stack name, e.g. `prod`. */
  readonly name: string;
  readonly central: CentralAccountConfig;
  readonly workloads: readonly WorkloadAccountConfig[];
  /** Who may send to the destinations. @default `{ accountIds: <workload accounts> }` */
  readonly senders?: SendersConfig;
  readonly pipeline?: PipelineConfig;
  /** Tags on every resource (provider default tags), besides Project/Environment/Stack/ManagedBy. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

// ---- rules -----------------------------------------------------------------------------------

/** Reserved concurrency of the transform unless the env says otherwise. */
export const DEFAULT_TRANSFORM_CONCURRENCY = 20;

const NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ROLE_ARN = PATTERNS.iamRoleArn;

/** A string matching one of the modules' patterns, with its rule as the message. */
const matching = (rule: Rule) => z.string().regex(rule.pattern, rule.rule);

const accountId = matching(PATTERNS.accountId);
const region = z.string().refine((r) => partitionOfRegion(r) !== undefined, "is not an AWS region name");
const bucketName = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const int = (min: number, max: number, what: string) =>
  z
    .number()
    .int(`must be a whole number (${what})`)
    .min(min, `must be at least ${min} (${what})`)
    .max(max, `must be at most ${max} (${what})`);
const num = (min: number, max: number, what: string) =>
  z.number().min(min, `must be at least ${min} (${what})`).max(max, `must be at most ${max} (${what})`);

const access = z.strictObject({
  roleArn: matching(ROLE_ARN),
  externalId: matching(PATTERNS.externalId).optional(),
});

const state = z.strictObject({
  bucket: bucketName,
  region: region.optional(),
  keyPrefix: matching(PATTERNS.keyPrefix).default("eks-control-plane-logs"),
  roleArn: matching(ROLE_ARN).optional(),
  lockfile: z.boolean().default(true),
  bootstrapStateInBucket: z.boolean().default(false),
  allowDestroy: z.boolean().default(false),
});

const uniqueStrings = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.array(item).superRefine((items, ctx) => {
    items.forEach((value, i) => {
      if (items.indexOf(value) !== i) {
        ctx.addIssue({ code: "custom", path: [i], input: value, message: `is a duplicate ${what}` });
      }
    });
  });

const central = z.strictObject({
  accountId,
  region,
  namePrefix: matching(PATTERNS.namePrefix).optional(),
  access,
  state,
  destinationRegions: uniqueStrings(region, "region").optional(),
  keyAdminRoleArns: uniqueStrings(matching(ROLE_ARN), "role").default([]),
  breakGlassRoleArns: uniqueStrings(matching(ROLE_ARN), "role").default([]),
});

const workload = z.strictObject({
  accountId,
  access,
  state,
  accountWideSubscription: z.boolean().default(false),
  regions: z
    .array(
      z.strictObject({
        region,
        clusters: uniqueStrings(
          matching(PATTERNS.clusterName),
          "cluster in this region",
        ).min(1, "must name at least one EKS cluster"),
      }),
    )
    .min(1, "must list at least one region"),
});

const lifecycleTransition = z.strictObject({
  afterDays: int(0, 36500, "days"),
  storageClass: z.enum(Object.keys(LIFECYCLE_STORAGE_CLASSES) as [LifecycleStorageClass, ...LifecycleStorageClass[]], {
    error: `must be one of ${Object.keys(LIFECYCLE_STORAGE_CLASSES).join(", ")}`,
  }),
});

const pipeline = z.strictObject({
  firehose: z
    .strictObject({
      bufferSizeMBs: int(
        FIREHOSE.sizeMBs.min,
        FIREHOSE.sizeMBs.max,
        "Firehose S3 BufferingHints.SizeInMBs; dynamic partitioning needs >= 64",
      ).default(64),
      bufferIntervalSeconds: int(
        FIREHOSE.intervalSeconds.min,
        FIREHOSE.intervalSeconds.max,
        "Firehose S3 BufferingHints.IntervalInSeconds; dynamic partitioning has no zero buffering",
      ).default(60),
      processorBufferSizeMBs: num(
        FIREHOSE.processorSizeMBs.min,
        FIREHOSE.processorSizeMBs.max,
        "Firehose Lambda processor BufferSizeInMBs; above 1 MB the transform's 6 MB response overflows and events cycle through re-ingestion",
      ).default(0.3),
      processorBufferIntervalSeconds: int(
        FIREHOSE.processorIntervalSeconds.min,
        FIREHOSE.processorIntervalSeconds.max,
        "Firehose Lambda processor BufferIntervalInSeconds",
      ).default(60),
      activePartitionLimit: int(1, 5000, "Firehose active partitions quota, 500 by default, up to 5,000 on request").default(
        FIREHOSE_ACTIVE_PARTITIONS_DEFAULT,
      ),
    })
    .prefault({}),
  lambda: z
    .strictObject({
      memorySizeMB: int(LAMBDA.memorySizeMB.min, LAMBDA.memorySizeMB.max, "Lambda MemorySize").default(1024),
      timeoutSeconds: int(
        LAMBDA.timeoutSeconds.min,
        LAMBDA.timeoutSeconds.max,
        "Lambda Timeout; Firehose invokes transforms for at most 5 minutes",
      ).default(120),
      // A cap by default: a sender that floods the pipeline is throttled (Firehose retries the
      // invocation) instead of taking the account's whole Lambda concurrency.
      reservedConcurrency: int(1, 10000, "Lambda reserved concurrent executions").default(DEFAULT_TRANSFORM_CONCURRENCY),
      environment: z.record(z.string(), z.string()).default({}),
    })
    .prefault({}),
  logRetentionDays: z
    .number()
    .refine(
      (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
      `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
    )
    .default(365),
  s3: z
    .strictObject({
      transitions: z.array(lifecycleTransition).default([
        { afterDays: 30, storageClass: "STANDARD_IA" },
        { afterDays: 90, storageClass: "GLACIER_IR" },
      ]),
      expireAfterDays: int(0, 36500, "days; 0 keeps objects forever").default(365),
      noncurrentVersionExpireAfterDays: int(1, 36500, "days").default(30),
      abortIncompleteMultipartUploadAfterDays: int(1, 36500, "days").default(7),
      errorExpireAfterDays: int(1, 36500, "days").optional(),
      extraPartitionKeys: uniqueStrings(
        z.enum(["account_id", "region", "cluster"], { error: "must be one of account_id, region, cluster" }),
        "partition key",
      ).default([]),
      objectLock: z
        .union(
          [
            z.literal(false),
            z.strictObject({
              mode: z.enum(["GOVERNANCE", "COMPLIANCE"], { error: "must be GOVERNANCE or COMPLIANCE" }).default("GOVERNANCE"),
              days: int(1, 36500, "days").optional(),
            }),
          ],
          { error: "must be false or { mode?, days? }" },
        )
        .default({ mode: "GOVERNANCE" }),
      accessLogging: z.strictObject({ expireAfterDays: int(1, 36500, "days").default(90) }).optional(),
      allowDestroy: z.boolean().default(false),
    })
    .prefault({}),
  splunk: z
    .strictObject({
      enabled: z.boolean().default(true),
      readerPrincipalArns: uniqueStrings(
        matching(PATTERNS.principalArn),
        "principal",
      ).default([]),
      externalId: matching(PATTERNS.externalId).optional(),
      requireExternalId: z.boolean().default(true),
      queuePerLogType: z.boolean().optional(),
      visibilityTimeoutSeconds: int(0, 43200, "SQS VisibilityTimeout").optional(),
      maxReceiveCount: int(1, 1000, "SQS redrive maxReceiveCount").optional(),
    })
    .prefault({}),
  athena: z
    .strictObject({
      workgroupName: matching(PATTERNS.workgroupName).optional(),
      bytesScannedCutoffPerQuery: int(10_485_760, Number.MAX_SAFE_INTEGER, "bytes; Athena's minimum is 10 MB").default(
        10 * 1024 ** 3,
      ),
      resultsExpireAfterDays: int(1, 3650, "days").default(30),
      analystRoleNames: uniqueStrings(
        matching(PATTERNS.iamRoleName),
        "role",
      ).default([]),
    })
    .prefault({}),
  catalog: z
    .strictObject({
      databaseName: matching(PATTERNS.glueName).optional(),
      projectionStart: z
        .string()
        .refine(isPartitionHour, PARTITION_HOUR_RULE)
        .default("2025-01-01-00"),
      crawler: z
        .strictObject({
          enabled: z.boolean().default(false),
          schedule: matching(PATTERNS.cron6).default("cron(20 * * * ? *)"),
        })
        .prefault({}),
    })
    .prefault({}),
  databrew: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxCapacity: int(1, 149, "DataBrew nodes").default(2),
      schedule: matching(PATTERNS.cron6).default("cron(15 * * * ? *)"),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      emails: uniqueStrings(matching(PATTERNS.email), "e-mail address").default([]),
      snsTopicArn: matching(PATTERNS.snsTopicArn).optional(),
      silenceHours: int(1, 24, "hours").default(2),
    })
    .prefault({}),
});

const tags = z.record(z.string(), z.string()).superRefine((record, ctx) => {
  for (const [key, value] of Object.entries(record)) {
    const problem =
      key.length < 1 || key.length > TAGS.keyMaxLength
        ? `key must be 1–${TAGS.keyMaxLength} characters`
        : key.toLowerCase().startsWith("aws:")
          ? `key must not start with "aws:" (reserved by AWS)`
          : !TAGS.allowed.test(key) || !TAGS.allowed.test(value)
            ? "may contain only letters, digits, spaces and _ . : / = + - @"
            : value.length > TAGS.valueMaxLength
              ? `value must be at most ${TAGS.valueMaxLength} characters`
              : undefined;
    if (problem) ctx.addIssue({ code: "custom", path: [key], input: value, message: problem });
  }
});

export const environmentSchema = z.strictObject({
  name: z.string().regex(NAME, "must be 1–20 characters: a lowercase letter, then lowercase letters, digits or hyphens"),
  central,
  workloads: z.array(workload).min(1, "must list at least one workload account"),
  senders: z
    .strictObject({
      organizationId: matching(PATTERNS.organizationId).optional(),
      accountIds: uniqueStrings(accountId, "account").min(1, "must list at least one account").optional(),
      organizationalUnitPaths: uniqueStrings(matching(PATTERNS.organizationPath), "path").min(1, "must list at least one path").optional(),
    })
    .optional(),
  pipeline: pipeline.prefault({}),
  tags: tags.default({}),
});

/** A validated environment: every default filled in. */
export type Environment = z.output<typeof environmentSchema>;

// The hand-written, documented input types must stay what the schema accepts.
type DeepReadonly<T> = T extends (infer I)[] ? readonly DeepReadonly<I>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
type Accepts<A, B extends A> = B;
type SchemaInput = DeepReadonly<z.input<typeof environmentSchema>>;
export type _InputChecks = [Accepts<SchemaInput, EnvironmentConfig>, Accepts<EnvironmentConfig, SchemaInput>];

/** The prefix of every resource name when `central.namePrefix` is unset. */
export function defaultNamePrefix(envName: string): string {
  return `eks-logs-${envName}`;
}

/** Identity with types: env files `export default defineEnvironment({ … })` to get checking and hover docs. */
export function defineEnvironment(config: EnvironmentConfig): EnvironmentConfig {
  return config;
}
