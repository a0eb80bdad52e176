import example from "../../envs/example";
import { DEFAULT_ENVIRONMENT, listEnvironments, loadEnvironment, selectEnvironmentName } from "../../envs/load";
import type { EnvironmentConfig } from "../../envs/schema";
import { EnvironmentError, validateEnvironment } from "../../envs/validate";

const FILE = "envs/broken.ts";

/** The example environment with `change` applied to a deep copy. */
function broken(change: (env: any) => void): EnvironmentConfig {
  const copy = structuredClone(example) as any;
  change(copy);
  return copy;
}

function problemsOf(config: unknown): readonly string[] {
  const result = validateEnvironment(config, FILE);
  if (result.ok) throw new Error("expected the environment to be invalid");
  return result.problems;
}

describe("example environments", () => {
  it.each(listEnvironments())("envs/%s.ts loads and validates", (name) => {
    const env = loadEnvironment(name);
    expect(env.name).toBe(name);
    expect(env.workloads.length).toBeGreaterThan(0);
  });

  it("ships the single-account example and the multi-account example", () => {
    expect(listEnvironments()).toEqual(expect.arrayContaining(["example", "multi-account"]));
  });

  it("fills in the defaults of the single-account example", () => {
    const env = loadEnvironment("example");
    expect(env.partition).toBe("aws");
    expect(env.central.namePrefix).toBe("eks-logs-example");
    // Its only workload is itself: no cross-account destination, no senders.
    expect(env.central.destinationRegions).toEqual([]);
    expect(env.senders).toEqual({ accountIds: [] });
    expect(env.central.state).toEqual({
      bucket: "example-tfstate-111111111111-eu-west-1",
      region: "eu-west-1",
      keyPrefix: "eks-control-plane-logs",
      roleArn: "arn:aws:iam::111111111111:role/terraform-deploy",
      externalId: undefined,
      lockfile: true,
      bootstrapStateInBucket: false,
      allowDestroy: false,
      ownsBucket: true,
    });
    // Same account, same bucket: only the first mention creates it.
    expect(env.workloads[0]!.state.ownsBucket).toBe(false);
    expect(env.pipeline.firehose).toEqual({
      bufferSizeMBs: 64,
      bufferIntervalSeconds: 60,
      processorBufferSizeMBs: 0.3,
      processorBufferIntervalSeconds: 60,
      activePartitionLimit: 500,
    });
    expect(env.pipeline.logRetentionDays).toBe(365);
    expect(env.pipeline.splunk).toEqual({ enabled: true, readerPrincipalArns: [], requireExternalId: true });
    expect(env.pipeline.athena).toEqual({
      workgroupName: "eks-logs-example",
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      resultsExpireAfterDays: 30,
      analystRoleNames: [],
    });
    expect(env.pipeline.catalog).toEqual({
      databaseName: "eks_logs_example",
      projectionStart: "2025-01-01-00",
      crawler: { enabled: false, schedule: "cron(20 * * * ? *)" },
    });
    expect(env.pipeline.databrew).toEqual({ enabled: false, schedule: "cron(15 * * * ? *)", maxCapacity: 2 });
  });

  it("resolves the multi-account example: organisation senders, per-account buckets, two regions", () => {
    const env = loadEnvironment("multi-account");
    // Admitted by the organisation id, not listed: the estate can grow without touching the central stack.
    expect(env.senders).toEqual({ organizationId: "o-a1b2c3d4e5", accountIds: [] });
    expect(env.central.destinationRegions).toEqual(["eu-west-1", "us-east-1"]);
    expect(env.workloads.map((w) => [w.accountId, w.state.bucket, w.state.region, w.state.ownsBucket])).toEqual([
      ["222222222222", "org-tfstate-222222222222", "eu-west-1", true],
      ["333333333333", "org-tfstate-333333333333", "us-east-1", true],
    ]);
    // The backend of a workload account assumes that account's own role by default.
    expect(env.workloads[1]!.state.roleArn).toBe("arn:aws:iam::333333333333:role/terraform-deploy");
  });
});

