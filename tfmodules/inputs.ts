/** Inputs several modules share, declared once so they read and check the same everywhere. */
import { PATTERNS } from "../modules/common/patterns";
import type { ModuleStack } from "./module-stack";
import { matches } from "./rules";

/** `name_prefix`: every module of one deployment takes the same value. */
export function namePrefixInput(m: ModuleStack, description: string): string {
  return m.input("name_prefix", { type: "string", description, rules: [matches(PATTERNS.namePrefix)] }).stringValue;
}

/** `organization_id`: who may subscribe to a destination (aws:PrincipalOrgID). */
export function organizationIdInput(m: ModuleStack, description: string): string {
  return m.input("organization_id", { type: "string", description, rules: [matches(PATTERNS.organizationId)] }).stringValue;
}
