/**
 * Which attributes of a resource, data source or provider are nested blocks, read from the
 * provider bindings themselves: every cdktf element renders `toHclTerraform()` fragments whose
 * values say `isBlock`. Collected over a whole stack, this is the schema knowledge the HCL
 * renderer needs, without a provider schema file.
 */
import type { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { BlockPaths } from "./render";

/** A fragment value marker; providers snake-case its keys (`is_block`). */
function blockValue(value: unknown): { value: unknown } | undefined {
  if (typeof value !== "object" || value === null || !("value" in value)) return undefined;
  const marker = value as { isBlock?: unknown; is_block?: unknown; value: unknown };
  return marker.isBlock === true || marker.is_block === true ? marker : undefined;
}

/** Block knowledge for every element of `stack` (fragments need no token resolution: the markers are plain objects). */
export function blockPathsOf(stack: TerraformStack): BlockPaths {
  const known = new Set<string>();
  const visit = (kind: string, body: unknown, path: string[]): void => {
    if (typeof body !== "object" || body === null) return;
    for (const item of Array.isArray(body) ? body : [body]) {
      if (typeof item !== "object" || item === null) continue;
      for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
        const nested = blockValue(value);
        if (!nested) continue;
        known.add(`${kind}:${[...path, key].join(".")}`);
        visit(kind, nested.value, [...path, key]);
      }
    }
  };
  for (const element of stack.node.findAll() as IConstruct[]) {
    const hcl = (element as { toHclTerraform?: () => unknown }).toHclTerraform;
    if (element === stack || typeof hcl !== "function") continue;
    const fragment = hcl.call(element) as Record<string, Record<string, unknown>>;
    for (const section of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries(fragment[section] ?? {})) {
        for (const body of Object.values(byName as Record<string, unknown>)) visit(`${section}.${type}`, body, []);
      }
    }
    for (const [name, body] of Object.entries(fragment.provider ?? {})) visit(`provider.${name}`, body, []);
  }
  return { isBlock: (kind, path) => known.has(`${kind}:${path.join(".")}`) };
}
