import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadEnvironment } from "../../envs/load";
import { buildApp } from "../../main";

type Json = Record<string, any>;

const ROOT = join(__dirname, "..", "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "eks-logs-synth-"));
  dirs.push(dir);
  return dir;
}

/** Synthesizes `envName` into a fresh directory; returns it with every stack's JSON. */
function synth(envName: string): { outdir: string; stacks: Record<string, Json> } {
  const outdir = tempDir();
  buildApp(loadEnvironment(envName), outdir).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const stacks: Record<string, Json> = {};
  for (const [name, entry] of Object.entries<any>(manifest.stacks)) {
    stacks[name] = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), "utf8"));
  }
  return { outdir, stacks };
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}

const example = synth("example");

/** A protected bucket and what guards it, as resource types in sorted order. */
const BUCKET_AND_GUARDS = [
  "aws_s3_bucket",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
];

/** Resource types (with repeats) Terraform refuses to destroy: lifecycle.prevent_destroy. */
function protectedTypes(stack: Json): string[] {
  return Object.entries<Record<string, any>>(stack.resource)
    .flatMap(([type, resources]) => Object.values(resources).filter((r) => r.lifecycle?.prevent_destroy === true).map(() => type))
    .sort();
}

/** The example environment with `edit` applied, synthesized; its stacks' JSON. */
function synthEdited(edit: (env: ReturnType<typeof loadEnvironment>) => ReturnType<typeof loadEnvironment>): { central: Json; bootstrap: Json } {
  const outdir = tempDir();
  buildApp(edit(loadEnvironment("example")), outdir).synth();
  const read = (stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  return { central: read("example-central"), bootstrap: read("example-bootstrap-111111111111") };
}
const multi = synth("multi-account");

describe("stacks per account and region", () => {
  it("names the stacks of the single-account example", () => {
    expect(Object.keys(example.stacks).sort()).toEqual([
      "example-bootstrap-111111111111",
      "example-central",
      "example-workload-111111111111-eu-west-1",
    ]);
  });

  it("names the stacks of the multi-account example: one per workload account and region", () => {
    expect(Object.keys(multi.stacks).sort()).toEqual([
      "multi-account-bootstrap-111111111111",
      "multi-account-bootstrap-222222222222",
      "multi-account-bootstrap-333333333333",
      "multi-account-central",
      "multi-account-workload-222222222222-eu-west-1",
      "multi-account-workload-222222222222-us-east-1",
      "multi-account-workload-333333333333-eu-west-1",
      "multi-account-workload-333333333333-us-east-1",
    ]);
  });

  const expected: [string, string, string, string, string][] = [
    // stack, account, region, state bucket, state region
    ["multi-account-central", "111111111111", "eu-west-1", "org-tfstate-111111111111", "eu-west-1"],
    ["multi-account-workload-222222222222-us-east-1", "222222222222", "us-east-1", "org-tfstate-222222222222", "eu-west-1"],
    ["multi-account-workload-333333333333-eu-west-1", "333333333333", "eu-west-1", "org-tfstate-333333333333", "us-east-1"],
  ];

  it.each(expected)("%s keeps its own locked, KMS-encrypted state in its account's bucket", (stack, account, _region, bucket, stateRegion) => {
    expect(multi.stacks[stack]!.terraform.backend).toEqual({
      s3: {
        bucket,
        key: `eks-control-plane-logs/${stack}/terraform.tfstate`,
        region: stateRegion,
        encrypt: true,
        kms_key_id: `arn:aws:kms:${stateRegion}:${account}:alias/eks-logs-org-tfstate`,
        use_lockfile: true,
        assume_role: expect.objectContaining({ role_arn: `arn:aws:iam::${account}:role/terraform-deploy` }),
      },
    });
  });

  it.each(expected)("%s assumes its account's role, refuses other accounts and tags everything", (stack, account, region) => {
    const [provider] = multi.stacks[stack]!.provider.aws;
    expect(provider).toMatchObject({
      region,
      allowed_account_ids: [account],
      assume_role: [{ role_arn: `arn:aws:iam::${account}:role/terraform-deploy`, session_name: `cdktf-${stack}` }],
      default_tags: [
        {
          tags: {
            Project: "eks-control-plane-logs",
            Environment: "multi-account",
            Stack: stack,
            ManagedBy: "cdktf",
            CostCenter: "platform",
            DataClassification: "internal",
          },
        },
      ],
    });
  });

  it("passes the external id of an account that requires one", () => {
    const [provider] = multi.stacks["multi-account-central"]!.provider.aws;
    expect(provider.assume_role[0].external_id).toBe("eks-logs-central");
  });

  it("gives every stack its own state key", () => {
    const keys = [...Object.values(example.stacks), ...Object.values(multi.stacks)]
      .map((s) => s.terraform.backend.s3?.key ?? s.terraform.backend.local.path)
      .filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("never reads another stack's state", () => {
    for (const stack of [...Object.values(example.stacks), ...Object.values(multi.stacks)]) {
      expect(stack.data?.terraform_remote_state).toBeUndefined();
    }
  });
});

describe("bootstrap stacks", () => {
  const bootstrap = example.stacks["example-bootstrap-111111111111"]!;

  it("starts with local state outside cdktf.out", () => {
    expect(bootstrap.terraform.backend).toEqual({
      local: { path: "../../../bootstrap-state/example-bootstrap-111111111111.tfstate" },
    });
  });

  it("creates a versioned, KMS-encrypted, private state bucket that refuses plain HTTP", () => {
    const r = bootstrap.resource;
    expect(Object.values<any>(r.aws_s3_bucket)[0].bucket).toBe("example-tfstate-111111111111-eu-west-1");
    expect(Object.values<any>(r.aws_kms_key)[0].enable_key_rotation).toBe(true);
    expect(Object.values<any>(r.aws_kms_alias)[0].name).toBe("alias/eks-logs-example-tfstate");
    expect(Object.values<any>(r.aws_s3_bucket_versioning)[0].versioning_configuration.status).toBe("Enabled");
    expect(Object.values<any>(r.aws_s3_bucket_server_side_encryption_configuration)[0].rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" },
      bucket_key_enabled: true,
    });
    expect(Object.values<any>(r.aws_s3_bucket_public_access_block)[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = Object.values<any>(bootstrap.data.aws_iam_policy_document).find((d) =>
      d.statement.some((s: any) => s.sid === "DenyInsecureTransport"),
    );
    expect(policy.statement[0].condition).toEqual([{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }]);
  });

  it("lets only the deploy role administer the state key, and the account use it only through S3, with no wildcard action", () => {
    const keyPolicy = Object.values<any>(bootstrap.data.aws_iam_policy_document).find((d) =>
      d.statement.some((s: any) => s.sid === "StateThroughS3"),
    );
    const [admin, use] = keyPolicy.statement;
    expect(admin.sid).toBe("NamedRolesAdministerKey");
    expect(admin.condition).toEqual([{ test: "ArnEquals", variable: "aws:PrincipalArn", values: ["arn:aws:iam::111111111111:role/terraform-deploy"] }]);
    expect(admin.actions).toEqual(expect.arrayContaining(["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]));
    expect(admin.actions).not.toContain("kms:Decrypt");
    expect(admin.actions.some((a: string) => a.includes("*"))).toBe(false);
    expect(use).toMatchObject({
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] },
        { test: "StringEquals", variable: "kms:CallerAccount", values: ["111111111111"] },
      ],
    });
  });

  it("refuses terraform destroy of the state bucket, its hardening and its key unless state.allowDestroy", () => {
    expect(protectedTypes(bootstrap)).toEqual(["aws_kms_key", ...BUCKET_AND_GUARDS]);
    const disposable = synthEdited((env) => ({ ...env, central: { ...env.central, state: { ...env.central.state, allowDestroy: true } } }));
    expect(protectedTypes(disposable.bootstrap)).toEqual([]);
    // The two opt-outs are separate: the log archive stays protected.
    expect(protectedTypes(disposable.central)).toEqual(protectedTypes(example.stacks["example-central"]!));
  });

  it("moves its state into the bucket when the environment says so", () => {
    const stack = synthEdited((env) => ({ ...env, central: { ...env.central, state: { ...env.central.state, bootstrapStateInBucket: true } } })).bootstrap;
    expect(stack.terraform.backend.s3.key).toBe("eks-control-plane-logs/example-bootstrap-111111111111/terraform.tfstate");
  });
});

describe("central stack: protection from terraform destroy", () => {
  it("keeps the log bucket, its hardening and the KMS key unless pipeline.s3.allowDestroy; the results bucket is disposable", () => {
    const central = example.stacks["example-central"]!;
    expect(protectedTypes(central)).toEqual(["aws_kms_key", ...BUCKET_AND_GUARDS, "aws_s3_bucket_object_lock_configuration"].sort());
    expect(Object.keys(central.resource.aws_s3_bucket)).toHaveLength(2);
    // Changes to the state bucket (same account and region) alarm like the log bucket's.
    const s3Rule = Object.values<any>(central.resource.aws_cloudwatch_event_rule).find((r) => r.name.endsWith("-tamper-s3"));
    expect(JSON.parse(s3Rule.event_pattern).detail.requestParameters.bucketName).toEqual([
      "eks-logs-example-111111111111-eu-west-1",
      "example-tfstate-111111111111-eu-west-1",
    ]);
    const disposable = synthEdited((env) => ({ ...env, pipeline: { ...env.pipeline, s3: { ...env.pipeline.s3, allowDestroy: true } } }));
    expect(protectedTypes(disposable.central)).toEqual([]);
    expect(protectedTypes(disposable.bootstrap)).toHaveLength(7);
  });
});

describe("central stack: Object Lock", () => {
  const lockOf = (stack: Json) => Object.values<any>(stack.resource.aws_s3_bucket_object_lock_configuration ?? {});

  it("locks every delivered object in GOVERNANCE mode for as long as the lifecycle keeps it, by default", () => {
    const central = example.stacks["example-central"]!;
    const [lock, ...more] = lockOf(central);
    expect(more).toEqual([]);
    expect(lock.object_lock_enabled).toBe("Enabled");
    expect(lock.rule.default_retention).toEqual({ mode: "GOVERNANCE", days: 365 });
    expect(lock.bucket).toBe("${aws_s3_bucket.storage_bucket_6AF501AE.id}");
    expect(lock.lifecycle.prevent_destroy).toBe(true);
    // Only the bucket admins may bypass the governance retention.
    const guard = Object.values<any>(central.data.aws_iam_policy_document)
      .flatMap((d) => d.statement)
      .find((s: any) => s.sid === "OnlyBucketAdminsChangeGuards");
    expect(guard.actions).toContain("s3:BypassGovernanceRetention");
    expect(guard.effect).toBe("Deny");
  });

  it("takes COMPLIANCE and an explicit period, or false", () => {
    const compliance = synthEdited((env) => ({ ...env, pipeline: { ...env.pipeline, s3: { ...env.pipeline.s3, objectLock: { mode: "COMPLIANCE", days: 90 } } } })).central;
    expect(lockOf(compliance)[0].rule.default_retention).toEqual({ mode: "COMPLIANCE", days: 90 });
    const off = synthEdited((env) => ({ ...env, pipeline: { ...env.pipeline, s3: { ...env.pipeline.s3, objectLock: false } } })).central;
    expect(lockOf(off)).toEqual([]);
  });
});

describe("synthesis", () => {
  it("is deterministic: two synths are byte-identical", () => {
    for (const name of ["example", "multi-account"]) {
      const first = synth(name).outdir;
      const second = synth(name).outdir;
      expect(files(second)).toEqual(files(first));
    }
  });

  it("stops before writing anything when a module limit is broken (a destination policy over 5,120 bytes)", () => {
    // given: 400 explicitly listed sender accounts, which the account-list destination policy cannot hold
    const env = loadEnvironment("multi-account");
    const accountIds = Array.from({ length: 400 }, (_, i) => String(400000000000 + i));
    const crowded = { ...env, senders: { accountIds } };
    const outdir = join(tempDir(), "cdktf.out");
    // when / then
    expect(() => buildApp(crowded, outdir).synth()).toThrow(/make a destination policy of [\d,]+ bytes in eu-west-1, over the 5,120-byte limit/);
    expect(existsSync(outdir)).toBe(false);
  });

  it("writes nothing when the environment is invalid", () => {
    const outdir = join(tempDir(), "cdktf.out");
    const run = spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "main.ts", "--env", "no-such-env"], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('envs/no-such-env.ts: no such environment "no-such-env"');
    expect(existsSync(outdir)).toBe(false);
  });

  it("switches format and environment without leaving the other's files (JSON multi-account, then HCL example, then JSON)", () => {
    const outdir = join(tempDir(), "cdktf.out");
    const synth = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "main.ts", ...args], {
        cwd: ROOT,
        env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", SYNTH_HCL_OUTPUT: "" },
        encoding: "utf8",
      });
    const files = () => readdirSync(join(outdir, "stacks")).flatMap((stack) => readdirSync(join(outdir, "stacks", stack)).map((f) => `${stack}/${f}`)).sort();
    expect(synth("--env", "multi-account").status).toBe(0);
    const hcl = synth("--hcl");
    expect(hcl.stdout).toContain('Synthesized environment "example": 3 stacks (HCL)');
    expect(files().filter((f) => !f.endsWith("/assets"))).toEqual([
      "example-bootstrap-111111111111/cdk.tf",
      "example-bootstrap-111111111111/metadata.json",
      "example-central/cdk.tf",
      "example-central/metadata.json",
      "example-workload-111111111111-eu-west-1/cdk.tf",
      "example-workload-111111111111-eu-west-1/metadata.json",
    ]);
    expect(synth().status).toBe(0);
    expect(files().filter((f) => !f.endsWith("/assets"))).toEqual([
      "example-bootstrap-111111111111/cdk.tf.json",
      "example-central/cdk.tf.json",
      "example-workload-111111111111-eu-west-1/cdk.tf.json",
    ]);
    const typo = synth("--ennv", "acme");
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("synth: Unknown option '--ennv'");
  });
});
