/**
 * Choosing and loading an environment file: `envs/<name>.ts`, default `example`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { EnvironmentError, validateEnvironment, type ResolvedEnvironment } from "./validate";

export const DEFAULT_ENVIRONMENT = "example";
/** Environment variable that selects the environment; `--env <name>` on the command line wins. */
export const ENVIRONMENT_VARIABLE = "EKS_LOGS_ENV";

const ENVS_DIR = __dirname;
const NOT_ENVIRONMENTS = new Set(["aws-facts", "index", "load", "rules", "schema", "validate"]);

/**
 * The environment a command line names: `--env <name>` / `--env=<name>`, else $EKS_LOGS_ENV, else
 * `example`. Strict: an unknown flag, a positional argument or `--env` without a value is an error
 * naming it (`--ennv acme` must never synthesize the default and delete acme's stacks).
 */
export function selectEnvironmentName(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { env: { type: "string" } } });
  if (values.env !== undefined && values.env === "") throw new TypeError("Option '--env <value>' argument missing");
  return values.env ?? (env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT);
}

/** Sources in the repository; compiled JavaScript in the installed package (lib/envs/). */
const EXTENSION = existsSync(join(ENVS_DIR, "schema.ts")) ? ".ts" : ".js";

/** Names of the environment files in envs/. */
export function listEnvironments(): string[] {
  return readdirSync(ENVS_DIR)
    .filter((f) => f.endsWith(EXTENSION) && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -EXTENSION.length))
    .filter((name) => !NOT_ENVIRONMENTS.has(name))
    .sort();
}

export function environmentFile(name: string): string {
  return relative(process.cwd(), join(ENVS_DIR, `${name}${EXTENSION}`)) || `${name}${EXTENSION}`;
}

/** Loads and validates `envs/<name>.ts`; throws EnvironmentError listing every problem. */
export function loadEnvironment(name: string): ResolvedEnvironment {
  const file = environmentFile(name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || NOT_ENVIRONMENTS.has(name) || !existsSync(join(ENVS_DIR, `${name}${EXTENSION}`))) {
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
