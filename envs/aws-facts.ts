/**
 * AWS names and limits the environment validation checks against. Each list
 * cites where it comes from, so it can be re-checked when AWS changes it.
 */

// Regions and partitions come from the AWS SDK's partition data: modules/common/aws.ts.
export { partitionOfRegion, type Partition } from "../modules/common/aws";

/** CloudWatch Logs PutRetentionPolicy accepts exactly these (0 = never expire). */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Firehose → S3 BufferingHints; dynamic partitioning needs SizeInMBs >= 64. */
export const FIREHOSE = {
  sizeMBs: { min: 64, max: 128, partitioningMin: 64 },
  /** 0–900 in general, but dynamic partitioning has no zero buffering: 60 is the safe floor. */
  intervalSeconds: { min: 60, max: 900 },
  /**
   * Lambda processor BufferSizeInMBs: AWS allows 0.2–3, but our transform's output is ~8× its
   * gzip'd input and its response is capped at 6 MB. `npm run bench`: 0.3 MB never re-ingests,
   * 1 MB re-ingests ~1.1× the events, 1.5 MB+ pushes events to processing-failed at the hop bound.
   */
  processorSizeMBs: { min: 0.2, max: 1 },
  processorIntervalSeconds: { min: 0, max: 900 },
} as const;

export const LAMBDA = {
  memoryMB: { min: 128, max: 10240 },
  /** Lambda allows 900 s, but Firehose supports transform invocations of at most 5 minutes. */
  timeoutSeconds: { min: 1, max: 300 },
} as const;

/** Firehose dynamic partitioning: active partitions per stream (raise by quota request up to 5,000). */
export const FIREHOSE_ACTIVE_PARTITIONS_DEFAULT = 500;

/** Storage classes a lifecycle rule may transition to, and their minimum age in days. */
export const LIFECYCLE_STORAGE_CLASSES = {
  STANDARD_IA: 30,
  ONEZONE_IA: 30,
  INTELLIGENT_TIERING: 0,
  GLACIER_IR: 0,
  GLACIER: 0,
  DEEP_ARCHIVE: 0,
} as const;
export type LifecycleStorageClass = keyof typeof LIFECYCLE_STORAGE_CLASSES;

export { bucketNameProblem } from "../modules/common/s3-names";

/** Tag limits (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
export const TAGS = {
  maxPerResource: 50,
  keyMaxLength: 128,
  valueMaxLength: 256,
  allowed: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
} as const;
