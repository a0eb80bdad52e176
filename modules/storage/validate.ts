/**
 * Constructor-time checks of StorageProps. Every problem names the module, the prop, the rule
 * and the value received; values that are unresolved Terraform tokens are skipped (AWS checks
 * those at apply time). All problems are reported at once.
 */
import { PARTITIONS } from "../common/aws";
import { PATTERNS } from "../common/patterns";
import { bucketNameProblem } from "../common/s3-names";
import { known, type ModuleProblem, Problems } from "../common/validate";
import type { StorageProps, StorageClass } from "./index";

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
} as const;

/** Statement ids the module writes itself; a key user must not reuse them. */
export const RESERVED_SIDS = [
  "AccountAdministersKey",
  "NamedRolesAdministerKey",
  "AwsServicesCreateGrants",
  "SplunkReaderDecrypts",
  "CloudWatchLogsUsesKey",
  "S3NotifiesEncryptedQueues",
  "CloudWatchAlarmsPublish",
];

/** Derived names, validated like the props they come from. */
export interface DerivedNames {
  readonly bucketName: string;
  readonly accessLogBucketName?: string;
}

export function validateStorageProps(props: StorageProps, names: DerivedNames): void {
  const p = new Problems("storage");

  p.match("namePrefix", props.namePrefix, PATTERNS.namePrefix);
  p.match("accountId", props.accountId, PATTERNS.accountId);
  p.match("region", props.region, PATTERNS.region);
  p.oneOf("partition", props.partition, PARTITIONS as readonly string[]);
  // Names and ARNs derived from a bad identity would only repeat its problem.
  const identityOk = p.list.length === 0;

  const bucketProp = props.bucketName === undefined ? "bucketName (default <namePrefix>-<accountId>-<region>)" : "bucketName";
  if (identityOk || props.bucketName !== undefined) {
    p.check(bucketProp, names.bucketName, (v) => bucketNameProblem(v) === undefined, bucketNameProblem(names.bucketName) ?? "");
  }

  p.match("layout.prefix", props.layout.prefix, PATTERNS.keyPrefix);
  p.match("errorPrefix", props.errorPrefix, PATTERNS.keySegment);
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
    p.match(`lifecycle.derivedPrefixes[${i}]`, prefix, PATTERNS.keySegment);
    p.check(
      `lifecycle.derivedPrefixes[${i}]`,
      prefix,
      (v) => !taken.includes(v),
      `must differ from layout.prefix and errorPrefix (${taken.join(", ")}): each prefix has its own lifecycle rule`,
    );
  });

  p.addAll(lifecycleProblems(props.lifecycle), "lifecycle.");

  if (props.objectLock) {
    p.oneOf("objectLock.mode", props.objectLock.mode, ["GOVERNANCE", "COMPLIANCE"]);
    p.range("objectLock.days", props.objectLock.days, 1, Infinity, "days", { why: "S3 Object Lock default retention" });
  }

  if (props.accessLogging) {
    p.range("accessLogging.expireAfterDays", props.accessLogging.expireAfterDays, 1, Infinity, "days");
    if (names.accessLogBucketName !== undefined && (identityOk || props.accessLogging.bucketName !== undefined)) {
      const prop =
        props.accessLogging.bucketName === undefined ? "accessLogging.bucketName (default <namePrefix>-<accountId>-<region>-sal)" : "accessLogging.bucketName";
      p.check(prop, names.accessLogBucketName, (v) => bucketNameProblem(v) === undefined, bucketNameProblem(names.accessLogBucketName) ?? "");
      p.check(prop, names.accessLogBucketName, (v) => v !== names.bucketName, "must differ from the log bucket (S3 must not log a bucket into itself)");
    }
  }

  p.range("keyDeletionWindowDays", props.keyDeletionWindowDays, LIMITS.keyDeletionWindowDays.min, LIMITS.keyDeletionWindowDays.max, "days", { why: "KMS PendingWindowInDays" });
  for (const [i, service] of (props.grantViaServices ?? []).entries()) p.match(`grantViaServices[${i}]`, service, PATTERNS.viaService);

  p.addAll(splunkProblems(props.splunk), "splunk.");
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

  for (const [i, email] of props.alarms.emails.entries()) p.match(`alarms.emails[${i}]`, email, PATTERNS.email);
  if (props.alarms.extraTopicArn !== undefined) {
    p.match("alarms.extraTopicArn", props.alarms.extraTopicArn, PATTERNS.snsTopicArn);
    p.check(
      "alarms.extraTopicArn",
      props.alarms.extraTopicArn,
      (v) => !known(props.region) || v.split(":")[3] === props.region,
      `must be in ${props.region} (a CloudWatch alarm can only notify a topic in its own region)`,
    );
  }
  for (const [i, name] of (props.alarms.watchedBucketNames ?? []).entries()) {
    p.check(`alarms.watchedBucketNames[${i}]`, name, (v) => bucketNameProblem(v) === undefined, bucketNameProblem(name) ?? "");
  }

  if (props.guard) {
    const { keyAdminArns, bucketAdminArns, writers } = props.guard;
    // Empty lists would lock Terraform itself out of the key or the bucket's configuration.
    if (keyAdminArns.length === 0) p.add("guard.keyAdminArns", "must name at least the role Terraform applies with", keyAdminArns);
    if (bucketAdminArns.length === 0) p.add("guard.bucketAdminArns", "must name at least the role Terraform applies with", bucketAdminArns);
    keyAdminArns.forEach((arn, i) => p.match(`guard.keyAdminArns[${i}]`, arn, PATTERNS.iamRoleArn));
    bucketAdminArns.forEach((arn, i) => p.match(`guard.bucketAdminArns[${i}]`, arn, PATTERNS.iamRoleArn));
    writers.forEach((w, i) => {
      p.match(`guard.writers[${i}].prefix`, w.prefix, PATTERNS.keyPrefix);
      if (w.roleArns.length === 0) p.add(`guard.writers[${i}].roleArns`, "must name the role that writes the prefix", w.roleArns);
    });
  }
  p.throwIfAny();
}

