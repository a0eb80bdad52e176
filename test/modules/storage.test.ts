import { TerraformVariable } from "cdktf";
import { resolve } from "cdktf/lib/_tokens";
import { ALL_LOG_TYPES, logTypePrefix } from "../../lambda-src/conventions";
import { ModuleValidationError, Storage, type StorageProps } from "../../modules/storage";
import { KEY_ADMIN_ACTIONS } from "../../modules/common/kms";
import { LOGS_KEY_ACTIONS } from "../../modules/storage/key-policy";
import { blocks, find, policyStatements, ref, statementBySid, synth, type Json } from "../helpers/synth";

const ACCOUNT = "111111111111";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const BUCKET = `eks-logs-test-${ACCOUNT}-eu-west-1`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
/** Terraform refuses to destroy it (protectFromDestroy, on by default). */
const KEEP = { lifecycle: { prevent_destroy: true } };
const FIREHOSE_ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-logs-test-firehose`;
const LAMBDA_LOG_GROUP = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/eks-logs-test-transform`;
const SPLUNK_PRINCIPAL = "arn:aws:iam::222222222222:role/splunk-heavy-forwarder";

type Overrides = Omit<Partial<StorageProps>, "splunk" | "lifecycle" | "alarms"> & {
  splunk?: Partial<StorageProps["splunk"]>;
  lifecycle?: Partial<StorageProps["lifecycle"]>;
  alarms?: Partial<StorageProps["alarms"]>;
};

function props(overrides: Overrides = {}): StorageProps {
  const { splunk, lifecycle, alarms, ...rest } = overrides;
  return {
    namePrefix: "eks-logs-test",
    accountId: ACCOUNT,
    region: "eu-west-1",
    partition: "aws",
    layout: { prefix: "eks-logs", extraPartitionKeys: ["account_id", "region", "cluster"] },
    errorPrefix: "errors",
    keyUsers: [
      {
        sid: "FirehoseWritesLogs",
        roleArn: FIREHOSE_ROLE,
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        viaServices: ["s3.eu-west-1.amazonaws.com"],
      },
    ],
    encryptedLogGroupArns: [LAMBDA_LOG_GROUP],
    ...rest,
    lifecycle: {
      transitions: [
        { afterDays: 30, storageClass: "STANDARD_IA" },
        { afterDays: 90, storageClass: "GLACIER_IR" },
      ],
      expireAfterDays: 365,
      noncurrentVersionExpireAfterDays: 30,
      abortIncompleteMultipartUploadAfterDays: 7,
      ...lifecycle,
    },
    splunk: { enabled: true, readerPrincipalArns: [], ...splunk },
    alarms: { emails: ["oncall@example.com"], ...alarms },
  };
}

function build(overrides: Overrides = {}): { json: Json; storage: Storage } {
  let storage: Storage | undefined;
  const json = synth((scope) => {
    storage = new Storage(scope, "storage", props(overrides));
  });
  return { json, storage: storage! };
}

const WITH_READER: Overrides = { splunk: { readerPrincipalArns: [SPLUNK_PRINCIPAL], externalId: "splunk-ext-id-42" } };

/** An output of the construct as the Terraform JSON spells it ("${aws_s3_bucket.x.arn}"). */
function resolved(storage: Storage, value: unknown): unknown {
  return resolve(storage, value);
}

function statementsOf(json: Json, type: string, path: string, attribute = "policy"): Json[] {
  return policyStatements(json, find(json, type, path)[attribute]);
}

function keyStatements(json: Json): Json[] {
  return statementsOf(json, "aws_kms_key", "storage/key");
}

