/**
 * `npm run validate [-- --env <name>]... [--no-stacks] [--strict] [--jobs <n>]`
 *
 * Synthesizes each environment (default: every file in envs/), then for every
 * stack runs the real `terraform init -backend=false`, `terraform validate` and
 * a credential-free `terraform plan -refresh=false` against the AWS provider.
 * The plan runs on a copy of the stack whose backend is removed and whose
 * provider uses dummy keys and no role, so it needs no AWS account.
 *
 * The same for the HCL synth (plus `terraform fmt -check`), and for terraform/: every generated
 * module (init, validate) and every example estate (init, validate, a plan on mocked providers,
 * since the modules read the caller's account and region).
 *
 * Stacks holding logs or state also get a `terraform test` on a mocked provider
 * that applies them and then destroys them: the destroy must be refused on
 * exactly the protected resources, and succeed on the environment's opt-out
 * variant (`pipeline.s3.allowDestroy`, `state.allowDestroy`).
 *
 * The provider comes from a local filesystem mirror when one is found (offline
 * machines), else from the public registry. Without terraform the check is
 * skipped loudly; `--strict` turns a skip into a failure.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, relative, resolve } from "node:path";
import { listEnvironments, loadEnvironment } from "../envs/load";
import { EnvironmentError, type ResolvedEnvironment } from "../envs/validate";
import type { TerraformStack } from "cdktf";
import { blockPathsOf } from "../hcl/blocks";
import { renderTerraformJson } from "../hcl/render";
import { buildApp } from "../main";
import { commandLine } from "./cli";
import { AWS_PROVIDER_TESTED } from "../stacks/account-stack";

const ROOT = resolve(__dirname, "..");
const WORK = join(ROOT, ".validate");
const PROVIDER = "registry.terraform.io/hashicorp/aws";

interface Options {
  readonly envs: string[];
  readonly strict: boolean;
  readonly jobs: number;
}

/** The command line, strictly: a bad flag or value ends the process with usage (scripts/cli.ts). */
function parseOptions(argv: string[]): Options {
  const values = commandLine(
    "validate",
    USAGE,
    { env: { type: "string", multiple: true }, strict: { type: "boolean", default: false }, "no-stacks": { type: "boolean", default: false }, jobs: { type: "string" } },
    argv,
  );
  const envs: string[] = values.env ?? [];
  const problem = (message: string): never => {
    console.error(`validate: ${message}\n${USAGE}`);
    process.exit(2);
  };
  if (envs.includes("")) problem("Option '--env <value>' argument missing");
  const jobs = values.jobs === undefined ? 2 : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) problem(`--jobs must be a positive whole number, got ${JSON.stringify(values.jobs)}`);
  if (values["no-stacks"] && envs.length > 0) problem("--no-stacks checks only terraform/; it takes no --env");
  return { envs: values["no-stacks"] ? [] : envs.length > 0 ? envs : listEnvironments(), strict: values.strict, jobs };
}

// ---- finding terraform and the provider ------------------------------------------------------

export function findTerraform(): { bin: string; version: string } | { skip: string } {
  const bin = process.env.TERRAFORM_BIN || "terraform";
  const run = spawnSync(bin, ["version", "-json"], { encoding: "utf8" });
  if (run.error || run.status !== 0) {
    return { skip: `terraform not found (tried "${bin}" on PATH; set TERRAFORM_BIN to point at it)` };
  }
  const version = (JSON.parse(run.stdout) as { terraform_version: string }).terraform_version;
  const [major, minor] = version.split(".").map(Number);
  if (major! < 1 || (major === 1 && minor! < 10)) {
    return { skip: `terraform ${version} is too old: the S3 backend's use_lockfile needs >= 1.10` };
  }
  return { bin, version };
}

