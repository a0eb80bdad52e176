import { loadEnvironment } from "../../envs/load";
import { synthApp, resources, type SynthesizedApp } from "../helpers/app";
import { policyStatements, type Json } from "../helpers/synth";

let example: SynthesizedApp;
let multi: SynthesizedApp;
beforeAll(() => {
  example = synthApp("example");
  multi = synthApp("multi-account");
});
afterAll(() => {
  example.dispose();
  multi.dispose();
});

const only = (stack: Json, type: string): Json => {
  const all = resources(stack, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
};

describe("the central stack wires storage → transform → forwarder", () => {
  it("delivers to the log bucket through the Lambda, with the names the other stacks compute", () => {
    const central = multi.stacks["multi-account-central"]!;
    const stream = only(central, "aws_kinesis_firehose_delivery_stream");
    expect(stream.name).toBe("eks-logs-org");
    expect(resources(central, "aws_s3_bucket").map((b) => b.bucket)).toContain("eks-logs-org-111111111111-eu-west-1");
    const fn = only(central, "aws_lambda_function");
    expect(fn.function_name).toBe("eks-logs-org-transform");
    expect(fn.memory_size).toBe(1769);
    expect(fn.reserved_concurrent_executions).toBe(20);
    expect(fn.environment.variables).toEqual({
      METRICS_NAMESPACE: "EKSControlPlaneLogs/eks-logs-org",
      EXPECTED_SENDERS: "222222222222,333333333333",
    });
    const processor = stream.extended_s3_configuration.processing_configuration.processors[0];
    expect(processor.parameters).toEqual(
      expect.arrayContaining([{ parameter_name: "LambdaArn", parameter_value: expect.stringMatching(/^\$\{aws_lambda_function\.transform_function_[0-9A-F]{8}\.arn\}$/) }]),
    );
    expect(stream.extended_s3_configuration.buffering_size).toBe(128);
    expect(stream.extended_s3_configuration.buffering_interval).toBe(120);
  });

  it("lets the Lambda re-ingest only into the stream it is the processor of", () => {
    const central = multi.stacks["multi-account-central"]!;
    const policy = resources(central, "aws_iam_role_policy").find((p) => p.name === "transform")!;
    const reingest = policyStatements(central, policy.policy).find((s) => s.sid === "ReingestOversizedRecords")!;
    expect(reingest.resources).toEqual(["arn:aws:firehose:eu-west-1:111111111111:deliverystream/eks-logs-org"]);
  });

  it("admits the Firehose role it creates to the key, by its exact ARN, through S3 only", () => {
    const central = multi.stacks["multi-account-central"]!;
    expect(resources(central, "aws_iam_role").map((r) => r.name)).toContain("eks-logs-org-firehose");
    const statement = Object.values<Json>(central.data.aws_iam_policy_document)
      .flatMap((d) => d.statement as Json[])
      .find((st) => st.sid === "FirehoseWritesLogs")!;
    expect(statement).toMatchObject({
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] }],
    });
    expect(statement.condition).toEqual(
      expect.arrayContaining([
        { test: "ArnEquals", variable: "aws:PrincipalArn", values: ["arn:aws:iam::111111111111:role/eks-logs-org-firehose"] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] },
      ]),
    );
  });

  it("offers a destination in every source region, each through its region's provider", () => {
    const central = multi.stacks["multi-account-central"]!;
    const destinations = resources(central, "aws_cloudwatch_log_destination");
    expect(destinations.map((d) => [d.name, d.provider]).sort()).toEqual([
      ["eks-logs-org", "aws"],
      ["eks-logs-org", "aws.us-east-1"],
    ]);
    const policies = resources(central, "aws_cloudwatch_log_destination_policy");
    expect(policies).toHaveLength(destinations.length);
    for (const p of policies) {
      expect(JSON.parse(p.access_policy).Statement[0].Condition).toEqual({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } });
    }
  });

  it("creates no destination when the only workload is the central account itself", () => {
    expect(resources(example.stacks["example-central"]!, "aws_cloudwatch_log_destination")).toEqual([]);
  });

  it("outputs what a user needs next", () => {
    const outputs = Object.keys(multi.stacks["multi-account-central"]!.output).sort();
    expect(outputs).toEqual([
      "analytics_job_name",
      "analytics_parquet_table_name",
      "catalog_analyst_policy_arn",
      "catalog_database_name",
      "catalog_named_query_ids",
      "catalog_raw_table_name",
      "catalog_workgroup_name",
      "forwarder_delivery_stream_arn",
      "forwarder_destination_arns",
      "storage_alarm_topic_arn",
      "storage_bucket_arn",
      "storage_bucket_name",
      "storage_kms_key_arn",
      "storage_splunk_queue_urls",
      "storage_splunk_reader_role_arn",
      "transform_function_name",
    ]);
  });
});

