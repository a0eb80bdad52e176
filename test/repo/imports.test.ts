import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const SOURCE_DIRS = ["main.ts", "modules", "stacks", "envs", "hcl", "lambda-src", "scripts", "bench", "preview", "splunk", "test"];

function sources(path: string): string[] {
  const full = join(ROOT, path);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    return [];
  }
  if (stat.isFile()) return /\.(ts|js|mjs|cjs)$/.test(path) ? [full] : [];
  return readdirSync(full).flatMap((entry) => sources(join(path, entry)));
}

// The package root loads ~2,200 modules (3 s, 550 MB per process): import lib/<resource> only.
const rootImport = /(?:from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-aws\/?["']/;

describe("imports", () => {
  it("never imports the @cdktf/provider-aws package root", () => {
    const offenders = SOURCE_DIRS.flatMap(sources)
      .filter((file) => file !== __filename)
      .filter((file) => rootImport.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("catches a root import when there is one", () => {
    expect(rootImport.test(`import { s3Bucket } from "@cdktf/provider-aws";`)).toBe(true);
    expect(rootImport.test(`const aws = require("@cdktf/provider-aws")`)).toBe(true);
    expect(rootImport.test(`import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";`)).toBe(false);
  });
});