/** Directories Terraform searches by itself, then a shallow look under common roots. */
function mirrorCandidates(): string[] {
  const home = homedir();
  const xdg = process.env.XDG_DATA_HOME || join(home, ".local", "share");
  const implied = [
    process.env.TF_PLUGIN_MIRROR,
    join(home, ".terraform.d", "plugins"),
    join(xdg, "terraform", "plugins"),
    ...(process.env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(delimiter).map((d) => join(d, "terraform", "plugins")),
  ].filter((d): d is string => Boolean(d));
  const discovered: string[] = [];
  for (const root of ["/opt", "/usr/local/share", "/usr/share", home]) {
    for (const dir of safeReaddir(root)) {
      if (existsSync(join(root, dir, "registry.terraform.io"))) discovered.push(join(root, dir));
    }
  }
  return [...implied, ...discovered];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function findMirror(version: string): string | undefined {
  const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
  return mirrorCandidates().find((dir) => existsSync(join(dir, PROVIDER, version, platform)));
}

/**
 * The environment terraform runs in: a plugin cache under `work`, no checkpoint calls, and the
 * local filesystem mirror of hashicorp/aws when there is one (offline machines).
 */
export function terraformEnvironment(work: string, providerVersion: string): { env: NodeJS.ProcessEnv; source: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_PLUGIN_CACHE_DIR: join(work, "plugin-cache"),
  };
  mkdirSync(env.TF_PLUGIN_CACHE_DIR!, { recursive: true });
  const mirror = findMirror(providerVersion);
  if (!mirror) return { env, source: "from the public registry (no local mirror)" };
  const rc = join(work, "terraformrc");
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${PROVIDER}"]\n  }\n  direct {\n    exclude = ["${PROVIDER}"]\n  }\n}\n`,
  );
  env.TF_CLI_CONFIG_FILE = rc;
  return { env, source: `from the local mirror ${mirror}` };
}

// ---- preparing a stack for an offline plan ---------------------------------------------------

type Json = Record<string, unknown>;

/**
 * The copy of a synthesized stack that plans without AWS: no backend, and
 * every AWS provider with dummy keys, no role to assume and no AWS lookups.
 * Returns what was changed, so the report can say it.
 */
export function prepareForOfflinePlan(config: Json): string[] {
  const changes: string[] = [];
  const terraform = config.terraform as Json | undefined;
  if (terraform?.backend) {
    delete terraform.backend;
    changes.push("backend removed");
  }
  const providers = ((config.provider as Json | undefined)?.aws ?? []) as Json[];
  for (const provider of providers) {
    if (provider.assume_role) {
      delete provider.assume_role;
      changes.push(`${provider.alias ? `provider aws.${provider.alias}` : "provider aws"}: assume_role removed`);
    }
    // With no account lookup the provider knows no account id to compare against.
    if (provider.allowed_account_ids) {
      delete provider.allowed_account_ids;
      changes.push(`${provider.alias ? `provider aws.${provider.alias}` : "provider aws"}: allowed_account_ids removed`);
    }
    Object.assign(provider, {
      access_key: "offline-validation",
      secret_key: "offline-validation",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
    });
  }
  if (providers.length > 0) changes.push("providers use dummy keys and skip AWS account lookups");
  return changes;
}

// ---- the destroy check ------------------------------------------------------------------------

/** `type.name` of every resource Terraform must refuse to destroy (lifecycle.prevent_destroy). */
export function protectedAddresses(config: Json): string[] {
  const resources = (config.resource ?? {}) as Record<string, Record<string, Json>>;
  return Object.entries(resources)
    .flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, r]) => (r.lifecycle as Json | undefined)?.prevent_destroy === true)
        .map(([name]) => `${type}.${name}`),
    )
    .sort();
}

/**
 * Values a mocked apply returns where another resource validates them as ARNs (the real
 * provider still validates arguments; the mock's random strings are not ARNs).
 */
const MOCKED_ATTRIBUTES: Record<string, Record<string, string>> = {
  aws_athena_workgroup: { arn: "arn:aws:athena:eu-west-1:123456789012:workgroup/mock" },
  aws_cloudformation_stack: { id: "arn:aws:cloudformation:eu-west-1:123456789012:stack/mock/00000000-0000-0000-0000-000000000000" },
  aws_cloudwatch_log_destination: { arn: "arn:aws:logs:eu-west-1:123456789012:destination:mock" },
  aws_cloudwatch_log_group: { arn: "arn:aws:logs:eu-west-1:123456789012:log-group:mock" },
  aws_glue_catalog_database: { arn: "arn:aws:glue:eu-west-1:123456789012:database/mock" },
  aws_iam_policy: { arn: "arn:aws:iam::123456789012:policy/mock" },
  aws_iam_role: { arn: "arn:aws:iam::123456789012:role/mock" },
  aws_kinesis_firehose_delivery_stream: { arn: "arn:aws:firehose:eu-west-1:123456789012:deliverystream/mock" },
  aws_kms_key: { arn: "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" },
  aws_lambda_function: { arn: "arn:aws:lambda:eu-west-1:123456789012:function:mock" },
  aws_s3_bucket: { arn: "arn:aws:s3:::mock" },
  aws_sns_topic: { arn: "arn:aws:sns:eu-west-1:123456789012:mock" },
  aws_sqs_queue: { arn: "arn:aws:sqs:eu-west-1:123456789012:mock", url: "https://sqs.eu-west-1.amazonaws.com/123456789012/mock" },
};

