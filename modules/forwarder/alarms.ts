/**
 * The delivery stream's alarms: metric definitions here, wiring in delivery-stream.ts.
 *
 * Metrics are those of the `AWS/Firehose` namespace, dimension `DeliveryStreamName`
 * (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html); AWS
 * recommends alarms on `DeliveryToS3.DataFreshness` and `ThrottledRecords`
 * (https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html).
 * Missing data is "not breaching" everywhere: Firehose publishes these metrics only while records
 * flow, and a quiet stream is not a failing one.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

export interface AlarmDefinition {
  /** Construct id and alarm name suffix: `<stream>-<id>`. */
  readonly id: string;
  readonly metricName: string;
  readonly statistic: "Maximum" | "Minimum" | "Average" | "Sum";
  readonly comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly description: string;
}

/** A success ratio below this in 2 of 3 five-minute periods means failures that retries did not absorb. */
export const SUCCESS_RATIO_THRESHOLD = 0.99;

/** A success ratio (0–1) below SUCCESS_RATIO_THRESHOLD in 2 of 3 five-minute periods. */
function successRatio(id: string, metricName: string, description: string): AlarmDefinition {
  return {
    id,
    metricName,
    statistic: "Average",
    comparisonOperator: "LessThanThreshold",
    threshold: SUCCESS_RATIO_THRESHOLD,
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description,
  };
}

/** Every alarm of a stream whose freshness threshold is `freshnessSeconds`. */
export function alarmDefinitions(freshnessSeconds: number): AlarmDefinition[] {
  return [
    {
      id: "freshness",
      metricName: "DeliveryToS3.DataFreshness",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: freshnessSeconds,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: `The oldest record in the stream is older than ${freshnessSeconds} s: delivery to S3 is late (Lambda, KMS, S3 or throttling).`,
    },
    successRatio(
      "processing",
      "ExecuteProcessing.Success",
      "Transform Lambda invocations are failing; records that exhaust their retries land under the error prefix (processing-failed).",
    ),
    successRatio(
      "delivery",
      "DeliveryToS3.Success",
      "S3 puts are failing (bucket policy, KMS key policy, or S3 itself); Firehose retries, then writes to the error prefix.",
    ),
    {
      id: "partitions",
      metricName: "PartitionCountExceeded",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: "More active partitions than the stream's quota: records go to the error prefix. Drop S3 layout keys or raise the quota (up to 5,000).",
    },
    {
      id: "throttling",
      metricName: "ThrottledRecords",
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: "Firehose throttled incoming records (stream throughput quota). CloudWatch Logs retries for up to 24 h, then drops: raise the quota.",
    },
  ];
}

export interface StreamAlarmsProps {
  readonly streamName: string;
  readonly freshnessSeconds: number;
  readonly topicArns: readonly string[];
}

/** One CloudWatch alarm per definition, notifying `topicArns` on ALARM and OK. */
export function addStreamAlarms(scope: Construct, props: StreamAlarmsProps): CloudwatchMetricAlarm[] {
  return alarmDefinitions(props.freshnessSeconds).map(
    (def) =>
      new CloudwatchMetricAlarm(scope, `${def.id}-alarm`, {
        alarmName: `${props.streamName}-${def.id}`,
        alarmDescription: def.description,
        namespace: "AWS/Firehose",
        metricName: def.metricName,
        dimensions: { DeliveryStreamName: props.streamName },
        statistic: def.statistic,
        period: def.periodSeconds,
        evaluationPeriods: def.evaluationPeriods,
        datapointsToAlarm: def.datapointsToAlarm,
        comparisonOperator: def.comparisonOperator,
        threshold: def.threshold,
        treatMissingData: "notBreaching",
        alarmActions: [...props.topicArns],
        okActions: [...props.topicArns],
      }),
  );
}
