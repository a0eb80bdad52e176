/** The preview command as a user runs it: strict flags, --help, a summary. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../lambda-src/helpers";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "preview/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });

describe("npm run preview", () => {
  it("--help prints the usage and exits 0", () => {
    const r = run("--help");
    expect([r.status, r.stdout]).toEqual([0, expect.stringContaining("Usage: npm run preview [-- options]")]);
    expect(r.stdout).toContain("--log-group <name>");
  });

  it.each([
    [["--inptu", "x"], "preview: Unknown option '--inptu'"],
    [["--input"], "preview: Option '--input <value>' argument missing"],
    [["--rows", "ten"], 'preview: --rows must be a whole number from 1 to 999999, got "ten"'],
    [["--env", "nope"], 'no such environment "nope"'],
  ])("refuses %j, naming the flag", (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("runs one named query over the sample and ends with the summary", () => {
    const r = run("--query", "secrets-read", "--rows", "1");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("■ secrets-read — ");
    expect(r.stdout).toContain("… 1 more rows (--rows to show more)");
    expect(r.stdout).toMatch(/exactly once yes: 0 events missing, 0 delivered twice/);
    expect(r.stderr).toContain("… query 1/1: secrets-read");
  }, 60_000);
});