/** A `terraform test` file: apply the whole stack on mocked AWS providers; the teardown destroys it. */
export function destroyTestFile(config: Json): string {
  const types = new Set(Object.keys((config.resource ?? {}) as Json));
  const aliases = (((config.provider as Json | undefined)?.aws ?? []) as Json[]).map((p) => p.alias as string | undefined);
  const block = (head: string, values: Record<string, string>) =>
    `  ${head} {\n    defaults = { ${Object.entries(values).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")} }\n  }`;
  const body = [
    // Data sources too: the documents' JSON feeds policy arguments the provider parses.
    block(`mock_data "aws_iam_policy_document"`, { json: '{"Version":"2012-10-17","Statement":[]}' }),
    ...Object.entries(MOCKED_ATTRIBUTES)
      .filter(([type]) => types.has(type))
      .map(([type, values]) => block(`mock_resource "${type}"`, values)),
  ].join("\n");
  const providers = (aliases.length > 0 ? aliases : [undefined]).map(
    (alias) => `mock_provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ""}${body}\n}\n`,
  );
  return `${providers.join("\n")}\nrun "apply" {\n  command = apply\n}\n`;
}

/**
 * The destroy half of the check. With protected resources the teardown must fail, refusing only
 * protected ones (Terraform names those it reached first: the dependents; their dependencies are
 * then never planned), and every protected resource must still be in the state it leaves behind.
 * Without, the destroy must go through.
 */
export function judgeDestroy(expected: readonly string[], code: number, output: string): { ok: boolean; summary: string } {
  const refused = [...output.matchAll(/Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy/g)].map((m) => m[1]!).sort();
  if (expected.length === 0) {
    return code === 0
      ? { ok: true, summary: "destroy goes through (nothing protected)" }
      : { ok: false, summary: `destroy FAILED though nothing is protected${refused.length ? ` (refused ${refused.join(", ")})` : ""}` };
  }
  const leftIndex = output.indexOf("Terraform left the following resources in state");
  const left = leftIndex < 0 ? [] : [...output.slice(leftIndex).matchAll(/^\s*- (\S+)$/gm)].map((m) => m[1]!);
  const unexpected = refused.filter((a) => !expected.includes(a));
  const destroyed = expected.filter((a) => !left.includes(a));
  if (code === 0 || refused.length === 0) return { ok: false, summary: "destroy was NOT refused" };
  if (unexpected.length > 0) return { ok: false, summary: `destroy refused on unprotected resources: ${unexpected.join(", ")}` };
  if (destroyed.length > 0) return { ok: false, summary: `protected resources destroyed: ${destroyed.join(", ")}` };
  return { ok: true, summary: `destroy refused (${refused.length} named), all ${expected.length} protected resources kept` };
}

/** The environment with both destroy opt-outs set: the variant whose destroy must go through. */
function disposable(env: ResolvedEnvironment): ResolvedEnvironment {
  return {
    ...env,
    central: { ...env.central, state: { ...env.central.state, allowDestroy: true } },
    pipeline: { ...env.pipeline, s3: { ...env.pipeline.s3, allowDestroy: true } },
  };
}

// ---- the generated Terraform modules and the example estates --------------------------------

interface ExampleProvider {
  readonly alias?: string;
  readonly region?: string;
  readonly account?: string;
}

/**
 * A `terraform test` file that plans an example on mocked AWS: one mock per provider
 * configuration, answering the modules' lookups (region, account, partition) as that provider
 * would, and policy documents as JSON the provider accepts.
 */
export function examplePlanTestFile(providers: readonly ExampleProvider[]): string {
  const mocks = providers.map((p) => {
    const lines = [
      `mock_provider "aws" {`,
      ...(p.alias ? [`  alias = ${JSON.stringify(p.alias)}`] : []),
      `  mock_data "aws_region" {\n    defaults = { name = ${JSON.stringify(p.region ?? "eu-west-1")} }\n  }`,
      `  mock_data "aws_caller_identity" {\n    defaults = { account_id = ${JSON.stringify(p.account ?? "123456789012")} }\n  }`,
      `  mock_data "aws_partition" {\n    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }\n  }`,
      `  mock_data "aws_iam_policy_document" {\n    defaults = { json = ${JSON.stringify('{"Version":"2012-10-17","Statement":[]}')} }\n  }`,
      `}`,
    ];
    return lines.join("\n");
  });
  return `${mocks.join("\n\n")}\n\nrun "plan" {\n  command = plan\n}\n`;
}

