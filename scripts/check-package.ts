/**
 * `npm run check:package [-- --keep]`
 *
 * The construct library as another CDKTF app gets it: `npm pack` (which builds lib/ and the Lambda
 * zip), a fresh consumer app that installs the tarball beside its own cdktf, constructs and
 * provider bindings, TypeScript compiled with the cdktf template's tsconfig (CommonJS, node10
 * resolution: types through typesVersions), run under plain node. The app puts the storage and
 * forwarder modules in two accounts; each synthesized stack gets terraform init and validate.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AWS_PROVIDER_TESTED } from "../stacks/account-stack";
import { commandLine } from "./cli";
import { findTerraform, run, terraformEnvironment } from "./validate";

const ROOT = resolve(__dirname, "..");

const USAGE = `Usage: npm run check:package [-- --keep]

Packs the library, installs the tarball into a new consumer app (TypeScript with the cdktf template's
tsconfig, run under plain node) that uses the storage and forwarder modules in two accounts,
synthesizes it and runs terraform init -backend=false and validate on each stack.

  --keep      leave the consumer app in place and print where it is
  -h, --help  this text`;

// The cdktf TypeScript template's compiler options (cdktf init --template=typescript, 0.21).
const TEMPLATE_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ["es2018"],
    module: "CommonJS",
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: "ES2018",
    incremental: true,
    skipLibCheck: true,
  },
  include: ["**/*.ts"],
  exclude: ["node_modules", "cdktf.out"],
};

const CONSUMER_MAIN = `import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { Storage } from "eks-control-plane-logs-to-s3/storage";
import { Subscription } from "eks-control-plane-logs-to-s3/forwarder";
import { ModuleValidationError } from "eks-control-plane-logs-to-s3";

const ARCHIVE = "111111111111";
const WORKLOAD = "222222222222";
const REGION = "eu-west-1";

class Archive extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: REGION, allowedAccountIds: [ARCHIVE] });
    const storage = new Storage(this, "storage", {
      namePrefix: "acme-eks-logs",
      accountId: ARCHIVE,
      region: REGION,
      partition: "aws",
      layout: { prefix: "raw", extraPartitionKeys: [] },
      errorPrefix: "errors",
      lifecycle: { transitions: [], expireAfterDays: 365, noncurrentVersionExpireAfterDays: 30, abortIncompleteMultipartUploadAfterDays: 7 },
      splunk: { enabled: true, readerPrincipalArns: [], requireExternalId: true },
      keyUsers: [],
      encryptedLogGroupArns: [],
      alarms: { emails: ["oncall@example.com"] },
    });
    new TerraformOutput(this, "bucket", { value: storage.bucketName });
  }
}

class Workload extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: REGION, allowedAccountIds: [WORKLOAD] });
    const subscription = new Subscription(this, "subscription", {
      accountId: WORKLOAD,
      region: REGION,
      partition: "aws",
      clusters: ["payments"],
      filterName: "acme-eks-logs",
      destinationArn: \`arn:aws:logs:\${REGION}:\${ARCHIVE}:destination:acme-eks-logs\`,
    });
    new TerraformOutput(this, "filters", { value: subscription.filterNames });
  }
}

const app = new App();
new Archive(app, "archive");
new Workload(app, "workload");
// The library's own validation reaches the consumer with its vocabulary.
try {
  new Subscription(new TerraformStack(app, "refused"), "bad", {
    accountId: "nope", region: REGION, partition: "aws", clusters: ["x"], filterName: "f",
    destinationArn: \`arn:aws:logs:\${REGION}:\${ARCHIVE}:destination:d\`,
  });
  throw new Error("a bad account id was accepted");
} catch (error) {
  if (!(error instanceof ModuleValidationError)) throw error;
  console.log(\`refused as expected: \${error.message.split("\\n")[0]}\`);
}
app.node.tryRemoveChild("refused");
app.synth();
`;

function sh(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`${[command, ...args].join(" ")} failed in ${cwd}:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`);
  }
}

