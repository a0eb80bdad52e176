import { flatten } from "flat";
import { coerce } from "../../lambda-src/parsers/audit";
import { AUDIT_COLUMN_TYPES, AUDIT_TIMESTAMP_COLUMNS, toColumnName } from "../../lambda-src/record";
import { isStrictDateTime } from "../../lambda-src/time";

/**
 * The reference the parser's own walk must match: `flat` with `safe: true`, keys renamed
 * by toColumnName, declared columns coerced, nulls and empty objects left out, timestamp
 * columns only with strict RFC 3339 values (the others named in `parse_error`, in key order).
 */
export function flatReference(line: string): Record<string, unknown> {
  const { requestObject: _q, responseObject: _r, ...event } = JSON.parse(line) as Record<string, unknown>;
  const flat = flatten<object, Record<string, unknown>>(event, { safe: true, delimiter: "\u0000" });
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    if (value === null || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) continue;
    const name = toColumnName(key);
    if (AUDIT_TIMESTAMP_COLUMNS.has(name) && !(typeof value === "string" && isStrictDateTime(value))) {
      problems.push(`${key.replaceAll("\u0000", ".")} is not an RFC 3339 date-time: ${JSON.stringify(value).slice(0, 60)}`);
      continue;
    }
    const type = AUDIT_COLUMN_TYPES.get(name);
    out[name] = type ? coerce(value, type) : value;
  }
  if (problems.length > 0) out.parse_error = `audit: ${problems.join("; ")}`;
  return out;
}
