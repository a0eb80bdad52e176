/**
 * The app: load one environment, build one stack per account (and per region
 * where regional resources are needed), synthesize. Wiring only.
 *
 *   EKS_LOGS_ENV=prod npx tsx main.ts     or     npx tsx main.ts --env prod
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { environmentFile, loadEnvironment, selectEnvironmentName } from "./envs/load";
import { EnvironmentError, type ResolvedEnvironment } from "./envs/validate";
import { BootstrapStack } from "./stacks/bootstrap";
import { CentralStack } from "./stacks/central";
import { stackNames } from "./stacks/names";
import { WorkloadStack } from "./stacks/workload";

/**
 * Builds every stack of `env` into a new App; nothing is written until `synth()`. cdktf's App
 * creates its output directory up front, so when a module refuses its props that directory is
 * removed again (if this call created it): a failed build leaves no partial cdktf.out.
 */
export function buildApp(env: ResolvedEnvironment, outdir?: string): App {
  const target = outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const existed = existsSync(target);
  const app = new App({ outdir: target, skipValidation: false });
  try {
    addStacks(app, env);
  } catch (error) {
    if (!existed) rmSync(target, { recursive: true, force: true });
    throw error;
  }
  return app;
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

/** Removes stack directories a previous synth (of another environment) left behind. */
function pruneStaleStacks(app: App): string[] {
  const current = app.node.children.map((stack) => stack.node.id);
  const dir = join(app.outdir, "stacks");
  for (const entry of readdirSync(dir)) {
    if (!current.includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  return current;
}

const USAGE = `Usage: npx tsx main.ts [--env <name>]   (npm run synth [-- --env <name>])

Synthesizes every stack of an environment (envs/<name>.ts; default $EKS_LOGS_ENV or "example")
into cdktf.out/ ($CDKTF_OUTDIR), after validating it; stacks of other environments are removed.`;

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  let name: string;
  try {
    name = selectEnvironmentName(argv, process.env);
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
    app = buildApp(env);
  } catch (error) {
    console.error(`${environmentFile(name)}: cannot build the stacks: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  app.synth();
  const stacks = pruneStaleStacks(app);
  console.log(`Synthesized environment "${env.name}": ${stacks.length} stacks into ${app.outdir} in ${Date.now() - started} ms`);
}

if (require.main === module) main();
