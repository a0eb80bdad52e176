import { readFileSync } from "node:fs";
import { join } from "node:path";
import { destroyTestFile, judgeDestroy, prepareForOfflinePlan, protectedAddresses } from "../../scripts/validate";

describe("the offline plan copy of a stack", () => {
  it("drops the backend, the role and the account guard, and uses dummy keys", () => {
    // given
    const config: Record<string, any> = {
      terraform: { backend: { s3: { bucket: "b" } }, required_providers: { aws: { version: "5.100.0" } } },
      provider: {
        aws: [
          { region: "eu-west-1", allowed_account_ids: ["111111111111"], assume_role: [{ role_arn: "arn" }], default_tags: [{ tags: { A: "b" } }] },
          { alias: "us-east-1", region: "us-east-1", assume_role: [{ role_arn: "arn" }] },
        ],
      },
    };
    // when
    const changes = prepareForOfflinePlan(config);
    // then
    expect(config.terraform).toEqual({ required_providers: { aws: { version: "5.100.0" } } });
    expect(config.provider.aws[0]).toEqual({
      region: "eu-west-1",
      default_tags: [{ tags: { A: "b" } }],
      access_key: "offline-validation",
      secret_key: "offline-validation",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
    });
    expect(config.provider.aws[1].assume_role).toBeUndefined();
    expect(changes).toEqual([
      "backend removed",
      "provider aws: assume_role removed",
      "provider aws: allowed_account_ids removed",
      "provider aws.us-east-1: assume_role removed",
      "providers use dummy keys and skip AWS account lookups",
    ]);
  });
});

describe("the destroy check (terraform test on mocked AWS: apply, then the teardown destroys)", () => {
  // Real `terraform test` output of the example bootstrap stack (Terraform 1.11, hashicorp/aws 5.100.0).
  const refusedOutput = readFileSync(join(__dirname, "..", "fixtures", "terraform", "destroy-refused.txt"), "utf8");
  const bootstrapProtected = [
    "aws_kms_key.key",
    "aws_s3_bucket.bucket",
    "aws_s3_bucket_ownership_controls.ownership",
    "aws_s3_bucket_policy.bucket-policy",
    "aws_s3_bucket_public_access_block.public-access-block",
    "aws_s3_bucket_server_side_encryption_configuration.encryption",
    "aws_s3_bucket_versioning.versioning",
  ];

  it("lists the resources with lifecycle.prevent_destroy", () => {
    const config = {
      resource: {
        aws_s3_bucket: { kept: { lifecycle: { prevent_destroy: true } }, free: {} },
        aws_kms_key: { key: { lifecycle: { prevent_destroy: true } } },
        aws_sqs_queue: { q: { lifecycle: { prevent_destroy: false } } },
      },
    };
    expect(protectedAddresses(config)).toEqual(["aws_kms_key.key", "aws_s3_bucket.kept"]);
  });

  it("passes a refused destroy that keeps every protected resource, though Terraform names only the dependents", () => {
    const verdict = judgeDestroy(bootstrapProtected, 1, refusedOutput);
    expect(verdict).toEqual({ ok: true, summary: "destroy refused (5 named), all 7 protected resources kept" });
  });

  it("fails when a protected resource is gone from the state left behind", () => {
    const withoutKey = refusedOutput.replace(/^ {2}- aws_kms_key\.key\n/m, "");
    expect(withoutKey).not.toBe(refusedOutput);
    expect(judgeDestroy(bootstrapProtected, 1, withoutKey)).toEqual({ ok: false, summary: "protected resources destroyed: aws_kms_key.key" });
  });

  it("fails when Terraform refuses a resource the code does not protect, or refuses nothing", () => {
    expect(judgeDestroy(bootstrapProtected.slice(0, 3), 1, refusedOutput).summary).toMatch(/^destroy refused on unprotected resources: aws_s3_bucket_policy/);
    expect(judgeDestroy(bootstrapProtected, 0, "Success! 1 passed, 0 failed.").ok).toBe(false);
  });

  it("with nothing protected, requires the destroy to go through", () => {
    expect(judgeDestroy([], 0, "Success! 1 passed, 0 failed.").ok).toBe(true);
    expect(judgeDestroy([], 1, refusedOutput)).toMatchObject({ ok: false, summary: expect.stringContaining("refused aws_s3_bucket_ownership_controls.ownership") });
  });

  it("mocks every provider alias, and ARNs only for resource types the stack has", () => {
    const file = destroyTestFile({
      provider: { aws: [{ region: "eu-west-1" }, { alias: "us-east-1", region: "us-east-1" }] },
      resource: { aws_kms_key: { key: {} }, aws_s3_bucket_policy: { p: {} } },
    });
    expect(file.match(/^mock_provider "aws" \{/gm)).toHaveLength(2);
    expect(file).toContain('  alias = "us-east-1"');
    expect(file.match(/mock_resource "aws_kms_key"/g)).toHaveLength(2);
    expect(file).not.toContain('mock_resource "aws_sqs_queue"');
    expect(file).toMatch(/run "apply" \{\n {2}command = apply\n\}/);
  });
});
