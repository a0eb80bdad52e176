/**
 * The app: load one environment, build one stack per account (and per region
 * where regional resources are needed), synthesize. Wiring only.
 *
 *   EKS_LOGS_ENV=prod npx tsx main.ts     or     npx tsx main.ts --env prod
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { selectEnvironmentName, loadEnvironment } from "./envs/load";
import { EnvironmentError, type ResolvedEnvironment } from "./envs/validate";
import { BootstrapStack } from "./stacks/bootstrap";
import { CentralStack } from "./stacks/central";
import { stackNames } from "./stacks/names";
import { WorkloadStack } from "./stacks/workload";

/** Builds every stack of `env` into a new App (nothing is written until `synth()`). */
export function buildApp(env: ResolvedEnvironment, outdir?: string): App {
  const app = new App({ ...(outdir ? { outdir } : {}), skipValidation: false });
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
  return app;
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

function main(): void {
  const name = selectEnvironmentName(process.argv.slice(2), process.env);
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
  const app = buildApp(env);
  app.synth();
  const stacks = pruneStaleStacks(app);
  console.log(`Synthesized environment "${env.name}": ${stacks.length} stacks into ${app.outdir} in ${Date.now() - started} ms`);
}

if (require.main === module) main();
