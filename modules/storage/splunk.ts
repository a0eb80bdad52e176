/**
 * What Splunk's SQS-based S3 input needs: S3 ObjectCreated notifications into KMS-encrypted SQS
 * queues with redrive DLQs, and a reader role it assumes cross-account with an external id.
 *
 * The input (Splunk_TA_aws `aws_sqs_based_s3`) calls GetQueueAttributes (it stops when the queue
 * has no RedrivePolicy), ReceiveMessage, ChangeMessageVisibility (it extends each message while
 * it reads the object), DeleteMessage, S3 GetBucketLocation and GetObject with the notification's
 * VersionId (s3:GetObjectVersion, the bucket is versioned), and kms:Decrypt for both.
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ALL_LOG_TYPES, logTypePrefix, type S3Layout } from "../../lambda-src/conventions";
import { dlqAlarm, queueAgeAlarm } from "./alarms";
import { denyInsecureTransport } from "../common/policy";
import { servicePrincipal } from "../common/aws";

/** Firehose names every delivered object `*.json.gz` (the forwarder's file extension). */
export const DELIVERED_SUFFIX = ".json.gz";
/** The key of the one queue in shared mode. */
export const SHARED_QUEUE_KEY = "all";

/**
 * The queue's retention bounds how long Splunk may be down without losing notifications (the
 * objects stay in S3 either way). A DLQ must retain longer than its source queue: a message
 * keeps its original enqueue time when it moves.
 */
export const QUEUE_RETENTION_SECONDS = 7 * 24 * 3600;
/** Oldest notification age that alarms: Splunk polls continuously, so an hour means it stopped. */
export const QUEUE_MAX_AGE_SECONDS = 3600;
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface SplunkQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqArn: string;
  readonly dlqName: string;
}

export interface SplunkProps {
  readonly namePrefix: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly dnsSuffix: string;
  readonly bucketId: string;
  readonly bucketArn: string;
  readonly layout: S3Layout;
  readonly kmsKeyArn: string;
  readonly queuePerLogType: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly readerPrincipalArns: readonly string[];
  /** Required in the trust policy when given. */
  readonly externalId?: string;
  readonly readerCanListQueues: boolean;
  readonly alarmTopicArns: readonly string[];
  /** Resources the notification must wait for besides the queues (the key with its policy). */
  readonly notificationDependsOn: readonly ITerraformDependable[];
}

/** Queue keys and the S3 prefix each is notified for. */
export function queueRoutes(layout: S3Layout, perLogType: boolean): { key: string; prefix: string }[] {
  if (!perLogType) return [{ key: SHARED_QUEUE_KEY, prefix: `${layout.prefix}/` }];
  return ALL_LOG_TYPES.map((t) => ({ key: t, prefix: logTypePrefix(layout, t) }));
}

export function queueName(namePrefix: string, key: string): string {
  return `${namePrefix}-splunk-${key}`;
}

export function dlqName(namePrefix: string, key: string): string {
  return `${queueName(namePrefix, key)}-dlq`;
}

export function readerRoleName(namePrefix: string): string {
  return `${namePrefix}-splunk-reader`;
}

