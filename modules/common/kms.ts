/** What every customer-managed key of the project shares. */
import { regionalService, roleArn } from "./aws";

/**
 * Key management without use: no Encrypt/Decrypt/GenerateDataKey, and no CreateGrant (a grant
 * could hand out use). PutKeyPolicy stays, or KMS refuses the policy (lockout safety check).
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/**
 * What a module's role needs of a shared customer-managed key, described by the module that
 * owns the role (as CDK's grant* methods keep grants with the resource); the storage module
 * turns each into a key-policy statement admitting exactly that role, those actions, via those services.
 */
export interface KeyUsage {
  /** Statement id, letters and digits, e.g. "FirehoseWritesLogs". */
  readonly sid: string;
  /** Exact role ARN. */
  readonly roleArn: string;
  /** KMS actions, no wildcards, e.g. ["kms:GenerateDataKey", "kms:Decrypt"]. */
  readonly actions: readonly string[];
  /** kms:ViaService values, e.g. ["s3.eu-west-1.amazonaws.com"]. @default any */
  readonly viaServices?: readonly string[];
}

/** A role of this account that uses the key only through S3 in its region (objects it reads or writes). */
export function keyUsageThroughS3(
  sid: string,
  placement: { readonly accountId: string; readonly region: string; readonly partition: string },
  roleName: string,
  actions: readonly string[],
): KeyUsage {
  return { sid, roleArn: roleArn(placement.partition, placement.accountId, roleName), actions, viaServices: [regionalService("s3", placement.region, placement.partition)] };
}
