/**
 * A central log-archive account and two workload accounts, each running EKS
 * in two regions; the organisation admits senders by its id. Documentation
 * account ids: it synthesizes and validates without AWS.
 */
import { defineEnvironment } from "./schema";

const deployRole = (accountId: string) => `arn:aws:iam::${accountId}:role/terraform-deploy`;

export default defineEnvironment({
  name: "multi-account",
  central: {
    accountId: "111111111111",
    region: "eu-west-1",
    namePrefix: "eks-logs-org",
    access: { roleArn: deployRole("111111111111"), externalId: "eks-logs-central" },
    state: { bucket: "org-tfstate-111111111111", region: "eu-west-1" },
    destinationRegions: ["eu-west-1", "us-east-1"],
  },
  senders: { organizationId: "o-a1b2c3d4e5" },
  workloads: [
    {
      accountId: "222222222222",
      access: { roleArn: deployRole("222222222222") },
      state: { bucket: "org-tfstate-222222222222", region: "eu-west-1" },
      regions: [
        { region: "eu-west-1", clusters: ["payments", "checkout"] },
        { region: "us-east-1", clusters: ["edge"] },
      ],
    },
    {
      accountId: "333333333333",
      access: { roleArn: deployRole("333333333333") },
      state: { bucket: "org-tfstate-333333333333", region: "us-east-1" },
      regions: [
        { region: "us-east-1", clusters: ["data-platform"] },
        { region: "eu-west-1", clusters: ["ml-training"] },
      ],
    },
  ],
  pipeline: {
    firehose: { bufferSizeMBs: 128, bufferIntervalSeconds: 120 },
    lambda: { memorySizeMB: 1769, reservedConcurrency: 20 },
    logRetentionDays: 90,
    s3: {
      transitions: [
        { afterDays: 30, storageClass: "STANDARD_IA" },
        { afterDays: 180, storageClass: "GLACIER_IR" },
      ],
      expireAfterDays: 731,
      // Athena prunes by region too (not by account: in organisation mode any account may send,
      // and projection lists only this file's accounts): 7 log types × 2 regions × 2 hours = 28 active partitions.
      extraPartitionKeys: ["region"],
      // Who read the evidence: S3 server access logs in a separate bucket, kept 400 days.
      accessLogging: { expireAfterDays: 400 },
    },
    splunk: {
      readerPrincipalArns: ["arn:aws:iam::444444444444:role/splunk-heavy-forwarder"],
      externalId: "splunk-eks-logs-7f3c",
    },
    athena: { analystRoleNames: ["security-analyst", "platform-sre"], bytesScannedCutoffPerQuery: 50 * 1024 ** 3 },
    catalog: { projectionStart: "2026-01-01-00" },
    databrew: { enabled: true, schedule: "cron(15 * * * ? *)" },
    alarms: { emails: ["platform-oncall@example.com", "security@example.com"] },
  },
  tags: { CostCenter: "platform", DataClassification: "internal" },
});
