/**
 * Terraform JSON (what cdktf synthesizes) to native HCL that `terraform fmt -check` accepts as is
 * and `terraform validate` reads without deprecation warnings: sole interpolations are bare
 * expressions, references (depends_on, provider, ignore_changes, configuration_aliases, variable
 * types) are unquoted, and `=` signs are aligned the way hclwrite aligns them.
 *
 * JSON does not say which objects are nested blocks and which are object-typed attributes; the
 * provider schema does. `BlockPaths` carries that knowledge (see blocks.ts, which reads it from the
 * provider bindings cdktf already has).
 */

/** Whether `path` (attribute names from the body of a `kind` block such as "resource.aws_s3_bucket") is a nested block. */
export interface BlockPaths {
  isBlock(kind: string, path: readonly string[]): boolean;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One output line: either text, or a complete one-line `key = value` that takes part in alignment. */
type Line = { indent: number; text: string } | { indent: number; key: string; value: string };

const TOP_LEVEL_ORDER = ["terraform", "provider", "variable", "locals", "data", "resource", "module", "output", "moved", "import", "check"];
/** Meta-argument blocks Terraform itself defines inside resources, data sources and modules. */
const META_BLOCKS = new Set(["lifecycle", "provisioner", "connection", "precondition", "postcondition"]);
/** Attributes whose values are references, never strings. */
const REFERENCE_LISTS = new Set(["depends_on", "ignore_changes", "replace_triggered_by", "configuration_aliases"]);

export class HclRenderError extends Error {}

/** Renders a whole Terraform JSON document (a `cdk.tf.json`) as HCL. */
export function renderTerraformJson(document: JsonObject, blocks: BlockPaths): string {
  const lines: Line[] = [];
  const sections = Object.keys(document).filter((key) => key !== "//");
  const unknown = sections.filter((key) => !TOP_LEVEL_ORDER.includes(key));
  if (unknown.length > 0) throw new HclRenderError(`top-level key(s) ${unknown.join(", ")}: expected one of ${TOP_LEVEL_ORDER.join(", ")}`);
  const blank = () => {
    if (lines.length > 0) lines.push({ indent: 0, text: "" });
  };
  for (const section of TOP_LEVEL_ORDER) {
    const value = document[section];
    if (value === undefined) continue;
    const body = asObject(value, section);
    switch (section) {
      case "terraform":
        blank();
        block(lines, 0, "terraform", [], () => terraformBody(lines, 1, body, blocks));
        break;
      case "locals":
        blank();
        block(lines, 0, "locals", [], () => attributes(lines, 1, body, "locals"));
        break;
      case "provider":
        for (const [name, configs] of Object.entries(body)) {
          for (const config of Array.isArray(configs) ? configs : [configs]) {
            blank();
            block(lines, 0, "provider", [name], () => blockBody(lines, 1, asObject(config, `provider.${name}`), `provider.${name}`, [], blocks));
          }
        }
        break;
      case "resource":
      case "data":
        for (const [type, byName] of Object.entries(body)) {
          for (const [name, config] of Object.entries(asObject(byName, `${section}.${type}`))) {
            blank();
            block(lines, 0, section, [type, name], () => blockBody(lines, 1, asObject(config, `${section}.${type}.${name}`), `${section}.${type}`, [], blocks));
          }
        }
        break;
      default:
        // variable, output, module, moved, import, check: one labelled block per entry.
        for (const [name, config] of Object.entries(body)) {
          blank();
          block(lines, 0, section, [name], () => blockBody(lines, 1, asObject(config, `${section}.${name}`), section, [], blocks));
        }
    }
  }
  return format(lines);
}

function terraformBody(lines: Line[], indent: number, body: JsonObject, blocks: BlockPaths): void {
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    if (key === "required_providers") {
      block(lines, indent, key, [], () => {
        for (const [name, requirement] of Object.entries(asObject(value, "terraform.required_providers"))) {
          attribute(lines, indent + 1, name, requirement, "terraform.required_providers");
        }
      });
    } else if (key === "backend") {
      for (const [type, config] of Object.entries(asObject(value, "terraform.backend"))) {
        block(lines, indent, "backend", [type], () => attributes(lines, indent + 1, asObject(config, `terraform.backend.${type}`), "backend"));
      }
    } else if (key === "cloud") {
      block(lines, indent, "cloud", [], () => blockBody(lines, indent + 1, asObject(value, "terraform.cloud"), "terraform.cloud", [], blocks));
    } else {
      attribute(lines, indent, key, value, "terraform");
    }
  }
}

