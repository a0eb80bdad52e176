/**
 * The generated Terraform modules: what is committed is what the generator writes now, and what it
 * writes is a module (no provider configuration, no backend, assets through path.module) whose
 * variables carry the env rules. `npm run validate` runs the real terraform on them and plans the
 * example estates.
 */
import { parse } from "@cdktf/hcl2json";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PATTERNS } from "../../modules/common/patterns";
import { generateModules, type GeneratedModule } from "../../tfmodules";
import { hclString } from "../../tfmodules/rules";

const ROOT = join(__dirname, "..", "..");
const modules = Object.fromEntries(generateModules(ROOT).map((m) => [m.name, m])) as Record<string, GeneratedModule>;
const text = (m: string, file: string) => String(modules[m]!.files[file]);

type Parsed = Record<string, Record<string, Record<string, unknown>[]>>;
const parsed = async (m: string, file: string) => (await parse(file, text(m, file))) as Parsed;

describe.each(Object.keys(modules))("module %s", (name) => {
  it("is committed exactly as the generator writes it (npm run build:modules)", () => {
    for (const [file, content] of Object.entries(modules[name]!.files)) {
      expect({ file, same: readFileSync(join(ROOT, "terraform", "modules", name, file)).equals(Buffer.from(content)) }).toEqual({ file, same: true });
    }
  });

  it("configures no provider and no backend, and states the Terraform and provider versions", async () => {
    const all = Object.entries(modules[name]!.files).filter(([f]) => f.endsWith(".tf"));
    for (const [file, content] of all) {
      const doc = (await parse(file, String(content))) as Record<string, unknown>;
      expect({ file, provider: doc.provider, locals: doc.module }).toEqual({ file, provider: undefined, locals: undefined });
      expect(String(content)).not.toMatch(/TfToken|backend\s+"/);
    }
    const versions = await parsed(name, "versions.tf");
    const terraform = versions.terraform![0] as unknown as { required_version: string; required_providers: { aws: { source: string; version: string } }[] };
    expect(terraform.required_version).toBe(">= 1.10");
    expect(terraform.required_providers[0]!.aws).toEqual({ source: "hashicorp/aws", version: ">= 5.100.0, < 6.0.0" });
  });

  it("describes every input and output, and its README tables list them all", async () => {
    const variables = (await parsed(name, "variables.tf")).variable!;
    const outputs = (await parsed(name, "outputs.tf")).output!;
    const readme = text(name, "README.md");
    for (const [variable, [spec]] of Object.entries(variables) as [string, Record<string, unknown>[]][]) {
      expect({ variable, description: typeof spec!.description }).toEqual({ variable, description: "string" });
      expect(readme).toContain(`| \`${variable}\` |`);
    }
    for (const [output, [spec]] of Object.entries(outputs) as [string, Record<string, unknown>[]][]) {
      expect({ output, description: typeof spec!.description }).toEqual({ output, description: "string" });
      expect(readme).toContain(`| \`${output}\` |`);
    }
    expect(Object.keys(variables)).toHaveLength(modules[name]!.inputs);
    expect(Object.keys(outputs)).toHaveLength(modules[name]!.outputs);
  });
});

describe("the modules' rules are the env rules", () => {
  it("name_prefix is checked with the namePrefix pattern and sentence in every module", () => {
    for (const name of Object.keys(modules)) {
      expect(text(name, "variables.tf")).toContain(`can(regex(${hclString(PATTERNS.namePrefix.pattern.source)}, var.name_prefix))`);
      expect(text(name, "variables.tf")).toContain(`Invalid name_prefix: ${PATTERNS.namePrefix.rule}.`);
    }
  });

  it("turns RE2's 1,000-repeat limit into a length check (the 2–1224 character external id)", () => {
    expect(text("central", "variables.tf")).toContain('length(var.splunk_external_id) >= 2 && length(var.splunk_external_id) <= 1224 && can(regex("^[\\\\w+=,.@:/-]+$", var.splunk_external_id))');
  });
});

describe("module-shaped resources", () => {
  it("workload: one filter per cluster with for_each, the account policy by count, the region from the provider", () => {
    const main = text("workload", "main.tf");
    const filter = main.slice(main.indexOf('resource "aws_cloudwatch_log_subscription_filter"'));
    expect(filter).toMatch(/^\s+log_group_name\s+= "\/aws\/eks\/\$\{each.value\}\/cluster"$/m);
    expect(filter).toMatch(/^\s+for_each\s+= toset\(var.cluster_names\)$/m);
    expect(main).toMatch(/resource "aws_cloudwatch_log_account_policy"[^]*count\s+= var.account_policy \? 1 : 0/);
    expect(main).toContain('name            = "${var.name_prefix}@${data.aws_region.current-region.name}"');
  });

  it("central: the Lambda zip ships in the module, byte-identical to the build, and is found through path.module", () => {
    expect(text("central", "main.tf")).toMatch(/^\s+filename\s+= "\$\{path.module\}\/assets\/lambda.zip"$/m);
    expect(Buffer.compare(modules.central!.files["assets/lambda.zip"] as Buffer, readFileSync(join(ROOT, "dist", "lambda.zip")))).toBe(0);
  });

  it("central: the pipeline's resources as in the stack (log bucket protected from destroy)", async () => {
    const main = await parsed("central", "main.tf");
    const buckets = main.resource!.aws_s3_bucket!;
    const logs = Object.entries(buckets).find(([id]) => id.startsWith("storage_bucket_"))!;
    expect((logs[1] as unknown as Record<string, unknown>[])[0]!.lifecycle).toEqual([{ prevent_destroy: true }]);
    expect(modules.central!.resources).toBeGreaterThan(100);
  });

  it.each(["central", "destination"])("%s: organizational_unit_paths narrows the destination policy to OU paths, the whole organisation when empty", async (name) => {
    const main = await parsed(name, "main.tf");
    const [policy] = Object.values(main.resource!.aws_cloudwatch_log_destination_policy!) as unknown as Record<string, any>[][];
    expect(policy![0]!.access_policy).toContain('"ForAnyValue:StringLike" = { "aws:PrincipalOrgPaths" = (length(var.organizational_unit_paths) >= 1) ? var.organizational_unit_paths : ["${var.organization_id}/*"] }');
    const variable = ((await parsed(name, "variables.tf")).variable!.organizational_unit_paths as unknown as Record<string, any>[])[0]!;
    expect(variable.default).toEqual([]);
    expect(variable.validation.map((v: any) => v.condition)).toContain('${alltrue([for p in var.organizational_unit_paths : startswith(p, "${var.organization_id}/")])}');
  });

  it("central: Object Lock always on, its period object_lock_days or else the lifecycle's, never 0", async () => {
    const main = await parsed("central", "main.tf");
    const [lock] = Object.values(main.resource!.aws_s3_bucket_object_lock_configuration!) as unknown as Record<string, any>[][];
    expect(lock![0]!.rule[0].default_retention[0]).toEqual({ mode: "${var.object_lock_mode}", days: "${(var.object_lock_days >= 1) ? var.object_lock_days : var.expire_after_days}" });
    const variables = (await parsed("central", "variables.tf")).variable!;
    const days = (variables.object_lock_days as unknown as Record<string, any>[])[0]!;
    expect(days.default).toBe(0);
    expect(days.validation.map((v: any) => v.condition)).toContain("${var.object_lock_days > 0 || var.expire_after_days > 0}");
  });
});
