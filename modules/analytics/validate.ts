/**
 * Constructor-time checks of AnalyticsProps, in the modules' one vocabulary
 * (modules/common/validate.ts): every problem at once, each naming the prop, rule and value.
 */
import { isPartitionHour, PARTITION_HOUR_RULE, PATTERNS } from "../common/patterns";
import { known, type ModuleProblem, Problems } from "../common/validate";
import type { AnalyticsProps } from "./index";
import { type Cadence, DEFAULT_DELIVERY_DELAY_SECONDS, parseCadence } from "./schedule";

/** Every problem of `props`, thrown together; the schedule's cadence when there are none. */
export function validateAnalyticsProps(props: AnalyticsProps): Cadence {
  const p = new Problems("analytics");
  p.match("namePrefix", props.namePrefix, PATTERNS.namePrefix);
  p.match("accountId", props.accountId, PATTERNS.accountId);
  p.match("region", props.region, PATTERNS.region);
  p.match("databaseName", props.databaseName, PATTERNS.glueName);
  p.match("parquetTableName", props.parquetTableName, PATTERNS.glueName);
  p.match("roleName", props.roleName, PATTERNS.iamRoleName);
  p.match("layout.prefix", props.layout.prefix, PATTERNS.keyPrefix);
  p.match("parquetPrefix", props.parquetPrefix, PATTERNS.keyPrefix);
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  if (known(props.parquetPrefix) && known(props.layout.prefix) && (within(props.parquetPrefix, props.layout.prefix) || within(props.layout.prefix, props.parquetPrefix))) {
    p.add("parquetPrefix", `must not overlap the raw prefix "${props.layout.prefix}" (the job would read its own output)`, props.parquetPrefix);
  }
  p.range("maxCapacity", props.maxCapacity, 1, 149, "DataBrew nodes");
  p.range("timeoutMinutes", props.timeoutMinutes, 1, 2880, "minutes", { why: "DataBrew job timeout" });
  p.check("projectionStart", props.projectionStart, isPartitionHour, PARTITION_HOUR_RULE);
  const delay = props.maxDeliveryDelaySeconds ?? DEFAULT_DELIVERY_DELAY_SECONDS;
  p.range("maxDeliveryDelaySeconds", props.maxDeliveryDelaySeconds, 0, 3540, "seconds");
  p.addAll(scheduleProblems(props.schedule, delay));
  p.throwIfAny();
  return parseCadence(props.schedule)!;
}

/**
 * The schedule's problems (prop `schedule`): a cadence whose runs tile the hours, firing late
 * enough past the hour that the previous hour's last objects (`delaySeconds` after it) have landed.
 */
export function scheduleProblems(schedule: string, delaySeconds: number): ModuleProblem[] {
  const p = new Problems("analytics");
  const cadence = parseCadence(schedule);
  if (!cadence) {
    p.add("schedule", "must be a DataBrew cron that runs every hour, every N hours (N divides 24) or daily, at a fixed minute from 1 to 59, e.g. cron(15 * * * ? *): each run reads the whole hours since the last one", schedule);
  } else if (cadence.minute * 60 < delaySeconds) {
    p.add("schedule", `must fire at least ${Math.ceil(delaySeconds / 60)} minutes past the hour: an hour's last objects land up to ${delaySeconds} s after it ends, and an earlier run would miss them`, schedule);
  }
  return p.list;
}
