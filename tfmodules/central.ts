/**
 * `central`: the log-archive side in the caller's provider account and region — storage, the
 * transform, Firehose, the CloudWatch Logs destination of this region, catalog and Athena — built
 * by the same `centralPipeline` as the central stack. Scalars (names, retentions, buffers, sizes)
 * are variables; what changes the resource graph (DataBrew, the crawler, access logging,
 * partition keys; Object Lock is always on) is fixed to the environment defaults, and destinations in further
 * regions are the `destination` module's, one call per region with that region's provider.
 */
import type { App } from "cdktf";
import { Fn, Op, Token } from "cdktf";
import type { Partition } from "../modules/common/aws";
import { LOG_RETENTION_DAYS, PATTERNS } from "../modules/common/patterns";
import { FIREHOSE, LAMBDA } from "../envs/aws-facts";
import { centralPipeline, LAMBDA_BUNDLE } from "../stacks/central";
import { validateEnvironment, type ResolvedEnvironment } from "../envs/validate";
import { namePrefixInput, organizationalUnitPathsInput, organizationIdInput } from "./inputs";
import { ModuleStack } from "./module-stack";
import { eachMatches, lockedForAFinitePeriod, matches, notEmpty, oneOf, wholeNumberIn } from "./rules";

/** The environment whose defaults fix the module's shape; every value the module varies is replaced below. */
function shapeEnvironment(): ResolvedEnvironment {
  const result = validateEnvironment(
    {
      name: "module",
      central: {
        accountId: "000000000000",
        region: "eu-west-1",
        access: { roleArn: "arn:aws:iam::000000000000:role/unused" },
        state: { bucket: "unused-module-state" },
      },
      workloads: [
        {
          accountId: "000000000001",
          access: { roleArn: "arn:aws:iam::000000000001:role/unused" },
          state: { bucket: "unused-module-state" },
          regions: [{ region: "eu-west-1", clusters: ["unused"] }],
        },
      ],
      senders: { organizationId: "o-0000000000" },
    },
    "tfmodules/central.ts",
  );
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.env;
}

