/**
 * The base of every stack: one AWS account, one home region, its own state.
 * The provider assumes the account's role and refuses any other account; the
 * backend keeps state in that account's bucket, encrypted with its bootstrap
 * key and locked with S3-native lock files.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { AccountAccess } from "../envs/schema";
import type { ResolvedEnvironment, ResolvedState } from "../envs/validate";
import { blockPathsOf } from "../hcl/blocks";
import { renderTerraformJson } from "../hcl/render";

export const PROJECT_TAG = "eks-control-plane-logs";

/** S3-native state locking (`use_lockfile`) needs Terraform 1.10. */
export const REQUIRED_TERRAFORM = ">= 1.10";
/** The hashicorp/aws release CI proves every stack and module with (the bindings are generated from it). */
export const AWS_PROVIDER_TESTED = "5.100.0";
/** A range rather than the bindings' exact pin with a short source, so an estate's lock file decides within 5.x. */
export const AWS_PROVIDER_REQUIREMENT = { source: "hashicorp/aws", version: `>= ${AWS_PROVIDER_TESTED}, < 6.0.0` } as const;

export interface AccountStackProps {
  readonly env: ResolvedEnvironment;
  readonly accountId: string;
  /** The stack's home region: the default provider's region. */
  readonly region: string;
  readonly access: AccountAccess;
  readonly state: ResolvedState;
  /** Keep state in this local file (relative to the stack's directory) instead of the S3 bucket. @default S3 */
  readonly localStatePath?: string;
}

/** KMS alias of the key that encrypts the state bucket, created by the bootstrap stack. */
export function stateKeyAlias(env: ResolvedEnvironment): string {
  return `alias/${env.central.namePrefix}-tfstate`;
}

/** Where a stack's state lives in its bucket. */
export function stateKey(state: ResolvedState, stackName: string): string {
  return `${state.keyPrefix}/${stackName}/terraform.tfstate`;
}

export function arnPrefix(env: ResolvedEnvironment): string {
  return `arn:${env.partition}`;
}

export class AccountStack extends TerraformStack {
  readonly env: ResolvedEnvironment;
  readonly accountId: string;
  readonly region: string;
  /** The provider for the home region. */
  readonly provider: AwsProvider;
  private readonly access: AccountAccess;
  private readonly regionalProviders = new Map<string, AwsProvider>();

  constructor(scope: Construct, name: string, props: AccountStackProps) {
    super(scope, name);
    this.env = props.env;
    this.accountId = props.accountId;
    this.region = props.region;
    this.access = props.access;
    this.provider = this.newProvider("aws", props.region);
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM);
    this.addOverride("terraform.required_providers.aws", AWS_PROVIDER_REQUIREMENT);

    if (props.localStatePath) {
      new LocalBackend(this, { path: props.localStatePath });
    } else {
      const backend = new S3Backend(this, {
        bucket: props.state.bucket,
        key: stateKey(props.state, name),
        region: props.state.region,
        encrypt: true,
        // The state bucket's key lives in the bucket owner's account and region.
        kmsKeyId: `${arnPrefix(props.env)}:kms:${props.state.region}:${accountOfRole(props.state.roleArn)}:${stateKeyAlias(props.env)}`,
        assumeRole: {
          roleArn: props.state.roleArn,
          ...(props.state.externalId ? { externalId: props.state.externalId } : {}),
          sessionName: sessionName(name),
        },
      });
      // cdktf 0.21 has no typed `use_lockfile`; Terraform >= 1.10 understands it.
      if (props.state.lockfile) backend.addOverride("use_lockfile", true);
    }
  }

  /**
   * `cdktf synth --hcl` (and `npm run synth -- --hcl`) writes this instead of cdktf's own
   * rendering: the same document as the JSON synth, as HCL that `terraform fmt -check` accepts.
   */
  override toHclTerraform(): { hcl: string; metadata: Record<string, unknown> } {
    const document = this.toTerraform() as Record<string, never>;
    return {
      hcl: renderTerraformJson(document, blockPathsOf(this)),
      // What cdktf-cli reads back from the metadata file of an HCL stack.
      metadata: { "//": document["//"], terraform: document.terraform },
    };
  }

  /** A provider for `region` in this stack's account, created on first use. */
  providerFor(region: string): AwsProvider {
    if (region === this.region) return this.provider;
    let provider = this.regionalProviders.get(region);
    if (!provider) {
      provider = this.newProvider(`aws-${region}`, region, region);
      this.regionalProviders.set(region, provider);
    }
    return provider;
  }

  private newProvider(id: string, region: string, alias?: string): AwsProvider {
    return new AwsProvider(this, id, {
      ...(alias ? { alias } : {}),
      region,
      // Refuse to touch any other account, whatever credentials are around.
      allowedAccountIds: [this.accountId],
      assumeRole: [
        {
          roleArn: this.access.roleArn,
          ...(this.access.externalId ? { externalId: this.access.externalId } : {}),
          sessionName: sessionName(this.node.id),
        },
      ],
      defaultTags: [
        {
          tags: {
            Project: PROJECT_TAG,
            Environment: this.env.name,
            Stack: this.node.id,
            ManagedBy: "cdktf",
            ...this.env.tags,
          },
        },
      ],
    });
  }
}

function accountOfRole(roleArn: string): string {
  return roleArn.split(":")[4]!;
}

/** STS session names: 2–64 characters of [\w+=,.@-]. */
function sessionName(stackName: string): string {
  return `cdktf-${stackName}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}
