/**
 * One fact, one place: every name and ARN the stacks compute (stacks/names.ts, from the
 * modules' own functions) is what the modules really create, in every partition; and every
 * service endpoint a policy names is in the partition's own domain.
 */
import multiAccount from "../../envs/multi-account";
import { validateEnvironment, type ResolvedEnvironment } from "../../envs/validate";
import { serviceDomain } from "../../modules/common/aws";
import { centralNames, destinationArn, stackNames, workloadNames } from "../../stacks/names";
import { resources, synthApp, type SynthesizedApp } from "../helpers/app";
import type { Json } from "../helpers/synth";

/** The multi-account example moved into `partition`: its regions and ARNs rewritten. */
function inPartition(partition: "aws" | "aws-cn" | "aws-us-gov"): ResolvedEnvironment {
  const regions = { aws: ["eu-west-1", "us-east-1"], "aws-cn": ["cn-north-1", "cn-northwest-1"], "aws-us-gov": ["us-gov-west-1", "us-gov-east-1"] }[partition];
  const text = JSON.stringify(multiAccount)
    .replaceAll("arn:aws:", `arn:${partition}:`)
    .replaceAll('"eu-west-1"', JSON.stringify(regions[0]))
    .replaceAll('"us-east-1"', JSON.stringify(regions[1]));
  const result = validateEnvironment(JSON.parse(text), `envs/multi-account (${partition})`);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.env;
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** `kms:ViaService` values of every policy document of a stack. */
function viaServices(stack: Json): string[] {
  return Object.values<Json>(stack.data?.aws_iam_policy_document ?? {})
    .flatMap((d) => (d.statement ?? []) as Json[])
    .flatMap((s) => (s.condition ?? []) as Json[])
    .filter((c) => c.variable === "kms:ViaService")
    .flatMap((c) => c.values as string[]);
}

describe.each(["aws", "aws-cn", "aws-us-gov"] as const)("names in the %s partition", (partition) => {
  let env: ResolvedEnvironment;
  let app: SynthesizedApp;
  let central: Json;
  beforeAll(() => {
    env = inPartition(partition);
    app = synthApp(env);
    central = app.stacks[stackNames(env).central]!;
  });
  afterAll(() => app.dispose());

  it("every kms:ViaService value is a regional endpoint in the partition's own domain", () => {
    const values = Object.values(app.stacks).flatMap(viaServices);
    expect(values.length).toBeGreaterThan(10);
    const domain = serviceDomain(partition);
    expect(domain).toBe(partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com");
    for (const value of values) expect(value).toMatch(new RegExp(`^[a-z0-9-]+\\.${env.central.region}\\.${domain.replaceAll(".", "\\.")}$|^[a-z0-9-]+\\.[a-z0-9-]+-\\d\\.${domain.replaceAll(".", "\\.")}$`));
    if (partition === "aws-cn") expect(values.every((v) => v.endsWith(".amazonaws.com.cn"))).toBe(true);
  });

  it("the names the stacks compute are the names the modules create", () => {
    const names = centralNames(env);
    expect(resources(central, "aws_s3_bucket").map((b) => b.bucket)).toEqual(expect.arrayContaining([names.logBucket, names.accessLogBucket, names.resultsBucket]));
    expect(resources(central, "aws_kinesis_firehose_delivery_stream").map((s) => s.name)).toEqual([names.deliveryStream]);
    expect(resources(central, "aws_lambda_function").map((f) => f.function_name)).toEqual([names.transformFunction]);
    const roles = resources(central, "aws_iam_role").map((r) => r.name);
    expect(roles).toEqual(expect.arrayContaining([names.firehoseRole, names.transformRole, names.databrewRole, ...env.central.destinationRegions.map(names.destinationRole)]));
    // The key policy admits exactly the log groups the modules create, by their exact ARNs.
    const groups = resources(central, "aws_cloudwatch_log_group").map((g) => `arn:${partition}:logs:${env.central.region}:${env.central.accountId}:log-group:${g.name}`);
    const encrypted = Object.values<Json>(central.data.aws_iam_policy_document)
      .flatMap((d) => (d.statement ?? []) as Json[])
      .flatMap((s) => (s.condition ?? []) as Json[])
      .filter((c) => c.variable === "kms:EncryptionContext:aws:logs:arn")
      .flatMap((c) => c.values as string[]);
    expect([...encrypted].sort()).toEqual([names.firehoseLogGroupArn, names.transformLogGroupArn, names.databrewLogGroupArn].sort());
    expect(groups).toEqual(expect.arrayContaining(encrypted));
    // The Lambda re-ingests into the stream it is the processor of, named by the stack before the stream exists.
    expect(strings(central.data.aws_iam_policy_document)).toContain(names.deliveryStreamArn);
    // Key users are admitted by the exact role ARNs the modules create.
    const principals = strings(central.data.aws_iam_policy_document).filter((s) => s.startsWith(`arn:${partition}:iam::${env.central.accountId}:role/`));
    for (const role of [names.firehoseRole, names.databrewRole, ...env.pipeline.athena.analystRoleNames]) {
      expect(principals).toContain(`arn:${partition}:iam::${env.central.accountId}:role/${role}`);
    }
  });

  it("workload stacks send to the destinations the central stack creates, under the filter names the Lambda reads", () => {
    const created = resources(central, "aws_cloudwatch_log_destination").map((d) => d.name);
    expect(created).toEqual(env.central.destinationRegions.map(() => centralNames(env).destination));
    for (const w of env.workloads) {
      for (const r of w.regions) {
        const stack = app.stacks[stackNames(env).workload(w.accountId, r.region)]!;
        const filters = resources(stack, "aws_cloudwatch_log_subscription_filter");
        expect(filters.map((f) => f.destination_arn)).toEqual(r.clusters.map(() => destinationArn(env, r.region)));
        expect(filters.map((f) => f.name)).toEqual(r.clusters.map(() => `${workloadNames(env).subscriptionFilter}@${r.region}`));
      }
    }
  });
});
