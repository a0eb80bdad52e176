/**
 * A stack that is synthesized into a Terraform module instead of a root: the constructs are the
 * same as the stacks', their props come from `variable`s, account/region/partition from the
 * caller's provider, and what the module hands back are `output`s. The provider it creates only
 * satisfies cdktf; the generator (generate.ts) drops it and the backend, and declares the
 * provider requirement (with `configuration_aliases`) in versions.tf.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AWS_PROVIDER_REQUIREMENT, REQUIRED_TERRAFORM } from "../stacks/account-stack";
import type { TerraformRule } from "./rules";

export interface ModuleInput {
  readonly type: string;
  readonly description: string;
  /** Absent: the caller must set it. */
  readonly default?: unknown;
  readonly rules?: readonly TerraformRule[];
  readonly sensitive?: boolean;
}

export class ModuleStack extends TerraformStack {
  /** Provider aliases the caller passes in (`providers = { aws.<alias> = … }`). */
  readonly aliases: readonly string[];
  private identity?: DataAwsCallerIdentity;
  private regionData?: DataAwsRegion;
  private partitionData?: DataAwsPartition;
  private readonly aliasProviders = new Map<string, AwsProvider>();
  /** The caller's default `aws` provider. */
  readonly defaultProvider: AwsProvider;

  constructor(
    scope: App,
    readonly moduleName: string,
    readonly description: string,
    aliases: readonly string[] = [],
  ) {
    super(scope, moduleName);
    this.aliases = aliases;
    this.defaultProvider = new AwsProvider(this, "aws", {});
    for (const alias of aliases) this.aliasProviders.set(alias, new AwsProvider(this, `aws-${alias}`, { alias }));
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM);
    this.addOverride("terraform.required_providers.aws", {
      ...AWS_PROVIDER_REQUIREMENT,
      ...(aliases.length > 0 ? { configuration_aliases: aliases.map((a) => `aws.${a}`) } : {}),
    });
  }

  /** The provider passed in as `aws.<alias>`. */
  providerFor(alias: string): AwsProvider {
    const provider = this.aliasProviders.get(alias);
    if (!provider) throw new Error(`module ${this.moduleName}: no provider alias "${alias}" (declared: ${this.aliases.join(", ") || "none"})`);
    return provider;
  }

  input(name: string, spec: ModuleInput): TerraformVariable {
    return new TerraformVariable(this, name, {
      type: spec.type,
      description: spec.description,
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      ...(spec.sensitive ? { sensitive: true } : {}),
      nullable: false,
      ...(spec.rules && spec.rules.length > 0
        ? { validation: spec.rules.map((rule) => ({ condition: rule.condition(`var.${name}`), errorMessage: rule.message(name) })) }
        : {}),
    });
  }

  output(name: string, value: unknown, description: string): void {
    new TerraformOutput(this, name, { value, description });
  }

  /** The caller's account, read from its provider. */
  get accountId(): string {
    this.identity ??= new DataAwsCallerIdentity(this, "current", {});
    return this.identity.accountId;
  }

  /** The caller's provider region. */
  get region(): string {
    this.regionData ??= new DataAwsRegion(this, "current-region", {});
    return this.regionData.name;
  }

  /** aws, aws-cn or aws-us-gov, from the caller's provider. */
  get partition(): string {
    this.partitionData ??= new DataAwsPartition(this, "current-partition", {});
    return this.partitionData.partition;
  }
}
