/**
 * Athena sees what an unlisted sender delivers: the multi-account environment admits its whole
 * organisation, so lines from an account it does not list go through the bundled Lambda (the
 * preview) into the S3 layout, and every object must sit under a location the synthesized raw
 * table's partition projection enumerates. (A layout that would hide them is refused by the env
 * rules: test/envs.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironment } from "../../envs/load";
import type { ResolvedEnvironment } from "../../envs/validate";
import { runPreview } from "../../preview/index";
import { synthApp, resources } from "../helpers/app";

const UNLISTED = "999988887777";

/** The object keys of an unlisted sender's lines that the synthesized raw table would not project. */
async function hiddenKeys(env: ResolvedEnvironment): Promise<{ keys: string[]; hidden: string[] }> {
  const app = synthApp(env);
  const outDir = mkdtempSync(join(tmpdir(), "eks-logs-projection-"));
  try {
    const raw = resources(app.stacks["multi-account-central"]!, "aws_glue_catalog_table").find((t) => t.name === "raw_logs")!;
    const params = raw.parameters as Record<string, string>;
    const keys = (raw.partition_keys as { name: string }[]).map((k) => k.name);
    // storage.location.template: s3://<bucket>/raw/log_type=${log_type}/region=${region}/dt=${dt}/
    // Terraform reads `$${` as a literal `${`: what Glue (and Athena) get.
    const template = params["storage.location.template"]!.replace(/\$\$\{/g, "${").replace(/^s3:\/\/[^/]+\//, "");
    const pattern = new RegExp(`^${template.replace(/\$\{(\w+)\}/g, "(?<$1>[^/]+)")}[^/]+$`);

    const all: string[] = [];
    const hidden: string[] = [];
    for (const region of ["eu-west-1", "us-east-1"]) {
      const result = await runPreview({ env, account: UNLISTED, region, outDir: join(outDir, region), queries: ["rbac-changes"] });
      expect(result.stats.linesOut).toBeGreaterThan(0);
      for (const key of result.stats.objectKeys) {
        all.push(key);
        const values = pattern.exec(key)?.groups;
        const projected =
          values !== undefined &&
          /^\d{4}-\d{2}-\d{2}-\d{2}$/.test(values.dt!) &&
          keys.filter((k) => k !== "dt").every((name) => params[`projection.${name}.values`]!.split(",").includes(values[name]!));
        if (!projected) hidden.push(key);
      }
    }
    return { keys: all, hidden };
  } finally {
    app.dispose();
    rmSync(outDir, { recursive: true, force: true });
  }
}

it("an account the organisation env does not list lands only in partitions the raw table projects", async () => {
  const env = loadEnvironment("multi-account");
  expect(env.workloads.map((w) => w.accountId)).not.toContain(UNLISTED);
  const { keys, hidden } = await hiddenKeys(env);
  expect(keys.length).toBeGreaterThan(6);
  expect(hidden).toEqual([]);
});

it("the layout the env rules refuse (account_id in the path, organisation mode) would hide every one of them", async () => {
  const env = loadEnvironment("multi-account");
  // Past validation on purpose: the resolved env as if the rule did not exist.
  const refused = { ...env, pipeline: { ...env.pipeline, s3: { ...env.pipeline.s3, extraPartitionKeys: ["account_id" as const] } } };
  const { keys, hidden } = await hiddenKeys(refused);
  expect(hidden).toEqual(keys);
});
