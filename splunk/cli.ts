/**
 * npm run build:splunk [-- --env <name> --out <dir> --index <index> --aws-account <name> --iam-role <name>]
 * Writes dist/splunk/TA-eks-control-plane-logs/ and dist/splunk/TA-eks-control-plane-logs-<version>.tgz.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../lambda-src/config";
import { DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE, environmentForCommand } from "../envs/load";
import { APP_NAME, APP_VERSION, buildAddon } from "./addon";
import { parseConf } from "./conf";
import { tarGz } from "./tar";

const USAGE = `Usage: npm run build:splunk [-- options]

Generates the Splunk add-on for the EKS control-plane logs: sourcetypes, field aliases for
ESCU/Sigma, CIM mapping, macros, alert searches and the SQS-based S3 inputs of an environment.

Options:
  --env <name>          environment in envs/ (default: $${ENVIRONMENT_VARIABLE} or "${DEFAULT_ENVIRONMENT}")
  --out <dir>           output directory (default: dist/splunk)
  --index <index>       index the inputs write to and eks_index searches (default: eks)
  --aws-account <name>  the Splunk Add-on for AWS account entry the inputs use (default: eks-logs)
  --iam-role <name>     its IAM role entry holding the reader role ARN (default: eks-logs-reader)
  -h, --help            print this help`;

function fail(message: string): never {
  console.error(`build:splunk: ${message}`);
  process.exit(2);
}

function main(): void {
  let flags;
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: "string" },
        out: { type: "string" },
        index: { type: "string" },
        "aws-account": { type: "string" },
        "iam-role": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\nRun with --help for the options.`);
  }
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  if (flags.index !== undefined && !/^[a-z0-9][a-z0-9_-]{0,79}$/.test(flags.index)) fail(`--index must be a Splunk index name (lowercase letters, digits, _ and -), got ${JSON.stringify(flags.index)}`);
  const env = environmentForCommand(flags.env, fail);
  const started = Date.now();
  const files = buildAddon({ env, lambdaConfig: loadConfig(env.pipeline.lambda.environment), index: flags.index, awsAccount: flags["aws-account"], iamRole: flags["iam-role"] });
  const out = resolve(flags.out ?? "dist/splunk");
  const appDir = join(out, APP_NAME);
  rmSync(appDir, { recursive: true, force: true });
  let stanzas = 0;
  for (const [path, text] of files) {
    // Every file read back as Splunk would: a file that does not parse is never written.
    if (path.endsWith(".conf") || path.endsWith(".meta")) stanzas += parseConf(text, path).stanzas.size;
    mkdirSync(dirname(join(appDir, path)), { recursive: true });
    writeFileSync(join(appDir, path), text);
    console.error(`… ${APP_NAME}/${path}`);
  }
  const tgz = join(out, `${APP_NAME}-${APP_VERSION}.tgz`);
  writeFileSync(tgz, tarGz(APP_NAME, files));
  const rel = (p: string) => relative(process.cwd(), p) || p;
  console.log(`Built the Splunk add-on for environment "${env.name}": ${files.size} files, ${stanzas} stanzas in ${rel(appDir)}/ and ${rel(tgz)} in ${Date.now() - started} ms`);
}

main();
