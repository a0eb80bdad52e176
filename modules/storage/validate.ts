/**
 * Constructor-time checks of StorageProps. Every problem names the module, the prop, the rule
 * and the value received; values that are unresolved Terraform tokens are skipped (AWS checks
 * those at apply time). All problems are reported at once.
 */
import { Token } from "cdktf";
import { REGION_PATTERN } from "../../lambda-src/conventions";
import type { StorageProps, StorageClass } from "./index";
import { bucketNameProblem } from "../common/s3-names";

/** A configuration the storage module refuses at synth time, before any Terraform is written. */
export class StorageError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.map((p) => `storage: ${p}`).join("\n"));
    this.name = "StorageError";
    this.problems = problems;
  }
}

/**
 * Lifecycle transitions must follow S3's waterfall: an object only ever moves down this list
 * (Amazon S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle").
 */
export const STORAGE_CLASS_WATERFALL: readonly StorageClass[] = [
  "STANDARD_IA",
  "INTELLIGENT_TIERING",
  "ONEZONE_IA",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
];

/** S3 refuses a transition to an IA class earlier than 30 days after creation, and any transition out of IA within 30 days. */
const IA_CLASSES: readonly StorageClass[] = ["STANDARD_IA", "ONEZONE_IA"];
const IA_MIN_DAYS = 30;

export const LIMITS = {
  /** SQS VisibilityTimeout, seconds. */
  visibilityTimeoutSeconds: { min: 0, max: 43_200 },
  /** SQS RedrivePolicy maxReceiveCount. */
  maxReceiveCount: { min: 1, max: 1_000 },
  /** KMS ScheduleKeyDeletion PendingWindowInDays. */
  keyDeletionWindowDays: { min: 7, max: 30 },
  /** The longest derived name, `<namePrefix>-splunk-cloud-controller-manager-dlq`, must fit SQS's 80 characters. */
  namePrefixLength: 44,
} as const;

