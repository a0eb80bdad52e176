/**
 * Partitions, regions and service names, from the AWS SDK's own partition data (the
 * `@aws-sdk/core` endpoint rules the pinned SDK ships), not from a hand-kept list.
 */
import { partition as sdkPartition } from "@aws-sdk/core/client";
import { Fn, Token } from "cdktf";
import { REGION_PATTERN } from "../../lambda-src/conventions";

/** The partitions the project deploys to. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** The partition of a region the SDK knows by name; undefined for unknown names and other partitions. */
export function partitionOfRegion(region: string): Partition | undefined {
  if (!REGION_PATTERN.test(region)) return undefined;
  const info = sdkPartition(region) as { name: string; description?: string };
  // The SDK answers any name that matches a partition's pattern; only listed regions carry a description.
  if (info.description === undefined) return undefined;
  return (PARTITIONS as readonly string[]).includes(info.name) ? (info.name as Partition) : undefined;
}

/** The DNS suffix of a partition's service endpoints: `amazonaws.com`, `amazonaws.com.cn` in China. */
export function serviceDomain(partition: Partition | string): string {
  // A partition Terraform reads from the provider (a module): the same table, looked up at plan time.
  if (Token.isUnresolved(partition)) return Fn.lookup(Object.fromEntries(PARTITIONS.map((p) => [p, serviceDomain(p)])), partition);
  const implicitRegion = { aws: "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1" }[partition as Partition];
  if (implicitRegion === undefined) throw new Error(`unknown partition "${partition}"; expected one of ${PARTITIONS.join(", ")}`);
  return (sdkPartition(implicitRegion) as { dnsSuffix: string }).dnsSuffix;
}

/**
 * A service's regional endpoint name, the value `kms:ViaService` compares with:
 * `s3.eu-west-1.amazonaws.com`, `s3.cn-north-1.amazonaws.com.cn`.
 */
export function regionalService(service: string, region: string, partition: Partition | string): string {
  return `${service}.${region}.${serviceDomain(partition)}`;
}

/**
 * A service principal. AWS service principals are `<service>.amazonaws.com` in every partition
 * the project supports, China included (the `.amazonaws.com.cn` forms are legacy aliases).
 */
export function servicePrincipal(service: string): string {
  return `${service}.amazonaws.com`;
}

/** `arn:aws:iam::<account>:role/<name>` in the partition. */
export function roleArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/** The exact ARN of a log group (no `:*`), as KMS encryption contexts and key policies name it. */
export function logGroupArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`;
}

/** Where a module's construct lives: the identity every module takes. */
export interface Placement {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}