/** The AWS provider configurations of an example, read with cdktf's HCL parser. */
async function exampleProviders(dir: string): Promise<ExampleProvider[]> {
  const { parse } = await import("@cdktf/hcl2json");
  const providers: ExampleProvider[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".tf"))) {
    const parsed = (await parse(file, readFileSync(join(dir, file), "utf8"))) as { provider?: { aws?: Json[] } };
    for (const p of parsed.provider?.aws ?? []) {
      providers.push({
        ...(typeof p.alias === "string" ? { alias: p.alias } : {}),
        ...(typeof p.region === "string" ? { region: p.region } : {}),
        ...(Array.isArray(p.allowed_account_ids) ? { account: String(p.allowed_account_ids[0]) } : {}),
      });
    }
  }
  return providers.length > 0 ? providers : [{}];
}

/** Copies terraform/ (modules and examples keep their relative sources) and plans a check of each. */
async function planModules(): Promise<PlannedStack[]> {
  const source = join(ROOT, "terraform");
  if (!existsSync(source)) return [];
  const copy = join(WORK, "terraform");
  cpSync(source, copy, { recursive: true });
  const planned: PlannedStack[] = [];
  for (const name of safeReaddir(join(copy, "modules")).sort()) {
    planned.push({ env: "module", stack: `terraform/modules/${name}`, dir: join(copy, "modules", name), kind: "module" });
  }
  for (const name of safeReaddir(join(copy, "examples")).sort()) {
    const dir = join(copy, "examples", name);
    // The examples' required secrets, as a user sets them (terraform test reads terraform.tfvars).
    if (existsSync(join(dir, "terraform.tfvars.example"))) cpSync(join(dir, "terraform.tfvars.example"), join(dir, "terraform.tfvars"));
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(join(dir, "tests", "offline-plan.tftest.hcl"), examplePlanTestFile(await exampleProviders(dir)));
    planned.push({ env: "example", stack: `terraform/examples/${name}`, dir, kind: "example" });
  }
  return planned;
}

// ---- running -----------------------------------------------------------------------------------

interface StackResult {
  readonly env: string;
  readonly stack: string;
  readonly ok: boolean;
  readonly summary: string;
  readonly output?: string;
}

