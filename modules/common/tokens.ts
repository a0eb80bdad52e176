/**
 * Lists Terraform fills in. In a stack every list is known at synth time; in a generated
 * Terraform module some are variables (cdktf list tokens: an array whose one element encodes the
 * list), which must not be spread into other arrays or stringified as JSON.
 */
import { Fn, Token } from "cdktf";

/** The one element of a list token (`Token.asList`): not a string token by itself. */
export function isListElementToken(value: unknown): boolean {
  return typeof value === "string" && !Token.isUnresolved(value) && Token.isUnresolved([value]);
}

/** A list Terraform fills in (a module variable), not one known at synth time. */
export function isListToken(values: readonly unknown[]): boolean {
  return Token.isUnresolved(values) || values.some(isListElementToken);
}

/** `[...a, ...b]`, also when a part is a list token (then Terraform's concat). */
export function concatLists(...parts: (readonly string[])[]): string[] {
  if (!parts.some(isListToken)) return parts.flat();
  return Token.asList(Fn.concat(parts.map((part) => [...part])));
}

function containsListToken(value: unknown): boolean {
  if (Array.isArray(value)) return isListToken(value) || value.some(containsListToken);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsListToken);
  return false;
}

/** A JSON document attribute: JSON now, or Terraform's jsonencode when it holds a list token. */
export function jsonDocument(document: unknown): string {
  return containsListToken(document) ? Fn.jsonencode(document) : JSON.stringify(document);
}