const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"];
const NAME_PREFIX = /^[a-z0-9][a-z0-9-]*$/;
const ACCOUNT_ID = /^\d{12}$/;
const IAM_ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PRINCIPAL_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const KMS_ACTION = /^kms:[A-Za-z]+$/;
const SID = /^[A-Za-z0-9]+$/;
const VIA_SERVICE = /^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
const SNS_TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** S3 key segments without leading or trailing slash. */
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()=-]+(?:\/[A-Za-z0-9!_.*'()=-]+)*$/;
const KEY_SEGMENT = /^[A-Za-z0-9!_.*'()=-]+$/;

/** Statement ids the module writes itself; a key user must not reuse them. */
export const RESERVED_SIDS = [
  "AccountAdministersKey",
  "AwsServicesCreateGrants",
  "SplunkReaderDecrypts",
  "CloudWatchLogsUsesKey",
  "S3NotifiesEncryptedQueues",
  "CloudWatchAlarmsPublish",
];

function known<T>(value: T): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value);
}

class Problems {
  readonly list: string[] = [];

  add(prop: string, rule: string, value: unknown): void {
    this.list.push(`${prop} ${rule}, got ${show(value)}`);
  }

  /** Adds a problem when `value` is known and `ok(value)` is false. */
  check<T>(prop: string, value: T, ok: (v: T) => boolean, rule: string): void {
    if (known(value) && !ok(value)) this.add(prop, rule, value);
  }

  wholeNumber(prop: string, value: number | undefined, min: number, max: number, why?: string): void {
    if (value === undefined) return;
    const range = max === Infinity ? `at least ${min}` : `between ${min} and ${max}`;
    this.check(prop, value, (v) => Number.isInteger(v) && v >= min && v <= max, `must be a whole number ${range}${why ? ` (${why})` : ""}`);
  }
}

/** Derived names, validated like the props they come from. */
export interface DerivedNames {
  readonly bucketName: string;
  readonly accessLogBucketName?: string;
}

export function validateStorageProps(props: StorageProps, names: DerivedNames): void {
  const p = new Problems();

  p.check("namePrefix", props.namePrefix, (v) => NAME_PREFIX.test(v), "must be lowercase letters, digits and hyphens, starting with a letter or digit");
  p.check(
    "namePrefix",
    props.namePrefix,
    (v) => v.length <= LIMITS.namePrefixLength,
    `must be at most ${LIMITS.namePrefixLength} characters (the longest queue name, <namePrefix>-splunk-cloud-controller-manager-dlq, must fit SQS's 80)`,
  );
  p.check("accountId", props.accountId, (v) => ACCOUNT_ID.test(v), "must be a 12-digit AWS account id");
  p.check("region", props.region, (v) => REGION_PATTERN.test(v), "must be an AWS region name such as eu-west-1");
  p.check("partition", props.partition, (v) => PARTITIONS.includes(v), `must be one of ${PARTITIONS.join(", ")}`);
  // Names and ARNs derived from a bad identity would only repeat its problem.
  const identityOk = p.list.length === 0;

  const bucketProp = props.bucketName === undefined ? "bucketName (default <namePrefix>-<accountId>-<region>)" : "bucketName";
  if (identityOk || props.bucketName !== undefined) {
    p.check(bucketProp, names.bucketName, (v) => bucketNameProblem(v) === undefined, bucketNameProblem(names.bucketName) ?? "");
  }

  p.check("layout.prefix", props.layout.prefix, (v) => KEY_PREFIX.test(v), "must be S3 key segments separated by / with no leading or trailing /");
  p.check("errorPrefix", props.errorPrefix, (v) => KEY_SEGMENT.test(v), "must be one S3 key segment (no slashes)");
  if (known(props.errorPrefix) && known(props.layout.prefix)) {
    p.check(
      "errorPrefix",
      props.errorPrefix,
      (v) => v !== props.layout.prefix.split("/")[0],
      `must differ from the first segment of layout.prefix ("${props.layout.prefix}"), or error objects would be notified to Splunk and share the delivered objects' lifecycle`,
    );
  }

  const taken = [props.layout.prefix.split("/")[0], props.errorPrefix];
  (props.lifecycle.derivedPrefixes ?? []).forEach((prefix, i) => {
    p.check(`lifecycle.derivedPrefixes[${i}]`, prefix, (v) => KEY_SEGMENT.test(v), "must be one S3 key segment (no slashes)");
    p.check(
      `lifecycle.derivedPrefixes[${i}]`,
      prefix,
      (v) => !taken.includes(v),
      `must differ from layout.prefix and errorPrefix (${taken.join(", ")}): each prefix has its own lifecycle rule`,
    );
  });

  validateLifecycle(p, props.lifecycle);

  if (props.objectLock) {
    p.check("objectLock.mode", props.objectLock.mode, (v) => v === "GOVERNANCE" || v === "COMPLIANCE", "must be GOVERNANCE or COMPLIANCE");
    p.wholeNumber("objectLock.days", props.objectLock.days, 1, Infinity, "S3 Object Lock default retention");
  }

  if (props.accessLogging) {
    p.wholeNumber("accessLogging.expireAfterDays", props.accessLogging.expireAfterDays, 1, Infinity);
    if (names.accessLogBucketName !== undefined && (identityOk || props.accessLogging.bucketName !== undefined)) {
      const prop =
        props.accessLogging.bucketName === undefined ? "accessLogging.bucketName (default <namePrefix>-<accountId>-<region>-sal)" : "accessLogging.bucketName";
      p.check(prop, names.accessLogBucketName, (v) => bucketNameProblem(v) === undefined, bucketNameProblem(names.accessLogBucketName) ?? "");
      p.check(prop, names.accessLogBucketName, (v) => v !== names.bucketName, "must differ from the log bucket (S3 must not log a bucket into itself)");
    }
  }

  p.wholeNumber("keyDeletionWindowDays", props.keyDeletionWindowDays, LIMITS.keyDeletionWindowDays.min, LIMITS.keyDeletionWindowDays.max, "KMS PendingWindowInDays");
  for (const [i, service] of (props.grantViaServices ?? []).entries()) {
    p.check(`grantViaServices[${i}]`, service, (v) => VIA_SERVICE.test(v), "must be a kms:ViaService value such as firehose.eu-west-1.amazonaws.com");
  }

  validateSplunk(p, props.splunk);
  validateKeyUsers(p, props.keyUsers, identityOk ? props.accountId : undefined);

  for (const [i, arn] of identityOk ? props.encryptedLogGroupArns.entries() : []) {
    const exact = `arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:`;
    p.check(
      `encryptedLogGroupArns[${i}]`,
      arn,
      (v) => !known(props.partition) || !known(props.region) || !known(props.accountId) || (v.startsWith(exact) && /^[^:*]+$/.test(v.slice(exact.length))),
      `must be the exact ARN of a log group in this account and region (${exact}<name>, no ":*"; CloudWatch Logs needs a key in its own region)`,
    );
  }

  for (const [i, email] of props.alarms.emails.entries()) {
    p.check(`alarms.emails[${i}]`, email, (v) => EMAIL.test(v), "must be an e-mail address");
  }
  if (props.alarms.extraTopicArn !== undefined) {
    p.check("alarms.extraTopicArn", props.alarms.extraTopicArn, (v) => SNS_TOPIC_ARN.test(v), "must be an SNS topic ARN");
    p.check(
      "alarms.extraTopicArn",
      props.alarms.extraTopicArn,
      (v) => !known(props.region) || v.split(":")[3] === props.region,
      `must be in ${props.region} (a CloudWatch alarm can only notify a topic in its own region)`,
    );
  }

  if (p.list.length > 0) throw new StorageError(p.list);
}

function validateLifecycle(p: Problems, lifecycle: StorageProps["lifecycle"]): void {
  const { transitions } = lifecycle;
  for (const [i, t] of transitions.entries()) {
    const prop = `lifecycle.transitions[${i}]`;
    p.check(`${prop}.storageClass`, t.storageClass, (v) => STORAGE_CLASS_WATERFALL.includes(v), `must be one of ${STORAGE_CLASS_WATERFALL.join(", ")}`);
    p.wholeNumber(`${prop}.afterDays`, t.afterDays, 0, Infinity);
    if (IA_CLASSES.includes(t.storageClass)) {
      p.check(`${prop}.afterDays`, t.afterDays, (v) => v >= IA_MIN_DAYS, `must be at least ${IA_MIN_DAYS} for ${t.storageClass} (S3 lifecycle: objects must be 30 days old to move to an IA class)`);
    }
    const prev = transitions[i - 1];
    if (!prev) continue;
    p.check(`${prop}.afterDays`, t.afterDays, (v) => !known(prev.afterDays) || v > prev.afterDays, `must be greater than the previous transition's ${prev.afterDays} (transitions in ascending order)`);
    p.check(
      `${prop}.storageClass`,
      t.storageClass,
      (v) => STORAGE_CLASS_WATERFALL.indexOf(v) > STORAGE_CLASS_WATERFALL.indexOf(prev.storageClass),
      `must come after ${prev.storageClass} in S3's transition waterfall (${STORAGE_CLASS_WATERFALL.join(" → ")})`,
    );
    if (IA_CLASSES.includes(prev.storageClass)) {
      p.check(
        `${prop}.afterDays`,
        t.afterDays,
        (v) => !known(prev.afterDays) || v >= prev.afterDays + IA_MIN_DAYS,
        `must be at least ${IA_MIN_DAYS} days after the ${prev.storageClass} transition at ${prev.afterDays} (S3 keeps objects 30 days in an IA class before moving them on)`,
      );
    }
  }

  p.wholeNumber("lifecycle.expireAfterDays", lifecycle.expireAfterDays, 0, Infinity, "0 keeps objects forever");
  const last = transitions[transitions.length - 1];
  if (last && lifecycle.expireAfterDays !== 0) {
    p.check(
      "lifecycle.expireAfterDays",
      lifecycle.expireAfterDays,
      (v) => !known(last.afterDays) || v > last.afterDays,
      `must be greater than the last transition's ${last.afterDays} days, or 0 (S3 lifecycle: expiration after every transition)`,
    );
  }
  p.wholeNumber("lifecycle.noncurrentVersionExpireAfterDays", lifecycle.noncurrentVersionExpireAfterDays, 1, Infinity);
  p.wholeNumber("lifecycle.abortIncompleteMultipartUploadAfterDays", lifecycle.abortIncompleteMultipartUploadAfterDays, 1, Infinity);
  p.wholeNumber("lifecycle.errorExpireAfterDays", lifecycle.errorExpireAfterDays, 0, Infinity, "0 keeps error objects forever");
}

function validateSplunk(p: Problems, splunk: StorageProps["splunk"]): void {
  const { visibilityTimeoutSeconds: vt, maxReceiveCount: mrc } = LIMITS;
  p.wholeNumber("splunk.visibilityTimeoutSeconds", splunk.visibilityTimeoutSeconds, vt.min, vt.max, "SQS VisibilityTimeout");
  p.wholeNumber("splunk.maxReceiveCount", splunk.maxReceiveCount, mrc.min, mrc.max, "SQS RedrivePolicy maxReceiveCount");
  for (const [i, arn] of splunk.readerPrincipalArns.entries()) {
    p.check(`splunk.readerPrincipalArns[${i}]`, arn, (v) => PRINCIPAL_ARN.test(v), "must be an IAM role, user or account root ARN");
  }
  if (splunk.externalId !== undefined) {
    p.check("splunk.externalId", splunk.externalId, (v) => EXTERNAL_ID.test(v), "must be 2–1224 characters of [A-Za-z0-9+=,.@:/_-] (STS ExternalId)");
  }
  const requireExternalId = splunk.requireExternalId ?? true;
  if (splunk.enabled && splunk.readerPrincipalArns.length > 0 && requireExternalId && splunk.externalId === undefined) {
    p.add("splunk.externalId", "is required when splunk.readerPrincipalArns is set (the cross-account reader role trusts only callers that pass it)", undefined);
  }
  if (!requireExternalId) {
    if (splunk.externalId !== undefined) {
      p.add("splunk.externalId", "must not be set when splunk.requireExternalId is false (the trust policy would not check it)", splunk.externalId);
    }
    for (const [i, arn] of splunk.readerPrincipalArns.entries()) {
      p.check(
        `splunk.readerPrincipalArns[${i}]`,
        arn,
        (v) => !v.endsWith(":root"),
        "must be a role or user, not an account root, when splunk.requireExternalId is false (without an external id, trust only one exact identity)",
      );
    }
  }
}

function validateKeyUsers(p: Problems, users: StorageProps["keyUsers"], accountId: string | undefined): void {
  const seen = new Set<string>();
  for (const [i, user] of users.entries()) {
    const prop = `keyUsers[${i}]`;
    p.check(`${prop}.sid`, user.sid, (v) => SID.test(v), "must be letters and digits only");
    p.check(`${prop}.sid`, user.sid, (v) => !RESERVED_SIDS.includes(v), `must not be one of the module's own statement ids (${RESERVED_SIDS.join(", ")})`);
    p.check(`${prop}.sid`, user.sid, (v) => !seen.has(v), "must be unique among keyUsers");
    if (known(user.sid)) seen.add(user.sid);
    p.check(`${prop}.roleArn`, user.roleArn, (v) => IAM_ROLE_ARN.test(v), "must be an exact IAM role ARN (arn:aws:iam::<account>:role/<name>)");
    if (accountId !== undefined && known(accountId)) {
      p.check(
        `${prop}.roleArn`,
        user.roleArn,
        (v) => !IAM_ROLE_ARN.test(v) || v.split(":")[4] === accountId,
        `must be a role of account ${accountId} (the key policy admits key users through this account's root)`,
      );
    }
    p.check(`${prop}.actions`, user.actions, (v) => v.length > 0, "must name at least one action");
    for (const [j, action] of user.actions.entries()) {
      p.check(`${prop}.actions[${j}]`, action, (v) => KMS_ACTION.test(v), "must be one KMS action such as kms:Decrypt (no wildcards)");
    }
    for (const [j, service] of (user.viaServices ?? []).entries()) {
      p.check(`${prop}.viaServices[${j}]`, service, (v) => VIA_SERVICE.test(v), "must be a kms:ViaService value such as s3.eu-west-1.amazonaws.com");
    }
  }
}