describe("workload stacks subscribe to what the central stack offers", () => {
  it.each([
    ["multi-account-workload-222222222222-eu-west-1", ["payments", "checkout"], "eu-west-1"],
    ["multi-account-workload-222222222222-us-east-1", ["edge"], "us-east-1"],
    ["multi-account-workload-333333333333-us-east-1", ["data-platform"], "us-east-1"],
  ])("%s sends each cluster to the central destination of its region, with a role (organisation policy)", (stack, clusters, region) => {
    const filters = resources(multi.stacks[stack]!, "aws_cloudwatch_log_subscription_filter");
    expect(filters.map((f) => f.log_group_name).sort()).toEqual(clusters.map((c) => `/aws/eks/${c}/cluster`).sort());
    for (const filter of filters) {
      expect(filter.name).toBe(`eks-logs-org@${region}`);
      expect(filter.destination_arn).toBe(`arn:aws:logs:${region}:111111111111:destination:eks-logs-org`);
      expect(filter.role_arn).toMatch(/^\$\{aws_iam_role\./);
    }
  });

  it("names the destinations exactly as the central stack creates them: name, account and region", () => {
    const central = multi.stacks["multi-account-central"]!;
    // A destination's region is its provider's: the home provider or an alias per region.
    const regionOf = (provider: string) =>
      (central.provider.aws as Json[]).find((p) => (p.alias ? `aws.${p.alias}` : "aws") === provider)!.region as string;
    const offered = new Set(
      resources(central, "aws_cloudwatch_log_destination").map((d) => `arn:aws:logs:${regionOf(d.provider)}:111111111111:destination:${d.name}`),
    );
    expect(offered).toEqual(new Set(["arn:aws:logs:eu-west-1:111111111111:destination:eks-logs-org", "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-org"]));
    for (const [name, stack] of Object.entries(multi.stacks)) {
      if (!name.includes("-workload-")) continue;
      const region = (stack.provider.aws as Json[])[0]!.region as string;
      for (const filter of resources(stack, "aws_cloudwatch_log_subscription_filter")) {
        expect(filter.destination_arn).toBe(`arn:aws:logs:${region}:111111111111:destination:eks-logs-org`);
        expect(offered.has(filter.destination_arn)).toBe(true);
      }
    }
  });

  it("sends the central account's own clusters straight to the stream", () => {
    const stack = example.stacks["example-workload-111111111111-eu-west-1"]!;
    const [filter] = resources(stack, "aws_cloudwatch_log_subscription_filter");
    expect(filter).toMatchObject({
      name: "eks-logs-example@eu-west-1",
      log_group_name: "/aws/eks/demo/cluster",
      destination_arn: "arn:aws:firehose:eu-west-1:111111111111:deliverystream/eks-logs-example",
    });
    const central = example.stacks["example-central"]!;
    expect(only(central, "aws_kinesis_firehose_delivery_stream").name).toBe("eks-logs-example");
  });
});

describe("the central stack notices silence", () => {
  it("alarms when a configured cluster, or (organisation) a configured account, delivers nothing for silenceHours; and on unexpected senders", () => {
    const central = multi.stacks["multi-account-central"]!;
    const alarms = resources(central, "aws_cloudwatch_metric_alarm").filter((a) => a.namespace === "EKSControlPlaneLogs/eks-logs-org");
    const silent = alarms.filter((a) => a.metric_name === "Lines");
    expect(silent.map((a) => a.alarm_name).sort()).toEqual([
      "eks-logs-org-transform-silent-222222222222",
      "eks-logs-org-transform-silent-222222222222-eu-west-1-checkout",
      "eks-logs-org-transform-silent-222222222222-eu-west-1-payments",
      "eks-logs-org-transform-silent-222222222222-us-east-1-edge",
      "eks-logs-org-transform-silent-333333333333",
      "eks-logs-org-transform-silent-333333333333-eu-west-1-ml-training",
      "eks-logs-org-transform-silent-333333333333-us-east-1-data-platform",
    ]);
    const payments = silent.find((a) => a.alarm_name.endsWith("-payments"))!;
    expect(payments).toMatchObject({
      dimensions: { AccountId: "222222222222", Region: "eu-west-1", Cluster: "payments" },
      statistic: "Sum",
      period: 3600,
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
      threshold: 1,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
    const unexpected = alarms.find((a) => a.metric_name === "UnexpectedSenderLines")!;
    expect(unexpected).toMatchObject({ threshold: 0, comparison_operator: "GreaterThanThreshold", treat_missing_data: "notBreaching" });
    expect(unexpected.dimensions).toBeUndefined();
  });

  it("lists no account alarms without an organisation (the account list is the sender list)", () => {
    const central = example.stacks["example-central"]!;
    const silent = resources(central, "aws_cloudwatch_metric_alarm").filter((a) => a.metric_name === "Lines");
    expect(silent.map((a) => a.alarm_name)).toEqual(["eks-logs-example-transform-silent-111111111111-eu-west-1-demo"]);
  });
});

describe("the central stack guards the archive against insiders", () => {
  const statementsOf = (stack: Json, document: string) =>
    Object.entries<Json>(stack.data.aws_iam_policy_document)
      .filter(([id]) => id.startsWith(document))
      .flatMap(([, d]) => d.statement as Json[]);

  it("lets only the deploy role (and named key-admin or break-glass roles) administer the key", () => {
    const central = multi.stacks["multi-account-central"]!;
    const admin = statementsOf(central, "storage_key-policy").find((st) => st.sid === "NamedRolesAdministerKey")!;
    expect(admin.actions).toEqual(expect.arrayContaining(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"]));
    expect(admin.condition).toEqual([{ test: "ArnEquals", variable: "aws:PrincipalArn", values: ["arn:aws:iam::111111111111:role/terraform-deploy"] }]);
    expect(statementsOf(central, "storage_key-policy").some((st) => st.sid === "AccountAdministersKey")).toBe(false);
  });

  it("denies deleting versions and changing the bucket's guards to all but the bucket admins, and writes under raw/ and errors/ to all but Firehose, parquet/ to all but DataBrew", () => {
    const central = multi.stacks["multi-account-central"]!;
    const bucket = statementsOf(central, "storage_bucket-policy-document");
    const guards = bucket.find((st) => st.sid === "OnlyBucketAdminsChangeGuards")!;
    expect(guards).toMatchObject({ effect: "Deny", principals: [{ type: "AWS", identifiers: ["*"] }] });
    expect(guards.actions).toEqual(
      expect.arrayContaining(["s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration"]),
    );
    expect(guards.condition).toEqual([{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: ["arn:aws:iam::111111111111:role/terraform-deploy"] }]);
    const writers = bucket.filter((st) => String(st.sid).startsWith("OnlyItsWriterPuts"));
    expect(writers.map((st) => [st.resources[0].replace(/^\$\{[^}]+\}/, "<bucket>"), st.condition[0].values])).toEqual([
      ["<bucket>/raw/*", ["arn:aws:iam::111111111111:role/eks-logs-org-firehose"]],
      ["<bucket>/errors/*", ["arn:aws:iam::111111111111:role/eks-logs-org-firehose"]],
      // DataBrew is on in this env: its Parquet twin is written by its role alone.
      ["<bucket>/parquet/*", ["arn:aws:iam::111111111111:role/eks-logs-org-databrew"]],
    ]);
  });

  it("adds the env's break-glass roles to both lists and key-admin roles to the key's", () => {
    const env = loadEnvironment("example");
    const guarded = synthApp({
      ...env,
      central: { ...env.central, keyAdminRoleArns: ["arn:aws:iam::111111111111:role/kms-admin"], breakGlassRoleArns: ["arn:aws:iam::111111111111:role/break-glass"] },
    });
    try {
      const central = guarded.stacks["example-central"]!;
      const admin = statementsOf(central, "storage_key-policy").find((st) => st.sid === "NamedRolesAdministerKey")!;
      expect(admin.condition[0].values).toEqual(["arn:aws:iam::111111111111:role/terraform-deploy", "arn:aws:iam::111111111111:role/kms-admin", "arn:aws:iam::111111111111:role/break-glass"]);
      const guards = statementsOf(central, "storage_bucket-policy-document").find((st) => st.sid === "OnlyBucketAdminsChangeGuards")!;
      expect(guards.condition[0].values).toEqual(["arn:aws:iam::111111111111:role/terraform-deploy", "arn:aws:iam::111111111111:role/break-glass"]);
    } finally {
      guarded.dispose();
    }
  });
});

describe("the central stack wires the catalog and analytics", () => {
  it("creates the Glue database and the raw table with the projection the layout needs", () => {
    const central = multi.stacks["multi-account-central"]!;
    expect(only(central, "aws_glue_catalog_database").name).toBe("eks_logs_org");
    const raw = resources(central, "aws_glue_catalog_table").find((t) => t.name === "raw_logs")!;
    expect(raw.partition_keys.map((k: Json) => k.name)).toEqual(["log_type", "region", "dt"]);
    // Every region a line can come from is projected: the destinations' regions are the only ways in.
    expect(raw.parameters["projection.region.values"].split(",").sort()).toEqual(["eu-west-1", "unknown", "us-east-1"]);
    expect(raw.parameters["projection.dt.range"]).toBe("2026-01-01-00,NOW");
  });

  it("admits DataBrew and every analyst role to the key, each by its exact ARN, through S3 only", () => {
    const central = multi.stacks["multi-account-central"]!;
    const statements = Object.values<Json>(central.data.aws_iam_policy_document).flatMap((d) => (d.statement ?? []) as Json[]);
    const admitted = (sid: string) => {
      const st = statements.find((s) => s.sid === sid);
      if (!st) return undefined;
      const value = (variable: string) => (st.condition as Json[]).find((c) => c.variable === variable)?.values;
      return { actions: st.actions, principal: value("aws:PrincipalArn"), via: value("kms:ViaService") };
    };
    const through = { via: ["s3.eu-west-1.amazonaws.com"] };
    expect(admitted("DataBrewWritesParquet")).toEqual({ actions: ["kms:Decrypt", "kms:GenerateDataKey"], principal: ["arn:aws:iam::111111111111:role/eks-logs-org-databrew"], ...through });
    expect(admitted("AnalystQueries1")).toEqual({ actions: ["kms:Decrypt", "kms:GenerateDataKey"], principal: ["arn:aws:iam::111111111111:role/security-analyst"], ...through });
    expect(admitted("AnalystQueries2")).toEqual({ actions: ["kms:Decrypt", "kms:GenerateDataKey"], principal: ["arn:aws:iam::111111111111:role/platform-sre"], ...through });
    // the crawler is off: no statement for it, and its role is named nowhere
    expect(admitted("CrawlerReadsLogs")).toBeUndefined();
    expect(JSON.stringify(central)).not.toContain("eks-logs-org-crawler");
  });

  it("ages the Parquet output like the raw logs", () => {
    const logBucketRules = (stack: Json): string[] =>
      resources(stack, "aws_s3_bucket_lifecycle_configuration")
        .map((l) => l.rule.map((r: Json) => r.id) as string[])
        .find((ids) => ids.includes("delivered"))!;
    expect(logBucketRules(multi.stacks["multi-account-central"]!)).toEqual(["delivered", "derived-parquet", "errors", "housekeeping"]);
    expect(logBucketRules(example.stacks["example-central"]!)).toEqual(["delivered", "errors", "housekeeping"]);
  });

  it("runs DataBrew only where the environment turns it on", () => {
    expect(resources(multi.stacks["multi-account-central"]!, "aws_cloudformation_stack").map((s) => s.name)).toEqual(["eks-logs-org-databrew"]);
    expect(resources(example.stacks["example-central"]!, "aws_cloudformation_stack")).toEqual([]);
    expect(multi.stacks["multi-account-central"]!.output.analytics_job_name.value).toBe("eks-logs-org-parquet");
    expect(example.stacks["example-central"]!.output.analytics_job_name.value).toBe("");
  });
});

describe("organisation environments", () => {
  it("scale past IAM's trust-policy limit: 120 workload accounts synthesize, each region's role trusting the organisation", () => {
    // given: the multi-account environment with 120 more workload accounts in us-east-1
    const base = loadEnvironment("multi-account");
    const extra = Array.from({ length: 120 }, (_, i) => {
      const accountId = String(500000000000 + i);
      return {
        ...base.workloads[0]!,
        accountId,
        access: { roleArn: `arn:aws:iam::${accountId}:role/terraform-deploy` },
        state: { ...base.workloads[0]!.state, bucket: `org-tfstate-${accountId}`, ownsBucket: true },
        regions: [{ region: "us-east-1", clusters: ["prod"] }],
      };
    });
    const app = synthApp({ ...base, workloads: [...base.workloads, ...extra] });
    try {
      // then
      const central = app.stacks["multi-account-central"]!;
      const trust = resources(central, "aws_iam_role")
        .filter((r) => r.name.startsWith("eks-logs-org-cwl-dest-"))
        .map((r) => JSON.parse(r.assume_role_policy).Statement[0].Condition);
      expect(trust).toEqual([
        { StringLike: { "aws:SourceArn": ["arn:aws:logs:eu-west-1:*:*"] } },
        { StringLike: { "aws:SourceArn": ["arn:aws:logs:us-east-1:*:*"] } },
      ]);
      expect(Object.keys(app.stacks).filter((s) => s.includes("-workload-"))).toHaveLength(124);
    } finally {
      app.dispose();
    }
  });

  it("let the central account's own clusters deliver straight to the stream, without the sender role", () => {
    // given: an organisation environment whose central account also runs EKS
    const base = loadEnvironment("multi-account");
    const central = base.central;
    const own = { ...base.workloads[0]!, accountId: central.accountId, access: central.access, state: { ...central.state, ownsBucket: false }, regions: [{ region: central.region, clusters: ["logging"] }] };
    const app = synthApp({ ...base, workloads: [...base.workloads, own] });
    try {
      const filter = resources(app.stacks["multi-account-workload-111111111111-eu-west-1"]!, "aws_cloudwatch_log_subscription_filter")[0]!;
      expect(filter.destination_arn).toBe("arn:aws:firehose:eu-west-1:111111111111:deliverystream/eks-logs-org");
      expect(filter.role_arn).toMatch(/^\$\{aws_iam_role\./); // the role CWL uses to put into the stream
    } finally {
      app.dispose();
    }
  });
});
