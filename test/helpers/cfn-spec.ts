/**
 * Checks a CloudFormation template against the CloudFormation resource specification shipped in
 * @aws-cdk/aws-service-spec: every resource type exists, every property name exists, every value
 * has the property's type (recursively through property types), and required properties are set.
 * Intrinsics (`Ref`, `Fn::…`) are accepted wherever a value goes.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { SpecDatabase } from "@aws-cdk/service-spec-types";

type SpecType = { type: string; element?: SpecType; reference?: { $ref: string }; types?: SpecType[]; allowedValues?: unknown[] };
type SpecProperty = { type: SpecType; required?: boolean };

let db: SpecDatabase | undefined;
function spec(): SpecDatabase {
  db ??= loadAwsServiceSpecSync();
  return db;
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
}

function checkValue(path: string, value: unknown, type: SpecType, problems: string[]): void {
  if (isIntrinsic(value)) return;
  const wrong = (expected: string): void => {
    problems.push(`${path}: expected ${expected}, got ${JSON.stringify(value)}`);
  };
  switch (type.type) {
    case "string":
      if (typeof value !== "string") return wrong("a string");
      if (type.allowedValues && !type.allowedValues.includes(value)) wrong(`one of ${JSON.stringify(type.allowedValues)}`);
      return;
    case "integer":
      if (!Number.isInteger(value)) wrong("an integer");
      return;
    case "number":
      if (typeof value !== "number") wrong("a number");
      return;
    case "boolean":
      if (typeof value !== "boolean") wrong("a boolean");
      return;
    case "json":
      return;
    case "tag": {
      const tag = value as Record<string, unknown>;
      if (typeof tag !== "object" || typeof tag.Key !== "string" || typeof tag.Value !== "string" || Object.keys(tag).length !== 2) wrong("a {Key, Value} tag");
      return;
    }
    case "array":
      if (!Array.isArray(value)) return wrong("an array");
      value.forEach((item, i) => checkValue(`${path}[${i}]`, item, type.element!, problems));
      return;
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) return wrong("a map");
      for (const [k, v] of Object.entries(value)) checkValue(`${path}.${k}`, v, type.element!, problems);
      return;
    case "union": {
      const attempts = type.types!.map((t) => {
        const sub: string[] = [];
        checkValue(path, value, t, sub);
        return sub;
      });
      if (!attempts.some((a) => a.length === 0)) problems.push(...attempts[0]!);
      return;
    }
    case "ref": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return wrong("an object");
      const definition = spec().get("typeDefinition", type.reference!.$ref) as unknown as { properties: Record<string, SpecProperty> };
      checkProperties(path, value as Record<string, unknown>, definition.properties, problems);
      return;
    }
    default:
      problems.push(`${path}: the checker does not know spec type ${type.type}`);
  }
}

function checkProperties(path: string, value: Record<string, unknown>, properties: Record<string, SpecProperty>, problems: string[]): void {
  for (const [name, v] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${path}.${name}: no such property (known: ${Object.keys(properties).sort().join(", ")})`);
      continue;
    }
    checkValue(`${path}.${name}`, v, property.type, problems);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${path}.${name}: required property missing`);
  }
}

/** Every problem of `template` against the specification; empty when it conforms. */
export function cfnSpecProblems(template: Record<string, any>): string[] {
  const problems: string[] = [];
  const resources = template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  for (const [logicalId, resource] of Object.entries(resources)) {
    const found = spec().lookup("resource", "cloudFormationType", "equals", resource.Type);
    if (found.length !== 1) {
      problems.push(`${logicalId}: unknown resource type ${resource.Type}`);
      continue;
    }
    const definition = found[0] as unknown as { properties: Record<string, SpecProperty> };
    checkProperties(`${logicalId}.Properties`, resource.Properties ?? {}, definition.properties, problems);
  }
  return problems;
}
