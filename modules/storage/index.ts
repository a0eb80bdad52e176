/**
 * Storage (central account): the customer-managed KMS key, the log bucket Firehose delivers to,
 * its lifecycle and optional Object Lock and access logging, Splunk's S3 → SQS notifications
 * with the reader role, and the pipeline's one alarm topic.
 *
 * The alarm topic lives here, with the key that encrypts it, because every module's alarms
 * publish to it: in the forwarder it would make transform ↔ forwarder a dependency cycle.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import type { S3Layout } from "../../lambda-src/conventions";
import { alarmTopic, alarmTopicPublishers, topicArn } from "./alarms";
import { tamperRuleArnPattern, tamperRules } from "./tamper";
import { denyCustomerKeys, denyInsecureS3Transport, denyOtherEncryption, hardenedBucket, keepOnDestroy, kmsOnlyBucketStatements } from "../common/private-bucket";
import { guardStatements, keyPolicyStatements } from "./key-policy";
import { accessLogLifecycleRules, logBucketLifecycleRules } from "./lifecycle";
import { SplunkNotifications, queueName, queueRoutes, readerRoleName, sqsArn, type SplunkQueue } from "./splunk";
import { validateStorageProps } from "./validate";
import { regionalService, serviceDomain, servicePrincipal } from "../common/aws";
import type { KeyUsage } from "../common/kms";
import { storageNames } from "./names";

import { concatLists } from "../common/tokens";
export { ModuleValidationError } from "../common/validate";
export { storageNames } from "./names";
export { lifecycleProblems } from "./validate";

export type StorageClass = "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";

/** Splunk SQS-based S3 input defaults; see README.md ("Queue settings") for the sources. */
export const SPLUNK_DEFAULTS = {
  queuePerLogType: true,
  /** Splunk recommends at least 5 minutes; once it starts on a message the add-on extends it while it reads the object. */
  visibilityTimeoutSeconds: 300,
  /** A few retries ride out a Splunk restart or throttling; AWS advises against 1. */
  maxReceiveCount: 5,
} as const;

export const KEY_DELETION_WINDOW_DAYS = 30;