export function centralModule(app: App): ModuleStack {
  const m = new ModuleStack(
    app,
    "central",
    "The log archive of EKS control-plane logs in the caller's account and region: KMS key, versioned log bucket, Splunk queues, the transform Lambda, Firehose, the CloudWatch Logs destination of this region, Glue catalog and Athena, alarms.",
  );
  const shape = shapeEnvironment();
  const d = shape.pipeline;
  const number = (name: string, description: string, fallback: number, rule: ReturnType<typeof wholeNumberIn>) =>
    Token.asNumber(m.input(name, { type: "number", description, default: fallback, rules: [rule] }).value);

  const namePrefix = namePrefixInput(m, "Every resource name starts with it (bucket <name_prefix>-logs-<account>-<region>, stream <name_prefix>, destination <name_prefix>); workload modules take the same value.");
  const organizationId = organizationIdInput(m, "AWS Organizations id whose accounts may subscribe to the destination (aws:PrincipalOrgID); the destination role trusts CloudWatch Logs of any account in the region.");
  const organizationalUnitPaths = organizationalUnitPathsInput(m);
  const readers = m.input("splunk_reader_principal_arns", {
    type: "list(string)",
    description: "IAM principals (Splunk's role or user) that may assume the reader role to read the queues, the bucket and the key.",
    rules: [notEmpty("principal"), eachMatches(PATTERNS.principalArn)],
  });
  const externalId = m.input("splunk_external_id", {
    type: "string",
    description: "sts:ExternalId the reader role requires of Splunk.",
    sensitive: true,
    rules: [matches(PATTERNS.externalId)],
  }).stringValue;
  const admins = Token.asList(
    m.input("admin_role_arns", {
      type: "list(string)",
      description:
        "Roles (exact ARNs, this account) that alone administer the log key and may delete object versions or change the log bucket's policy, lifecycle, versioning, encryption, public-access block or Object Lock. Include the role Terraform applies this module with.",
      rules: [notEmpty("role (the one Terraform applies with)"), eachMatches(PATTERNS.iamRoleArn)],
    }).value,
  );
  const watched = m.input("watched_bucket_names", {
    type: "list(string)",
    description: "Further buckets of this region (your Terraform state bucket) whose policy, versioning, lifecycle and encryption changes raise the tamper alarm.",
    default: [],
  });
  const logRetentionDays = Token.asNumber(
    m.input("log_retention_days", {
      type: "number",
      description: "Retention of the pipeline's own log groups (Firehose errors, the transform).",
      default: d.logRetentionDays,
      rules: [oneOf(LOG_RETENTION_DAYS, "the retentions CloudWatch Logs accepts")],
    }).value,
  );

  const expireAfterDays = number("expire_after_days", "Days after which delivered logs expire; 0 keeps them forever.", d.s3.expireAfterDays, wholeNumberIn(0, 36500, "days"));
  const objectLockMode = m.input("object_lock_mode", {
    type: "string",
    description:
      "Object Lock default retention of the log bucket: GOVERNANCE (only admin_role_arns, with s3:BypassGovernanceRetention, can shorten it) or COMPLIANCE (nobody can). Object Lock, once on, stays on.",
    default: "GOVERNANCE",
    rules: [oneOf(["GOVERNANCE", "COMPLIANCE"], "S3 Object Lock retention modes")],
  }).stringValue;
  const objectLockDays = m.input("object_lock_days", {
    type: "number",
    description: "Days each delivered object is locked; 0 follows expire_after_days (required when that is 0).",
    default: 0,
    rules: [wholeNumberIn(0, 36500, "days"), lockedForAFinitePeriod("expire_after_days")],
  });
  const env: ResolvedEnvironment = {
    ...shape,
    partition: m.partition as Partition,
    central: {
      ...shape.central,
      accountId: m.accountId,
      region: m.region,
      namePrefix,
      destinationRegions: [m.region],
      // The module has no backend of its own; the state bucket to watch is an input (watched_bucket_names).
      state: shape.central.state,
    },
    senders: { organizationId, accountIds: [], organizationalUnitPaths },
    workloads: [],
    pipeline: {
      ...d,
      logRetentionDays,
      s3: {
        ...d.s3,
        expireAfterDays,
        objectLock: {
          mode: objectLockMode as "GOVERNANCE" | "COMPLIANCE",
          // ">= 1", not "> 0": cdktf renders a literal 0 operand as `undefined`.
          days: Token.asNumber(Fn.conditional(Op.gte(objectLockDays.value, 1), objectLockDays.value, expireAfterDays)),
        },
        noncurrentVersionExpireAfterDays: number(
          "noncurrent_version_expire_after_days",
          "Days a replaced or deleted object version is kept.",
          d.s3.noncurrentVersionExpireAfterDays,
          wholeNumberIn(1, 36500, "days"),
        ),
      },
      splunk: { ...d.splunk, readerPrincipalArns: Token.asList(readers.value), externalId },
      firehose: {
        ...d.firehose,
        bufferSizeMBs: number("firehose_buffer_size_mbs", "Firehose S3 buffer size; dynamic partitioning needs at least 64.", d.firehose.bufferSizeMBs, wholeNumberIn(64, FIREHOSE.sizeMBs.max, "MB")),
        bufferIntervalSeconds: number(
          "firehose_buffer_interval_seconds",
          "Firehose S3 buffer interval: the upper bound of delivery delay.",
          d.firehose.bufferIntervalSeconds,
          wholeNumberIn(FIREHOSE.intervalSeconds.min, FIREHOSE.intervalSeconds.max, "seconds"),
        ),
      },
      lambda: {
        ...d.lambda,
        timeoutSeconds: number("lambda_timeout_seconds", "Transform timeout; Firehose invokes for at most 5 minutes.", d.lambda.timeoutSeconds, wholeNumberIn(LAMBDA.timeoutSeconds.min, 300, "seconds")),
        reservedConcurrency: number(
          "lambda_reserved_concurrency",
          "Reserved concurrency of the transform: a cap, so a flooding sender is throttled (Firehose retries) rather than taking the account's Lambda concurrency.",
          d.lambda.reservedConcurrency!,
          wholeNumberIn(1, 10000, "executions"),
        ),
      },
      athena: {
        ...d.athena,
        workgroupName: namePrefix,
        bytesScannedCutoffPerQuery: number(
          "athena_bytes_scanned_cutoff_per_query",
          "Athena stops a query of the workgroup after scanning this many bytes (at least 10 MB).",
          d.athena.bytesScannedCutoffPerQuery,
          wholeNumberIn(10_485_760, Number.MAX_SAFE_INTEGER, "bytes"),
        ),
        resultsExpireAfterDays: number("athena_results_expire_after_days", "Days query results are kept.", d.athena.resultsExpireAfterDays, wholeNumberIn(1, 3650, "days")),
      },
      catalog: { ...d.catalog, databaseName: Fn.replace(namePrefix, "-", "_") },
    },
  };
  const pipeline = centralPipeline(m, env, {
    bundlePath: LAMBDA_BUNDLE,
    providerFor: () => m.defaultProvider,
    // The region is the provider's, unknown here: one destination, under a fixed construct id.
    destinationKey: () => "region",
    watchedBucketNames: Token.asList(watched.value),
    admins: { keyAdminArns: admins, bucketAdminArns: admins },
  });
  for (const { name, value, description } of pipeline.outputs) {
    if (name === "forwarder_destination_arns") m.output("forwarder_destination_arn", Object.values(value as Record<string, string>)[0], "CloudWatch Logs destination of this region (workload modules' destination_arn)");
    else m.output(name, value, description);
  }
  return m;
}
