/** npm run build:splunk as a user runs it. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lambda-src/helpers";

const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "splunk/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });

describe("npm run build:splunk", () => {
  it("writes the app directory and its .tgz for an environment, and says what it wrote", () => {
    const out = mkdtempSync(join(tmpdir(), "splunk-cli-"));
    const r = run("--env", "multi-account", "--out", out, "--index", "eks_audit");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Built the Splunk add-on for environment "multi-account": 10 files, \d+ stanzas in .+TA-eks-control-plane-logs\/ and .+TA-eks-control-plane-logs-0\.1\.0\.tgz in \d+ ms$/m);
    expect(existsSync(join(out, "TA-eks-control-plane-logs-0.1.0.tgz"))).toBe(true);
    expect(readFileSync(join(out, "TA-eks-control-plane-logs/default/macros.conf"), "utf8")).toContain("definition = index=eks_audit");
    expect(r.stderr).toContain("… TA-eks-control-plane-logs/default/props.conf");
  });

  it.each([
    [["--help"], 0, "Usage: npm run build:splunk [-- options]"],
    [["--evn", "x"], 2, "build:splunk: Unknown option '--evn'"],
    [["--env"], 2, "build:splunk: Option '--env <value>' argument missing"],
    [["--index", "Bad Index"], 2, 'build:splunk: --index must be a Splunk index name (lowercase letters, digits, _ and -), got "Bad Index"'],
  ])("%j exits %i", (args, status, text) => {
    const r = run(...args);
    expect(r.status).toBe(status);
    expect(r.stdout + r.stderr).toContain(text);
  });
});
