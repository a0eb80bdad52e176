/**
 * kube-apiserver audit events: one audit.k8s.io/v1 (or v1beta1) `Event` JSON object
 * per CloudWatch event, flattened by `flat(event, { safe: true })` (arrays stay arrays)
 * into Athena/Glue-safe column names, each key path named and typed once and cached.
 *
 * Fast path: the API server writes compact JSON, and for such an event the same columns
 * are written straight from its text (no JSON.parse, no re-serialisation of the values):
 * on the bench input the whole handler runs at 0.51× the decode-only baseline with it and
 * 0.43× without. Any event it cannot take exactly (whitespace, a collision, a value off its
 * declared type) goes through `flat`; tests check both paths give the same line on every
 * fixture, corpus and random event (test/lambda-src/parsers/audit.test.ts).
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
 * requestObject/responseObject (AUDIT_OBJECT_MODE=string) are their JSON text exactly as
 * the API server wrote it (compact, Go's `\u003c`-style escapes kept), cut out by
 * bracket matching rather than parsed and re-serialised.
 *
 * Values of declared columns are coerced to the declared type (a number into a string
 * column, a list of objects into array<string> of JSON texts); a value that cannot be
 * (`"code": "abc"` for an int) is left out and reported in `parse_error`, with the
 * raw event in `message`. Nulls and empty objects carry nothing and are omitted.
 */
import { flatten } from "flat";
import type { AuditObjectMode } from "../config";
import type { ColumnType } from "../record";
import { isStrictDateTime, parseRfc3339 } from "../time";
import { compactMembers } from "./audit-compact";
import { INT_MAX, type KeyPath, KeyPaths, OBJECT_KEYS } from "./audit-paths";
import { jsonErrorPosition } from "./json-error";
import { confirmsCut, cutKubeApiserverObjects, cutTopLevelValues } from "./json-scan";
import { type Parser, type ParseResult, parseError, SerializedResult } from "./types";

export interface AuditOptions {
  readonly objectMode: AuditObjectMode;
  readonly flattenDepth: number;
}


function freeName(fields: Record<string, unknown>, name: string): string {
  for (let n = 2; ; n++) {
    const candidate = `${name}__${n}`;
    if (!Object.hasOwn(fields, candidate)) return candidate;
  }
}


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
function put(fields: Record<string, unknown>, node: KeyPath, value: unknown): string | undefined {
  const name = node.reserved || Object.hasOwn(fields, node.column) ? freeName(fields, node.column) : node.column;
  // A renamed key is not the declared column (declared names have no `__`).
  const type = name === node.column ? node.type : undefined;
  if (node.timestamp && name === node.column && !(typeof value === "string" && isStrictDateTime(value))) {
    return `${node.path} is not an RFC 3339 date-time: ${JSON.stringify(value).slice(0, 60)}`;
  }
  if (type === undefined || (type === "string" && typeof value === "string")) {
    fields[name] = value;
    return undefined;
  }
  const coerced = coerce(value, type);
  if (coerced !== undefined) {
    fields[name] = coerced;
    return undefined;
  }
  return `${node.path} is not ${type === "int" ? "an" : "a"} ${type}: ${JSON.stringify(value).slice(0, 60)}`;
}

/** Joins flat's key paths; JSON keys practically never contain it, and then only the naming of that key is affected. */
const DELIMITER = "\u0000";
// Keys flat would mishandle, escaped on the way in and restored on the way out: it builds its
// output in a plain object, where a `__proto__` key would set the prototype and lose its value;
// and it joins a path only after a non-empty prefix, so the children of an empty key `""` would
// land on the top level and overwrite (or be overwritten by) a sibling of the same name.
const PROTO = "__proto__";
const PROTO_ESCAPED = "\u0001__proto__";
const EMPTY_ESCAPED = "\u0001";
const escapeKey = (key: string) => (key === PROTO ? PROTO_ESCAPED : key === "" ? EMPTY_ESCAPED : key);
const restoreKey = (part: string) => (part === PROTO_ESCAPED ? PROTO : part === EMPTY_ESCAPED ? "" : part);

/**
 * `value` flattened by `flat` (`safe: true`: arrays stay arrays; `maxDepth` levels) under `node`,
 * into `fields`: nulls and empty objects carry nothing and are skipped; an object left at the
 * depth limit becomes its JSON text. Column names come from the cached key paths.
 */
