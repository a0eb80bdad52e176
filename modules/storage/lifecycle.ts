/**
 * Lifecycle rules of the log bucket: one rule per prefix the pipeline writes, plus housekeeping
 * for the whole bucket. Rules are keyed by `id`, so their order never causes a diff.
 */
import type { S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import type { StorageProps } from "./index";

export interface LifecycleInput {
  /** `layout.prefix`: where Firehose delivers. */
  readonly deliveredPrefix: string;
  readonly errorPrefix: string;
  readonly lifecycle: StorageProps["lifecycle"];
}

export function logBucketLifecycleRules(input: LifecycleInput): S3BucketLifecycleConfigurationRule[] {
  const { lifecycle } = input;
  const errorDays = lifecycle.errorExpireAfterDays ?? lifecycle.expireAfterDays;
  // Data derived from the logs (Parquet) ages like the logs it came from.
  const retained = (id: string, prefix: string): S3BucketLifecycleConfigurationRule => ({
    id,
    status: "Enabled",
    filter: [{ prefix: `${prefix}/` }],
    ...(lifecycle.transitions.length > 0
      ? { transition: lifecycle.transitions.map((t) => ({ days: t.afterDays, storageClass: t.storageClass })) }
      : {}),
    ...(lifecycle.expireAfterDays > 0 ? { expiration: [{ days: lifecycle.expireAfterDays }] } : {}),
  });
  return [
    retained("delivered", input.deliveredPrefix),
    ...(lifecycle.derivedPrefixes ?? []).map((prefix) => retained(`derived-${prefix}`, prefix)),
    {
      // Failed records are few and re-driven by hand: no transitions, their own retention.
      id: "errors",
      status: "Enabled",
      filter: [{ prefix: `${input.errorPrefix}/` }],
      ...(errorDays > 0 ? { expiration: [{ days: errorDays }] } : {}),
    },
    {
      // Versioning keeps overwritten and deleted objects: bound them, and the delete markers
      // expiry leaves behind once their last noncurrent version is gone.
      id: "housekeeping",
      status: "Enabled",
      filter: [{ prefix: "" }],
      noncurrentVersionExpiration: [{ noncurrentDays: lifecycle.noncurrentVersionExpireAfterDays }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: lifecycle.abortIncompleteMultipartUploadAfterDays }],
      expiration: [{ expiredObjectDeleteMarker: true }],
    },
  ];
}

/** The access-log bucket keeps logs `expireAfterDays`, and nothing else for long. */
export function accessLogLifecycleRules(expireAfterDays: number): S3BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "access-logs",
      status: "Enabled",
      filter: [{ prefix: "" }],
      expiration: [{ days: expireAfterDays }],
      noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
    },
  ];
}
