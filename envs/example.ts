/**
 * The example environment: one account that is both the log archive and the
 * EKS workload account. Documentation account ids, so it synthesizes and
 * validates anywhere; copy it to envs/<yours>.ts and put in real values.
 */
import { defineEnvironment } from "./schema";

export default defineEnvironment({
  name: "example",
  central: {
    accountId: "111111111111",
    region: "eu-west-1",
    access: { roleArn: "arn:aws:iam::111111111111:role/terraform-deploy" },
    state: { bucket: "example-tfstate-111111111111-eu-west-1" },
  },
  workloads: [
    {
      accountId: "111111111111",
      access: { roleArn: "arn:aws:iam::111111111111:role/terraform-deploy" },
      state: { bucket: "example-tfstate-111111111111-eu-west-1" },
      regions: [{ region: "eu-west-1", clusters: ["demo"] }],
    },
  ],
  pipeline: {
    alarms: { emails: ["platform-oncall@example.com"] },
  },
  tags: { CostCenter: "platform" },
});