export function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(bin, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

interface PlannedStack {
  readonly env: string;
  readonly stack: string;
  readonly dir: string;
  /** Run the mocked apply-then-destroy, expecting these addresses refused (none: it must succeed). */
  readonly destroy?: readonly string[];
  /** Only init and the destroy check: the variant differs from a checked stack only in lifecycle. */
  readonly destroyOnly?: boolean;
  /** An HCL stack: this synthesized file must pass `terraform fmt -check` as written. */
  readonly fmtCheck?: string;
  /** A generated module (init, validate) or an example estate (init, validate, mocked plan). @default a stack */
  readonly kind?: "module" | "example";
}

async function checkStack(bin: string, tfEnv: NodeJS.ProcessEnv, planned: PlannedStack): Promise<StackResult> {
  const { env, stack, dir } = planned;
  const validate: [string, string[]] = ["validate", ["validate", "-no-color"]];
  const steps: [string, string[]][] = [
    ...(planned.fmtCheck ? ([["fmt", ["fmt", "-check", "-diff", "-no-color", planned.fmtCheck]]] as [string, string[]][]) : []),
    ["init", ["init", "-backend=false", "-input=false", "-no-color"]],
    ...(planned.kind === "module"
      ? [validate]
      : planned.kind === "example"
        ? ([validate, ["plan", ["test", "-verbose", "-no-color"]]] as [string, string[]][])
        : planned.destroyOnly
          ? []
          : ([validate, ["plan", ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"]]] as [string, string[]][])),
  ];
  const timings: string[] = [];
  let planLine = "";
  for (const [name, args] of steps) {
    const started = Date.now();
    const { code, output } = await run(bin, args, dir, tfEnv);
    if (code !== 0) return { env, stack, ok: false, summary: `${name} FAILED`, output };
    // Deprecations (quoted references, interpolation-only strings) are warnings; we allow none.
    if ((name === "validate" || (name === "plan" && planned.kind === undefined)) && /Warning:/.test(output)) return { env, stack, ok: false, summary: `${name} WARNED`, output };
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
    if (name === "plan") {
      planLine =
        planned.kind === "example"
          ? `mocked plan: ${[...output.matchAll(/# \S+ will be created/g)].length} to add`
          : (/Plan: .*|No changes\..*/.exec(output)?.[0] ?? "plan produced no summary");
    }
  }
  if (planned.destroy) {
    const started = Date.now();
    const { code, output } = await run(bin, ["test", "-no-color"], dir, tfEnv);
    const verdict = judgeDestroy(planned.destroy, code, output);
    timings.push(`test ${((Date.now() - started) / 1000).toFixed(1)}s`);
    const summary = `${timings.join(", ")} — ${[planLine, verdict.summary].filter(Boolean).join("; ")}`;
    return verdict.ok ? { env, stack, ok: true, summary } : { env, stack, ok: false, summary, output };
  }
  return { env, stack, ok: true, summary: `${timings.join(", ")}${planLine ? ` — ${planLine}` : ""}` };
}

async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

const USAGE = `Usage: npm run validate [-- --env <name>]... [--no-stacks] [--strict] [--jobs <n>]

For every stack of the named environments (default: all in envs/), as JSON and as HCL: synthesize,
then the real terraform init -backend=false, validate (no warnings) and an offline plan (HCL: fmt
-check first); stacks holding logs or state also get a mocked apply-then-destroy (terraform test)
that must be refused, and go through on the env's opt-out (allowDestroy). Then terraform/: fmt
-check, init and validate of every module, init, validate and a mocked plan of every example.
--no-stacks checks terraform/ only. --strict fails when terraform or the AWS provider cannot be
found instead of skipping; --jobs runs that many checks at once (default 2).`;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  // 1. Synthesize every environment (a bad env fails here, before any terraform), and its opt-out variant.
  const stacks: PlannedStack[] = [];
  const providerVersion = AWS_PROVIDER_TESTED;
  for (const name of options.envs) {
    let env;
    try {
      env = loadEnvironment(name);
    } catch (error) {
      if (error instanceof EnvironmentError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    const checked = synthForPlan(env, name);
    for (const { stack, dir, config } of checked) {
      const refused = protectedAddresses(config);
      if (refused.length > 0) writeDestroyTest(dir, config);
      stacks.push({ env: name, stack, dir, ...(refused.length > 0 ? { destroy: refused } : {}) });
    }
    // The opt-out must really let the destroy through: the protected stacks it unprotects.
    const variant = `${name}+allowDestroy`;
    const wasProtected = new Set(stacks.filter((s) => s.env === name && s.destroy).map((s) => s.stack));
    const released = synthForPlan(disposable(env), variant).filter((s) => wasProtected.has(s.stack) && protectedAddresses(s.config).length === 0);
    for (const { stack, dir, config } of released) {
      writeDestroyTest(dir, config);
      stacks.push({ env: variant, stack, dir, destroy: [], destroyOnly: true });
    }
    // The same stacks as HCL: fmt as written, validate without warnings, offline plan.
    const hcl = synthForPlan(env, name, "hcl");
    for (const { stack, dir, genuine } of hcl) stacks.push({ env: `${name}, HCL`, stack, dir, fmtCheck: genuine });
    console.log(
      `synthesized ${name}: ${checked.length} stacks as JSON and HCL (${wasProtected.size} with protected resources; ${released.length} released by the opt-out)`,
    );
  }

  const modules = await planModules();
  stacks.push(...modules);
  if (modules.length > 0) console.log(`terraform/: ${modules.filter((m) => m.kind === "module").length} modules, ${modules.filter((m) => m.kind === "example").length} examples`);

  // 2. Find terraform and the provider.
  const terraform = findTerraform();
  if ("skip" in terraform) {
    const banner = "!".repeat(78);
    console.error(`\n${banner}\nSKIPPED terraform validate/plan for ${stacks.length} stacks: ${terraform.skip}\n${banner}`);
    return options.strict ? 1 : 0;
  }
  const { env: tfEnv, source } = terraformEnvironment(WORK, providerVersion);
  console.log(`terraform ${terraform.version}; hashicorp/aws ${providerVersion} ${source}`);
  console.log(`offline plan copies: backend, assume_role and allowed_account_ids removed, dummy keys (nothing reaches AWS)\n`);

  // Terraform's plugin cache is not safe for concurrent installs: fill it once before the jobs share it,
  // and give every directory the lock file that makes init use the cache rather than install again.
  const warm = join(WORK, "warm-cache");
  mkdirSync(warm, { recursive: true });
  writeFileSync(join(warm, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: providerVersion } } } }));
  const warmed = await run(terraform.bin, ["init", "-backend=false", "-input=false", "-no-color"], warm, tfEnv);
  if (warmed.code !== 0) {
    console.log(`FAIL  filling the plugin cache\n${indent(warmed.output)}`);
    return 1;
  }

  // 3. fmt of the committed modules and examples as written, then init, validate, plan every stack.
  if (modules.length > 0) {
    const fmt = await run(terraform.bin, ["fmt", "-check", "-diff", "-recursive", "-no-color", "terraform"], ROOT, tfEnv);
    console.log(`${fmt.code === 0 ? "PASS" : "FAIL"}  terraform fmt -check -recursive terraform/`);
    if (fmt.code !== 0) {
      console.log(indent(fmt.output));
      return 1;
    }
  }
  // Terraform re-installs into the cache (racing the other jobs) unless a lock file names what it holds:
  // every directory gets the warm one's. (Seen: a test's teardown found its provider gone mid-run.)
  const lock = readFileSync(join(warm, ".terraform.lock.hcl"), "utf8");
  for (const planned of stacks) if (!existsSync(join(planned.dir, ".terraform.lock.hcl"))) writeFileSync(join(planned.dir, ".terraform.lock.hcl"), lock);
  // init, validate, plan every stack.
  const results = await pool(stacks, options.jobs, async (planned) => {
    const result = await checkStack(terraform.bin, tfEnv, planned);
    const label = planned.destroyOnly || planned.fmtCheck ? `${planned.stack} (${planned.env})` : planned.stack;
    console.log(`${result.ok ? "PASS" : "FAIL"}  ${label}  ${result.summary}`);
    if (!result.ok) console.log(indent(result.output ?? ""));
    return result;
  });

  const failed = results.filter((r) => !r.ok);
  const destroyChecks = stacks.filter((s) => s.destroy).length;
  console.log(
    `\n${results.length - failed.length}/${results.length} checks passed: terraform init, validate and plan of every stack (JSON, and HCL with fmt -check), every module and example; ` +
      `apply-then-destroy on mocked AWS for ${destroyChecks} (refused where protected, through on the opt-out)`,
  );
  return failed.length === 0 ? 0 : 1;
}

type Format = "json" | "hcl";

/**
 * Synthesizes `env` under .validate/<label>/ in `format` and copies each stack for the offline plan.
 * An HCL stack's plan copy is rendered from the same prepared document; `genuine` is the file the
 * synth wrote, which `terraform fmt -check` must accept unchanged.
 */
function synthForPlan(env: ResolvedEnvironment, label: string, format: Format = "json"): { stack: string; dir: string; config: Json; genuine: string }[] {
  const outdir = join(WORK, label, format === "hcl" ? "cdktf.out-hcl" : "cdktf.out");
  mkdirSync(outdir, { recursive: true });
  const app = buildApp(env, { outdir, hcl: format === "hcl" });
  app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string }>;
  };
  return (app.node.children as TerraformStack[]).map((construct) => {
    const stack = construct.node.id;
    const entry = manifest.stacks[stack]!;
    const dir = join(WORK, label, format === "hcl" ? "plan-hcl" : "plan", stack);
    cpSync(join(outdir, entry.workingDirectory), dir, { recursive: true });
    const file = join(dir, relative(entry.workingDirectory, entry.synthesizedStackPath));
    const config = (format === "hcl" ? JSON.parse(JSON.stringify(construct.toTerraform())) : JSON.parse(readFileSync(file, "utf8"))) as Json;
    prepareForOfflinePlan(config);
    writeFileSync(file, format === "hcl" ? renderTerraformJson(config as never, blockPathsOf(construct)) : JSON.stringify(config, null, 2));
    return { stack, dir, config, genuine: join(outdir, entry.synthesizedStackPath) };
  });
}

/** Only the stacks that get the destroy check carry a test file (`terraform validate` reads them too). */
function writeDestroyTest(dir: string, config: Json): void {
  mkdirSync(join(dir, "tests"), { recursive: true });
  writeFileSync(join(dir, "tests", "destroy.tftest.hcl"), destroyTestFile(config));
}

function indent(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
