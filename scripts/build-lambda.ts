/**
 * Bundles lambda-src/ into dist/lambda/index.js (CommonJS, node22, minified, with a
 * source map) and packs it into dist/lambda.zip, byte-identical across builds so the
 * transform module's TerraformAsset hash only changes when the code does.
 *
 * The zip is written here rather than by a zip tool: fixed entry order, timestamps
 * (1980-01-01, the DOS epoch), permissions, and STORE (no compression), because
 * deflate output may differ between the zlib builds of Node versions on different machines.
 *
 * Usage: `npm run build:lambda`; `buildLambda()` is exported for test/global-setup.ts and the module.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";
import { build } from "esbuild";
import { commandLine } from "./cli";

export interface BuildLambdaOptions {
  /** Output folder; default `<repo>/dist`. */
  readonly outDir?: string;
  /**
   * `split` (default): @aws-sdk/client-firehose bundled into its own `firehose-sdk.js`, which
   * the handler requires on its first re-ingest only; `runtime`: left to the Lambda runtime's copy.
   */
  readonly sdk?: "split" | "runtime";
}

export interface BuildLambdaResult {
  readonly bundlePath: string;
  readonly zipPath: string;
  readonly bundleBytes: number;
  readonly zipBytes: number;
  /** sha256 of the zip, hex. */
  readonly zipSha256: string;
}

const ROOT = path.resolve(__dirname, "..");
/** The bundled SDK, beside index.js. */
export const SDK_FILE = "firehose-sdk.js";
/** mtime pinned on the outputs, so tools that hash or zip them by mtime stay quiet too. */
const FIXED_TIME = new Date("2000-01-01T00:00:00Z");

export async function buildLambda(options: BuildLambdaOptions = {}): Promise<BuildLambdaResult> {
  const outDir = options.outDir ?? path.join(ROOT, "dist");
  const lambdaDir = path.join(outDir, "lambda");
  mkdirSync(lambdaDir, { recursive: true });
  const bundlePath = path.join(lambdaDir, "index.js");
  const split = (options.sdk ?? "split") === "split";
  const common = { absWorkingDir: ROOT, bundle: true, platform: "node", target: "node22", format: "cjs", minify: true, logLevel: "warning" } as const;
  await build({
    ...common,
    entryPoints: [path.join(ROOT, "lambda-src", "handler.ts")],
    outfile: bundlePath,
    sourcemap: true,
    sourcesContent: false,
    // The handler requires the SDK lazily: in `split`, from the file beside it (pinned, shipped in
    // the zip, parsed only on the first re-ingest), else from the runtime.
    plugins: [
      {
        name: "firehose-sdk",
        setup(b) {
          b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({ path: split ? `./${SDK_FILE}` : args.path, external: true }));
        },
      },
    ],
  });
  const names = ["index.js", "index.js.map"];
  if (split) {
    await build({ ...common, stdin: { contents: 'module.exports = require("@aws-sdk/client-firehose");', resolveDir: ROOT, loader: "js" }, outfile: path.join(lambdaDir, SDK_FILE), legalComments: "eof" });
    names.push(SDK_FILE);
  }
  const files = names.map((name) => ({ name, data: readFileSync(path.join(lambdaDir, name)) }));
  const zip = storedZip(files);
  const zipPath = path.join(outDir, "lambda.zip");
  writeFileSync(zipPath, zip);
  for (const file of [...files.map((f) => path.join(lambdaDir, f.name)), zipPath]) utimesSync(file, FIXED_TIME, FIXED_TIME);
  return {
    bundlePath,
    zipPath,
    bundleBytes: files[0]!.data.length,
    zipBytes: zip.length,
    zipSha256: createHash("sha256").update(zip).digest("hex"),
  };
}

/** A zip of `files` in the given order, STORE method, DOS time 1980-01-01 00:00, mode 0644. */
export function storedZip(files: readonly { name: string; data: Buffer }[]): Buffer {
  const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header
    local.writeUInt16LE(10, 4); // version needed: 1.0 (stored)
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(0, 10); // time 00:00:00
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18); // compressed size
    local.writeUInt32LE(file.data.length, 22); // uncompressed size
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the mode below is read)
    central.writeUInt16LE(10, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.data);
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, directory, end]);
}

if (require.main === module) {
  commandLine(
    "build:lambda",
    "Usage: npm run build:lambda\n\nBundles lambda-src/ into dist/lambda/index.js and packs dist/lambda.zip, byte-identical across builds.\n\n  -h, --help  this text",
    {},
  );
  buildLambda().then(
    (r) => {
      const rel = (p: string) => path.relative(process.cwd(), p);
      console.log(`${rel(r.bundlePath)}  ${r.bundleBytes} bytes`);
      console.log(`${rel(r.zipPath)}  ${r.zipBytes} bytes  sha256 ${r.zipSha256}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