/** A block's body: attributes first (in document order), then nested blocks. */
function blockBody(lines: Line[], indent: number, body: JsonObject, kind: string, path: string[], blocks: BlockPaths): void {
  const nested: [string, Json][] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    if (key === "dynamic") throw new HclRenderError(`${kind}: dynamic blocks are not supported by this renderer`);
    const isMeta = path.length === 0 && (META_BLOCKS.has(key) || key === "validation") && !kind.startsWith("provider.");
    if (isMeta || blocks.isBlock(kind, [...path, key])) nested.push([key, value]);
    else attribute(lines, indent, key, value, kind);
  }
  for (const [key, value] of nested) {
    const meta = path.length === 0 && (META_BLOCKS.has(key) || key === "validation") && !kind.startsWith("provider.");
    for (const item of Array.isArray(value) ? value : [value]) {
      const itemBody = asObject(item, `${kind}.${[...path, key].join(".")}`);
      block(lines, indent, key, [], () => blockBody(lines, indent + 1, itemBody, meta ? `meta.${key}` : kind, meta ? [] : [...path, key], blocks));
    }
  }
}

function block(lines: Line[], indent: number, type: string, labels: string[], body: () => void): void {
  const head = [type, ...labels.map((label) => quote(label))].join(" ");
  const start = lines.length;
  lines.push({ indent, text: `${head} {` });
  body();
  if (lines.length === start + 1) {
    lines[start] = { indent, text: `${head} {}` };
  } else {
    lines.push({ indent, text: "}" });
  }
}

function attributes(lines: Line[], indent: number, body: JsonObject, kind: string): void {
  for (const [key, value] of Object.entries(body)) if (key !== "//") attribute(lines, indent, key, value, kind);
}

function attribute(lines: Line[], indent: number, key: string, value: Json, kind: string): void {
  const name = isIdentifier(key) ? key : quote(key);
  let rendered: string[];
  if (REFERENCE_LISTS.has(key) && Array.isArray(value)) {
    rendered = [`[${value.map((item) => reference(item, `${kind}.${key}`)).join(", ")}]`];
  } else if ((key === "provider" && kind !== "provider" && typeof value === "string") || (key === "type" && kind === "variable")) {
    rendered = [reference(value, `${kind}.${key}`)];
  } else if (key === "providers" && kind === "module") {
    rendered = objectLines(Object.fromEntries(Object.entries(asObject(value, "module.providers")).map(([k, v]) => [k, `\${${reference(v, "module.providers")}}`])));
  } else if (typeof value === "object" && value !== null && kind === "terraform.required_providers") {
    const requirement = asObject(value, `terraform.required_providers.${key}`);
    rendered = objectLines(requirement, (k, v) => (k === "configuration_aliases" && Array.isArray(v) ? `[${v.map((a) => reference(a, k)).join(", ")}]` : undefined));
  } else {
    rendered = expression(value);
  }
  if (rendered.length === 1) {
    lines.push({ indent, key: name, value: rendered[0]! });
  } else {
    lines.push({ indent, text: `${name} = ${rendered[0]}` });
    for (const line of rendered.slice(1, -1)) lines.push(parseNested(indent, line));
    lines.push({ indent, text: rendered[rendered.length - 1]! });
  }
}

/** Multi-line expressions come back as lines with two-space relative indentation and `key = value` markers. */
function parseNested(indent: number, line: string): Line {
  const depth = line.length - line.trimStart().length;
  const text = line.trimStart();
  const marker = text.indexOf(ASSIGN);
  if (marker > 0) return { indent: indent + depth / 2, key: text.slice(0, marker), value: text.slice(marker + ASSIGN.length) };
  return { indent: indent + depth / 2, text };
}

// Separates key and value of nested object lines until the final alignment pass.
const ASSIGN = "\u0000=\u0000";

/** An expression as lines; the first and last carry no indentation of their own. */
function expression(value: Json): string[] {
  if (value === null) return ["null"];
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (typeof value === "string") return [template(value)];
  if (Array.isArray(value)) {
    if (value.length === 0) return ["[]"];
    const items = value.map(expression);
    if (items.every((item) => item.length === 1) && value.every((item) => typeof item !== "object" || item === null)) {
      return [`[${items.map((item) => item[0]).join(", ")}]`];
    }
    const out = ["["];
    for (const item of items) {
      if (item.length === 1) out.push(`  ${item[0]},`);
      else out.push(`  ${item[0]}`, ...item.slice(1, -1).map((l) => `  ${l}`), `  ${item[item.length - 1]},`);
    }
    out.push("]");
    return out;
  }
  return objectLines(value);
}

function objectLines(value: JsonObject, special?: (key: string, value: Json) => string | undefined): string[] {
  const entries = Object.entries(value).filter(([key]) => key !== "//");
  if (entries.length === 0) return ["{}"];
  const out = ["{"];
  for (const [key, item] of entries) {
    const name = objectKey(key);
    const custom = special?.(key, item);
    const rendered = custom !== undefined ? [custom] : expression(item);
    if (rendered.length === 1) out.push(`  ${name}${ASSIGN}${rendered[0]}`);
    else out.push(`  ${name} = ${rendered[0]}`, ...rendered.slice(1, -1).map((l) => `  ${l}`), `  ${rendered[rendered.length - 1]}`);
  }
  out.push("}");
  return out;
}

