/** Inputs several modules share, declared once so they read and check the same everywhere. */
import { PATTERNS } from "../modules/common/patterns";
import type { ModuleStack } from "./module-stack";
import { Token } from "cdktf";
import { eachMatches, matches } from "./rules";

/** `name_prefix`: every module of one deployment takes the same value. */
export function namePrefixInput(m: ModuleStack, description: string): string {
  return m.input("name_prefix", { type: "string", description, rules: [matches(PATTERNS.namePrefix)] }).stringValue;
}

/** `organization_id`: who may subscribe to a destination (aws:PrincipalOrgID). */
export function organizationIdInput(m: ModuleStack, description: string): string {
  return m.input("organization_id", { type: "string", description, rules: [matches(PATTERNS.organizationId)] }).stringValue;
}

/**
 * `organizational_unit_paths`: narrows `organization_id` to accounts under these paths
 * (aws:PrincipalOrgPaths); empty admits the whole organisation.
 */
export function organizationalUnitPathsInput(m: ModuleStack): string[] {
  const paths = m.input("organizational_unit_paths", {
    type: "list(string)",
    description: "Organisational-unit paths (o-xxxxxxxxxx/r-xxxx/ou-xxxx-xxxxxxxx/…) whose accounts alone may subscribe (aws:PrincipalOrgPaths); empty admits every account of organization_id.",
    default: [],
    rules: [
      eachMatches(PATTERNS.organizationPath),
      {
        condition: (ref) => `\${alltrue([for p in ${ref} : startswith(p, "\${var.organization_id}/")])}`,
        message: (name) => `Invalid ${name}: each path must be in organization_id (start with "<organization_id>/").`,
      },
    ],
  });
  return Token.asList(paths.value);
}
