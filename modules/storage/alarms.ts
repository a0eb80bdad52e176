/**
 * The one alarm topic of the pipeline (KMS-encrypted with the storage key) and the DLQ alarms.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { Construct } from "constructs";
import { denyInsecureTransport } from "../common/policy";
import { servicePrincipal } from "../common/aws";

export interface AlarmTopicProps {
  readonly name: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  readonly emails: readonly string[];
  /** The AWS services that publish to the topic (alarmTopicPublishers). */
  readonly publishers: readonly TopicPublisher[];
}

/** An AWS service allowed to publish to the alarm topic, from sources matching `sourceArn`. */
export interface TopicPublisher {
  readonly sid: string;
  /** Service principal, e.g. cloudwatch.amazonaws.com. */
  readonly principal: string;
  readonly sourceArn: string;
}

/**
 * Who publishes to the alarm topic: any CloudWatch alarm of this account and region (every
 * module's alarms publish there) and the tamper rules. The topic policy and the key policy both
 * admit exactly these.
 */
export function alarmTopicPublishers(partition: string, region: string, accountId: string, eventRuleArnPattern: string): TopicPublisher[] {
  return [
    { sid: "CloudWatchAlarmsPublish", principal: servicePrincipal("cloudwatch"), sourceArn: `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
    { sid: "EventBridgeRulesPublish", principal: servicePrincipal("events"), sourceArn: eventRuleArnPattern },
  ];
}

/** What the account's own IAM principals may do with the topic (SNS's default policy, minus sns:Receive). */
const TOPIC_OWNER_ACTIONS = [
  "sns:AddPermission",
  "sns:DeleteTopic",
  "sns:GetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
  "sns:RemovePermission",
  "sns:SetTopicAttributes",
  "sns:Subscribe",
];

/** ARN of a topic or alarm built from config, so the key policy can name it before it exists. */
export function topicArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:sns:${region}:${accountId}:${name}`;
}

/** Construct ids: alarm-topic, alarm-topic-policy-document, alarm-topic-policy, alarm-email-<address>. */
export function alarmTopic(scope: Construct, props: AlarmTopicProps): SnsTopic {
  const topic = new SnsTopic(scope, "alarm-topic", {
    name: props.name,
    kmsMasterKeyId: props.kmsKeyArn,
  });
  const account = `arn:${props.partition}:iam::${props.accountId}:root`;
  const policy = new DataAwsIamPolicyDocument(scope, "alarm-topic-policy-document", {
    statement: [
      {
        sid: "AccountManagesTopic",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [account] }],
        actions: TOPIC_OWNER_ACTIONS,
        resources: [topic.arn],
      },
      ...props.publishers.map((publisher) => ({
        sid: publisher.sid,
        effect: "Allow",
        principals: [{ type: "Service", identifiers: [publisher.principal] }],
        actions: ["sns:Publish"],
        resources: [topic.arn],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [publisher.sourceArn] },
        ],
      })),
      denyInsecureTransport(["sns:Publish"], [topic.arn]),
    ],
  });
  new SnsTopicPolicy(scope, "alarm-topic-policy", { arn: topic.arn, policy: policy.json });
  for (const email of props.emails) {
    // Keyed by address, so reordering the list changes nothing. Each address must confirm.
    new SnsTopicSubscription(scope, `alarm-email-${email}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
  }
  return topic;
}

export interface QueueAlarmProps {
  readonly alarmName: string;
  readonly queueName: string;
  readonly description: string;
  readonly alarmTopicArns: readonly string[];
}

/** Any message in a DLQ is an object Splunk failed to read `maxReceiveCount` times. */
export function dlqAlarm(scope: Construct, id: string, props: QueueAlarmProps): CloudwatchMetricAlarm {
  return queueAlarm(scope, id, props, "ApproximateNumberOfMessagesVisible", 0);
}

/**
 * A notification older than `maxAgeSeconds` means Splunk stopped reading the queue (or falls
 * behind); after the queue's retention the notification, not the object, is lost.
 */
export function queueAgeAlarm(scope: Construct, id: string, props: QueueAlarmProps & { readonly maxAgeSeconds: number }): CloudwatchMetricAlarm {
  return queueAlarm(scope, id, props, "ApproximateAgeOfOldestMessage", props.maxAgeSeconds);
}

function queueAlarm(scope: Construct, id: string, props: QueueAlarmProps, metricName: string, threshold: number): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    namespace: "AWS/SQS",
    metricName,
    dimensions: { QueueName: props.queueName },
    statistic: "Maximum",
    // SQS publishes queue metrics every 5 minutes.
    period: 300,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [...props.alarmTopicArns],
    okActions: [...props.alarmTopicArns],
  });
}