/** A reference (`aws_iam_role.x`, `aws.eu_west_1`, `list(string)`), given as plain text or as a sole interpolation. */
function reference(value: Json, where: string): string {
  if (typeof value !== "string") throw new HclRenderError(`${where}: expected a reference string, got ${JSON.stringify(value)}`);
  const sole = soleInterpolation(value);
  return sole ?? value;
}

/** A JSON-syntax string is already a Terraform template; only the literal parts need HCL escaping. */
export function template(value: string): string {
  const sole = soleInterpolation(value);
  if (sole !== undefined) return sole;
  let out = "";
  for (const part of splitTemplate(value)) {
    out += part.interpolation ? `${part.text.slice(0, 2)}${interpolationBody(part.text.slice(2, -1))}}` : escapeLiteral(part.text);
  }
  return `"${out}"`;
}

/** The expression of a string that is exactly one `${…}`, or undefined. */
function soleInterpolation(value: string): string | undefined {
  const parts = splitTemplate(value);
  if (parts.length !== 1 || !parts[0]!.interpolation || !value.startsWith("${")) return undefined;
  const inner = value.slice(2, -1).trim();
  // `~` strip markers change whitespace handling; keep such templates quoted.
  if (inner.startsWith("~") || inner.endsWith("~")) return undefined;
  return spaceBraces(inner);
}

/** hclwrite separates `${` and `}` from the braces of an object the interpolation starts or ends with. */
function interpolationBody(expression: string): string {
  const body = spaceBraces(expression);
  return `${body.startsWith("{") ? " " : ""}${body}${body.endsWith("}") ? " " : ""}`;
}

/**
 * cdktf writes object constructors as `{"k" = v}`; hclwrite (terraform fmt) spaces the braces of a
 * one-line object or for-expression: `{ "k" = v }`. String literals are left alone.
 */
function spaceBraces(expression: string): string {
  let out = "";
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === '"') {
      const end = closingQuote(expression, i + 1);
      out += expression.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === "{" && expression[i + 1] !== "}" && expression[i + 1] !== " ") out += "{ ";
    else if (c === "}" && out.length > 0 && !out.endsWith("{") && !out.endsWith(" ")) out += " }";
    else out += c;
    i += 1;
  }
  return out;
}

interface TemplatePart {
  text: string;
  interpolation: boolean;
}

/** Splits a template into literal text and `${…}`/`%{…}` sequences (escapes `$${` and `%%{` stay literal). */
export function splitTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < value.length) {
    const two = value.slice(i, i + 2);
    if ((two === "$$" || two === "%%") && value[i + 2] === "{") {
      literal += value.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (two === "${" || two === "%{") {
      const end = closingBrace(value, i + 2);
      if (literal) parts.push({ text: literal, interpolation: false });
      literal = "";
      parts.push({ text: value.slice(i, end + 1), interpolation: true });
      i = end + 1;
      continue;
    }
    literal += value[i];
    i += 1;
  }
  if (literal) parts.push({ text: literal, interpolation: false });
  return parts;
}

/** Index of the `}` closing an interpolation whose body starts at `from`, skipping nested braces and strings. */
function closingBrace(value: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < value.length) {
    const c = value[i]!;
    if (c === '"') {
      i = closingQuote(value, i + 1) + 1;
      continue;
    }
    if (c === "{") depth += 1;
    else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  throw new HclRenderError(`unterminated interpolation in ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
}

/** Index of the `"` closing a quoted string inside an expression (which may itself hold templates). */
function closingQuote(value: string, from: number): number {
  let i = from;
  while (i < value.length) {
    const c = value[i]!;
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === '"') return i;
    if ((c === "$" || c === "%") && value[i + 1] === "{" && value[i - 1] !== c) {
      i = closingBrace(value, i + 2) + 1;
      continue;
    }
    i += 1;
  }
  throw new HclRenderError(`unterminated string in ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
}

function escapeLiteral(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/** A literal string (labels, object keys): no template sequences survive. */
function quote(text: string): string {
  return `"${escapeLiteral(text).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{")}"`;
}

/** An object constructor key: a name, a quoted literal or template, or a parenthesized expression. */
function objectKey(key: string): string {
  if (isIdentifier(key)) return key;
  const rendered = template(key);
  return rendered.startsWith('"') ? rendered : `(${rendered})`;
}

function isIdentifier(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
}

function asObject(value: Json | undefined, where: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HclRenderError(`${where}: expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}

/** Lines to text, aligning the `=` of consecutive one-line assignments like `terraform fmt`. */
function format(lines: Line[]): string {
  const out: string[] = [];
  let run: { indent: number; key: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(...run.map((line) => line.key.length));
    for (const line of run) out.push(`${"  ".repeat(line.indent)}${line.key.padEnd(width)} = ${line.value}`);
    run = [];
  };
  for (const line of lines) {
    if ("key" in line) {
      if (run.length > 0 && run[0]!.indent !== line.indent) flush();
      run.push(line);
      continue;
    }
    if (run.length > 0) flush();
    out.push(line.text === "" ? "" : `${"  ".repeat(line.indent)}${line.text}`);
  }
  if (run.length > 0) flush();
  return `${out.join("\n")}\n`;
}
