/**
 * The app: load one environment, build one stack per account (and per region
 * where regional resources are needed), synthesize. Wiring only.
 *
 *   EKS_LOGS_ENV=prod npx tsx main.ts     or     npx tsx main.ts --env prod
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { App } from "cdktf";
import { environmentFile, loadEnvironment, selectEnvironmentName } from "./envs/load";
import { EnvironmentError, type ResolvedEnvironment } from "./envs/validate";
import { BootstrapStack } from "./stacks/bootstrap";
import { CentralStack } from "./stacks/central";
import { stackNames } from "./stacks/names";
import { WorkloadStack } from "./stacks/workload";

export interface BuildOptions {
  /** Where `synth()` writes. @default $CDKTF_OUTDIR or "cdktf.out" */
  readonly outdir?: string;
  /** Write `cdk.tf` (HCL) instead of `cdk.tf.json`. @default $SYNTH_HCL_OUTPUT (what `cdktf synth --hcl` sets) */
  readonly hcl?: boolean;
}

/**
 * Builds every stack of `env` into a new App; nothing is written until `synth()`. cdktf's App
 * creates its output directory up front, so when a module refuses its props that directory is
 * removed again (if this call created it): a failed build leaves no partial cdktf.out.
 */
export function buildApp(env: ResolvedEnvironment, options: BuildOptions | string = {}): App {
  const { outdir, hcl } = typeof options === "string" ? { outdir: options, hcl: undefined } : options;
  const target = outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const existed = existsSync(target);
  // cdktf reads the format from this variable when the App and each stack are constructed.
  const previous = process.env.SYNTH_HCL_OUTPUT;
  if (hcl !== undefined) process.env.SYNTH_HCL_OUTPUT = String(hcl);
  try {
    const app = new App({ outdir: target, skipValidation: false });
    addStacks(app, env);
    return app;
  } catch (error) {
    if (!existed) rmSync(target, { recursive: true, force: true });
    throw error;
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
}

function addStacks(app: App, env: ResolvedEnvironment): void {
  const names = stackNames(env);

  // One bootstrap stack per state bucket, in the account that owns it.
  for (const account of [env.central, ...env.workloads]) {
    if (account.state.ownsBucket) {
      new BootstrapStack(app, names.bootstrap(account.accountId), {
        env,
        accountId: account.accountId,
        access: account.access,
        state: account.state,
      });
    }
  }

  new CentralStack(app, names.central, env);

  for (const workload of env.workloads) {
    for (const region of workload.regions) {
      new WorkloadStack(app, names.workload(workload.accountId, region.region), { env, workload, region });
    }
  }
}

/** What each format writes in a stack directory besides assets/ (HCL stacks keep cdktf's metadata apart). */
const STACK_FILES = { json: ["cdk.tf.json"], hcl: ["cdk.tf", "metadata.json"] } as const;

/**
 * Leaves only this synth's files: the other format's stack file in each stack directory (both
 * would define everything twice) and, unless the cdktf CLI drives this run (it prunes stale stack
 * directories itself, from a listing taken before it started us), other environments' stacks.
 */
function pruneStale(app: App, options: { directories: boolean }): string[] {
  const current = app.node.children.map((stack) => stack.node.id);
  const dir = join(app.outdir, "stacks");
  const other = app.hclOutput ? STACK_FILES.json : STACK_FILES.hcl;
  for (const stack of current) for (const file of other) rmSync(join(dir, stack, file), { force: true });
  if (options.directories) {
    for (const entry of readdirSync(dir)) {
      if (!current.includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  return current;
}

const USAGE = `Usage: npx tsx main.ts [--env <name>] [--hcl] [--no-prune]   (npm run synth -- [options])

Synthesizes every stack of an environment (envs/<name>.ts; default $EKS_LOGS_ENV or "example")
into cdktf.out/ ($CDKTF_OUTDIR), after validating it.

  --env <name>  the environment to synthesize
  --hcl         write cdk.tf (HCL) instead of cdk.tf.json ($SYNTH_HCL_OUTPUT=true, as cdktf synth --hcl sets)
  --no-prune    keep stack directories of other environments (cdktf.json passes it: the cdktf CLI prunes them)
  -h, --help    this text

Either format removes the other's stack files, so terraform never reads both.`;

interface Flags {
  env?: string;
  hcl: boolean;
  prune: boolean;
  help: boolean;
}

export function parseFlags(argv: readonly string[], environment: NodeJS.ProcessEnv): Flags {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      env: { type: "string" },
      hcl: { type: "boolean", default: false },
      "no-prune": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.env === "") throw new TypeError("Option '--env <value>' argument missing");
  const hclFromCli = environment.SYNTH_HCL_OUTPUT === "true" || environment.SYNTH_HCL_OUTPUT === "1";
  return { env: values.env, hcl: values.hcl || hclFromCli, prune: !values["no-prune"], help: values.help };
}

function main(): void {
  let flags: Flags;
  let name: string;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
    if (flags.help) {
      console.log(USAGE);
      return;
    }
    name = selectEnvironmentName(flags.env === undefined ? [] : ["--env", flags.env], process.env);
  } catch (error) {
    console.error(`synth: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  let env: ResolvedEnvironment;
  try {
    env = loadEnvironment(name);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const started = Date.now();
  let app: App;
  try {
    // Module validation (AWS limits, names, sizes) runs here, before anything is written.
    app = buildApp(env, { hcl: flags.hcl });
  } catch (error) {
    console.error(`${environmentFile(name)}: cannot build the stacks: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  app.synth();
  const stacks = pruneStale(app, { directories: flags.prune });
  const format = app.hclOutput ? "HCL" : "JSON";
  console.log(`Synthesized environment "${env.name}": ${stacks.length} stacks (${format}) into ${app.outdir} in ${Date.now() - started} ms`);
}

if (require.main === module) main();