export interface StorageProps {
  /** Prefix of every resource name, e.g. "eks-logs-prod". */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** "aws" | "aws-cn" | "aws-us-gov": ARNs are built from it. */
  readonly partition: string;
  /** Log bucket name. @default `${namePrefix}-${accountId}-${region}` */
  readonly bucketName?: string;
  /** Where Firehose delivers (conventions.ts). */
  readonly layout: S3Layout;
  /** Prefix (no slashes) of Firehose's error output. */
  readonly errorPrefix: string;
  readonly lifecycle: {
    /** Storage-class transitions of delivered objects, ascending, in S3's waterfall order. */
    readonly transitions: readonly { readonly afterDays: number; readonly storageClass: StorageClass }[];
    /** Delete delivered objects this many days after creation; 0 = never. */
    readonly expireAfterDays: number;
    /** Delete noncurrent (overwritten or deleted) versions after this many days. */
    readonly noncurrentVersionExpireAfterDays: number;
    /** Abort multipart uploads still incomplete after this many days. */
    readonly abortIncompleteMultipartUploadAfterDays: number;
    /** Days to keep objects under the error prefix; 0 = never delete. @default same as expireAfterDays */
    readonly errorExpireAfterDays?: number;
    /** Prefixes (no slashes) of data derived from the delivered logs, e.g. DataBrew's Parquet: same transitions and expiry. @default none */
    readonly derivedPrefixes?: readonly string[];
  };
  /**
   * Object Lock default retention for audit evidence. Can be turned on later in place (it is not
   * a bucket replacement), but never off again. @default off
   */
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  /** Server access logging into a separate hardened bucket (SSE-S3: see README). @default off */
  readonly accessLogging?: {
    /** Days to keep access logs. */
    readonly expireAfterDays: number;
    /** Name of the access-log bucket. @default `${namePrefix}-${accountId}-${region}-sal` */
    readonly bucketName?: string;
  };
  readonly splunk: {
    /** S3 → SQS notifications, queues, DLQ alarms and (with principals) the reader role. */
    readonly enabled: boolean;
    /** One queue (+DLQ) per log type, or one shared queue. @default true (one per log type) */
    readonly queuePerLogType?: boolean;
    /** Principals allowed to assume the reader role; empty = no reader role. */
    readonly readerPrincipalArns: readonly string[];
    /** External id the reader role requires; required with readerPrincipalArns unless requireExternalId is false. @default none */
    readonly externalId?: string;
    /**
     * Trust the reader principals only with `sts:ExternalId`. Splunk_TA_aws's own "IAM Role"
     * setting sends no external id (README, "Splunk Add-on for AWS"); set false for it, and the
     * principals must then be exact roles or users, never an account root. @default true
     */
    readonly requireExternalId?: boolean;
    /** SQS visibility timeout of the notification queues, 0–43200 s. @default 300 */
    readonly visibilityTimeoutSeconds?: number;
    /** Receives before a message goes to the DLQ, 1–1000. @default 5 */
    readonly maxReceiveCount?: number;
    /** Also allow sqs:ListQueues (account-wide) so Splunk Web can list queues in its drop-down. @default false */
    readonly readerCanListQueues?: boolean;
  };
  /** IAM roles of other modules allowed to use the key. The roles may not exist yet when the key
   *  is created, so admit them by `aws:PrincipalArn` condition (KMS validates Principal ARNs but not
   *  condition values), each limited to its actions and, when given, to kms:ViaService. */
  readonly keyUsers: readonly KeyUsage[];
  /** Exact ARNs of the log groups (our Lambda's, Firehose's) CloudWatch Logs may encrypt with the key. */
  readonly encryptedLogGroupArns: readonly string[];
  /** The single SNS topic (KMS-encrypted with this key) every module's alarms publish to. */
  readonly alarms: {
    /** Subscribed by e-mail; each address must confirm. */
    readonly emails: readonly string[];
    /** Also notify this existing topic (same region): it is added to `alarmTopicArns`. @default none */
    readonly extraTopicArn?: string;
    /**
     * Other buckets of this account and region whose policy, versioning, lifecycle, encryption,
     * public-access block or Object Lock changes alarm, like the log bucket's (e.g. the Terraform
     * state bucket). @default none
     */
    readonly watchedBucketNames?: readonly string[];
  };
  /** KMS waiting period before a scheduled deletion, 7–30 days. @default 30 */
  readonly keyDeletionWindowDays?: number;
  /**
   * Terraform refuses to destroy what losing would lose or expose the logs (`prevent_destroy`):
   * the KMS key; the log and access-log buckets with their policy, versioning, encryption,
   * public-access block, ownership controls and Object Lock configuration. `terraform destroy`
   * of the stack then fails naming them. Set false only for disposable environments. @default true
   */
  readonly protectFromDestroy?: boolean;
  /**
   * kms:ViaService values through which AWS services may create grants on the key for this
   * account's principals (kms:GrantIsForAWSResource). @default [`firehose.<region>.amazonaws.com`]
   * (Firehose stream SSE with a CMK); [] allows none.
   */
  readonly grantViaServices?: readonly string[];
  /**
   * Insiders: with it, only `keyAdminArns` administer the key (ScheduleKeyDeletion, DisableKey,
   * PutKeyPolicy, …), the log bucket's policy denies to everyone but `bucketAdminArns` deleting
   * object versions and changing its policy, lifecycle, versioning, encryption, public-access block
   * or Object Lock, and denies `s3:PutObject` under each writer's prefix to every other principal.
   * Both lists must hold the role Terraform applies with. @default none (the account administers the key; no denies)
   */
  readonly guard?: StorageGuard;
}

export interface StorageGuard {
  readonly keyAdminArns: readonly string[];
  readonly bucketAdminArns: readonly string[];
  /** `prefix` (no slashes at the ends) is written only by `roleArns`. */
  readonly writers: readonly { readonly prefix: string; readonly roleArns: readonly string[] }[];
}

