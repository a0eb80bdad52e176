/**
 * envs/schema.ts declares the shape twice: documented interfaces (hover docs for env files)
 * and the zod schema that fills the defaults. This reads every `@default` of the interfaces
 * and checks it against what the schema really fills in, so the two cannot drift.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { environmentSchema } from "../../envs/schema";
import { ROOT } from "../lambda-src/helpers";

type Path = (string | number)[];

interface Documented {
  readonly path: Path;
  readonly text: string;
}

const FILE = join(ROOT, "envs/schema.ts");

/** Every property with an `@default`, by its path in EnvironmentConfig (lists by their first item). */
function documentedDefaults(): Documented[] {
  const source = ts.createSourceFile(FILE, readFileSync(FILE, "utf8"), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const out: Documented[] = [];
  const walkType = (type: ts.TypeNode | undefined, path: Path): void => {
    if (!type) return;
    if (ts.isTypeOperatorNode(type)) return walkType(type.type, path);
    if (ts.isArrayTypeNode(type)) return walkType(type.elementType, [...path, 0]);
    if (ts.isTypeLiteralNode(type)) return walkMembers(type.members, path);
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const target = interfaces.get(type.typeName.text);
      if (target) walkMembers(target.members, path);
    }
  };
  const walkMembers = (members: ts.NodeArray<ts.TypeElement>, path: Path): void => {
    for (const member of members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const here = [...path, member.name.text];
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
      if (tag) out.push({ path: here, text: ts.getTextOfJSDocComment(tag.comment)?.trim() ?? "" });
      walkType(member.type, here);
    }
  };
  walkMembers(interfaces.get("EnvironmentConfig")!.members, []);
  return out;
}

/** The smallest valid environment: every optional field left for the schema to default. */
const minimal = {
  name: "minimal",
  central: { accountId: "111111111111", region: "eu-west-1", access: { roleArn: "arn:aws:iam::111111111111:role/t" }, state: { bucket: "minimal-state-bucket" } },
  workloads: [{ accountId: "111111111111", access: { roleArn: "arn:aws:iam::111111111111:role/t" }, state: { bucket: "minimal-state-bucket" }, regions: [{ region: "eu-west-1", clusters: ["a"] }] }],
};

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v === undefined || v === null ? undefined : (v as Record<string | number, unknown>)[k]), value);
}

/** The JSON value a `@default` text starts with (`"cron(15 * * * ? *)" (hourly)` → the string), if it is one. */
function literal(text: string): { value: unknown } | undefined {
  const m = /^("(?:[^"\\<]|\\.)*"|-?\d+(?:\.\d+)?|true|false|\{[^{}]*\})(?:\s+\(.*\))?$/.exec(text);
  return m ? { value: JSON.parse(m[1]!) } : undefined;
}

describe("envs/schema.ts: every documented @default is the schema's default", () => {
  const parsed = environmentSchema.parse(minimal);
  const documented = documentedDefaults();

  it("finds the documented defaults (a walk that found none would prove nothing)", () => {
    expect(documented.length).toBeGreaterThan(40);
    expect(documented.map((d) => d.path.join("."))).toEqual(expect.arrayContaining(["pipeline.firehose.bufferSizeMBs", "central.state.keyPrefix", "workloads.0.accountWideSubscription", "pipeline.s3.accessLogging.expireAfterDays"]));
  });

  it.each(documentDefaultsTable())("%s: @default %s", (_name, text, path) => {
    const value = at(parsed, path);
    const lit = literal(text);
    if (lit) {
      // A nested default applies once its object exists: fill the parent and parse again.
      const actual = value === undefined ? nestedDefault(path) : value;
      expect(actual).toEqual(lit.value);
    } else if (/^(none|off)\b/.test(text)) {
      // Not set: nothing, an empty list or map, or a switched-off feature.
      expect([undefined, false].includes(value as never) || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && (Object.keys(value).length === 0 || (value as { enabled?: unknown }).enabled === false))).toBe(true);
    } else {
      // Prose: resolved later from other fields (validate.ts `resolve`) or a module default; the schema leaves it unset,
      // except the documented lists the schema fills itself.
      const filledBySchema = ["pipeline.s3.transitions", "pipeline.athena.bytesScannedCutoffPerQuery"];
      if (!filledBySchema.includes(path.join("."))) expect(value).toBeUndefined();
    }
  });

  function documentDefaultsTable(): [string, string, Path][] {
    return documentedDefaults().map((d) => [d.path.join("."), d.text, d.path]);
  }

  /** The default of a field inside an optional object: parse with the object present and empty. */
  function nestedDefault(path: Path): unknown {
    const config = structuredClone(minimal) as Record<string, unknown>;
    let cursor: Record<string | number, unknown> = config;
    for (const key of path.slice(0, -1)) {
      cursor[key] ??= {};
      cursor = cursor[key] as Record<string | number, unknown>;
    }
    return at(environmentSchema.parse(config), path);
  }
});
