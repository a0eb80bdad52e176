/**
 * Constructor-time checks shared by the forwarder's constructs. Every message names the module,
 * the prop, the rule and the value received; values that are unresolved Terraform tokens are
 * skipped (Terraform and AWS check those at plan/apply time).
 */
import { REGION_PATTERN } from "../../lambda-src/conventions";
import { Token } from "cdktf";

/** A configuration the forwarder refuses at synth time, before any Terraform is written. */
export class ForwarderError extends Error {
  constructor(message: string) {
    super(`forwarder: ${message}`);
    this.name = "ForwarderError";
  }
}

/** `value` is a plain string or number (not a cdktf token) and can be checked now. */
export function known<T extends string | number>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** `1,234` — byte counts and limits read better with separators. */
export function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

/** Strings quoted, lists and objects as JSON, numbers and booleans as they are. */
export function show(value: unknown): string {
  if (value === undefined || typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export function check(ok: boolean, prop: string, rule: string, value: unknown): void {
  if (!ok) throw new ForwarderError(`${prop} ${rule}, got ${show(value)}`);
}

/** `min <= value <= max`, optionally a whole number. */
export function checkRange(
  prop: string,
  value: number,
  min: number,
  max: number,
  unit: string,
  opts: { readonly integer?: boolean; readonly why?: string } = {},
): void {
  if (!known(value)) return;
  const whole = opts.integer ? "a whole number of " : "";
  const why = opts.why ? ` (${opts.why})` : "";
  check(
    Number.isFinite(value) && value >= min && value <= max && (!opts.integer || Number.isInteger(value)),
    prop,
    `must be ${whole}${min}–${max} ${unit}${why}`,
    value,
  );
}

export function checkPattern(prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  if (!known(value)) return;
  check(pattern.test(value), prop, rule, value);
}

export const ACCOUNT_ID = /^\d{12}$/;
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
/** IAM role names: 1–64 of [\w+=,.@-]. */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The identity props every construct takes. */
export function checkIdentity(construct: string, props: { accountId: string; region: string; partition: string }): void {
  checkPattern(`${construct}.accountId`, props.accountId, ACCOUNT_ID, "must be a 12-digit AWS account id");
  checkPattern(`${construct}.region`, props.region, REGION_PATTERN, "must be an AWS region name such as eu-west-1");
  if (known(props.partition)) {
    check((PARTITIONS as readonly string[]).includes(props.partition), `${construct}.partition`, `must be one of ${PARTITIONS.join(", ")}`, props.partition);
  }
}

/** Account id of an ARN (`arn:partition:service:region:account:…`), if the ARN is a plain string. */
export function arnField(arn: string, field: "service" | "region" | "account"): string | undefined {
  if (!known(arn)) return undefined;
  const parts = arn.split(":");
  return parts[{ service: 2, region: 3, account: 4 }[field]];
}

/** The DNS suffix of service endpoints, for `kms:ViaService` values. */
export function dnsSuffix(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}
