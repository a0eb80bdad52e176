/**
 * Choosing and loading an environment file: `envs/<name>.ts`, default `example`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { EnvironmentError, validateEnvironment, type ResolvedEnvironment } from "./validate";

export const DEFAULT_ENVIRONMENT = "example";
/** Environment variable that selects the environment; `--env <name>` on the command line wins. */
export const ENVIRONMENT_VARIABLE = "EKS_LOGS_ENV";

const ENVS_DIR = __dirname;
const NOT_ENVIRONMENTS = new Set(["aws-facts", "load", "rules", "schema", "validate"]);

/** The environment named by `--env <name>` / `--env=<name>`, else $EKS_LOGS_ENV, else `example`. */
export function selectEnvironmentName(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--env" && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith("--env=")) return arg.slice("--env=".length);
  }
  return env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT;
}

/** Names of the environment files in envs/. */
export function listEnvironments(): string[] {
  return readdirSync(ENVS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .filter((name) => !NOT_ENVIRONMENTS.has(name))
    .sort();
}

export function environmentFile(name: string): string {
  return relative(process.cwd(), join(ENVS_DIR, `${name}.ts`)) || `${name}.ts`;
}

/** Loads and validates `envs/<name>.ts`; throws EnvironmentError listing every problem. */
export function loadEnvironment(name: string): ResolvedEnvironment {
  const file = environmentFile(name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || NOT_ENVIRONMENTS.has(name) || !existsSync(join(ENVS_DIR, `${name}.ts`))) {
    throw new EnvironmentError(file, [
      `${file}: no such environment "${name}"; choose one of: ${listEnvironments().join(", ")}`,
    ]);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(ENVS_DIR, name)) as { default?: unknown };
  if (module.default === undefined) {
    throw new EnvironmentError(file, [`${file}: must \`export default defineEnvironment({ … })\``]);
  }
  const result = validateEnvironment(module.default, file);
  if (!result.ok) throw new EnvironmentError(file, result.problems);
  if (result.env.name !== name) {
    throw new EnvironmentError(file, [`${file}: name: ${JSON.stringify(result.env.name)} must equal the file name "${name}"`]);
  }
  return result.env;
}

/**
 * For a command's `--env` flag: the named environment (else $EKS_LOGS_ENV, else the default),
 * loaded and validated; a bad one goes to `fail` with every problem.
 */
export function environmentForCommand(flag: string | undefined, fail: (message: string) => never): ResolvedEnvironment {
  const name = flag ?? process.env[ENVIRONMENT_VARIABLE] ?? DEFAULT_ENVIRONMENT;
  try {
    return loadEnvironment(name);
  } catch (error) {
    if (error instanceof EnvironmentError) fail(error.message);
    throw error;
  }
}
