/**
 * kube-apiserver audit events: one audit.k8s.io/v1 (or v1beta1) `Event` JSON object
 * per CloudWatch event, flattened with `flat` into Athena/Glue-safe column names.
 *
 * Naming: the key path, lowercased, every run of characters outside `[a-z0-9]` → `_`
 * (record.ts `toColumnName`): `annotations["authorization.k8s.io/decision"]` →
 * `annotations_authorization_k8s_io_decision`.
 *
 * Collisions: a name that is already taken, by a common/non-audit field (`message`,
 * `region`, `severity` …) or by an earlier key of the same event (`a.b` vs `a/b`),
 * gets `__2`, `__3` …; the name rule never yields `__`, so the suffix cannot clash.
 * Keys are taken in the event's own order, so the first key keeps the plain name.
 *
 * Values of declared columns are coerced to the declared type (a number into a string
 * column, a list of objects into array<string> of JSON texts); a value that cannot be
 * (`"code": "abc"` for an int) is left out and reported in `parse_error`, with the
 * raw event in `message`. Nulls and empty objects carry nothing and are omitted.
 */
import { flatten } from "flat";
import type { AuditObjectMode } from "../config";
import { AUDIT_COLUMN_TYPES, AUDIT_RESERVED_NAMES, type ColumnType, toColumnName } from "../record";
import { parseRfc3339 } from "../time";
import { jsonErrorPosition } from "./json-error";
import { type Parser, type ParseResult, parseError } from "./types";

export interface AuditOptions {
  readonly objectMode: AuditObjectMode;
  readonly flattenDepth: number;
}

/** A delimiter no JSON key contains in practice, so `{"a.b":…}` and `{"a":{"b":…}}` stay distinct for `flat`. */
const SEP = "\u0000";
const OBJECT_KEYS = ["requestObject", "responseObject"] as const;

// Flattened keys repeat across events: remember their column names (bounded, for flatten mode's open key set).
const names = new Map<string, string>();
const MAX_CACHED_NAMES = 20_000;

function columnOf(flatKey: string): string {
  let name = names.get(flatKey);
  if (name === undefined) {
    name = toColumnName(flatKey);
    if (names.size < MAX_CACHED_NAMES) names.set(flatKey, name);
  }
  return name;
}

function freeName(fields: Record<string, unknown>, name: string): string {
  for (let n = 2; ; n++) {
    const candidate = `${name}__${n}`;
    if (!Object.hasOwn(fields, candidate)) return candidate;
  }
}

const INT_MAX = 2 ** 31 - 1;

/** The value in the declared type, or undefined when it has none. */
export function coerce(value: unknown, type: ColumnType): unknown {
  switch (type) {
    case "string":
      return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    case "int":
    case "bigint": {
      const n = typeof value === "string" && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
      const limit = type === "int" ? INT_MAX : Number.MAX_SAFE_INTEGER;
      return typeof n === "number" && Number.isInteger(n) && Math.abs(n) <= limit ? n : undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : undefined;
    case "array<string>": {
      if (!Array.isArray(value)) return [coerce(value, "string")];
      return value.every((v) => typeof v === "string") ? value : value.map((v) => coerce(v, "string"));
    }
    case "map<string,string>": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v, "string")]));
    }
  }
}

function isEmptyObject(value: object): boolean {
  for (const _ in value) return false;
  return !Array.isArray(value);
}

/** Adds one flattened value under its column name; returns a problem text when the value does not fit its column. */
function put(fields: Record<string, unknown>, flatKey: string, value: unknown): string | undefined {
  if (value === null || value === undefined || (typeof value === "object" && isEmptyObject(value))) return undefined;
  let name = columnOf(flatKey);
  if (AUDIT_RESERVED_NAMES.has(name) || Object.hasOwn(fields, name)) name = freeName(fields, name);
  const type = AUDIT_COLUMN_TYPES.get(name);
  if (type === undefined) {
    fields[name] = value;
    return undefined;
  }
  const coerced = coerce(value, type);
  if (coerced !== undefined) {
    fields[name] = coerced;
    return undefined;
  }
  return `${flatKey.split(SEP).join(".")} is not ${type === "int" ? "an" : "a"} ${type}: ${JSON.stringify(value).slice(0, 60)}`;
}

function invalidJson(line: string): ParseResult {
  const position = jsonErrorPosition(line);
  if (position < 0) return parseError("audit: invalid JSON");
  const truncated = position >= line.trimEnd().length;
  return parseError(`audit: invalid JSON at position ${position}${truncated ? " (truncated event?)" : ""}`);
}

/** The audit parser for the configured object handling. Pure. */
export function createAuditParser(options: AuditOptions): Parser {
  return (line) => {
    if (line.trim() === "") return parseError("audit: empty message");
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return invalidJson(line);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return parseError("audit: not a JSON object");
    const event = parsed as Record<string, unknown>;

    let body = event;
    const objects: [string, unknown][] = [];
    for (const key of OBJECT_KEYS) {
      if (!(key in event)) continue;
      if (body === event) body = { ...event };
      objects.push([key, event[key]]);
      delete body[key];
    }

    const fields: Record<string, unknown> = {};
    const problems: string[] = [];
    const note = (problem: string | undefined): void => {
      if (problem) problems.push(problem);
    };
    const flat = flatten<Record<string, unknown>, Record<string, unknown>>(body, { safe: true, delimiter: SEP });
    for (const key in flat) note(put(fields, key, flat[key]));

    for (const [key, value] of objects) {
      if (options.objectMode === "drop" || value === null || value === undefined) continue;
      if (options.objectMode === "string" || typeof value !== "object" || Array.isArray(value)) {
        note(put(fields, key, options.objectMode === "string" ? JSON.stringify(value) : value));
        continue;
      }
      const inner = flatten<object, Record<string, unknown>>(value, { safe: true, delimiter: SEP, maxDepth: options.flattenDepth });
      for (const innerKey in inner) {
        const v = inner[innerKey];
        // Deeper than the configured depth: one JSON-text value, so the column set stays bounded.
        const scalar = v !== null && typeof v === "object" && !Array.isArray(v) && !isEmptyObject(v) ? JSON.stringify(v) : v;
        note(put(fields, key + SEP + innerKey, scalar));
      }
    }

    const timeMs = parseRfc3339(event.stageTimestamp) ?? parseRfc3339(event.requestReceivedTimestamp) ?? parseRfc3339(event.timestamp);
    if (problems.length > 0) fields.parse_error = `audit: ${problems.join("; ")}`;
    return { timeMs, fields };
  };
}
