/**
 * The hardening every bucket of the project gets (log bucket, access-log bucket, Athena
 * results, Terraform state), and the bucket-policy statements they share.
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { TerraformResourceLifecycle } from "cdktf";
import type { Construct } from "constructs";
import { denyInsecureTransport, EVERYONE } from "./policy";

export type BucketEncryption = { readonly kmsKeyArn: string } | "SSE-S3";

/**
 * `lifecycle.prevent_destroy` when `protect`: Terraform then refuses any plan that destroys the
 * resource (`terraform destroy`, a rename, a removal from the code) until the code says otherwise.
 */
export function keepOnDestroy(protect: boolean): { lifecycle?: TerraformResourceLifecycle } {
  return protect ? { lifecycle: { preventDestroy: true } } : {};
}

export interface HardenedBucketOptions {
  /** `{ versioned: false }` for disposable data. @default true */
  readonly versioned?: boolean;
  /** Terraform refuses to destroy the bucket and its hardening (keepOnDestroy). @default false */
  readonly protect?: boolean;
}

export interface HardenedBucket {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
}

/**
 * An encrypted, versioned bucket with public access blocked and ACLs disabled (BucketOwnerEnforced).
 * Construct ids: bucket, versioning, encryption, public-access-block, ownership.
 */
export function hardenedBucket(
  scope: Construct,
  name: string,
  encryption: BucketEncryption,
  options?: HardenedBucketOptions & { readonly versioned?: true },
): HardenedBucket;
export function hardenedBucket(
  scope: Construct,
  name: string,
  encryption: BucketEncryption,
  options: HardenedBucketOptions & { readonly versioned: false },
): Omit<HardenedBucket, "versioning">;
export function hardenedBucket(
  scope: Construct,
  name: string,
  encryption: BucketEncryption,
  options: HardenedBucketOptions = {},
): Omit<HardenedBucket, "versioning"> & { versioning?: S3BucketVersioningA } {
  // Losing any of these loses or exposes the data (suspended versioning, public access, no encryption).
  const keep = keepOnDestroy(options.protect ?? false);
  const bucket = new S3Bucket(scope, "bucket", { bucket: name, ...keep });
  const versioning =
    options.versioned === false
      ? undefined
      : new S3BucketVersioningA(scope, "versioning", {
          bucket: bucket.id,
          versioningConfiguration: { status: "Enabled" },
          ...keep,
        });
  new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", {
    bucket: bucket.id,
    ...keep,
    rule: [
      encryption === "SSE-S3"
        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
        : {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: encryption.kmsKeyArn },
            // One KMS data key per bucket and period instead of one per object: fewer KMS requests.
            bucketKeyEnabled: true,
          },
    ],
  });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, "public-access-block", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
    ...keep,
  });
  new S3BucketOwnershipControls(scope, "ownership", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
    ...keep,
  });
  return { bucket, versioning, publicAccessBlock };
}

/** Every S3 request to the bucket and its objects needs TLS. */
export function denyInsecureS3Transport(bucketArn: string): DataAwsIamPolicyDocumentStatement {
  return denyInsecureTransport(["s3:*"], [bucketArn, `${bucketArn}/*`]);
}

/**
 * A put that sends `header` must send `allowed`; a put without it gets the bucket default.
 * Covers PutObject, CopyObject and CreateMultipartUpload (all `s3:PutObject`).
 */
function denyPutHeaderOtherThan(sid: string, bucketArn: string, header: string, allowed: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    effect: "Deny",
    principals: EVERYONE,
    actions: ["s3:PutObject"],
    resources: [`${bucketArn}/*`],
    condition: [
      { test: "Null", variable: header, values: ["false"] },
      { test: "StringNotEquals", variable: header, values: [allowed] },
    ],
  };
}

/** Puts that name an encryption must name `algorithm`. */
export function denyOtherEncryption(bucketArn: string, algorithm: "aws:kms" | "AES256"): DataAwsIamPolicyDocumentStatement {
  return denyPutHeaderOtherThan("DenyOtherEncryption", bucketArn, "s3:x-amz-server-side-encryption", algorithm);
}

/** Puts that name a KMS key must name this one, by its ARN (the form Firehose, Athena and DataBrew send). */
export function denyOtherKmsKey(bucketArn: string, kmsKeyArn: string): DataAwsIamPolicyDocumentStatement {
  return denyPutHeaderOtherThan("DenyOtherKmsKey", bucketArn, "s3:x-amz-server-side-encryption-aws-kms-key-id", kmsKeyArn);
}

/** SSE-C would store objects nobody else can read, with a key S3 never sees again. */
export function denyCustomerKeys(bucketArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyCustomerProvidedKeys",
    effect: "Deny",
    principals: EVERYONE,
    actions: ["s3:PutObject"],
    resources: [`${bucketArn}/*`],
    condition: [{ test: "Null", variable: "s3:x-amz-server-side-encryption-customer-algorithm", values: ["false"] }],
  };
}

/**
 * The policy of a bucket whose default encryption is SSE-KMS: TLS only, puts that name an encryption
 * must name KMS, no SSE-C, and, given `kmsKeyArn`, puts that name a key must name that one (leave it
 * out where writers name the key by alias, as the Terraform S3 backend does).
 */
export function kmsOnlyBucketStatements(bucketArn: string, kmsKeyArn?: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    denyInsecureS3Transport(bucketArn),
    denyOtherEncryption(bucketArn, "aws:kms"),
    ...(kmsKeyArn ? [denyOtherKmsKey(bucketArn, kmsKeyArn)] : []),
    denyCustomerKeys(bucketArn),
  ];
}