describe("broken environments fail with a message naming file, field, value and rule", () => {
  const cases: [string, (env: any) => void, string[]][] = [
    [
      "short account id",
      (e) => (e.central.accountId = "12345"),
      [`${FILE}: central.accountId: "12345" must be a 12-digit AWS account id`],
    ],
    [
      "unknown region",
      (e) => (e.workloads[0].regions[0].region = "eu-westeros-1"),
      [`${FILE}: workloads[0].regions[0].region: "eu-westeros-1" is not an AWS region name`],
    ],
    [
      "bad state bucket name",
      (e) => (e.central.state.bucket = "Example_State"),
      [`${FILE}: central.state.bucket: "Example_State" may contain only lowercase letters, digits, dots and hyphens (S3 bucket naming rules)`],
    ],
    [
      "bucket name with a reserved suffix",
      (e) => (e.central.state.bucket = "my-state--ol-s3"),
      [`${FILE}: central.state.bucket: "my-state--ol-s3" must not end with "--ol-s3" (S3 bucket naming rules)`],
    ],
    [
      "bucket name formatted as an IP address",
      (e) => (e.central.state.bucket = "192.168.5.4"),
      [`${FILE}: central.state.bucket: "192.168.5.4" must not be formatted as an IP address (S3 bucket naming rules)`],
    ],
    [
      "Firehose buffer below what dynamic partitioning needs",
      (e) => (e.pipeline = { firehose: { bufferSizeMBs: 5 } }),
      [`${FILE}: pipeline.firehose.bufferSizeMBs: 5 must be at least 64 (Firehose S3 BufferingHints.SizeInMBs; dynamic partitioning needs >= 64)`],
    ],
    [
      "Firehose interval above 900 s",
      (e) => (e.pipeline = { firehose: { bufferIntervalSeconds: 1000 } }),
      [`${FILE}: pipeline.firehose.bufferIntervalSeconds: 1000 must be at most 900 (Firehose S3 BufferingHints.IntervalInSeconds; dynamic partitioning has no zero buffering)`],
    ],
    [
      "Lambda processor buffer the transform's response cannot hold",
      (e) => (e.pipeline = { firehose: { processorBufferSizeMBs: 3 } }),
      [
        `${FILE}: pipeline.firehose.processorBufferSizeMBs: 3 must be at most 1 (Firehose Lambda processor BufferSizeInMBs; above 1 MB the transform's 6 MB response overflows and events cycle through re-ingestion)`,
      ],
    ],
    [
      "Lambda memory below 128 MB",
      (e) => (e.pipeline = { lambda: { memorySizeMB: 64 } }),
      [`${FILE}: pipeline.lambda.memorySizeMB: 64 must be at least 128 (Lambda MemorySize)`],
    ],
    [
      "Lambda timeout above what Firehose waits for",
      (e) => (e.pipeline = { lambda: { timeoutSeconds: 301 } }),
      [`${FILE}: pipeline.lambda.timeoutSeconds: 301 must be at most 300 (Lambda Timeout; Firehose invokes transforms for at most 5 minutes)`],
    ],
    [
      "a retention CloudWatch Logs does not accept",
      (e) => (e.pipeline = { logRetentionDays: 45 }),
      [
        `${FILE}: pipeline.logRetentionDays: 45 must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      ],
    ],
    [
      "a misspelt field",
      (e) => (e.pipeline = { firehose: { bufferSizeMb: 64 } }),
      [`${FILE}: pipeline.firehose.bufferSizeMb: 64 is not a known field`],
    ],
    [
      "a missing field",
      (e) => delete e.central.access,
      [`${FILE}: central.access: (missing) is required (object)`],
    ],
    [
      "a role in another account",
      (e) => (e.central.access.roleArn = "arn:aws:iam::999999999999:role/terraform-deploy"),
      [`${FILE}: central.access.roleArn: "arn:aws:iam::999999999999:role/terraform-deploy" must be a role in account 111111111111 (it names 999999999999)`],
    ],
    [
      "a duplicate workload account",
      (e) => e.workloads.push(structuredClone(e.workloads[0])),
      [`${FILE}: workloads[1].accountId: "111111111111" is already listed at workloads[0]`],
    ],
    [
      "a duplicate cluster",
      (e) => (e.workloads[0].regions[0].clusters = ["demo", "demo"]),
      [`${FILE}: workloads[0].regions[0].clusters[1]: "demo" is a duplicate cluster in this region`],
    ],
    [
      "a duplicate region in one account",
      (e) => e.workloads[0].regions.push({ region: "eu-west-1", clusters: ["other"] }),
      [`${FILE}: workloads[0].regions[1].region: "eu-west-1" is already listed at workloads[0].regions[0]; merge their clusters`],
    ],
    [
      "a workload region with no destination",
      (e) => {
        e.central.destinationRegions = ["eu-west-1"];
        e.workloads.push({
          accountId: "222222222222",
          access: { roleArn: "arn:aws:iam::222222222222:role/terraform-deploy" },
          state: { bucket: "example-tfstate-222222222222" },
          regions: [{ region: "us-east-1", clusters: ["edge"] }],
        });
      },
      [`${FILE}: workloads[1].regions[0].region: "us-east-1" has no CloudWatch Logs destination: add it to central.destinationRegions`],
    ],
    [
      "a region in another partition",
      (e) =>
        e.workloads.push({
          accountId: "222222222222",
          access: { roleArn: "arn:aws:iam::222222222222:role/terraform-deploy" },
          state: { bucket: "example-tfstate-222222222222" },
          regions: [{ region: "cn-north-1", clusters: ["edge"] }],
        }),
      [
        `${FILE}: workloads[1].regions[0].region: "cn-north-1" must be in the central region's partition (aws); CloudWatch Logs cannot send across partitions`,
      ],
    ],
    [
      "an explicit sender list that misses a workload",
      (e) => (e.senders = { accountIds: ["222222222222"] }),
      [`${FILE}: workloads[0].accountId: "111111111111" is not in senders.accountIds, so its logs would be refused`],
    ],
    [
      "both an organisation and an account list",
      (e) => (e.senders = { organizationId: "o-a1b2c3d4e5", accountIds: ["111111111111"] }),
      [`${FILE}: senders: {"organizationId":"o-a1b2c3d4e5","accountIds":["111111111111"]} must set exactly one of organizationId or accountIds`],
    ],
    [
      "a malformed organisation id",
      (e) => (e.senders = { organizationId: "org-123" }),
      [`${FILE}: senders.organizationId: "org-123" must be an AWS Organizations id (o-<10–32 lowercase letters or digits>)`],
    ],
    [
      "one account with two state buckets",
      (e) => (e.workloads[0].state.bucket = "another-state-bucket"),
      [
        `${FILE}: workloads[0].state.bucket: "another-state-bucket" differs from central.state.bucket ("example-tfstate-111111111111-eu-west-1"); account 111111111111 keeps all its state in one bucket`,
      ],
    ],
    [
      "lifecycle transition to STANDARD_IA before 30 days",
      (e) => (e.pipeline = { s3: { transitions: [{ afterDays: 7, storageClass: "STANDARD_IA" }] } }),
      [`${FILE}: pipeline.s3.transitions[0].afterDays: 7 must be at least 30 for STANDARD_IA (S3 lifecycle: objects must be 30 days old to move to an IA class)`],
    ],
    [
      "expiry before the last transition",
      (e) => (e.pipeline = { s3: { expireAfterDays: 60 } }),
      [`${FILE}: pipeline.s3.expireAfterDays: 60 must be greater than the last transition's 90 days, or 0 (S3 lifecycle: expiration after every transition)`],
    ],
    [
      "Object Lock with objects kept forever and no retention period",
      (e) => (e.pipeline = { s3: { expireAfterDays: 0 } }),
      [
        `${FILE}: pipeline.s3.objectLock.days: (missing) is required when expireAfterDays is 0 (objects kept forever): Object Lock's default retention is a finite number of days (or set objectLock: false)`,
      ],
    ],
    [
      "Object Lock in an unknown mode",
      (e) => (e.pipeline = { s3: { objectLock: { mode: "LEGAL_HOLD" } } }),
      [`${FILE}: pipeline.s3.objectLock.mode: "LEGAL_HOLD" must be GOVERNANCE or COMPLIANCE`],
    ],
    [
      "a Splunk reader without an external id",
      (e) => (e.pipeline = { splunk: { readerPrincipalArns: ["arn:aws:iam::444444444444:role/splunk"] } }),
      [
        `${FILE}: pipeline.splunk.externalId: (missing) is required when readerPrincipalArns is set (confused-deputy protection: the reader role trusts only callers that pass it); set requireExternalId: false only for Splunk_TA_aws's own IAM Role setting, which cannot send one`,
      ],
    ],
    [
      "an account root trusted without an external id",
      (e) => (e.pipeline = { splunk: { requireExternalId: false, readerPrincipalArns: ["arn:aws:iam::444444444444:root"] } }),
      [
        `${FILE}: pipeline.splunk.readerPrincipalArns[0]: "arn:aws:iam::444444444444:root" must be a role or user, not an account root, when requireExternalId is false (without an external id, trust only one exact identity)`,
      ],
    ],
    [
      "an external id that would not be checked",
      (e) =>
        (e.pipeline = {
          splunk: { requireExternalId: false, externalId: "abc123", readerPrincipalArns: ["arn:aws:iam::444444444444:role/splunk"] },
        }),
      [`${FILE}: pipeline.splunk.externalId: "abc123" must not be set when requireExternalId is false (the trust policy would not check it)`],
    ],
    [
      "a transform setting the Lambda would reject at cold start",
      (e) => (e.pipeline = { lambda: { environment: { AUDIT_OBJECT_MODE: "keep" } } }),
      [`${FILE}: pipeline.lambda.environment.AUDIT_OBJECT_MODE: "keep" must be one of drop, string, flatten`],
    ],
    [
      "an unknown transform setting",
      (e) => (e.pipeline = { lambda: { environment: { AUDIT_OBJECTS: "drop" } } }),
      [
        `${FILE}: pipeline.lambda.environment.AUDIT_OBJECTS: "drop" is not a setting of the transform; known: AUDIT_OBJECT_MODE, AUDIT_OBJECT_FLATTEN_DEPTH, RESPONSE_BUDGET_BYTES, REINGEST_CHUNK_BYTES, REINGEST_MAX_HOPS, REINGEST_MAX_ATTEMPTS, REINGEST_BASE_DELAY_MS, MAX_DECOMPRESSED_BYTES, METRICS_NAMESPACE, EXPECTED_SENDERS, NODE_OPTIONS`,
      ],
    ],
    [
      "a DataBrew schedule whose runs would not tile the hours",
      (e) => (e.pipeline = { databrew: { schedule: "cron(0/20 * * * ? *)" } }),
      [
        `${FILE}: pipeline.databrew.schedule: "cron(0/20 * * * ? *)" must be a DataBrew cron that runs every hour, every N hours (N divides 24) or daily, at a fixed minute from 1 to 59, e.g. cron(15 * * * ? *): each run reads the whole hours since the last one`,
      ],
    ],
    [
      "a DataBrew run before the previous hour has landed",
      (e) => (e.pipeline = { databrew: { enabled: true, schedule: "cron(2 * * * ? *)" } }),
      [
        `${FILE}: pipeline.databrew.schedule: "cron(2 * * * ? *)" must fire at least 4 minutes past the hour: an hour's last objects land up to 240 s after it ends, and an earlier run would miss them`,
      ],
    ],
    [
      "an analyst given as an ARN",
      (e) => (e.pipeline = { athena: { analystRoleNames: ["arn:aws:iam::111111111111:role/analyst"] } }),
      [
        `${FILE}: pipeline.athena.analystRoleNames[0]: "arn:aws:iam::111111111111:role/analyst" must be an IAM role name (1–64 characters of letters, digits and +=,.@_-), not an ARN`,
      ],
    ],
    [
      "a scan limit under Athena's minimum",
      (e) => (e.pipeline = { athena: { bytesScannedCutoffPerQuery: 1_000_000 } }),
      [`${FILE}: pipeline.athena.bytesScannedCutoffPerQuery: 1000000 must be at least 10485760 (bytes; Athena's minimum is 10 MB)`],
    ],
    [
      "a projection start that is not an hour",
      (e) => (e.pipeline = { catalog: { projectionStart: "2025-13-01" } }),
      [`${FILE}: pipeline.catalog.projectionStart: "2025-13-01" must be an hour in the yyyy-MM-dd-HH format of the dt partition, e.g. "2025-01-01-00"`],
    ],
    [
      "a name prefix too long for the derived bucket names",
      (e) => {
        e.central.namePrefix = "platform-eks-control-plane-xyz";
        e.central.region = "ap-southeast-2";
        e.workloads[0].regions[0].region = "ap-southeast-2";
      },
      [
        `${FILE}: central.namePrefix: "platform-eks-control-plane-xyz" makes the Athena results bucket name "platform-eks-control-plane-xyz-athena-111111111111-ap-southeast-2", which must be 3–63 characters long; it is 65 (S3 bucket naming rules): use a shorter prefix`,
      ],
    ],
    [
      "a reserved tag key",
      (e) => (e.tags = { "aws:owner": "me" }),
      [`${FILE}: tags.aws:owner: "me" key must not start with "aws:" (reserved by AWS)`],
    ],
    [
      "a DataBrew schedule that is not a cron expression",
      (e) => (e.pipeline = { databrew: { schedule: "every hour" } }),
      [`${FILE}: pipeline.databrew.schedule: "every hour" must be a cron expression with 6 fields, e.g. cron(15 * * * ? *)`],
    ],
    [
      "central-account clusters outside the central region",
      (e) => e.workloads[0].regions.push({ region: "us-east-1", clusters: ["edge"] }),
      [
        `${FILE}: workloads[0].regions[1].region: "us-east-1" must be the central region (eu-west-1) for the central account's own clusters: same-account subscriptions deliver straight to the Firehose stream, and CloudWatch Logs destinations are cross-account only`,
      ],
    ],
    [
      "partition keys that exceed Firehose's active partitions",
      (e) => {
        e.pipeline = { s3: { extraPartitionKeys: ["cluster"] }, firehose: { activePartitionLimit: 20 } };
        e.workloads[0].regions[0].clusters = ["a", "b"];
      },
      [
        `${FILE}: pipeline.s3.extraPartitionKeys: ["cluster"] make up to 28 active Firehose partitions (7 log types × 2 key combinations × 2 at hour boundaries), over pipeline.firehose.activePartitionLimit (20); records over the limit go to the error prefix`,
      ],
    ],
    [
      "cluster partitions with an account-wide subscription",
      (e) => {
        e.pipeline = { s3: { extraPartitionKeys: ["cluster"] } };
        e.workloads[0].accountWideSubscription = true;
      },
      [
        `${FILE}: workloads[0].accountWideSubscription: true cannot be combined with pipeline.s3.extraPartitionKeys containing cluster: Athena's partition projection lists the clusters of this file, so clusters found later would not be queryable`,
      ],
    ],
    [
      "account or cluster path keys in organisation mode (Athena would not project unlisted senders)",
      (e) => {
        e.senders = { organizationId: "o-a1b2c3d4e5" };
        e.pipeline = { s3: { extraPartitionKeys: ["region", "account_id", "cluster"] } };
      },
      [
        `${FILE}: pipeline.s3.extraPartitionKeys: ["region","account_id","cluster"] cannot hold account_id or cluster with senders.organizationId: any account of the organisation may send, and Athena's partition projection lists only the accounts and clusters of this file, so an unlisted sender's lines would be invisible to the raw table; filter on the account_id and cluster columns instead (region stays: destinations exist only in listed regions)`,
      ],
    ],
    [
      "OU paths without an organisation, and a path of another organisation",
      (e) => (e.senders = { accountIds: ["111111111111"], organizationalUnitPaths: ["o-a1b2c3d4e5/r-ab12/*"] }),
      [`${FILE}: senders.organizationalUnitPaths: ["o-a1b2c3d4e5/r-ab12/*"] needs senders.organizationId (paths narrow an organisation)`],
    ],
    [
      "an OU path of another organisation",
      (e) => (e.senders = { organizationId: "o-a1b2c3d4e5", organizationalUnitPaths: ["o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/*"] }),
      [`${FILE}: senders.organizationalUnitPaths[0]: "o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/*" must be a path in o-a1b2c3d4e5 (start with o-a1b2c3d4e5/)`],
    ],
    [
      "an unknown partition key",
      (e) => (e.pipeline = { s3: { extraPartitionKeys: ["namespace"] } }),
      [`${FILE}: pipeline.s3.extraPartitionKeys[0]: "namespace" must be one of account_id, region, cluster`],
    ],
  ];

  it.each(cases)("%s", (_name, change, expected) => {
    expect(problemsOf(broken(change))).toEqual(expected);
  });

  it("reports several problems together", () => {
    const problems = problemsOf(
      broken((e) => {
        e.central.accountId = "1";
        e.central.region = "mars-1";
        e.pipeline = { lambda: { timeoutSeconds: 0 } };
      }),
    );
    expect(problems).toEqual([
      `${FILE}: central.accountId: "1" must be a 12-digit AWS account id`,
      `${FILE}: central.region: "mars-1" is not an AWS region name`,
      `${FILE}: pipeline.lambda.timeoutSeconds: 0 must be at least 1 (Lambda Timeout; Firehose invokes transforms for at most 5 minutes)`,
    ]);
  });

  it("reports schema problems and rule problems of other sections in the same run", () => {
    const problems = problemsOf(
      broken((e) => {
        e.central.accountId = "1"; // schema: central
        e.workloads[0].regions.push({ region: "eu-west-1", clusters: ["other"] }); // rule: workloads
        e.pipeline = { s3: { transitions: [{ afterDays: 30, storageClass: "GLACIER_IR" }, { afterDays: 60, storageClass: "STANDARD_IA" }] }, lambda: { environment: { AUDIT_OBJECT_MODE: "keep" } } };
      }),
    );
    expect(problems).toEqual([
      `${FILE}: central.accountId: "1" must be a 12-digit AWS account id`,
      `${FILE}: workloads[0].regions[1].region: "eu-west-1" is already listed at workloads[0].regions[0]; merge their clusters`,
      // the storage module's waterfall rule, reported at the env field that sets it
      `${FILE}: pipeline.s3.transitions[1].storageClass: "STANDARD_IA" must come after GLACIER_IR in S3's transition waterfall (STANDARD_IA → INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER → DEEP_ARCHIVE)`,
      `${FILE}: pipeline.lambda.environment.AUDIT_OBJECT_MODE: "keep" must be one of drop, string, flatten`,
    ]);
  });

  it("skips only the rules whose sections the schema refused", () => {
    // workloads is refused (a bad cluster name), so rules reading it wait; the lifecycle rule still runs
    const problems = problemsOf(
      broken((e) => {
        e.workloads[0].regions[0].clusters = ["-bad"];
        e.pipeline = { s3: { expireAfterDays: 60 } };
      }),
    );
    expect(problems).toEqual([
      `${FILE}: workloads[0].regions[0].clusters[0]: "-bad" must be an EKS cluster name ([0-9A-Za-z][A-Za-z0-9_-]*, at most 100)`,
      `${FILE}: pipeline.s3.expireAfterDays: 60 must be greater than the last transition's 90 days, or 0 (S3 lifecycle: expiration after every transition)`,
    ]);
  });

  it("throws one EnvironmentError that lists every problem", () => {
    const error = new EnvironmentError(FILE, ["a", "b"]);
    expect(error.message).toBe(`${FILE} is not a valid environment (2 problems):\n  - a\n  - b`);
  });

  it("names the choices when the environment does not exist", () => {
    expect(() => loadEnvironment("nope")).toThrow(
      `envs/nope.ts: no such environment "nope"; choose one of: ${listEnvironments().join(", ")}`,
    );
  });
});

describe("choosing the environment", () => {
  it.each([
    [[], {}, DEFAULT_ENVIRONMENT],
    [[], { EKS_LOGS_ENV: "prod" }, "prod"],
    [["--env", "staging"], { EKS_LOGS_ENV: "prod" }, "staging"],
    [["--env=staging"], {}, "staging"],
  ])("argv %j with %j selects %s", (argv, env, expected) => {
    expect(selectEnvironmentName(argv, env)).toBe(expected);
  });

  it.each([
    [["--ennv", "acme"], "Unknown option '--ennv'"],
    [["--env"], "Option '--env <value>' argument missing"],
    [["--env="], "Option '--env <value>' argument missing"],
    [["acme"], "Unexpected argument 'acme'"],
  ])("refuses %j, naming the flag (never the default environment in its place)", (argv, message) => {
    expect(() => selectEnvironmentName(argv, {})).toThrow(message);
  });
});