function flattenInto(paths: KeyPaths, fields: Record<string, unknown>, node: KeyPath, value: object, maxDepth: number | undefined, problems: string[]): void {
  const flattened = flatten<object, Record<string, unknown>>(value, {
    safe: true,
    delimiter: DELIMITER,
    transformKey: escapeKey,
    ...(maxDepth ? { maxDepth } : {}),
  });
  for (const key in flattened) {
    let v = flattened[key];
    if (v === null || v === undefined) continue;
    if (typeof v === "object" && !Array.isArray(v)) {
      if (isEmptyObject(v)) continue;
      v = JSON.stringify(v);
    }
    let target = node;
    for (const part of key.split(DELIMITER)) target = paths.child(target, restoreKey(part));
    const problem = put(fields, target, v);
    if (problem) problems.push(problem);
  }
}

/** Blank without copying a long line: trim only when it starts with whitespace. */
function isBlank(line: string): boolean {
  const c = line.charCodeAt(0);
  return line.length === 0 || ((c === 32 || c === 9 || c === 10 || c === 13) && line.trim() === "");
}

function lastNonSpace(line: string): number {
  for (let i = line.length - 1; i >= 0; i--) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c;
  }
  return -1;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function invalidJson(line: string): ParseResult {
  const position = jsonErrorPosition(line);
  if (position < 0) return parseError("audit: invalid JSON");
  const truncated = position >= line.trimEnd().length;
  return parseError(`audit: invalid JSON at position ${position}${truncated ? " (truncated event?)" : ""}`);
}

/**
 * The audit parser for the configured object handling. Pure but for its own key-path cache:
 * each parser instance learns its own paths, so no two parsers (or modes) share state.
 */
export function createAuditParser(options: AuditOptions): Parser {
  const paths = new KeyPaths();
  const child = (parent: KeyPath, key: string) => paths.child(parent, key);
  return (line) => {
    paths.beginEvent();
    const ROOT = paths.root;
    if (isBlank(line)) return parseError("audit: empty message");
    // An object that does not end as one (CloudWatch Logs cuts events at 256 KiB) is invalid JSON: skip the attempts.
    if (line.charCodeAt(0) === 123 && lastNonSpace(line) !== 125) return invalidJson(line);
    // requestObject/responseObject are kept as written unless they are to be flattened: no parse, no re-serialisation.
    let cut = options.objectMode === "flatten" ? undefined : cutKubeApiserverObjects(line);
    const fast = options.objectMode === "flatten" ? undefined : compactMembers(paths, cut ? cut.rest : line, cut ? cut.values.map((v) => v.key) : []);
    if (fast && cut?.values.every((v) => !child(ROOT, v.key).shared && !child(ROOT, v.key).reserved) !== false) {
      let json = fast.members;
      if (options.objectMode === "string") for (const v of cut?.values ?? []) json += child(ROOT, v.key).member + JSON.stringify(v.text);
      return new SerializedResult(json, fast.timeMs);
    }
    let parsed = cut && parseOrUndefined(cut.rest);
    if (cut && !(isObject(parsed) && confirmsCut(parsed, cut.values))) {
      // Not the API server's key order after all: find the values by walking the top level.
      cut = cutTopLevelValues(line, OBJECT_KEYS);
      parsed = cut && parseOrUndefined(cut.rest);
    }
    if (!cut) {
      try {
        parsed = JSON.parse(line);
      } catch {
        return invalidJson(line);
      }
    } else if (parsed === undefined) return invalidJson(line);
    if (!isObject(parsed)) return parseError("audit: not a JSON object");
    const event = parsed;

    const objects: [key: string, value: unknown, raw: string | undefined][] = [];
    for (const key of OBJECT_KEYS) {
      if (!(key in event)) continue;
      const raw = cut?.values.filter((v) => v.key === key).map((v) => v.text);
      if (raw?.length) for (const text of raw) objects.push([key, undefined, text]);
      else objects.push([key, event[key], undefined]);
      // undefined rather than delete: a deleted property turns the object into a slow dictionary
      event[key] = undefined;
    }

    const fields: Record<string, unknown> = {};
    const problems: string[] = [];
    flattenInto(paths, fields, ROOT, event, undefined, problems);

    for (const [key, value, raw] of objects) {
      if (options.objectMode === "drop") continue;
      const node = child(ROOT, key);
      const flattenable = options.objectMode === "flatten" && value !== null && typeof value === "object" && !Array.isArray(value);
      if (flattenable) flattenInto(paths, fields, node, value as object, options.flattenDepth, problems);
      else if (raw !== undefined || (value !== null && value !== undefined)) {
        const problem = put(fields, node, raw ?? (options.objectMode === "string" ? JSON.stringify(value) : value));
        if (problem) problems.push(problem);
      }
    }

    const timeMs = parseRfc3339(event.stageTimestamp) ?? parseRfc3339(event.requestReceivedTimestamp) ?? parseRfc3339(event.timestamp);
    if (problems.length > 0) fields.parse_error = `audit: ${problems.join("; ")}`;
    return { timeMs, fields };
  };
}