describe("storage: KMS key", () => {
  const { json } = build(WITH_READER);
  const keyArn = ref(json, "aws_kms_key", "storage/key", "arn");

  it("rotates, waits 30 days before deletion and has the logs alias", () => {
    expect(find(json, "aws_kms_key", "storage/key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(find(json, "aws_kms_alias", "storage/key-alias")).toEqual({
      name: "alias/eks-logs-test-logs",
      target_key_id: ref(json, "aws_kms_key", "storage/key", "key_id"),
    });
  });

  it("admits exactly these statements", () => {
    expect(keyStatements(json).map((s) => s.sid)).toEqual([
      "AccountAdministersKey",
      "AwsServicesCreateGrants",
      "FirehoseWritesLogs",
      "SplunkReaderDecrypts",
      "CloudWatchLogsUsesKey",
      "S3NotifiesEncryptedQueues",
      "CloudWatchAlarmsPublish",
      "EventBridgeRulesPublish",
    ]);
    expect(keyArn).toMatch(/aws_kms_key/);
  });

  it("lets the account administer the key but not use it", () => {
    const admin = statementBySid(keyStatements(json), "AccountAdministersKey");
    expect(admin).toEqual({
      sid: "AccountAdministersKey",
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: [ROOT] }],
      actions: KEY_ADMIN_ACTIONS,
      resources: ["*"],
    });
    for (const use of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"]) {
      expect(admin.actions).not.toContain(use);
    }
    expect(admin.actions).toContain("kms:PutKeyPolicy");
  });

  it("lets AWS services (Firehose by default) create grants for AWS resources only", () => {
    expect(statementBySid(keyStatements(json), "AwsServicesCreateGrants")).toEqual({
      sid: "AwsServicesCreateGrants",
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: [ROOT] }],
      actions: ["kms:CreateGrant"],
      resources: ["*"],
      condition: [
        { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["firehose.eu-west-1.amazonaws.com"] },
      ],
    });
    const none = build({ grantViaServices: [] }).json;
    expect(keyStatements(none).map((s) => s.sid)).not.toContain("AwsServicesCreateGrants");
  });

  it("admits a key user by aws:PrincipalArn, limited to its actions and services", () => {
    expect(statementBySid(keyStatements(json), "FirehoseWritesLogs")).toEqual({
      sid: "FirehoseWritesLogs",
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: [ROOT] }],
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: ["*"],
      condition: [
        { test: "ArnEquals", variable: "aws:PrincipalArn", values: [FIREHOSE_ROLE] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] },
      ],
    });
  });

  it("admits a key user without viaServices from any service", () => {
    const anyService = build({ keyUsers: [{ sid: "LambdaDecrypts", roleArn: FIREHOSE_ROLE, actions: ["kms:Decrypt"] }] }).json;
    expect(statementBySid(keyStatements(anyService), "LambdaDecrypts").condition).toEqual([
      { test: "ArnEquals", variable: "aws:PrincipalArn", values: [FIREHOSE_ROLE] },
    ]);
  });

  it("lets the Splunk reader decrypt through S3 and SQS only", () => {
    expect(statementBySid(keyStatements(json), "SplunkReaderDecrypts")).toEqual({
      sid: "SplunkReaderDecrypts",
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: [ROOT] }],
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: [
        { test: "ArnEquals", variable: "aws:PrincipalArn", values: [`arn:aws:iam::${ACCOUNT}:role/eks-logs-test-splunk-reader`] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"] },
      ],
    });
  });

  it("lets CloudWatch Logs use the key for exactly the given log groups", () => {
    expect(statementBySid(keyStatements(json), "CloudWatchLogsUsesKey")).toEqual({
      sid: "CloudWatchLogsUsesKey",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }],
      actions: LOGS_KEY_ACTIONS,
      resources: ["*"],
      condition: [{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [LAMBDA_LOG_GROUP] }],
    });
    const noLogGroups = build({ encryptedLogGroupArns: [] }).json;
    expect(keyStatements(noLogGroups).map((s) => s.sid)).not.toContain("CloudWatchLogsUsesKey");
  });

  it("lets S3 encrypt notifications into our queues, from this bucket only", () => {
    expect(statementBySid(keyStatements(json), "S3NotifiesEncryptedQueues")).toEqual({
      sid: "S3NotifiesEncryptedQueues",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: ["*"],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        { test: "ArnEquals", variable: "aws:SourceArn", values: [BUCKET_ARN] },
        {
          test: "StringEquals",
          variable: "kms:EncryptionContext:aws:sqs:arn",
          values: ALL_LOG_TYPES.map((t) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:eks-logs-test-splunk-${t}`),
        },
      ],
    });
  });

  it("lets CloudWatch alarms of this account publish to the encrypted topic", () => {
    expect(statementBySid(keyStatements(json), "CloudWatchAlarmsPublish")).toEqual({
      sid: "CloudWatchAlarmsPublish",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: ["*"],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*`] },
        { test: "StringEquals", variable: "kms:EncryptionContext:aws:sns:topicArn", values: [`arn:aws:sns:eu-west-1:${ACCOUNT}:eks-logs-test-alarms`] },
      ],
    });
  });

  it("uses China's service domain in aws-cn", () => {
    const cn = build({
      partition: "aws-cn",
      region: "cn-north-1",
      keyUsers: [],
      encryptedLogGroupArns: [`arn:aws-cn:logs:cn-north-1:${ACCOUNT}:log-group:/aws/lambda/x`],
      ...WITH_READER,
    }).json;
    const statements = keyStatements(cn);
    expect(statementBySid(statements, "CloudWatchLogsUsesKey").principals).toEqual([{ type: "Service", identifiers: ["logs.cn-north-1.amazonaws.com.cn"] }]);
    expect(statementBySid(statements, "SplunkReaderDecrypts").condition[1].values).toEqual([
      "s3.cn-north-1.amazonaws.com.cn",
      "sqs.cn-north-1.amazonaws.com.cn",
    ]);
  });

  it("grants no wildcard action anywhere (a Deny may use one: it only narrows)", () => {
    const everything = build({ ...WITH_READER, accessLogging: { expireAfterDays: 90 } }).json;
    for (const [id, doc] of Object.entries(blocks(everything, "aws_iam_policy_document", "data"))) {
      for (const statement of doc.statement as Json[]) {
        if (statement.effect === "Deny") continue;
        for (const action of statement.actions as string[]) {
          expect(`${id}: ${action}`).not.toMatch(/\*/);
        }
      }
    }
  });
});

