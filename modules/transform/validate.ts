/**
 * Constructor-time checks of TransformProps, in the modules' one vocabulary
 * (modules/common/validate.ts): every problem at once, each naming the prop, rule and value.
 */
import { existsSync } from "node:fs";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../lambda-src/config";
import { PARTITIONS } from "../common/aws";
import { LOG_RETENTION_DAYS, PATTERNS } from "../common/patterns";
import { type ModuleProblem, Problems } from "../common/validate";
import type { TransformProps } from "./index";

/** Variables the function reads besides lambda-src/config.ts: Node's own. */
const RUNTIME_VARIABLES = ["NODE_OPTIONS"];

/**
 * Problems of the function's environment, props relative to `environment` (`AUDIT_OBJECT_MODE`):
 * the Lambda validates these at cold start; checking them here fails the synth instead.
 */
export function environmentProblems(environment: Readonly<Record<string, string>>): ModuleProblem[] {
  const p = new Problems("transform");
  const knownNames = [...CONFIG_VARIABLES.map((v) => v.name), ...RUNTIME_VARIABLES];
  for (const name of Object.keys(environment)) {
    if (!knownNames.includes(name)) p.add(name, `is not a setting of the transform; known: ${knownNames.join(", ")}`, environment[name]);
  }
  try {
    loadConfig(environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) {
      const name = problem.split(" ")[0]!;
      p.add(name, problem.slice(name.length + 1).replace(/, got .*$/s, ""), environment[name]);
    }
  }
  return p.list;
}

/** Lambda's MemorySize range, and the longest transform Firehose waits for (5 minutes). */
export const TRANSFORM_LIMITS = {
  memorySizeMB: { min: 128, max: 10_240 },
  timeoutSeconds: { min: 1, max: 300 },
} as const;

export function validateTransformProps(props: TransformProps): void {
  const p = new Problems("transform");
  p.match("accountId", props.accountId, PATTERNS.accountId);
  p.match("region", props.region, PATTERNS.region);
  p.oneOf("partition", props.partition, PARTITIONS as readonly string[]);
  p.match("roleName", props.roleName, PATTERNS.iamRoleName);
  p.range("memorySizeMB", props.memorySizeMB, TRANSFORM_LIMITS.memorySizeMB.min, TRANSFORM_LIMITS.memorySizeMB.max, "MB", { why: "Lambda MemorySize" });
  p.range("timeoutSeconds", props.timeoutSeconds, TRANSFORM_LIMITS.timeoutSeconds.min, TRANSFORM_LIMITS.timeoutSeconds.max, "seconds", { why: "Firehose invokes transforms for at most 5 minutes" });
  p.range("reservedConcurrency", props.reservedConcurrency, 0, 10000, "", { why: "Lambda reserved concurrency" });
  p.oneOf("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS);
  p.check("durationAlarmRatio", props.durationAlarmRatio, (v) => v > 0 && v <= 1, "must be greater than 0 and at most 1");
  p.addAll(environmentProblems(props.environment ?? {}), "environment.");
  if (!existsSync(props.bundlePath)) p.add("bundlePath", "must be the zip built by `npm run build:lambda`; it does not exist", props.bundlePath);
  p.throwIfAny();
}
