/**
 * `npm run validate [-- --env <name>]... [--strict] [--jobs <n>]`
 *
 * Synthesizes each environment (default: every file in envs/), then for every
 * stack runs the real `terraform init -backend=false`, `terraform validate` and
 * a credential-free `terraform plan -refresh=false` against the AWS provider.
 * The plan runs on a copy of the stack whose backend is removed and whose
 * provider uses dummy keys and no role, so it needs no AWS account.
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
import { EnvironmentError } from "../envs/validate";
import { buildApp } from "../main";

const ROOT = resolve(__dirname, "..");
const WORK = join(ROOT, ".validate");
const PROVIDER = "registry.terraform.io/hashicorp/aws";

interface Options {
  readonly envs: string[];
  readonly strict: boolean;
  readonly jobs: number;
}

function parseArgs(argv: readonly string[]): Options {
  const envs: string[] = [];
  let strict = false;
  let jobs = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--env") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error("--env needs a value: validate --env <name>");
      envs.push(value);
    }
    else if (arg.startsWith("--env=")) envs.push(arg.slice(6));
    else if (arg === "--strict") strict = true;
    else if (arg === "--jobs") jobs = Number(argv[++i]);
    else throw new Error(`unknown argument "${arg}"; usage: validate [--env <name>]... [--strict] [--jobs <n>]`);
  }
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive whole number`);
  return { envs: envs.length > 0 ? envs : listEnvironments(), strict, jobs };
}

// ---- finding terraform and the provider ------------------------------------------------------

function findTerraform(): { bin: string; version: string } | { skip: string } {
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

// ---- running -----------------------------------------------------------------------------------

interface StackResult {
  readonly env: string;
  readonly stack: string;
  readonly ok: boolean;
  readonly summary: string;
  readonly output?: string;
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(bin, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

async function checkStack(
  bin: string,
  tfEnv: NodeJS.ProcessEnv,
  env: string,
  stack: string,
  dir: string,
): Promise<StackResult> {
  const steps: [string, string[]][] = [
    ["init", ["init", "-backend=false", "-input=false", "-no-color"]],
    ["validate", ["validate", "-no-color"]],
    ["plan", ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"]],
  ];
  const timings: string[] = [];
  let planLine = "";
  for (const [name, args] of steps) {
    const started = Date.now();
    const { code, output } = await run(bin, args, dir, tfEnv);
    if (code !== 0) return { env, stack, ok: false, summary: `${name} FAILED`, output };
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
    if (name === "plan") {
      planLine = /Plan: .*|No changes\..*/.exec(output)?.[0] ?? "plan produced no summary";
    }
  }
  return { env, stack, ok: true, summary: `${timings.join(", ")} — ${planLine}` };
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

const USAGE = `Usage: npm run validate [-- --env <name>]... [--strict] [--jobs <n>]

For every stack of the named environments (default: all in envs/): synthesize, then the real
terraform init -backend=false, validate and an offline plan. --strict fails when terraform or the
AWS provider cannot be found instead of skipping; --jobs runs that many stacks at once (default 2).`;

async function main(): Promise<number> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const options = parseArgs(process.argv.slice(2));
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  // 1. Synthesize every environment (a bad env fails here, before any terraform).
  const stacks: { env: string; stack: string; dir: string }[] = [];
  let providerVersion = "";
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
    const outdir = join(WORK, name, "cdktf.out");
    mkdirSync(outdir, { recursive: true });
    buildApp(env, outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string }>;
    };
    for (const [stack, entry] of Object.entries(manifest.stacks)) {
      const dir = join(WORK, name, "plan", stack);
      cpSync(join(outdir, entry.workingDirectory), dir, { recursive: true });
      const file = join(dir, relative(entry.workingDirectory, entry.synthesizedStackPath));
      const config = JSON.parse(readFileSync(file, "utf8")) as Json;
      providerVersion ||= (((config.terraform as Json).required_providers as Json).aws as Json).version as string;
      prepareForOfflinePlan(config);
      writeFileSync(file, JSON.stringify(config, null, 2));
      stacks.push({ env: name, stack, dir });
    }
    console.log(`synthesized ${name}: ${Object.keys(manifest.stacks).length} stacks`);
  }

  // 2. Find terraform and the provider.
  const terraform = findTerraform();
  if ("skip" in terraform) {
    const banner = "!".repeat(78);
    console.error(`\n${banner}\nSKIPPED terraform validate/plan for ${stacks.length} stacks: ${terraform.skip}\n${banner}`);
    return options.strict ? 1 : 0;
  }
  const tfEnv: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_PLUGIN_CACHE_DIR: join(WORK, "plugin-cache"),
  };
  mkdirSync(tfEnv.TF_PLUGIN_CACHE_DIR!, { recursive: true });
  const mirror = findMirror(providerVersion);
  if (mirror) {
    const rc = join(WORK, "terraformrc");
    writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${PROVIDER}"]\n  }\n  direct {\n    exclude = ["${PROVIDER}"]\n  }\n}\n`,
    );
    tfEnv.TF_CLI_CONFIG_FILE = rc;
    console.log(`terraform ${terraform.version}; hashicorp/aws ${providerVersion} from the local mirror ${mirror}`);
  } else {
    console.log(`terraform ${terraform.version}; no local mirror of hashicorp/aws ${providerVersion}: using the public registry`);
  }
  console.log(`offline plan copies: backend, assume_role and allowed_account_ids removed, dummy keys (nothing reaches AWS)\n`);

  // 3. init, validate, plan every stack.
  const results = await pool(stacks, options.jobs, async ({ env, stack, dir }) => {
    const result = await checkStack(terraform.bin, tfEnv, env, stack, dir);
    console.log(`${result.ok ? "PASS" : "FAIL"}  ${stack}  ${result.summary}`);
    if (!result.ok) console.log(indent(result.output ?? ""));
    return result;
  });

  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length}/${results.length} stacks passed terraform init, validate and plan`);
  return failed.length === 0 ? 0 : 1;
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
