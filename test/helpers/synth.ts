/**
 * Shared test helpers: synthesize constructs in a throwaway stack and read the Terraform JSON back.
 * Blocks are found by their construct path below the stack (`delivery/role`), which is what a test
 * means, not by the hashed logical id cdktf derives from it (`delivery_role_B8AC8F96`).
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing } from "cdktf";
import type { Construct } from "constructs";

export type Json = Record<string, any>;

/** Synthesizes what `build` adds to a fresh stack; returns the stack's Terraform JSON. */
export function synth(build: (scope: Construct) => void): Json {
  return JSON.parse(Testing.synthScope(build)) as Json;
}

/** An AWS provider for `region` inside a test stack (dummy credentials, never used). */
export function awsProvider(scope: Construct, region: string, alias?: string): AwsProvider {
  return new AwsProvider(scope, alias ? `aws-${alias}` : "aws", { region, ...(alias ? { alias } : {}) });
}

/** Every block of `type` (`resource` or `data`), keyed by logical id. */
export function blocks(json: Json, type: string, kind: "resource" | "data" = "resource"): Record<string, Json> {
  return (json[kind]?.[type] ?? {}) as Record<string, Json>;
}

/**
 * cdktf's logical id for a construct path: the path joined with `_` (a component repeating the one
 * before it dropped, so `destination/destination` is `destination`), then `_` and an 8-hex hash.
 */
function idMatches(id: string, path: string): boolean {
  const base = path
    .split("/")
    .filter((part, i, parts) => i === 0 || part !== parts[i - 1])
    .join("_");
  return id.startsWith(`${base}_`) && /^[0-9A-F]{8}$/.test(id.slice(base.length + 1));
}

/** The logical id of the one block of `type` at construct `path`; throws when there is not exactly one. */
export function logicalId(json: Json, type: string, path: string, kind: "resource" | "data" = "resource"): string {
  const ids = Object.keys(blocks(json, type, kind));
  const found = ids.filter((id) => idMatches(id, path));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${type} at ${path}, found ${found.length} among ${JSON.stringify(ids)}`);
  return found[0]!;
}

/** The one block of `type` at construct `path` (e.g. `delivery/role`). */
export function find(json: Json, type: string, path: string, kind: "resource" | "data" = "resource"): Json {
  return blocks(json, type, kind)[logicalId(json, type, path, kind)]!;
}

/** The `${type.id.attribute}` reference Terraform JSON uses for the block at `path`. */
export function ref(json: Json, type: string, path: string, attribute: string, kind: "resource" | "data" = "resource"): string {
  const prefix = kind === "data" ? "data." : "";
  return `\${${prefix}${type}.${logicalId(json, type, path, kind)}.${attribute}}`;
}

/**
 * The statements of the `aws_iam_policy_document` a policy attribute points at
 * (`${data.aws_iam_policy_document.<id>.json}`).
 */
export function policyStatements(json: Json, policyRef: string): Json[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policyRef);
  if (!match) throw new Error(`not a reference to an aws_iam_policy_document: ${policyRef}`);
  const doc = blocks(json, "aws_iam_policy_document", "data")[match[1]!];
  if (!doc) throw new Error(`no aws_iam_policy_document ${match[1]}`);
  return (doc.statement ?? []) as Json[];
}

/** The statement with `sid`; throws when absent, naming the sids there are. */
export function statementBySid(statements: readonly Json[], sid: string): Json {
  const found = statements.find((s) => s.sid === sid);
  if (!found) throw new Error(`no statement "${sid}" among ${JSON.stringify(statements.map((s) => s.sid))}`);
  return found;
}