describe("storage: log bucket", () => {
  const { json, storage } = build();
  const bucketId = ref(json, "aws_s3_bucket", "storage/bucket", "id");
  const bucketArn = ref(json, "aws_s3_bucket", "storage/bucket", "arn");
  const keyArn = ref(json, "aws_kms_key", "storage/key", "arn");

  it("is named <namePrefix>-<accountId>-<region> by default, or as given", () => {
    expect(find(json, "aws_s3_bucket", "storage/bucket")).toEqual({ bucket: BUCKET, ...KEEP });
    expect(find(build({ bucketName: "my-logs" }).json, "aws_s3_bucket", "storage/bucket")).toEqual({ bucket: "my-logs", ...KEEP });
    expect(resolved(storage, storage.bucketName)).toBe(ref(json, "aws_s3_bucket", "storage/bucket", "bucket"));
    expect(resolved(storage, storage.bucketArn)).toBe(bucketArn);
  });

  it("is encrypted with the key and an S3 bucket key, versioned, private and owner-enforced", () => {
    expect(find(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/encryption")).toEqual({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: keyArn }, bucket_key_enabled: true }],
      ...KEEP,
    });
    expect(find(json, "aws_s3_bucket_versioning", "storage/versioning")).toEqual({
      bucket: bucketId,
      versioning_configuration: { status: "Enabled" },
      ...KEEP,
    });
    expect(find(json, "aws_s3_bucket_public_access_block", "storage/public-access-block")).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
      ...KEEP,
    });
    expect(find(json, "aws_s3_bucket_ownership_controls", "storage/ownership")).toEqual({
      bucket: bucketId,
      rule: { object_ownership: "BucketOwnerEnforced" },
      ...KEEP,
    });
  });

  it("denies non-TLS requests, other encryption, other keys and SSE-C; a put without a header gets the default", () => {
    const statements = statementsOf(json, "aws_s3_bucket_policy", "storage/bucket-policy");
    const everyone = [{ type: "*", identifiers: ["*"] }];
    expect(statements).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: [bucketArn, `${bucketArn}/*`],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      {
        sid: "DenyOtherEncryption",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/*`],
        condition: [
          { test: "Null", variable: "s3:x-amz-server-side-encryption", values: ["false"] },
          { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption", values: ["aws:kms"] },
        ],
      },
      {
        sid: "DenyOtherKmsKey",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/*`],
        condition: [
          { test: "Null", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: ["false"] },
          { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: [keyArn] },
        ],
      },
      {
        sid: "DenyCustomerProvidedKeys",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/*`],
        condition: [{ test: "Null", variable: "s3:x-amz-server-side-encryption-customer-algorithm", values: ["false"] }],
      },
    ]);
    // Every deny on an encryption header first requires the header to be present (Null = false).
    for (const s of statements.filter((s) => s.sid !== "DenyInsecureTransport")) {
      expect(s.condition[0]).toMatchObject({ test: "Null", values: ["false"] });
    }
  });

  it("applies the lifecycle from props: delivered prefix, error prefix, versions, uploads", () => {
    expect(find(json, "aws_s3_bucket_lifecycle_configuration", "storage/lifecycle")).toMatchObject({
      bucket: bucketId,
      rule: [
        {
          id: "delivered",
          status: "Enabled",
          filter: [{ prefix: "eks-logs/" }],
          transition: [
            { days: 30, storage_class: "STANDARD_IA" },
            { days: 90, storage_class: "GLACIER_IR" },
          ],
          expiration: [{ days: 365 }],
        },
        { id: "errors", status: "Enabled", filter: [{ prefix: "errors/" }], expiration: [{ days: 365 }] },
        {
          id: "housekeeping",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrent_version_expiration: [{ noncurrent_days: 30 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
          expiration: [{ expired_object_delete_marker: true }],
        },
      ],
    });
  });

  it("keeps errors for errorExpireAfterDays, and never expires with 0", () => {
    const rules = find(
      build({ lifecycle: { expireAfterDays: 0, errorExpireAfterDays: 14, transitions: [] } }).json,
      "aws_s3_bucket_lifecycle_configuration",
      "storage/lifecycle",
    ).rule as Json[];
    expect(rules[0]).toEqual({ id: "delivered", status: "Enabled", filter: [{ prefix: "eks-logs/" }] });
    expect(rules[1]).toEqual({ id: "errors", status: "Enabled", filter: [{ prefix: "errors/" }], expiration: [{ days: 14 }] });
  });

  it("ages derived data (Parquet) like the delivered logs it came from", () => {
    const rules = find(
      build({ lifecycle: { derivedPrefixes: ["parquet"] } }).json,
      "aws_s3_bucket_lifecycle_configuration",
      "storage/lifecycle",
    ).rule as Json[];
    expect(rules.map((r) => r.id)).toEqual(["delivered", "derived-parquet", "errors", "housekeeping"]);
    expect(rules[1]).toEqual({ ...rules[0], id: "derived-parquet", filter: [{ prefix: "parquet/" }] });
  });

  it("has no Object Lock unless asked", () => {
    expect(blocks(json, "aws_s3_bucket_object_lock_configuration")).toEqual({});
    expect(find(json, "aws_s3_bucket", "storage/bucket").object_lock_enabled).toBeUndefined();
  });

  it("enables Object Lock with the default retention when asked, in place", () => {
    const locked = build({ objectLock: { mode: "COMPLIANCE", days: 400 } }).json;
    expect(find(locked, "aws_s3_bucket_object_lock_configuration", "storage/object-lock")).toEqual({
      bucket: ref(locked, "aws_s3_bucket", "storage/bucket", "id"),
      object_lock_enabled: "Enabled",
      rule: { default_retention: { mode: "COMPLIANCE", days: 400 } },
      depends_on: [ref(locked, "aws_s3_bucket_versioning", "storage/versioning", "id").replace(/^\$\{(.*)\.id\}$/, "$1")],
      ...KEEP,
    });
    // Not a create-time bucket argument: turning it on later must not replace the bucket.
    expect(find(locked, "aws_s3_bucket", "storage/bucket")).toEqual({ bucket: BUCKET, ...KEEP });
  });
});

describe("storage: server access logging", () => {
  it("is off by default", () => {
    const { json, storage } = build();
    expect(blocks(json, "aws_s3_bucket_logging")).toEqual({});
    expect(Object.keys(blocks(json, "aws_s3_bucket"))).toHaveLength(1);
    expect(storage.accessLogBucketName).toBeUndefined();
  });

  const { json, storage } = build({ accessLogging: { expireAfterDays: 90 } });
  const target = ref(json, "aws_s3_bucket", "storage/access-logs/bucket", "id");
  const targetArn = ref(json, "aws_s3_bucket", "storage/access-logs/bucket", "arn");

  it("logs the log bucket into a separate bucket, partitioned by event time", () => {
    expect(find(json, "aws_s3_bucket", "storage/access-logs/bucket")).toEqual({ bucket: `${BUCKET}-sal`, ...KEEP });
    expect(find(json, "aws_s3_bucket_logging", "storage/access-logging")).toMatchObject({
      bucket: ref(json, "aws_s3_bucket", "storage/bucket", "id"),
      target_bucket: target,
      target_prefix: `${BUCKET}/`,
      target_object_key_format: { partitioned_prefix: { partition_date_source: "EventTime" } },
    });
    expect(resolved(storage, storage.accessLogBucketArn)).toBe(targetArn);
  });

  it("hardens the target: SSE-S3 (server access logging does not support SSE-KMS), versioned, private, lifecycle", () => {
    expect(find(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/access-logs/encryption")).toEqual({
      bucket: target,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
      ...KEEP,
    });
    expect(find(json, "aws_s3_bucket_versioning", "storage/access-logs/versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(find(json, "aws_s3_bucket_public_access_block", "storage/access-logs/public-access-block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(find(json, "aws_s3_bucket_ownership_controls", "storage/access-logs/ownership").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(find(json, "aws_s3_bucket_lifecycle_configuration", "storage/access-logs/lifecycle").rule).toEqual([
      {
        id: "access-logs",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 90 }],
        noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
    // A target bucket must not have Object Lock; even with the log bucket locked, it has none.
    const locked = build({ accessLogging: { expireAfterDays: 90 }, objectLock: { mode: "GOVERNANCE", days: 1 } }).json;
    expect(Object.keys(blocks(locked, "aws_s3_bucket_object_lock_configuration"))).toHaveLength(1);
  });

  it("admits only S3 log delivery for this bucket into the target prefix", () => {
    const statements = statementsOf(json, "aws_s3_bucket_policy", "storage/access-logs/policy");
    expect(statements.map((s) => s.sid)).toEqual(["S3ServerAccessLogsDelivery", "DenyInsecureTransport", "DenyOtherEncryption", "DenyCustomerProvidedKeys"]);
    expect(statementBySid(statements, "S3ServerAccessLogsDelivery")).toEqual({
      sid: "S3ServerAccessLogsDelivery",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      actions: ["s3:PutObject"],
      resources: [`${targetArn}/${BUCKET}/*`],
      condition: [
        { test: "ArnEquals", variable: "aws:SourceArn", values: [BUCKET_ARN] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
      ],
    });
    expect(statementBySid(statements, "DenyOtherEncryption").condition[1]).toEqual({
      test: "StringNotEquals",
      variable: "s3:x-amz-server-side-encryption",
      values: ["AES256"],
    });
  });
});

describe("storage: protection from terraform destroy", () => {
  /** `type path` of every resource with lifecycle.prevent_destroy (path: the logical id without its hash). */
  function protectedResources(json: Json): string[] {
    return Object.entries(json.resource as Record<string, Record<string, Json>>)
      .flatMap(([type, resources]) =>
        Object.entries(resources)
          .filter(([, r]) => r.lifecycle?.prevent_destroy === true)
          .map(([id]) => `${type} ${id.replace(/_[0-9A-F]{8}$/, "").replace(/_/g, "/")}`),
      )
      .sort();
  }
  const everything: Overrides = { ...WITH_READER, accessLogging: { expireAfterDays: 90 }, objectLock: { mode: "GOVERNANCE", days: 365 } };

  it("keeps the key and both buckets with everything that guards them, by default", () => {
    expect(protectedResources(build(everything).json)).toEqual([
      "aws_kms_key storage/key",
      "aws_s3_bucket storage/access-logs/bucket",
      "aws_s3_bucket storage/bucket",
      "aws_s3_bucket_object_lock_configuration storage/object-lock",
      "aws_s3_bucket_ownership_controls storage/access-logs/ownership",
      "aws_s3_bucket_ownership_controls storage/ownership",
      "aws_s3_bucket_policy storage/access-logs/policy",
      "aws_s3_bucket_policy storage/bucket-policy",
      "aws_s3_bucket_public_access_block storage/access-logs/public-access-block",
      "aws_s3_bucket_public_access_block storage/public-access-block",
      "aws_s3_bucket_server_side_encryption_configuration storage/access-logs/encryption",
      "aws_s3_bucket_server_side_encryption_configuration storage/encryption",
      "aws_s3_bucket_versioning storage/access-logs/versioning",
      "aws_s3_bucket_versioning storage/versioning",
    ]);
  });

  it("keeps nothing when the caller opts out (a disposable environment)", () => {
    expect(protectedResources(build({ ...everything, protectFromDestroy: false }).json)).toEqual([]);
  });
});

describe("storage: Splunk notifications (one queue per log type, the default)", () => {
  const { json, storage } = build(WITH_READER);
  const keyArn = ref(json, "aws_kms_key", "storage/key", "arn");
  const queueArn = (t: string) => ref(json, "aws_sqs_queue", `storage/splunk/${t}/queue`, "arn");

  it("notifies each log type's prefix, for .json.gz objects only, to its own queue", () => {
    const notification = find(json, "aws_s3_bucket_notification", "storage/splunk/notification");
    expect(notification.bucket).toBe(ref(json, "aws_s3_bucket", "storage/bucket", "id"));
    expect(notification.queue).toEqual(
      ALL_LOG_TYPES.map((t) => ({
        id: `splunk-${t}`,
        queue_arn: queueArn(t),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: logTypePrefix(props().layout, t),
        filter_suffix: ".json.gz",
      })),
    );
    expect(notification.queue[0].filter_prefix).toBe("eks-logs/log_type=kube-apiserver-audit/");
  });

  it("waits for the queue policies and the key before S3 tests the destinations", () => {
    const dependsOn = find(json, "aws_s3_bucket_notification", "storage/splunk/notification").depends_on as string[];
    for (const t of ALL_LOG_TYPES) {
      expect(dependsOn).toContain(ref(json, "aws_sqs_queue_policy", `storage/splunk/${t}/queue-policy`, "id").slice(2, -4));
    }
    expect(dependsOn).toContain(ref(json, "aws_kms_key", "storage/key", "id").slice(2, -4));
  });

  it("encrypts queues and DLQs with the key; redrives after 5 receives; 300 s visibility; long polling", () => {
    for (const t of ALL_LOG_TYPES) {
      const dlq = find(json, "aws_sqs_queue", `storage/splunk/${t}/dlq`);
      expect(find(json, "aws_sqs_queue", `storage/splunk/${t}/queue`)).toEqual({
        name: `eks-logs-test-splunk-${t}`,
        kms_master_key_id: keyArn,
        visibility_timeout_seconds: 300,
        message_retention_seconds: 604800,
        receive_wait_time_seconds: 20,
        redrive_policy: `\${jsonencode({"deadLetterTargetArn" = ${ref(json, "aws_sqs_queue", `storage/splunk/${t}/dlq`, "arn").slice(2, -1)}, "maxReceiveCount" = 5})}`,
      });
      expect(dlq).toEqual({ name: `eks-logs-test-splunk-${t}-dlq`, kms_master_key_id: keyArn, message_retention_seconds: 1209600 });
      expect(find(json, "aws_sqs_queue_redrive_allow_policy", `storage/splunk/${t}/redrive-allow`)).toEqual({
        queue_url: ref(json, "aws_sqs_queue", `storage/splunk/${t}/dlq`, "url"),
        redrive_allow_policy: `\${jsonencode({"redrivePermission" = "byQueue", "sourceQueueArns" = [${queueArn(t).slice(2, -1)}]})}`,
      });
    }
  });

  it("takes visibility timeout and maxReceiveCount from props", () => {
    const tuned = build({ splunk: { visibilityTimeoutSeconds: 900, maxReceiveCount: 3 } }).json;
    const queue = find(tuned, "aws_sqs_queue", "storage/splunk/authenticator/queue");
    expect(queue.visibility_timeout_seconds).toBe(900);
    expect(queue.redrive_policy).toContain('"maxReceiveCount" = 3');
  });

  it("admits only this bucket to each queue, and only over TLS", () => {
    for (const t of ALL_LOG_TYPES) {
      const statements = statementsOf(json, "aws_sqs_queue_policy", `storage/splunk/${t}/queue-policy`);
      expect(statements).toEqual([
        {
          sid: "S3SendsBucketNotifications",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
          actions: ["sqs:SendMessage"],
          resources: [queueArn(t)],
          condition: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [ref(json, "aws_s3_bucket", "storage/bucket", "arn")] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
          ],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["sqs:*"],
          resources: [queueArn(t)],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ]);
      expect(statementsOf(json, "aws_sqs_queue_policy", `storage/splunk/${t}/dlq-policy`).map((s) => s.sid)).toEqual(["DenyInsecureTransport"]);
    }
  });

  it("alarms when a queue's oldest notification has waited over an hour (Splunk stopped reading), to the alarm topic", () => {
    for (const t of ALL_LOG_TYPES) {
      expect(find(json, "aws_cloudwatch_metric_alarm", `storage/splunk/${t}/age-alarm`)).toMatchObject({
        alarm_name: `eks-logs-test-splunk-${t}-oldest-over-1h`,
        namespace: "AWS/SQS",
        metric_name: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: ref(json, "aws_sqs_queue", `storage/splunk/${t}/queue`, "name") },
        statistic: "Maximum",
        threshold: 3600,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [ref(json, "aws_sns_topic", "storage/alarm-topic", "arn")],
      });
    }
  });

  it("alarms on every DLQ with a message, to the alarm topic", () => {
    for (const t of ALL_LOG_TYPES) {
      expect(find(json, "aws_cloudwatch_metric_alarm", `storage/splunk/${t}/dlq-alarm`)).toMatchObject({
        alarm_name: `eks-logs-test-splunk-${t}-dlq-not-empty`,
        namespace: "AWS/SQS",
        metric_name: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: ref(json, "aws_sqs_queue", `storage/splunk/${t}/dlq`, "name") },
        statistic: "Maximum",
        period: 300,
        evaluation_periods: 1,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
        alarm_actions: [ref(json, "aws_sns_topic", "storage/alarm-topic", "arn")],
        ok_actions: [ref(json, "aws_sns_topic", "storage/alarm-topic", "arn")],
      });
    }
  });

  it("exposes queue URL/ARN and DLQ ARN/name per log type", () => {
    expect(Object.keys(storage.splunkQueues)).toEqual([...ALL_LOG_TYPES]);
    expect(resolved(storage, storage.splunkQueues["kube-scheduler"])).toEqual({
      queueUrl: ref(json, "aws_sqs_queue", "storage/splunk/kube-scheduler/queue", "url"),
      queueArn: queueArn("kube-scheduler"),
      dlqArn: ref(json, "aws_sqs_queue", "storage/splunk/kube-scheduler/dlq", "arn"),
      dlqName: ref(json, "aws_sqs_queue", "storage/splunk/kube-scheduler/dlq", "name"),
    });
  });
});

