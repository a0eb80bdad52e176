/**
 * The HCL renderer: unit cases for templates and layout, then a round trip of every synthesized
 * stack of both example environments through cdktf's own HCL parser (hcl2json), which must give
 * back the JSON synth's document. `npm run validate` adds the real terraform fmt/validate/plan.
 */
import { parse } from "@cdktf/hcl2json";
import type { TerraformStack } from "cdktf";
import { loadEnvironment } from "../../envs/load";
import { blockPathsOf } from "../../hcl/blocks";
import { renderTerraformJson, splitTemplate, template, type BlockPaths } from "../../hcl/render";
import { buildApp } from "../../main";

const noBlocks: BlockPaths = { isBlock: () => false };
const blocksAt = (...paths: string[]): BlockPaths => ({ isBlock: (kind, path) => paths.includes(`${kind}:${path.join(".")}`) });

describe("templates", () => {
  it.each([
    ["${aws_s3_bucket.logs.arn}", "aws_s3_bucket.logs.arn"],
    ["${aws_s3_bucket.logs.arn}/*", '"${aws_s3_bucket.logs.arn}/*"'],
    ['say "hi"\\ \n\t', '"say \\"hi\\"\\\\ \\n\\t"'],
    ["$${literal} and %%{literal}", '"$${literal} and %%{literal}"'],
    ['${jsonencode({"a" = "}"})}', 'jsonencode({ "a" = "}" })'],
    ['${lookup(var.m, "${local.k}", "x")}', 'lookup(var.m, "${local.k}", "x")'],
    ["${a}${b}", '"${a}${b}"'],
    ["\u0001", '"\\u0001"'],
  ])("%j renders as %s", (input, expected) => {
    expect(template(input)).toBe(expected);
  });

  it("splits literal text from interpolations, braces inside strings included", () => {
    expect(splitTemplate('a${f("}")}b%{ if x }c%{ endif }')).toEqual([
      { text: "a", interpolation: false },
      { text: '${f("}")}', interpolation: true },
      { text: "b", interpolation: false },
      { text: "%{ if x }", interpolation: true },
      { text: "c", interpolation: false },
      { text: "%{ endif }", interpolation: true },
    ]);
  });

  it("names an unterminated interpolation", () => {
    expect(() => template("${aws_s3_bucket.x.arn")).toThrow(/unterminated interpolation in "\$\{aws_s3_bucket.x.arn"/);
  });
});

describe("layout", () => {
  it("aligns runs of one-line assignments, renders blocks and references bare", () => {
    const hcl = renderTerraformJson(
      {
        resource: {
          aws_s3_bucket_lifecycle_configuration: {
            logs: {
              bucket: "${aws_s3_bucket.logs.id}",
              expected_bucket_owner: "111111111111",
              rule: [{ id: "expire", status: "Enabled", filter: [{ prefix: "" }] }],
              depends_on: ["aws_s3_bucket_versioning.logs"],
              provider: "aws.us_east_1",
              lifecycle: { prevent_destroy: true },
              "//": { metadata: {} },
            },
          },
        },
      },
      blocksAt("resource.aws_s3_bucket_lifecycle_configuration:rule", "resource.aws_s3_bucket_lifecycle_configuration:rule.filter"),
    );
    expect(hcl).toBe(
      [
        'resource "aws_s3_bucket_lifecycle_configuration" "logs" {',
        "  bucket                = aws_s3_bucket.logs.id",
        '  expected_bucket_owner = "111111111111"',
        "  depends_on            = [aws_s3_bucket_versioning.logs]",
        "  provider              = aws.us_east_1",
        "  rule {",
        '    id     = "expire"',
        '    status = "Enabled"',
        "    filter {",
        '      prefix = ""',
        "    }",
        "  }",
        "  lifecycle {",
        "    prevent_destroy = true",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("renders attribute objects and lists over several lines, breaking alignment runs like hclwrite", () => {
    const hcl = renderTerraformJson({ locals: { a: 1, tags: { Name: "x", "aws:key": [1, 2] }, longer_name: [{ k: "v" }] } }, noBlocks);
    expect(hcl).toBe(
      [
        "locals {",
        "  a = 1",
        "  tags = {",
        '    Name      = "x"',
        '    "aws:key" = [1, 2]',
        "  }",
        "  longer_name = [",
        "    {",
        '      k = "v"',
        "    },",
        "  ]",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("writes variables with bare types and validation blocks, and terraform settings", () => {
    const hcl = renderTerraformJson(
      {
        terraform: { required_version: ">= 1.10", required_providers: { aws: { source: "hashicorp/aws", version: "~> 5.100", configuration_aliases: ["aws.central"] } } },
        variable: { days: { type: "number", default: 30, validation: [{ condition: "${var.days >= 1}", error_message: "days: at least 1" }] } },
      },
      noBlocks,
    );
    expect(hcl).toContain("      configuration_aliases = [aws.central]");
    expect(hcl).toContain('variable "days" {\n  type    = number\n  default = 30\n  validation {\n    condition     = var.days >= 1\n');
  });

  it("refuses what it cannot render faithfully, naming where", () => {
    expect(() => renderTerraformJson({ resource: { t: { n: { dynamic: {} } } } }, noBlocks)).toThrow(/resource\.t: dynamic blocks are not supported/);
    expect(() => renderTerraformJson({ nonsense: {} } as never, noBlocks)).toThrow(/top-level key\(s\) nonsense/);
    expect(() => renderTerraformJson({ resource: { t: { n: "x" } } } as never, noBlocks)).toThrow(/resource\.t\.n: expected an object, got "x"/);
  });
});

/** hcl2json's shape and cdktf's JSON differ only in representation; this maps both to one. */
function canonical(value: unknown): unknown {
  if (typeof value === "string") {
    const sole = /^\$\{([^]*)\}$/.exec(value);
    const text = sole && !sole[1]!.includes("${") ? sole[1]! : value;
    return text.replace(/\{ /g, "{").replace(/ \}/g, "}");
  }
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    // A block is a list of bodies in hcl2json, sometimes a lone object in cdktf's JSON.
    return items.length === 1 && typeof items[0] === "object" && items[0] !== null && !Array.isArray(items[0]) ? items[0] : items;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "//")
        .map(([key, item]) => [key, canonical(item)]),
    );
  }
  return value;
}

describe.each(["example", "multi-account"])("every %s stack, rendered and parsed back", (name) => {
  const app = buildApp(loadEnvironment(name), { outdir: `${require("node:os").tmpdir()}/eks-logs-hcl-${name}-${process.pid}` });
  const stacks = app.node.children as TerraformStack[];

  it.each(stacks.map((stack) => [stack.node.id, stack] as const))("%s", async (_id, stack) => {
    const document = stack.toTerraform() as Record<string, never>;
    const hcl = renderTerraformJson(document, blockPathsOf(stack));
    expect(hcl).not.toMatch(/"\$\{[^"]*\}"\n/); // no interpolation-only strings
    expect(canonical(await parse(`${stack.node.id}.tf`, hcl))).toEqual(canonical(document));
  });
});

describe("object keys", () => {
  it("are names, quoted literals, templates or parenthesized expressions", () => {
    const hcl = renderTerraformJson({ locals: { m: { plain: 1, "aws:Key": 2, "${var.region}": 3, "${var.a}-x": 4, "$${not}": 5 } } }, noBlocks);
    expect(hcl).toContain('    plain        = 1\n    "aws:Key"    = 2\n    (var.region) = 3\n    "${var.a}-x" = 4\n    "$${not}"    = 5\n');
  });
});
