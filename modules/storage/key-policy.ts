/**
 * The key policy of the storage CMK, as pure statement builders (tested on the synth).
 *
 * In a key policy, `Resource: "*"` means "this key": every statement below uses it, and none
 * grants a wildcard action. Roles that may not exist yet are admitted through the account root
 * with an `aws:PrincipalArn` condition: KMS validates principal ARNs when the policy is put, but
 * not condition values, so the key can be created before the roles that use it. Such a role also
 * needs an IAM policy allowing the same actions on the key.
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KEY_ADMIN_ACTIONS } from "../common/kms";
import { servicePrincipal } from "../common/aws";
import type { KeyUsage } from "../common/kms";
import type { TopicPublisher } from "./alarms";

/** What CloudWatch Logs does with a log group's key (CloudWatch Logs User Guide, "Encrypt log data using AWS KMS"). */
export const LOGS_KEY_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
];

/** A service that encrypts messages with the key for us (S3 into SQS, CloudWatch into SNS) needs exactly these. */
export const PRODUCER_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

export type KeyUser = KeyUsage;

export interface KeyPolicyInput {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** DNS suffix of regional service names: amazonaws.com, or amazonaws.com.cn in China. */
  readonly dnsSuffix: string;
  readonly bucketArn: string;
  readonly keyUsers: readonly KeyUser[];
  /** kms:ViaService values through which AWS services may create grants. */
  readonly grantViaServices: readonly string[];
  readonly encryptedLogGroupArns: readonly string[];
  /** Queues S3 notifies; empty when Splunk is off. */
  readonly notifiedQueueArns: readonly string[];
  readonly readerRoleArn?: string;
  readonly alarmTopicArn: string;
  /** The services publishing to the (encrypted) alarm topic. */
  readonly alarmTopicPublishers: readonly TopicPublisher[];
  /** Only these principals administer the key. @default the account (any principal its IAM policies allow) */
  readonly keyAdminArns?: readonly string[];
}

const ALL = ["*"];

function rootPrincipal(input: KeyPolicyInput) {
  return [{ type: "AWS", identifiers: [`arn:${input.partition}:iam::${input.accountId}:root`] }];
}

function service(name: string) {
  return [{ type: "Service", identifiers: [name] }];
}

/** A role of this or another module, admitted by `aws:PrincipalArn` (see the file comment). */
export function keyUserStatement(input: KeyPolicyInput, user: KeyUser): DataAwsIamPolicyDocumentStatement {
  return {
    sid: user.sid,
    effect: "Allow",
    principals: rootPrincipal(input),
    actions: [...user.actions],
    resources: ALL,
    condition: [
      { test: "ArnEquals", variable: "aws:PrincipalArn", values: [user.roleArn] },
      ...(user.viaServices && user.viaServices.length > 0
        ? [{ test: "StringEquals", variable: "kms:ViaService", values: [...user.viaServices] }]
        : []),
    ],
  };
}

export function keyPolicyStatements(input: KeyPolicyInput): DataAwsIamPolicyDocumentStatement[] {
  const { accountId, region, dnsSuffix } = input;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    input.keyAdminArns
      ? {
          // Through the root with aws:PrincipalArn, as for key users: the roles need not exist yet.
          sid: "NamedRolesAdministerKey",
          effect: "Allow",
          principals: rootPrincipal(input),
          actions: KEY_ADMIN_ACTIONS,
          resources: ALL,
          condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [...input.keyAdminArns] }],
        }
      : {
          sid: "AccountAdministersKey",
          effect: "Allow",
          principals: rootPrincipal(input),
          actions: KEY_ADMIN_ACTIONS,
          resources: ALL,
        },
  ];
  if (input.grantViaServices.length > 0) {
    // Firehose stream SSE with a CMK makes Firehose create a grant on the caller's behalf.
    statements.push({
      sid: "AwsServicesCreateGrants",
      effect: "Allow",
      principals: rootPrincipal(input),
      actions: ["kms:CreateGrant"],
      resources: ALL,
      condition: [
        { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
        { test: "StringEquals", variable: "kms:ViaService", values: [...input.grantViaServices] },
      ],
    });
  }
  statements.push(...input.keyUsers.map((user) => keyUserStatement(input, user)));
  if (input.readerRoleArn) {
    statements.push(
      keyUserStatement(input, {
        sid: "SplunkReaderDecrypts",
        roleArn: input.readerRoleArn,
        actions: ["kms:Decrypt"],
        viaServices: [`s3.${region}.${dnsSuffix}`, `sqs.${region}.${dnsSuffix}`],
      }),
    );
  }
  if (input.encryptedLogGroupArns.length > 0) {
    statements.push({
      sid: "CloudWatchLogsUsesKey",
      effect: "Allow",
      principals: service(`logs.${region}.${dnsSuffix}`),
      actions: LOGS_KEY_ACTIONS,
      resources: ALL,
      condition: [{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [...input.encryptedLogGroupArns] }],
    });
  }
  if (input.notifiedQueueArns.length > 0) {
    // S3 encrypts each notification (and the test message it sends when the configuration is put).
    statements.push({
      sid: "S3NotifiesEncryptedQueues",
      effect: "Allow",
      principals: service(servicePrincipal("s3")),
      actions: PRODUCER_KEY_ACTIONS,
      resources: ALL,
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
        { test: "ArnEquals", variable: "aws:SourceArn", values: [input.bucketArn] },
        { test: "StringEquals", variable: "kms:EncryptionContext:aws:sqs:arn", values: [...input.notifiedQueueArns] },
      ],
    });
  }
  // SNS encrypts each message it accepts from a publisher with the topic's key.
  for (const publisher of input.alarmTopicPublishers) {
    statements.push({
      sid: publisher.sid,
      effect: "Allow",
      principals: service(publisher.principal),
      actions: PRODUCER_KEY_ACTIONS,
      resources: ALL,
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [publisher.sourceArn] },
        { test: "StringEquals", variable: "kms:EncryptionContext:aws:sns:topicArn", values: [input.alarmTopicArn] },
      ],
    });
  }
  return statements;
}

/** Calls that would delete logs or loosen what keeps them; only the bucket admins may make them. */
export const GUARDED_BUCKET_ACTIONS = [
  // Shortening or lifting a GOVERNANCE-mode retention, or deleting a locked version, needs it.
  "s3:BypassGovernanceRetention",
  "s3:DeleteBucketPolicy",
  "s3:DeleteObjectVersion",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketPolicy",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketVersioning",
  "s3:PutEncryptionConfiguration",
  "s3:PutLifecycleConfiguration",
];

/**
 * The log bucket's insider denies (see StorageProps.guard). A principal without an ARN (none
 * calls these) is denied too: `ArnNotLike` holds when the key is absent.
 */
export function guardStatements(bucketArn: string, guard: { readonly bucketAdminArns: readonly string[]; readonly writers: readonly { readonly prefix: string; readonly roleArns: readonly string[] }[] }): DataAwsIamPolicyDocumentStatement[] {
  const everyone = [{ type: "AWS", identifiers: ["*"] }];
  return [
    {
      sid: "OnlyBucketAdminsChangeGuards",
      effect: "Deny",
      principals: everyone,
      actions: GUARDED_BUCKET_ACTIONS,
      resources: [bucketArn, `${bucketArn}/*`],
      condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...guard.bucketAdminArns] }],
    },
    ...guard.writers.map((writer, i) => ({
      sid: `OnlyItsWriterPuts${i + 1}`,
      effect: "Deny",
      principals: everyone,
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/${writer.prefix}/*`],
      condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...writer.roleArns] }],
    })),
  ];
}