async function main(): Promise<number> {
  const values = commandLine("check:package", USAGE, { keep: { type: "boolean", default: false } });
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "eks-logs-consumer-"));
  const step = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
  try {
    step("npm run prepack (builds dist/lambda.zip and lib/), then npm pack");
    sh("npm", ["run", "prepack", "--silent"], ROOT);
    const packed = JSON.parse(sh("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT)) as { filename: string; size: number; entryCount: number; files: { path: string }[] }[];
    const tarball = join(work, packed[0]!.filename);
    const paths = packed[0]!.files.map((f) => f.path);
    const unwanted = paths.filter((p) => /^(test|bench|\.ci|scripts|preview|splunk|tfmodules|terraform)\//.test(p) || (/^lib\/envs\/[^/]+\.js$/.test(p) && !/\/(index|schema|validate|rules|aws-facts|load|example|multi-account)\.js$/.test(p)));
    if (unwanted.length > 0) throw new Error(`the package ships what it must not: ${unwanted.join(", ")}`);
    for (const needed of ["dist/lambda.zip", "LICENSE", "CHANGELOG.md", "lib/index.js", "lib/index.d.ts", "lib/modules/storage/index.d.ts"]) {
      if (!paths.includes(needed)) throw new Error(`the package lacks ${needed}`);
    }
    step(`packed ${packed[0]!.filename}: ${packed[0]!.entryCount} files, ${(packed[0]!.size / 1024).toFixed(0)} kB`);

    const app = join(work, "consumer");
    mkdirSync(app);
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    const pinned = (name: string) => lock.packages[`node_modules/${name}`]!.version;
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify(
        {
          name: "consumer",
          private: true,
          dependencies: {
            "eks-control-plane-logs-to-s3": `file:${tarball}`,
            cdktf: pinned("cdktf"),
            constructs: pinned("constructs"),
            "@cdktf/provider-aws": pinned("@cdktf/provider-aws"),
          },
          // As in the cdktf template.
          devDependencies: { "@types/node": pinned("@types/node"), "ts-node": pinned("ts-node"), typescript: pinned("typescript") },
        },
        null,
        2,
      ),
    );
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(TEMPLATE_TSCONFIG, null, 2));
    writeFileSync(join(app, "main.ts"), CONSUMER_MAIN);
    step("npm install of the tarball and the peers (from the npm cache when it has them)");
    sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], app);

    step("ts-node main.ts (what the cdktf template's app command runs)");
    const viaTsNode = sh(process.execPath, [join(app, "node_modules", "ts-node", "dist", "bin.js"), "main.ts"], app);
    process.stdout.write(viaTsNode.replace(/^(?=.)/gm, "    "));
    const tsNodeStacks = readdirSync(join(app, "cdktf.out", "stacks")).sort();
    rmSync(join(app, "cdktf.out"), { recursive: true, force: true });
    step("tsc with the cdktf template's tsconfig, then node main.js (plain node)");
    sh(process.execPath, [join(app, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app);
    const synth = sh(process.execPath, ["main.js"], app);
    process.stdout.write(synth.replace(/^(?=.)/gm, "    "));
    const stacks = readdirSync(join(app, "cdktf.out", "stacks")).sort();
    for (const [how, found] of [["ts-node", tsNodeStacks], ["node", stacks]] as const) {
      if (found.join(",") !== "archive,workload") throw new Error(`${how}: expected the stacks archive and workload, got ${found.join(", ")}`);
    }

    const terraform = findTerraform();
    if ("skip" in terraform) {
      console.error(`SKIPPED terraform validate: ${terraform.skip}`);
      return 1;
    }
    const { env } = terraformEnvironment(work, AWS_PROVIDER_TESTED);
    for (const stack of stacks) {
      const dir = join(app, "cdktf.out", "stacks", stack);
      for (const args of [["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]]) {
        const result = await run(terraform.bin, args, dir, env);
        if (result.code !== 0) throw new Error(`terraform ${args[0]} of ${stack} failed:\n${result.output}`);
      }
      const resources = Object.values((JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { resource: Record<string, object> }).resource).reduce((n, r) => n + Object.keys(r).length, 0);
      step(`PASS terraform init and validate of ${stack} (${resources} resources)`);
    }
    step(`the packed library installs, type-checks, synthesizes under plain node and validates (${stacks.length} stacks in 2 accounts)`);
    return 0;
  } finally {
    if (values.keep) console.log(`consumer app kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`check:package: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
