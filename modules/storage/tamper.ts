/**
 * Tamper alarms: EventBridge rules on the CloudTrail management events that could lose, expose
 * or stop the logs in the central account, each publishing the event to the alarm topic.
 *
 * "AWS API Call via CloudTrail" events reach EventBridge only while a trail logs management
 * events in the account (the account baseline's job, e.g. an organisation trail).
 */
import { jsonDocument } from "../common/tokens";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { Construct } from "constructs";

/** CloudTrail event names (not IAM actions: s3:PutLifecycleConfiguration is logged as PutBucketLifecycle). */
export const TAMPER_EVENTS = {
  /** On our buckets only. */
  s3: [
    "DeleteBucket",
    "DeleteBucketEncryption",
    "DeleteBucketLifecycle",
    "DeleteBucketPolicy",
    "DeleteBucketPublicAccessBlock",
    "PutBucketEncryption",
    "PutBucketLifecycle",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketVersioning",
    "PutObjectLockConfiguration",
  ],
  /** On any key of the account: a request may name a key by id, ARN or alias, so no filter is exact. */
  kms: ["DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion"],
  /** Any subscription filter of the account: the central account's own clusters send through one. */
  logs: ["DeleteSubscriptionFilter"],
} as const;

export type TamperService = keyof typeof TAMPER_EVENTS;

export function tamperRuleName(namePrefix: string, service: TamperService): string {
  return `${namePrefix}-tamper-${service}`;
}

/** Matches every tamper rule's ARN, so the topic and key policies can name them before they exist. */
export function tamperRuleArnPattern(partition: string, region: string, accountId: string, namePrefix: string): string {
  return `arn:${partition}:events:${region}:${accountId}:rule/${namePrefix}-tamper-*`;
}

/** The event pattern of one service's rule. */
export function tamperEventPattern(service: TamperService, bucketNames: readonly string[]): Record<string, unknown> {
  return {
    source: [`aws.${service}`],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventName: [...TAMPER_EVENTS[service]],
      ...(service === "s3" ? { requestParameters: { bucketName: bucketNames } } : {}),
    },
  };
}

export interface TamperRulesProps {
  readonly namePrefix: string;
  /** The buckets whose configuration changes alarm. */
  readonly bucketNames: readonly string[];
  readonly topicArn: string;
}

/** Construct ids: tamper-<service>, tamper-<service>-target. */
export function tamperRules(scope: Construct, props: TamperRulesProps): CloudwatchEventRule[] {
  return (Object.keys(TAMPER_EVENTS) as TamperService[]).map((service) => {
    const rule = new CloudwatchEventRule(scope, `tamper-${service}`, {
      name: tamperRuleName(props.namePrefix, service),
      description: `EKS log archive: ${TAMPER_EVENTS[service].join(", ")} (CloudTrail) → alarm topic`,
      eventPattern: jsonDocument(tamperEventPattern(service, props.bucketNames)),
    });
    // The whole CloudTrail record is the message: who, from where, with which parameters.
    new CloudwatchEventTarget(scope, `tamper-${service}-target`, { rule: rule.name, arn: props.topicArn });
    return rule;
  });
}
