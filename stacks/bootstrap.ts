/**
 * Bootstrap: the state bucket (and its KMS key) of one account, created before
 * any other stack can keep state there. Its own state starts local; once the
 * bucket exists, set `state.bootstrapStateInBucket: true` and run
 * `terraform init -migrate-state` to move it in.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { AccountAccess } from "../envs/schema";
import { KEY_ADMIN_ACTIONS } from "../modules/common/kms";
import { hardenedBucket, keepOnDestroy, kmsOnlyBucketStatements } from "../modules/common/private-bucket";
import type { ResolvedEnvironment, ResolvedState } from "../envs/validate";
import { AccountStack, arnPrefix, stateKeyAlias } from "./account-stack";
import { regionalService } from "../modules/common/aws";

export interface BootstrapStackProps {
  readonly env: ResolvedEnvironment;
  readonly accountId: string;
  readonly access: AccountAccess;
  readonly state: ResolvedState;
}

export class BootstrapStack extends AccountStack {
  constructor(scope: Construct, name: string, props: BootstrapStackProps) {
    super(scope, name, {
      ...props,
      region: props.state.region,
      // Outside cdktf.out, so a fresh synth never loses it: <project>/bootstrap-state/<stack>.tfstate.
      ...(props.state.bootstrapStateInBucket ? {} : { localStatePath: `../../../bootstrap-state/${name}.tfstate` }),
    });
    const { bucket: bucketName } = props.state;
    const protect = !props.state.allowDestroy;
    const arn = arnPrefix(props.env);
    const bucketArn = `${arn}:s3:::${bucketName}`;

    const account = [{ type: "AWS", identifiers: [`${arn}:iam::${props.accountId}:root`] }];
    // In a key policy, Resource "*" means this key.
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          // The deploy role that applies this stack (and, in the central account, the env's key-admin and
          // break-glass roles): nobody else may schedule the key's deletion, disable it or rewrite its policy.
          sid: "NamedRolesAdministerKey",
          principals: account,
          actions: KEY_ADMIN_ACTIONS,
          resources: ["*"],
          condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: stateKeyAdmins(props) }],
        },
        {
          // The backend reads and writes state through S3; principals still need IAM permission.
          sid: "StateThroughS3",
          principals: account,
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: [regionalService("s3", props.state.region, props.env.partition)] },
            { test: "StringEquals", variable: "kms:CallerAccount", values: [props.accountId] },
          ],
        },
      ],
    });
    const key = new KmsKey(this, "key", {
      description: `Terraform state of ${props.env.name} (${bucketName})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy.json,
      // Every stack's state is encrypted with it.
      ...keepOnDestroy(protect),
    });
    new KmsAlias(this, "key-alias", { name: stateKeyAlias(props.env), targetKeyId: key.keyId });

    const { bucket } = hardenedBucket(this, bucketName, { kmsKeyArn: key.arn }, { protect });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: 90, newerNoncurrentVersions: 10 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });

    const policy = new DataAwsIamPolicyDocument(this, "bucket-policy-document", {
      // The backend names the KMS key; anything else naming one must name KMS too.
      statement: kmsOnlyBucketStatements(bucketArn),
    });
    new S3BucketPolicy(this, "bucket-policy", { bucket: bucket.id, policy: policy.json, ...keepOnDestroy(protect) });

    new TerraformOutput(this, "state_bucket_name", { value: bucket.bucket });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.arn });
  }
}

/** Who administers a state key: the account's deploy role, plus the central account's named admins. */
function stateKeyAdmins(props: BootstrapStackProps): string[] {
  const central = props.env.central;
  const named = props.accountId === central.accountId ? [...central.keyAdminRoleArns, ...central.breakGlassRoleArns] : [];
  return [...new Set([props.access.roleArn, ...named])];
}