export class Storage extends Construct {
  readonly kmsKeyArn: string;
  readonly kmsKeyId: string;
  /** `alias/<namePrefix>-logs` */
  readonly kmsKeyAlias: string;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** Our topic. */
  readonly alarmTopicArn: string;
  /** Every topic an alarm should notify: ours, then `alarms.extraTopicArn` if given. */
  readonly alarmTopicArns: readonly string[];
  /** Per log type (or one "all" entry when shared): queue URL/ARN and its DLQ ARN/name. Empty when Splunk is off. */
  readonly splunkQueues: Readonly<Record<string, SplunkQueue>>;
  /** The role Splunk assumes; undefined without Splunk or without reader principals. */
  readonly readerRoleArn?: string;
  /** The server access log bucket, when accessLogging is on. */
  readonly accessLogBucketName?: string;
  readonly accessLogBucketArn?: string;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { namePrefix, partition, region, accountId } = props;
    const { bucketName, bucketArn, accessLogBucketName } = storageNames(props);
    validateStorageProps(props, { bucketName, accessLogBucketName });

    const splunk = {
      ...SPLUNK_DEFAULTS,
      ...definedOnly({
        queuePerLogType: props.splunk.queuePerLogType,
        visibilityTimeoutSeconds: props.splunk.visibilityTimeoutSeconds,
        maxReceiveCount: props.splunk.maxReceiveCount,
      }),
    };
    const dnsSuffix = serviceDomain(partition);
    const alarmTopicName = `${namePrefix}-alarms`;
    const hasReader = props.splunk.enabled && props.splunk.readerPrincipalArns.length > 0;
    const publishers = alarmTopicPublishers(partition, region, accountId, tamperRuleArnPattern(partition, region, accountId, namePrefix));
    const protect = props.protectFromDestroy ?? true;
    const keep = keepOnDestroy(protect);

