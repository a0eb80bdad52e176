import { prepareForOfflinePlan } from "../../scripts/validate";

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
