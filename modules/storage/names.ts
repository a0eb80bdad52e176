/** The names and ARNs the storage module creates, as pure functions of its props (stacks and envs/ call these). */
import type { StorageProps } from "./index";
import { queueName, readerRoleName } from "./splunk";

type NameProps = Pick<StorageProps, "namePrefix" | "accountId" | "region" | "partition" | "bucketName"> & {
  readonly accessLogging?: { readonly bucketName?: string | undefined } | undefined;
};

export function storageNames(props: NameProps) {
  const { namePrefix, accountId, region, partition } = props;
  const bucketName = props.bucketName ?? `${namePrefix}-${accountId}-${region}`;
  return {
    /** The log bucket: `bucketName`, else `<namePrefix>-<accountId>-<region>`. */
    bucketName,
    bucketArn: `arn:${partition}:s3:::${bucketName}`,
    /** The access-log bucket, when access logging is on: `accessLogging.bucketName`, else `<log bucket>-sal`. */
    accessLogBucketName: props.accessLogging ? (props.accessLogging.bucketName ?? `${namePrefix}-${accountId}-${region}-sal`) : undefined,
    /** The Splunk reader role. */
    readerRoleName: readerRoleName(namePrefix),
    /** The Splunk queue of a log type (or `all`). */
    queueName: (key: string) => queueName(namePrefix, key),
  };
}