/**
 * The lifecycle's problems, props relative to `lifecycle` (`transitions[1].afterDays`): the
 * storage module's rules, which envs/ also runs on `pipeline.s3` and maps back to its fields.
 */
export function lifecycleProblems(lifecycle: StorageProps["lifecycle"]): ModuleProblem[] {
  const p = new Problems("storage");
  const { transitions } = lifecycle;
  for (const [i, t] of transitions.entries()) {
    const prop = `transitions[${i}]`;
    p.oneOf(`${prop}.storageClass`, t.storageClass, STORAGE_CLASS_WATERFALL);
    p.range(`${prop}.afterDays`, t.afterDays, 0, Infinity, "days");
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

  p.range("expireAfterDays", lifecycle.expireAfterDays, 0, Infinity, "days", { why: "0 keeps objects forever" });
  const last = transitions[transitions.length - 1];
  if (last && lifecycle.expireAfterDays !== 0) {
    p.check(
      "expireAfterDays",
      lifecycle.expireAfterDays,
      (v) => !known(last.afterDays) || v > last.afterDays,
      `must be greater than the last transition's ${last.afterDays} days, or 0 (S3 lifecycle: expiration after every transition)`,
    );
  }
  p.range("noncurrentVersionExpireAfterDays", lifecycle.noncurrentVersionExpireAfterDays, 1, Infinity, "days");
  p.range("abortIncompleteMultipartUploadAfterDays", lifecycle.abortIncompleteMultipartUploadAfterDays, 1, Infinity, "days");
  p.range("errorExpireAfterDays", lifecycle.errorExpireAfterDays, 0, Infinity, "days", { why: "0 keeps error objects forever" });
  return p.list;
}

/** The Splunk settings' problems, props relative to `splunk` (envs/ runs them on `pipeline.splunk`). */
export function splunkProblems(splunk: StorageProps["splunk"]): ModuleProblem[] {
  const p = new Problems("storage");
  const { visibilityTimeoutSeconds: vt, maxReceiveCount: mrc } = LIMITS;
  p.range("visibilityTimeoutSeconds", splunk.visibilityTimeoutSeconds, vt.min, vt.max, "seconds", { why: "SQS VisibilityTimeout" });
  p.range("maxReceiveCount", splunk.maxReceiveCount, mrc.min, mrc.max, "", { why: "SQS RedrivePolicy maxReceiveCount" });
  for (const [i, arn] of splunk.readerPrincipalArns.entries()) p.match(`readerPrincipalArns[${i}]`, arn, PATTERNS.principalArn);
  p.match("externalId", splunk.externalId, PATTERNS.externalId);
  const requireExternalId = splunk.requireExternalId ?? true;
  if (splunk.enabled && splunk.readerPrincipalArns.length > 0 && requireExternalId && splunk.externalId === undefined) {
    p.add("externalId", "is required when readerPrincipalArns is set (confused-deputy protection: the reader role trusts only callers that pass it); set requireExternalId: false only for Splunk_TA_aws's own IAM Role setting, which cannot send one", undefined);
  }
  if (!requireExternalId) {
    if (splunk.externalId !== undefined) {
      p.add("externalId", "must not be set when requireExternalId is false (the trust policy would not check it)", splunk.externalId);
    }
    for (const [i, arn] of splunk.readerPrincipalArns.entries()) {
      p.check(
        `readerPrincipalArns[${i}]`,
        arn,
        (v) => !v.endsWith(":root"),
        "must be a role or user, not an account root, when requireExternalId is false (without an external id, trust only one exact identity)",
      );
    }
  }
  return p.list;
}

function validateKeyUsers(p: Problems, users: StorageProps["keyUsers"], accountId: string | undefined): void {
  const seen = new Set<string>();
  for (const [i, user] of users.entries()) {
    const prop = `keyUsers[${i}]`;
    p.match(`${prop}.sid`, user.sid, PATTERNS.statementId);
    p.check(`${prop}.sid`, user.sid, (v) => !RESERVED_SIDS.includes(v), `must not be one of the module's own statement ids (${RESERVED_SIDS.join(", ")})`);
    p.check(`${prop}.sid`, user.sid, (v) => !seen.has(v), "must be unique among keyUsers");
    if (known(user.sid)) seen.add(user.sid);
    p.match(`${prop}.roleArn`, user.roleArn, PATTERNS.iamRoleArn);
    if (accountId !== undefined && known(accountId)) {
      p.check(
        `${prop}.roleArn`,
        user.roleArn,
        (v) => !PATTERNS.iamRoleArn.pattern.test(v) || v.split(":")[4] === accountId,
        `must be a role of account ${accountId} (the key policy admits key users through this account's root)`,
      );
    }
    p.check(`${prop}.actions`, user.actions, (v) => v.length > 0, "must name at least one action");
    for (const [j, action] of user.actions.entries()) {
      p.match(`${prop}.actions[${j}]`, action, PATTERNS.kmsAction);
    }
    for (const [j, service] of (user.viaServices ?? []).entries()) {
      p.match(`${prop}.viaServices[${j}]`, service, PATTERNS.viaService);
    }
  }
}