export function sqsArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:sqs:${region}:${accountId}:${name}`;
}

/**
 * Construct ids below `splunk`: `<key>/queue`, `<key>/dlq`, `<key>/queue-policy`,
 * `<key>/dlq-policy`, `<key>/redrive-allow`, `<key>/age-alarm`, `<key>/dlq-alarm`, `notification`,
 * `reader-trust`, `reader`, `reader-permissions`, `reader-policy`.
 */
export class SplunkNotifications extends Construct {
  readonly queues: Record<string, SplunkQueue> = {};
  readonly readerRoleArn?: string;

  constructor(scope: Construct, id: string, props: SplunkProps) {
    super(scope, id);
    const routes = queueRoutes(props.layout, props.queuePerLogType);
    const queuePolicies: SqsQueuePolicy[] = [];
    const notified: { queue: SqsQueue; prefix: string; key: string }[] = [];

    for (const route of routes) {
      const scopeOf = new Construct(this, route.key);
      const dlq = new SqsQueue(scopeOf, "dlq", {
        name: dlqName(props.namePrefix, route.key),
        kmsMasterKeyId: props.kmsKeyArn,
        messageRetentionSeconds: DLQ_RETENTION_SECONDS,
      });
      const queue = new SqsQueue(scopeOf, "queue", {
        name: queueName(props.namePrefix, route.key),
        kmsMasterKeyId: props.kmsKeyArn,
        visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        // Long polling: the add-on waits 20 s per ReceiveMessage anyway.
        receiveWaitTimeSeconds: 20,
        redrivePolicy: Fn.jsonencode({ deadLetterTargetArn: dlq.arn, maxReceiveCount: props.maxReceiveCount }),
      });
      new SqsQueueRedriveAllowPolicy(scopeOf, "redrive-allow", {
        queueUrl: dlq.url,
        redriveAllowPolicy: Fn.jsonencode({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }),
      });
      queuePolicies.push(
        new SqsQueuePolicy(scopeOf, "queue-policy", {
          queueUrl: queue.url,
          policy: this.policyJson(scopeOf, "queue-policy-document", [
            {
              sid: "S3SendsBucketNotifications",
              effect: "Allow",
              principals: [{ type: "Service", identifiers: [servicePrincipal("s3")] }],
              actions: ["sqs:SendMessage"],
              resources: [queue.arn],
              condition: [
                { test: "ArnEquals", variable: "aws:SourceArn", values: [props.bucketArn] },
                { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
              ],
            },
            denyInsecureTransport(["sqs:*"], [queue.arn]),
          ]),
        }),
      );
      new SqsQueuePolicy(scopeOf, "dlq-policy", {
        queueUrl: dlq.url,
        policy: this.policyJson(scopeOf, "dlq-policy-document", [denyInsecureTransport(["sqs:*"], [dlq.arn])]),
      });
      queueAgeAlarm(scopeOf, "age-alarm", {
        alarmName: `${queueName(props.namePrefix, route.key)}-oldest-over-1h`,
        queueName: queue.name,
        maxAgeSeconds: QUEUE_MAX_AGE_SECONDS,
        description: `An S3 notification for ${route.prefix} has waited over an hour: Splunk is not reading this queue (or falls behind). Notifications expire after ${QUEUE_RETENTION_SECONDS / 86400} days.`,
        alarmTopicArns: props.alarmTopicArns,
      });
      dlqAlarm(scopeOf, "dlq-alarm", {
        alarmName: `${dlqName(props.namePrefix, route.key)}-not-empty`,
        queueName: dlq.name,
        description: `S3 notifications for ${route.prefix} that Splunk failed to process ${props.maxReceiveCount} times. Check the Splunk_TA_aws input logs, then redrive.`,
        alarmTopicArns: props.alarmTopicArns,
      });
      this.queues[route.key] = { queueUrl: queue.url, queueArn: queue.arn, dlqArn: dlq.arn, dlqName: dlq.name };
      notified.push({ queue, prefix: route.prefix, key: route.key });
    }

    // S3 allows one notification configuration per bucket: this resource owns it.
    new S3BucketNotification(this, "notification", {
      bucket: props.bucketId,
      queue: notified.map(({ queue, prefix, key }) => ({
        id: `splunk-${key}`,
        queueArn: queue.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: prefix,
        filterSuffix: DELIVERED_SUFFIX,
      })),
      // S3 sends a test message when the configuration is put: the queues must already admit it.
      dependsOn: [...queuePolicies, ...props.notificationDependsOn],
    });

    if (props.readerPrincipalArns.length > 0) {
      this.readerRoleArn = this.readerRole(props).arn;
    }
  }

  private policyJson(scope: Construct, id: string, statement: DataAwsIamPolicyDocumentStatement[]): string {
    return new DataAwsIamPolicyDocument(scope, id, { statement }).json;
  }

  private readerRole(props: SplunkProps): IamRole {
    const role = new IamRole(this, "reader", {
      name: readerRoleName(props.namePrefix),
      description: "Assumed by Splunk's SQS-based S3 input to read the EKS control-plane logs",
      assumeRolePolicy: this.policyJson(this, "reader-trust", [
        {
          sid: props.externalId !== undefined ? "SplunkAssumesWithExternalId" : "SplunkAssumes",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [...props.readerPrincipalArns] }],
          actions: ["sts:AssumeRole"],
          ...(props.externalId !== undefined
            ? { condition: [{ test: "StringEquals", variable: "sts:ExternalId", values: [props.externalId] }] }
            : {}),
        },
      ]),
    });
    const queueArns = Object.values(this.queues).map((q) => q.queueArn);
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "ReadDeliveredObjects",
        effect: "Allow",
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [`${props.bucketArn}/${props.layout.prefix}/*`],
      },
      {
        // Lets a missing key answer 404 instead of 403; limited to the delivered prefix.
        sid: "ListDeliveredPrefix",
        effect: "Allow",
        actions: ["s3:ListBucket"],
        resources: [props.bucketArn],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: [`${props.layout.prefix}/*`] }],
      },
      {
        sid: "LocateBucket",
        effect: "Allow",
        actions: ["s3:GetBucketLocation"],
        resources: [props.bucketArn],
      },
      {
        sid: "ConsumeNotifications",
        effect: "Allow",
        actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        resources: queueArns,
      },
      {
        sid: "DecryptObjectsAndMessages",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: [props.kmsKeyArn],
        condition: [
          { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${props.region}.${props.dnsSuffix}`, `sqs.${props.region}.${props.dnsSuffix}`] },
        ],
      },
    ];
    if (props.readerCanListQueues) {
      statements.push({
        sid: "ListQueuesForSplunkWeb",
        effect: "Allow",
        actions: ["sqs:ListQueues"],
        // sqs:ListQueues supports no resource-level permissions (SQS API permissions reference);
        // Splunk Web calls it only to fill the queue drop-down.
        resources: ["*"],
      });
    }
    new IamRolePolicy(this, "reader-policy", {
      name: "splunk-sqs-based-s3-input",
      role: role.id,
      policy: this.policyJson(this, "reader-permissions", statements),
    });
    return role;
  }
}
