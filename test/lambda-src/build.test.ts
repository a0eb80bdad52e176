import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildLambda, storedZip } from "../../scripts/build-lambda";
import { ROOT } from "./helpers";

describe("build:lambda", () => {
  let dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("is byte-identical across builds, and the bundle matches the one global-setup built", async () => {
    // (the source map names sources relative to the output folder, so compare zips built at the same depth)
    dirs = [mkdtempSync(path.join(tmpdir(), "lambda-a-")), mkdtempSync(path.join(tmpdir(), "lambda-b-"))];
    const [a, b] = await Promise.all(dirs.map((outDir) => buildLambda({ outDir })));
    expect(a!.zipSha256).toBe(b!.zipSha256);
    expect(readFileSync(a!.zipPath).equals(readFileSync(b!.zipPath))).toBe(true);
    expect(readFileSync(a!.bundlePath).equals(readFileSync(path.join(ROOT, "dist/lambda/index.js")))).toBe(true);
  });

  it("ships the SDK pinned beside the handler, loaded only when first needed", () => {
    const code = readFileSync(path.join(ROOT, "dist/lambda/index.js"), "utf8");
    expect(code).toContain('require("./firehose-sdk.js")');
    expect(code).not.toContain("@aws-sdk/");
    expect(readFileSync(path.join(ROOT, "dist/lambda/firehose-sdk.js"), "utf8")).toContain("PutRecordBatch");
  });

  it("writes a CommonJS, minified node bundle with a source map", () => {
    const code = readFileSync(path.join(ROOT, "dist/lambda/index.js"), "utf8");
    expect(code.startsWith('"use strict";')).toBe(true);
    expect(code.trimEnd().endsWith("//# sourceMappingURL=index.js.map")).toBe(true);
    expect(code).not.toContain("scanKeyValues"); // minified: local names are gone
    expect(JSON.parse(readFileSync(path.join(ROOT, "dist/lambda/index.js.map"), "utf8")).sources.some((s: string) => s.endsWith("lambda-src/handler.ts"))).toBe(true);
  });

  it("zips with fixed order, DOS-epoch timestamps, mode 0644 and STORE", () => {
    const zip = storedZip([{ name: "a.txt", data: Buffer.from("hello") }]);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(8)).toBe(0); // stored
    expect([zip.readUInt16LE(10), zip.readUInt16LE(12)]).toEqual([0, 0x21]); // 00:00, 1980-01-01
    expect(zip.subarray(30, 35).toString()).toBe("a.txt");
    expect(zip.subarray(35, 40).toString()).toBe("hello");
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100644);
  });
});