    // ---- key ----------------------------------------------------------------------------------
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: keyPolicyStatements({
        partition,
        accountId,
        region,
        dnsSuffix,
        bucketArn,
        keyUsers: props.keyUsers,
        grantViaServices: props.grantViaServices ?? [regionalService("firehose", region, partition)],
        encryptedLogGroupArns: props.encryptedLogGroupArns,
        notifiedQueueArns: props.splunk.enabled
          ? queueRoutes(props.layout, splunk.queuePerLogType).map((r) => sqsArn(partition, region, accountId, queueName(namePrefix, r.key)))
          : [],
        readerRoleArn: hasReader ? `arn:${partition}:iam::${accountId}:role/${readerRoleName(namePrefix)}` : undefined,
        alarmTopicArn: topicArn(partition, region, accountId, alarmTopicName),
        alarmTopicPublishers: publishers,
        ...(props.guard ? { keyAdminArns: props.guard.keyAdminArns } : {}),
      }),
    });
    const key = new KmsKey(this, "key", {
      description: `EKS control-plane logs: bucket ${bucketName}, Splunk queues, alarm topic, log groups`,
      enableKeyRotation: true,
      deletionWindowInDays: props.keyDeletionWindowDays ?? KEY_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      // Scheduling the key's deletion would make every object unreadable once the window ends.
      ...keep,
    });
    this.kmsKeyAlias = `alias/${namePrefix}-logs`;
    new KmsAlias(this, "key-alias", { name: this.kmsKeyAlias, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;
    this.kmsKeyId = key.keyId;

    // ---- alarm topic --------------------------------------------------------------------------
    const topic = alarmTopic(this, { name: alarmTopicName, partition, region, accountId, kmsKeyArn: key.arn, emails: props.alarms.emails, publishers });
    this.alarmTopicArn = topic.arn;
    this.alarmTopicArns = props.alarms.extraTopicArn ? [topic.arn, props.alarms.extraTopicArn] : [topic.arn];

    // ---- log bucket ---------------------------------------------------------------------------
    const { bucket, versioning, publicAccessBlock } = hardenedBucket(this, bucketName, { kmsKeyArn: key.arn }, { protect });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: logBucketLifecycleRules({ deliveredPrefix: props.layout.prefix, errorPrefix: props.errorPrefix, lifecycle: props.lifecycle }),
      dependsOn: [versioning],
    });
    const bucketPolicy = new DataAwsIamPolicyDocument(this, "bucket-policy-document", {
      statement: [...kmsOnlyBucketStatements(bucket.arn, key.arn), ...(props.guard ? guardStatements(bucket.arn, props.guard) : [])],
    });
    new S3BucketPolicy(this, "bucket-policy", { bucket: bucket.id, policy: bucketPolicy.json, dependsOn: [publicAccessBlock], ...keep });

    if (props.objectLock) {
      // Enables Object Lock on the versioned bucket (new or existing) and sets its default
      // retention. It cannot be disabled afterwards; removing this only drops the default.
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket: bucket.id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
        ...keep,
      });
    }

    if (props.accessLogging && accessLogBucketName) {
      const targetPrefix = `${bucketName}/`;
      const target = this.accessLogBucket(accessLogBucketName, { bucketArn, accountId, targetPrefix }, props.accessLogging.expireAfterDays, protect);
      new S3BucketLoggingA(this, "access-logging", {
        bucket: bucket.id,
        targetBucket: target.bucketId,
        targetPrefix,
        // <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/…: partitions for Athena.
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
        dependsOn: [target.policy],
      });
      this.accessLogBucketName = target.bucketName;
      this.accessLogBucketArn = target.bucketArn;
    }

    // ---- tamper alarms ------------------------------------------------------------------------
    tamperRules(this, {
      namePrefix,
      bucketNames: concatLists([bucketName], props.accessLogging && accessLogBucketName ? [accessLogBucketName] : [], props.alarms.watchedBucketNames ?? []),
      topicArn: topic.arn,
    });

    // ---- Splunk -------------------------------------------------------------------------------
    if (props.splunk.enabled) {
      const notifications = new SplunkNotifications(this, "splunk", {
        namePrefix,
        partition,
        region,
        accountId,
        dnsSuffix,
        bucketId: bucket.id,
        bucketArn: bucket.arn,
        layout: props.layout,
        kmsKeyArn: key.arn,
        queuePerLogType: splunk.queuePerLogType,
        visibilityTimeoutSeconds: splunk.visibilityTimeoutSeconds,
        maxReceiveCount: splunk.maxReceiveCount,
        readerPrincipalArns: props.splunk.readerPrincipalArns,
        externalId: props.splunk.requireExternalId === false ? undefined : props.splunk.externalId,
        readerCanListQueues: props.splunk.readerCanListQueues ?? false,
        alarmTopicArns: this.alarmTopicArns,
        notificationDependsOn: [key],
      });
      this.splunkQueues = notifications.queues;
      this.readerRoleArn = notifications.readerRoleArn;
    } else {
      this.splunkQueues = {};
    }
  }

  /**
   * The server access log target: same account and region, SSE-S3 (S3 server access logging
   * does not support SSE-KMS default encryption on its target), no Object Lock, no logging of
   * its own. Construct ids below `access-logs`: bucket, versioning, encryption,
   * public-access-block, ownership, lifecycle, policy-document, policy.
   */
  private accessLogBucket(
    name: string,
    source: { readonly bucketArn: string; readonly accountId: string; readonly targetPrefix: string },
    expireAfterDays: number,
    protect: boolean,
  ) {
    const scope = new Construct(this, "access-logs");
    const { bucket, versioning, publicAccessBlock } = hardenedBucket(scope, name, "SSE-S3", { protect });
    new S3BucketLifecycleConfiguration(scope, "lifecycle", {
      bucket: bucket.id,
      rule: accessLogLifecycleRules(expireAfterDays),
      dependsOn: [versioning],
    });
    const document = new DataAwsIamPolicyDocument(scope, "policy-document", {
      statement: [
        {
          sid: "S3ServerAccessLogsDelivery",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: [servicePrincipal("logging.s3")] }],
          actions: ["s3:PutObject"],
          resources: [`${bucket.arn}/${source.targetPrefix}*`],
          condition: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: [source.bucketArn] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: [source.accountId] },
          ],
        },
        denyInsecureS3Transport(bucket.arn),
        denyOtherEncryption(bucket.arn, "AES256"),
        denyCustomerKeys(bucket.arn),
      ],
    });
    const policy = new S3BucketPolicy(scope, "policy", { bucket: bucket.id, policy: document.json, dependsOn: [publicAccessBlock], ...keepOnDestroy(protect) });
    return { bucketId: bucket.id, bucketName: bucket.bucket, bucketArn: bucket.arn, policy };
  }
}

/** `{...defaults, ...definedOnly(x)}`: an explicit `undefined` must not erase a default. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
