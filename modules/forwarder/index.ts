/**
 * forwarder: CloudWatch Logs → Firehose → S3 for EKS control-plane logs.
 *
 * - `DeliveryStream` (central account, home region): the Firehose stream, its role, error log group, alarms.
 * - `LogDestination` (central account, one per source region): the CWL destination, its role and policy.
 * - `Subscription` (workload account, one per region): the subscription filters (and optional account policy).
 *
 * No module imports another; main.ts passes plain strings (or same-stack references) between them.
 */
export { alarmDefinitions, SUCCESS_RATIO_THRESHOLD, type AlarmDefinition } from "./alarms";
export { defaultFreshnessAlarmSeconds, DeliveryStream, deliveryStreamKeyUsage, deliveryStreamNames, ERROR_LOG_STREAM, type DeliveryStreamProps } from "./delivery-stream";
export { DESTINATION_POLICY_MAX_BYTES, destinationPolicy, LogDestination, TRUST_POLICY_MAX_CHARS, trustPolicy, type LogDestinationProps } from "./destination";
export { SELECTION_CRITERIA_MAX_BYTES, selectionCriteria, Subscription, type SubscriptionProps } from "./subscription";
export { ModuleValidationError } from "../common/validate";
