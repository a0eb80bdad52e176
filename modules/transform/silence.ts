/**
 * Silence: the transform counts the lines it delivers per sender (embedded metric format,
 * lambda-src/handler.ts `lineMetrics`); these alarms fire when a configured cluster, or a
 * configured account, delivers nothing for `quietHours` — a deleted subscription filter, logging
 * switched off, a cluster gone. Missing data is silence, so it breaches. Lines from an account
 * nobody configured raise their own alarm.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { Construct } from "constructs";

export interface SilenceProps {
  /** METRICS_NAMESPACE of the function. */
  readonly namespace: string;
  /** Alarm names start with it. */
  readonly namePrefix: string;
  /** Each must deliver at least one line per `quietHours`. */
  readonly clusters: readonly { readonly accountId: string; readonly region: string; readonly cluster: string }[];
  /** Accounts that must deliver (organisation mode: clusters may appear there that nobody listed). @default none */
  readonly accounts?: readonly string[];
  /** Alarm on lines of accounts outside EXPECTED_SENDERS. @default false */
  readonly unexpectedSenders?: boolean;
  /** Hours of silence before the alarm, 1–24. */
  readonly quietHours: number;
  readonly alarmTopicArns: readonly string[];
}

const HOUR = 3600;

export function addSilenceAlarms(scope: Construct, props: SilenceProps): CloudwatchMetricAlarm[] {
  const common = {
    namespace: props.namespace,
    statistic: "Sum",
    period: HOUR,
    alarmActions: [...props.alarmTopicArns],
    okActions: [...props.alarmTopicArns],
  };
  const silent = (id: string, name: string, dimensions: Record<string, string>, what: string) =>
    new CloudwatchMetricAlarm(scope, id, {
      ...common,
      alarmName: `${props.namePrefix}-silent-${name}`,
      alarmDescription: `${what} delivered no control-plane log line for ${props.quietHours} h: its subscription filter, the cluster's control-plane logging or the cluster itself may be gone.`,
      metricName: "Lines",
      dimensions,
      evaluationPeriods: props.quietHours,
      datapointsToAlarm: props.quietHours,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      // No data is exactly what silence looks like.
      treatMissingData: "breaching",
    });
  const alarms = props.clusters.map((c) =>
    silent(`silent-${c.accountId}-${c.region}-${c.cluster}`, `${c.accountId}-${c.region}-${c.cluster}`, { AccountId: c.accountId, Region: c.region, Cluster: c.cluster }, `Cluster ${c.cluster} (${c.accountId}, ${c.region})`),
  );
  for (const account of props.accounts ?? []) alarms.push(silent(`silent-${account}`, account, { AccountId: account }, `Account ${account}`));
  if (props.unexpectedSenders) {
    alarms.push(
      new CloudwatchMetricAlarm(scope, "unexpected-senders", {
        ...common,
        alarmName: `${props.namePrefix}-unexpected-senders`,
        alarmDescription: "Lines arrived from an account the environment does not list: see the Lines metric by AccountId for which; add it to the environment if it belongs.",
        metricName: "UnexpectedSenderLines",
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      }),
    );
  }
  return alarms;
}