describe("storage: Splunk reader role", () => {
  const { json, storage } = build(WITH_READER);
  const bucketArn = ref(json, "aws_s3_bucket", "storage/bucket", "arn");

  it("trusts only the reader principals, with the external id", () => {
    const role = find(json, "aws_iam_role", "storage/splunk/reader");
    expect(role.name).toBe("eks-logs-test-splunk-reader");
    expect(policyStatements(json, role.assume_role_policy)).toEqual([
      {
        sid: "SplunkAssumesWithExternalId",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [SPLUNK_PRINCIPAL] }],
        actions: ["sts:AssumeRole"],
        condition: [{ test: "StringEquals", variable: "sts:ExternalId", values: ["splunk-ext-id-42"] }],
      },
    ]);
    expect(resolved(storage, storage.readerRoleArn)).toBe(ref(json, "aws_iam_role", "storage/splunk/reader", "arn"));
  });

  it("holds exactly the S3, SQS and KMS permissions the SQS-based S3 input uses", () => {
    const policy = find(json, "aws_iam_role_policy", "storage/splunk/reader-policy");
    expect(policy.role).toBe(ref(json, "aws_iam_role", "storage/splunk/reader", "id"));
    expect(policyStatements(json, policy.policy)).toEqual([
      { sid: "ReadDeliveredObjects", effect: "Allow", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${bucketArn}/eks-logs/*`] },
      {
        sid: "ListDeliveredPrefix",
        effect: "Allow",
        actions: ["s3:ListBucket"],
        resources: [bucketArn],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: ["eks-logs/*"] }],
      },
      { sid: "LocateBucket", effect: "Allow", actions: ["s3:GetBucketLocation"], resources: [bucketArn] },
      {
        sid: "ConsumeNotifications",
        effect: "Allow",
        actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        resources: ALL_LOG_TYPES.map((t) => ref(json, "aws_sqs_queue", `storage/splunk/${t}/queue`, "arn")),
      },
      {
        sid: "DecryptObjectsAndMessages",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: [ref(json, "aws_kms_key", "storage/key", "arn")],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"] }],
      },
    ]);
  });

  it("adds the account-wide sqs:ListQueues only when asked", () => {
    const listing = build({ splunk: { ...WITH_READER.splunk, readerCanListQueues: true } }).json;
    const statements = policyStatements(listing, find(listing, "aws_iam_role_policy", "storage/splunk/reader-policy").policy);
    expect(statementBySid(statements, "ListQueuesForSplunkWeb")).toEqual({
      sid: "ListQueuesForSplunkWeb",
      effect: "Allow",
      actions: ["sqs:ListQueues"],
      resources: ["*"],
    });
  });

  it("trusts the exact principals without an external id when requireExternalId is false (Splunk_TA_aws sends none)", () => {
    const noExternalId = build({ splunk: { readerPrincipalArns: [SPLUNK_PRINCIPAL], requireExternalId: false } }).json;
    expect(policyStatements(noExternalId, find(noExternalId, "aws_iam_role", "storage/splunk/reader").assume_role_policy)).toEqual([
      {
        sid: "SplunkAssumes",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [SPLUNK_PRINCIPAL] }],
        actions: ["sts:AssumeRole"],
      },
    ]);
  });

  it("is not created without reader principals", () => {
    const { json: noReader, storage: s } = build();
    expect(blocks(noReader, "aws_iam_role")).toEqual({});
    expect(s.readerRoleArn).toBeUndefined();
    expect(keyStatements(noReader).map((st) => st.sid)).not.toContain("SplunkReaderDecrypts");
  });
});

describe("storage: Splunk with one shared queue", () => {
  const { json, storage } = build({ ...WITH_READER, splunk: { ...WITH_READER.splunk, queuePerLogType: false } });

  it("notifies the whole delivered prefix to one queue named all", () => {
    expect(find(json, "aws_s3_bucket_notification", "storage/splunk/notification").queue).toEqual([
      {
        id: "splunk-all",
        queue_arn: ref(json, "aws_sqs_queue", "storage/splunk/all/queue", "arn"),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: "eks-logs/",
        filter_suffix: ".json.gz",
      },
    ]);
    expect(Object.keys(storage.splunkQueues)).toEqual(["all"]);
    expect(Object.keys(blocks(json, "aws_sqs_queue")).sort()).toHaveLength(2);
    expect(statementBySid(keyStatements(json), "S3NotifiesEncryptedQueues").condition[2].values).toEqual([
      `arn:aws:sqs:eu-west-1:${ACCOUNT}:eks-logs-test-splunk-all`,
    ]);
  });
});

describe("storage: Splunk disabled", () => {
  const { json, storage } = build({ ...WITH_READER, splunk: { ...WITH_READER.splunk, enabled: false } });

  it("creates no queue, notification, reader role or S3 key statement", () => {
    for (const type of ["aws_sqs_queue", "aws_s3_bucket_notification", "aws_iam_role", "aws_cloudwatch_metric_alarm"]) {
      expect(blocks(json, type)).toEqual({});
    }
    expect(storage.splunkQueues).toEqual({});
    expect(storage.readerRoleArn).toBeUndefined();
    const sids = keyStatements(json).map((s) => s.sid);
    expect(sids).not.toContain("S3NotifiesEncryptedQueues");
    expect(sids).not.toContain("SplunkReaderDecrypts");
  });
});

describe("storage: alarm topic", () => {
  const { json, storage } = build({ alarms: { emails: ["oncall@example.com", "sre@example.com"] } });
  const topicArn = ref(json, "aws_sns_topic", "storage/alarm-topic", "arn");

  it("is encrypted with the key", () => {
    expect(find(json, "aws_sns_topic", "storage/alarm-topic")).toEqual({
      name: "eks-logs-test-alarms",
      kms_master_key_id: ref(json, "aws_kms_key", "storage/key", "arn"),
    });
    expect(resolved(storage, storage.alarmTopicArn)).toBe(topicArn);
    expect(resolved(storage, storage.alarmTopicArns)).toEqual([topicArn]);
  });

  it("subscribes every e-mail address", () => {
    const subscriptions = Object.values(blocks(json, "aws_sns_topic_subscription"));
    expect(subscriptions).toEqual([
      { topic_arn: topicArn, protocol: "email", endpoint: "oncall@example.com" },
      { topic_arn: topicArn, protocol: "email", endpoint: "sre@example.com" },
    ]);
  });

  it("lets only this account's CloudWatch alarms and tamper rules publish as a service, over TLS", () => {
    const statements = statementsOf(json, "aws_sns_topic_policy", "storage/alarm-topic-policy");
    expect(statements.map((s) => s.sid)).toEqual(["AccountManagesTopic", "CloudWatchAlarmsPublish", "EventBridgeRulesPublish", "DenyInsecureTransport"]);
    expect(statementBySid(statements, "EventBridgeRulesPublish")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      actions: ["sns:Publish"],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:events:eu-west-1:${ACCOUNT}:rule/eks-logs-test-tamper-*`] },
      ],
    });
    expect(statementBySid(statements, "CloudWatchAlarmsPublish")).toEqual({
      sid: "CloudWatchAlarmsPublish",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      actions: ["sns:Publish"],
      resources: [topicArn],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*`] },
      ],
    });
    expect(statementBySid(statements, "AccountManagesTopic").principals).toEqual([{ type: "AWS", identifiers: [ROOT] }]);
    expect(statementBySid(statements, "AccountManagesTopic").actions).not.toContain("sns:Receive");
  });

  it("adds the extra topic to alarmTopicArns and to the DLQ alarms", () => {
    const extra = "arn:aws:sns:eu-west-1:111111111111:existing-alerts";
    const { json: withExtra, storage: s } = build({ alarms: { extraTopicArn: extra } });
    const ours = ref(withExtra, "aws_sns_topic", "storage/alarm-topic", "arn");
    expect(resolved(s, s.alarmTopicArns)).toEqual([ours, extra]);
    expect(find(withExtra, "aws_cloudwatch_metric_alarm", "storage/splunk/unknown/dlq-alarm").alarm_actions).toEqual([ours, extra]);
  });
});

describe("storage: tamper alarms (CloudTrail → EventBridge → the alarm topic)", () => {
  const { json } = build({ accessLogging: { expireAfterDays: 90 }, alarms: { watchedBucketNames: ["state-bucket"] } });
  const topicArn = ref(json, "aws_sns_topic", "storage/alarm-topic", "arn");
  const pattern = (service: string) => JSON.parse(find(json, "aws_cloudwatch_event_rule", `storage/tamper-${service}`).event_pattern);

  it("watches the issue's API calls: key deletion, disabling and policy; bucket policy, versioning, lifecycle; filter deletion", () => {
    const watched = ["s3", "kms", "logs"].flatMap((service) => pattern(service).detail.eventName as string[]);
    for (const name of ["ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketVersioning", "PutBucketLifecycle", "DeleteSubscriptionFilter"]) {
      expect(watched).toContain(name);
    }
    for (const service of ["s3", "kms", "logs"]) {
      expect(pattern(service)).toMatchObject({ source: [`aws.${service}`], "detail-type": ["AWS API Call via CloudTrail"] });
    }
  });

  it("limits the S3 rule to our buckets: the log bucket, the access-log bucket and the watched ones", () => {
    expect(pattern("s3").detail.requestParameters).toEqual({ bucketName: [BUCKET, `${BUCKET}-sal`, "state-bucket"] });
  });

  it("publishes each rule's events to the alarm topic, under the name the topic and key policies admit", () => {
    for (const service of ["s3", "kms", "logs"]) {
      const rule = find(json, "aws_cloudwatch_event_rule", `storage/tamper-${service}`);
      expect(rule.name).toBe(`eks-logs-test-tamper-${service}`);
      expect(`arn:aws:events:eu-west-1:${ACCOUNT}:rule/${rule.name}`).toMatch(/^arn:aws:events:eu-west-1:\d{12}:rule\/eks-logs-test-tamper-/);
      const target = find(json, "aws_cloudwatch_event_target", `storage/tamper-${service}-target`);
      expect(target).toMatchObject({ arn: topicArn, rule: ref(json, "aws_cloudwatch_event_rule", `storage/tamper-${service}`, "name") });
    }
    const keyGrant = statementBySid(keyStatements(json), "EventBridgeRulesPublish");
    expect(keyGrant.condition).toContainEqual({ test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:events:eu-west-1:${ACCOUNT}:rule/eks-logs-test-tamper-*`] });
    expect(keyGrant.condition).toContainEqual({ test: "StringEquals", variable: "kms:EncryptionContext:aws:sns:topicArn", values: [`arn:aws:sns:eu-west-1:${ACCOUNT}:eks-logs-test-alarms`] });
  });

  it("refuses a watched bucket name S3 would refuse", () => {
    expect(() => build({ alarms: { watchedBucketNames: ["Bad_Bucket"] } })).toThrow(/alarms\.watchedBucketNames\[0\]/);
  });
});

describe("storage: validation", () => {
  const cases: [string, Overrides, string][] = [
    [
      "visibility timeout over SQS's limit",
      { splunk: { visibilityTimeoutSeconds: 50000 } },
      "storage: splunk.visibilityTimeoutSeconds must be a whole number of 0–43,200 seconds (SQS VisibilityTimeout), got 50000",
    ],
    [
      "maxReceiveCount of 0",
      { splunk: { maxReceiveCount: 0 } },
      "storage: splunk.maxReceiveCount must be a whole number of 1–1,000 (SQS RedrivePolicy maxReceiveCount), got 0",
    ],
    [
      "reader principals without an external id",
      { splunk: { readerPrincipalArns: [SPLUNK_PRINCIPAL] } },
      "storage: splunk.externalId is required when readerPrincipalArns is set (confused-deputy protection: the reader role trusts only callers that pass it); set requireExternalId: false only for Splunk_TA_aws's own IAM Role setting, which cannot send one, got undefined",
    ],
    [
      "an account root as reader principal without an external id",
      { splunk: { readerPrincipalArns: ["arn:aws:iam::222222222222:root"], requireExternalId: false } },
      'storage: splunk.readerPrincipalArns[0] must be a role or user, not an account root, when requireExternalId is false (without an external id, trust only one exact identity), got "arn:aws:iam::222222222222:root"',
    ],
    [
      "an external id that would not be checked",
      { splunk: { readerPrincipalArns: [SPLUNK_PRINCIPAL], requireExternalId: false, externalId: "abc" } },
      'storage: splunk.externalId must not be set when requireExternalId is false (the trust policy would not check it), got "abc"',
    ],
    [
      "a reader principal that is not an IAM ARN",
      { splunk: { readerPrincipalArns: ["splunk"], externalId: "abc" } },
      'storage: splunk.readerPrincipalArns[0] must be an IAM role, user or account root ARN, got "splunk"',
    ],
    [
      "an external id with a space",
      { splunk: { readerPrincipalArns: [SPLUNK_PRINCIPAL], externalId: "a b" } },
      'storage: splunk.externalId must be 2–1224 characters of [A-Za-z0-9+=,.@:/_-] (STS ExternalId), got "a b"',
    ],
    [
      "STANDARD_IA before 30 days",
      { lifecycle: { transitions: [{ afterDays: 10, storageClass: "STANDARD_IA" }] } },
      "storage: lifecycle.transitions[0].afterDays must be at least 30 for STANDARD_IA (S3 lifecycle: objects must be 30 days old to move to an IA class), got 10",
    ],
    [
      "transitions out of order",
      {
        lifecycle: {
          transitions: [
            { afterDays: 90, storageClass: "GLACIER" },
            { afterDays: 60, storageClass: "DEEP_ARCHIVE" },
          ],
        },
      },
      "storage: lifecycle.transitions[1].afterDays must be greater than the previous transition's 90 (transitions in ascending order), got 60",
    ],
    [
      "a transition against the waterfall",
      {
        lifecycle: {
          transitions: [
            { afterDays: 0, storageClass: "GLACIER" },
            { afterDays: 100, storageClass: "GLACIER_IR" },
          ],
        },
      },
      'storage: lifecycle.transitions[1].storageClass must come after GLACIER in S3\'s transition waterfall (STANDARD_IA → INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER → DEEP_ARCHIVE), got "GLACIER_IR"',
    ],
    [
      "leaving STANDARD_IA within 30 days",
      {
        lifecycle: {
          transitions: [
            { afterDays: 30, storageClass: "STANDARD_IA" },
            { afterDays: 45, storageClass: "GLACIER" },
          ],
        },
      },
      "storage: lifecycle.transitions[1].afterDays must be at least 30 days after the STANDARD_IA transition at 30 (S3 keeps objects 30 days in an IA class before moving them on), got 45",
    ],
    [
      "expiry before the last transition",
      { lifecycle: { expireAfterDays: 60 } },
      "storage: lifecycle.expireAfterDays must be greater than the last transition's 90 days, or 0 (S3 lifecycle: expiration after every transition), got 60",
    ],
    [
      "a fractional noncurrent expiry",
      { lifecycle: { noncurrentVersionExpireAfterDays: 1.5 } },
      "storage: lifecycle.noncurrentVersionExpireAfterDays must be a whole number of days, at least 1, got 1.5",
    ],
    [
      "no multipart abort",
      { lifecycle: { abortIncompleteMultipartUploadAfterDays: 0 } },
      "storage: lifecycle.abortIncompleteMultipartUploadAfterDays must be a whole number of days, at least 1, got 0",
    ],
    ["Object Lock of 0 days", { objectLock: { mode: "GOVERNANCE", days: 0 } }, "storage: objectLock.days must be a whole number of days, at least 1 (S3 Object Lock default retention), got 0"],
    [
      "an invalid bucket name",
      { bucketName: "My_Bucket" },
      'storage: bucketName may contain only lowercase letters, digits, dots and hyphens (S3 bucket naming rules), got "My_Bucket"',
    ],
    [
      // 30 characters keep every default name in its limit: <prefix>-<account>-ap-southeast-7-sal is 62.
      "a name prefix over 30 characters",
      { namePrefix: "a-very-long-name-prefix-for-eks-logs-wxyz" },
      'storage: namePrefix must be 3–30 characters: a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen, got "a-very-long-name-prefix-for-eks-logs-wxyz"',
    ],
    [
      "an access-log bucket name over 63 characters",
      { accessLogging: { expireAfterDays: 30, bucketName: "a-long-name-prefix-for-eks-logs-uvwxyz-111111111111-eu-west-1-sal" } },
      'storage: accessLogging.bucketName must be 3–63 characters long; it is 65 (S3 bucket naming rules), got "a-long-name-prefix-for-eks-logs-uvwxyz-111111111111-eu-west-1-sal"',
    ],
    [
      "an uppercase name prefix",
      { namePrefix: "EKS" },
      'storage: namePrefix must be 3–30 characters: a lowercase letter, then lowercase letters, digits or hyphens, not ending in a hyphen, got "EKS"',
    ],
    ["a bad account id", { accountId: "1234" }, 'storage: accountId must be a 12-digit AWS account id, got "1234"'],
    ["an unknown partition", { partition: "aws-iso" }, 'storage: partition must be one of aws, aws-cn, aws-us-gov, got "aws-iso"'],
    ["a layout prefix with a trailing slash", { layout: { prefix: "eks-logs/", extraPartitionKeys: [] } }, 'storage: layout.prefix must be S3 key segments separated by / (no leading or trailing /), got "eks-logs/"'],
    ["an error prefix with a slash", { errorPrefix: "errors/x" }, 'storage: errorPrefix must be one S3 key segment (no slashes), got "errors/x"'],
    [
      "an error prefix inside the delivered prefix",
      { errorPrefix: "eks-logs" },
      'storage: errorPrefix must differ from the first segment of layout.prefix ("eks-logs"), or error objects would be notified to Splunk and share the delivered objects\' lifecycle, got "eks-logs"',
    ],
    [
      "a key user with a wildcard action",
      { keyUsers: [{ sid: "Wild", roleArn: FIREHOSE_ROLE, actions: ["kms:*"] }] },
      'storage: keyUsers[0].actions[0] must be one KMS action such as kms:Decrypt (no wildcards), got "kms:*"',
    ],
    [
      "a key user reusing a module sid",
      { keyUsers: [{ sid: "SplunkReaderDecrypts", roleArn: FIREHOSE_ROLE, actions: ["kms:Decrypt"] }] },
      'storage: keyUsers[0].sid must not be one of the module\'s own statement ids (AccountAdministersKey, NamedRolesAdministerKey, AwsServicesCreateGrants, SplunkReaderDecrypts, CloudWatchLogsUsesKey, S3NotifiesEncryptedQueues, CloudWatchAlarmsPublish), got "SplunkReaderDecrypts"',
    ],
    [
      "duplicate key user sids",
      {
        keyUsers: [
          { sid: "Twice", roleArn: FIREHOSE_ROLE, actions: ["kms:Decrypt"] },
          { sid: "Twice", roleArn: FIREHOSE_ROLE, actions: ["kms:Encrypt"] },
        ],
      },
      'storage: keyUsers[1].sid must be unique among keyUsers, got "Twice"',
    ],
    [
      "a key user that is not a role",
      { keyUsers: [{ sid: "User", roleArn: "arn:aws:iam::111111111111:user/bob", actions: ["kms:Decrypt"] }] },
      'storage: keyUsers[0].roleArn must be an exact IAM role ARN (arn:aws:iam::<account>:role/<name>), got "arn:aws:iam::111111111111:user/bob"',
    ],
    [
      "a key user in another account",
      { keyUsers: [{ sid: "Elsewhere", roleArn: "arn:aws:iam::999999999999:role/firehose", actions: ["kms:Decrypt"] }] },
      'storage: keyUsers[0].roleArn must be a role of account 111111111111 (the key policy admits key users through this account\'s root), got "arn:aws:iam::999999999999:role/firehose"',
    ],
    [
      "a key user without actions",
      { keyUsers: [{ sid: "Nothing", roleArn: FIREHOSE_ROLE, actions: [] }] },
      "storage: keyUsers[0].actions must name at least one action, got []",
    ],
    [
      "a key user with a bad via service",
      { keyUsers: [{ sid: "Via", roleArn: FIREHOSE_ROLE, actions: ["kms:Decrypt"], viaServices: ["s3"] }] },
      'storage: keyUsers[0].viaServices[0] must be a kms:ViaService value (a regional endpoint such as s3.eu-west-1.amazonaws.com), got "s3"',
    ],
    [
      "a log group in another region",
      { encryptedLogGroupArns: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/x`] },
      `storage: encryptedLogGroupArns[0] must be the exact ARN of a log group in this account and region (arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:<name>, no ":*"; CloudWatch Logs needs a key in its own region), got "arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/x"`,
    ],
    [
      "a log group ARN with :*",
      { encryptedLogGroupArns: [`${LAMBDA_LOG_GROUP}:*`] },
      `storage: encryptedLogGroupArns[0] must be the exact ARN of a log group in this account and region (arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:<name>, no ":*"; CloudWatch Logs needs a key in its own region), got "${LAMBDA_LOG_GROUP}:*"`,
    ],
    ["an e-mail without @", { alarms: { emails: ["oncall"] } }, 'storage: alarms.emails[0] must be an e-mail address, got "oncall"'],
    [
      "an extra topic in another region",
      { alarms: { extraTopicArn: "arn:aws:sns:us-east-1:111111111111:alerts" } },
      'storage: alarms.extraTopicArn must be in eu-west-1 (a CloudWatch alarm can only notify a topic in its own region), got "arn:aws:sns:us-east-1:111111111111:alerts"',
    ],
    [
      "a derived prefix that is the delivered prefix",
      { lifecycle: { derivedPrefixes: ["eks-logs"] } },
      'storage: lifecycle.derivedPrefixes[0] must differ from layout.prefix and errorPrefix (eks-logs, errors): each prefix has its own lifecycle rule, got "eks-logs"',
    ],
    ["a key deletion window of 3 days", { keyDeletionWindowDays: 3 }, "storage: keyDeletionWindowDays must be a whole number of 7–30 days (KMS PendingWindowInDays), got 3"],
    [
      "a grant via service that is not a service endpoint",
      { grantViaServices: ["firehose"] },
      'storage: grantViaServices[0] must be a kms:ViaService value (a regional endpoint such as s3.eu-west-1.amazonaws.com), got "firehose"',
    ],
  ];

  it.each(cases)("refuses %s", (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(new Error(message)); // the whole message: exactly this one problem
    expect(() => build(overrides)).toThrow(message);
  });

  it("reports every problem at once, one line each", () => {
    let error: unknown;
    try {
      build({ accountId: "x", splunk: { maxReceiveCount: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModuleValidationError);
    expect((error as ModuleValidationError).problems.map((p) => [p.module, p.prop])).toEqual([["storage", "accountId"], ["storage", "splunk.maxReceiveCount"]]);
    expect((error as Error).message).toBe(
      [
        'storage: accountId must be a 12-digit AWS account id, got "x"',
        "storage: splunk.maxReceiveCount must be a whole number of 1–1,000 (SQS RedrivePolicy maxReceiveCount), got 0",
      ].join("\n"),
    );
  });

  it("skips values that are unresolved tokens", () => {
    expect(() =>
      synth((scope) => {
        const account = new TerraformVariable(scope, "account", { type: "string" });
        new Storage(scope, "storage", props({ accountId: account.stringValue, bucketName: "fixed-bucket-name" }));
      }),
    ).not.toThrow();
  });

  it("accepts the defaults and a fully featured configuration", () => {
    expect(() => build()).not.toThrow();
    expect(() =>
      build({
        ...WITH_READER,
        objectLock: { mode: "GOVERNANCE", days: 30 },
        accessLogging: { expireAfterDays: 90 },
        alarms: { extraTopicArn: "arn:aws:sns:eu-west-1:111111111111:alerts" },
      }),
    ).not.toThrow();
  });
});
