import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES, ConfigError, DEFAULT_CONFIG, loadConfig } from "../../lambda-src/config";
import { loadBundle } from "./helpers";

describe("loadConfig", () => {
  it("defaults when nothing is set (empty values count as unset)", () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
    expect(loadConfig({ AUDIT_OBJECT_MODE: "" })).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual({
      auditObjectMode: "string",
      auditObjectFlattenDepth: 2,
      responseBudgetBytes: 5_500_000,
      reingestChunkBytes: 1_000_000,
      reingestMaxHops: 6,
      reingestMaxAttempts: 4,
      reingestBaseDelayMs: 100,
      maxDecompressedBytes: 67_108_864,
      metricsNamespace: "",
      expectedSenders: [],
    });
  });

  it("reads every variable", () => {
    expect(
      loadConfig({
        AUDIT_OBJECT_MODE: "flatten",
        AUDIT_OBJECT_FLATTEN_DEPTH: "3",
        RESPONSE_BUDGET_BYTES: "4000000",
        REINGEST_CHUNK_BYTES: "500000",
        REINGEST_MAX_HOPS: "0",
        REINGEST_MAX_ATTEMPTS: "2",
        REINGEST_BASE_DELAY_MS: " 250 ",
        MAX_DECOMPRESSED_BYTES: "1048576",
        METRICS_NAMESPACE: "EKSControlPlaneLogs/eks-logs-prod",
        EXPECTED_SENDERS: "111122223333,222233334444",
      }),
    ).toEqual({
      auditObjectMode: "flatten",
      auditObjectFlattenDepth: 3,
      responseBudgetBytes: 4_000_000,
      reingestChunkBytes: 500_000,
      reingestMaxHops: 0,
      reingestMaxAttempts: 2,
      reingestBaseDelayMs: 250,
      maxDecompressedBytes: 1_048_576,
      metricsNamespace: "EKSControlPlaneLogs/eks-logs-prod",
      expectedSenders: ["111122223333", "222233334444"],
    });
  });

  it.each([
    [{ AUDIT_OBJECT_MODE: "json" }, 'AUDIT_OBJECT_MODE must be one of drop, string, flatten, got "json"'],
    [{ AUDIT_OBJECT_FLATTEN_DEPTH: "0" }, 'AUDIT_OBJECT_FLATTEN_DEPTH must be an integer from 1 to 10, got "0"'],
    [{ RESPONSE_BUDGET_BYTES: "6291456" }, 'RESPONSE_BUDGET_BYTES must be an integer from 1000000 to 6000000, got "6291456"'],
    [{ RESPONSE_BUDGET_BYTES: "5.5e6" }, 'RESPONSE_BUDGET_BYTES must be an integer from 1000000 to 6000000, got "5.5e6"'],
    [{ REINGEST_MAX_HOPS: "-1" }, 'REINGEST_MAX_HOPS must be an integer from 0 to 10, got "-1"'],
    [{ REINGEST_MAX_ATTEMPTS: "many" }, 'REINGEST_MAX_ATTEMPTS must be an integer from 1 to 10, got "many"'],
    [{ REINGEST_BASE_DELAY_MS: "10001" }, 'REINGEST_BASE_DELAY_MS must be an integer from 0 to 10000, got "10001"'],
    [{ MAX_DECOMPRESSED_BYTES: "1000" }, 'MAX_DECOMPRESSED_BYTES must be an integer from 1048576 to 268435456, got "1000"'],
    [{ RESPONSE_BUDGET_BYTES: "1000000", REINGEST_CHUNK_BYTES: "600000" }, "REINGEST_CHUNK_BYTES must be at most half of RESPONSE_BUDGET_BYTES (1000000) so a returning chunk fits beside others, got 600000"],
  ])("%j → %s", (env, problem) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError([problem]));
    expect(() => loadConfig(env)).toThrow(`invalid Lambda configuration:\n  - ${problem}`);
  });

  it("lists every bad variable at once", () => {
    expect(() => loadConfig({ AUDIT_OBJECT_MODE: "x", REINGEST_MAX_HOPS: "11" })).toThrow(
      'invalid Lambda configuration:\n  - AUDIT_OBJECT_MODE must be one of drop, string, flatten, got "x"\n  - REINGEST_MAX_HOPS must be an integer from 0 to 10, got "11"',
    );
  });

  it("the bundled handler refuses to start with a bad environment (cold start)", () => {
    const bundle = loadBundle();
    const saved = process.env.AUDIT_OBJECT_MODE;
    process.env.AUDIT_OBJECT_MODE = "json";
    try {
      expect(() => bundle.createHandler()).toThrow('AUDIT_OBJECT_MODE must be one of drop, string, flatten, got "json"');
    } finally {
      if (saved === undefined) delete process.env.AUDIT_OBJECT_MODE;
      else process.env.AUDIT_OBJECT_MODE = saved;
    }
  });
});

describe("the documented settings", () => {
  it("lambda-src/README.md lists exactly the variables the Lambda reads, with their defaults", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "lambda-src", "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(CONFIG_VARIABLES.map((v) => [v.name, String(v.defaultValue)]));
  });
});
