import { flatten } from "flat";
import { coerce } from "../../lambda-src/parsers/audit";
import { AUDIT_COLUMN_TYPES, toColumnName } from "../../lambda-src/record";

/**
 * The reference the parser's own walk must match: `flat` with `safe: true`, keys renamed
 * by toColumnName, declared columns coerced, nulls and empty objects left out.
 */
export function flatReference(line: string): Record<string, unknown> {
  const { requestObject: _q, responseObject: _r, ...event } = JSON.parse(line) as Record<string, unknown>;
  const flat = flatten<object, Record<string, unknown>>(event, { safe: true, delimiter: "\u0000" });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (value === null || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) continue;
    const name = toColumnName(key);
    const type = AUDIT_COLUMN_TYPES.get(name);
    out[name] = type ? coerce(value, type) : value;
  }
  return out;
}
