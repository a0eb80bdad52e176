/**
 * AWS names and limits the environment validation checks against. Each list
 * cites where it comes from, so it can be re-checked when AWS changes it.
 */

// Regions and partitions come from the AWS SDK's partition data: modules/common/aws.ts.
export { partitionOfRegion, type Partition } from "../modules/common/aws";

// The AWS ranges are the modules' (they check the props they are given); the env adds its own policy.
import { FIREHOSE_LIMITS } from "../modules/forwarder/delivery-stream";
import { TRANSFORM_LIMITS } from "../modules/transform/validate";
export { LOG_RETENTION_DAYS } from "../modules/common/patterns";

/** Firehose → S3 BufferingHints; dynamic partitioning needs SizeInMBs >= 64. */
export const FIREHOSE = {
  sizeMBs: FIREHOSE_LIMITS.bufferSizeMBs,
  intervalSeconds: FIREHOSE_LIMITS.bufferIntervalSeconds,
  /**
   * Lambda processor BufferSizeInMBs: AWS allows 0.2–3, but our transform's output is ~8× its
   * gzip'd input and its response is capped at 6 MB. `npm run bench`: 0.3 MB never re-ingests
   * corpus-shaped data, 1 MB re-ingests ~1.1× the events; the env refuses more than 1.
   */
  processorSizeMBs: { min: FIREHOSE_LIMITS.processorBufferSizeMBs.min, max: 1 },
  processorIntervalSeconds: FIREHOSE_LIMITS.processorBufferIntervalSeconds,
} as const;

export const LAMBDA = TRANSFORM_LIMITS;

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
