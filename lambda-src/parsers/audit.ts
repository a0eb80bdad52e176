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
import { AUDIT_COLUMN_TYPES, AUDIT_RESERVED_NAMES, AUDIT_TIMESTAMP_COLUMNS, type ColumnType, columnNameOf, columnNamePart } from "../record";
import { isStrictDateTime, parseRfc3339 } from "../time";
import { jsonErrorPosition } from "./json-error";
import { confirmsCut, containerEnd, cutKubeApiserverObjects, cutTopLevelValues, stringEnd } from "./json-scan";
import { type Parser, type ParseResult, parseError, SerializedResult } from "./types";

export interface AuditOptions {
  readonly objectMode: AuditObjectMode;
  readonly flattenDepth: number;
}

const OBJECT_KEYS = ["requestObject", "responseObject"] as const;

/** One key path (`user` → `extra` → `arn`): its column, declared type and children, computed once. */
interface KeyPath {
  readonly path: string;
  /** toColumnName of the path without its `unnamed` fallback, so children can extend it. */
  readonly base: string;
  readonly column: string;
  /** `,"column":`, for writing JSON members directly. */
  readonly member: string;
  readonly type: ColumnType | undefined;
  /** A declared RFC 3339 column: only strict date-times are written to it. */
  readonly timestamp: boolean;
  readonly reserved: boolean;
  /** Another cached key path has the same column: an event with both needs the collision rule. */
  shared: boolean;
  /** Kept in the cache (beyond its bound, paths are not, and collisions with them cannot be seen). */
  cached: boolean;
  /** The event that last wrote this path (compact path: a repeated key means a duplicate in the JSON). */
  seen: number;
  children: Map<string, KeyPath> | undefined;
  /** The same children in first-seen order, with their keys: events repeat the order, so the compact path finds them without slicing and hashing the key. */
  readonly ordered: { readonly key: string; readonly node: KeyPath }[];
  /** Where the compact path expects the next key (one after the last found). */
  cursor: number;
}

function keyPath(path: string, base: string): KeyPath {
  const column = columnNameOf(base);
  return {
    path,
    base,
    column,
    member: `,"${column}":`,
    type: AUDIT_COLUMN_TYPES.get(column),
    timestamp: AUDIT_TIMESTAMP_COLUMNS.has(column),
    reserved: AUDIT_RESERVED_NAMES.has(column),
    shared: false,
    cached: false,
    seen: 0,
    children: undefined,
    ordered: [],
    cursor: 0,
  };
}

/** First cached key path per column, to mark paths that share one. */
const byColumn = new Map<string, KeyPath>();
/** Event serial that last wrote (or may have written) each shared column. */
const columnSeen = new Map<string, number>();

const ROOT: KeyPath = keyPath("", "");
// Key paths repeat across events; flatten mode's are open-ended, so the cache is bounded.
let cachedPaths = 0;
const MAX_CACHED_PATHS = 20_000;

/** The child path of `key`; its name is toColumnName of the dotted path (record.ts), built piecewise. */
function child(parent: KeyPath, key: string): KeyPath {
  let node = parent.children?.get(key);
  if (node === undefined) {
    const part = columnNamePart(key);
    const base = parent.base === "" ? part : part === "" ? parent.base : `${parent.base}_${part}`;
    node = keyPath(parent === ROOT ? key : `${parent.path}.${key}`, base);
    if (cachedPaths < MAX_CACHED_PATHS) {
      (parent.children ??= new Map()).set(key, node);
      parent.ordered.push({ key, node });
      cachedPaths++;
      node.cached = true;
      const other = byColumn.get(node.column);
      if (other) {
        other.shared = node.shared = true;
        // `other` may have been written earlier in this very event, before it was known to share.
        if (!columnSeen.has(node.column)) columnSeen.set(node.column, other.seen);
      } else byColumn.set(node.column, node);
    }
  }
  return node;
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
// flat builds its output in a plain object, where a `__proto__` key would set the prototype and
// its value would be lost: escape it on the way in, restore it on the way out.
const PROTO = "__proto__";
const PROTO_ESCAPED = "\u0001__proto__";
const escapeProto = (key: string) => (key === PROTO ? PROTO_ESCAPED : key);

/**
 * `value` flattened by `flat` (`safe: true`: arrays stay arrays; `maxDepth` levels) under `node`,
 * into `fields`: nulls and empty objects carry nothing and are skipped; an object left at the
 * depth limit becomes its JSON text. Column names come from the cached key paths.
 */
function flattenInto(fields: Record<string, unknown>, node: KeyPath, value: object, maxDepth: number | undefined, problems: string[]): void {
  const flattened = flatten<object, Record<string, unknown>>(value, {
    safe: true,
    delimiter: DELIMITER,
    transformKey: escapeProto,
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
    for (const part of key.split(DELIMITER)) target = child(target, part === PROTO_ESCAPED ? PROTO : part);
    const problem = put(fields, target, v);
    if (problem) problems.push(problem);
  }
}

// ---- Compact path ---------------------------------------------------------------------------
// kube-apiserver writes compact JSON (Go's encoder: no whitespace, standard escapes). For such an
// event the flattened members are written by copying each value's text, with no JSON.parse and
// no JSON.stringify of the metadata: the same result as the general path (arrays, nulls, empty
// objects, names, declared types), checked by tests against it. Anything else (whitespace, a
// collision, a value off its declared type, an escape in a key) returns undefined and the
// general path takes the event, which also reports invalid JSON exactly.

// A control character anywhere (JSON allows none inside strings, compact JSON none outside) or an
// escape JSON does not have: leave the event to JSON.parse. (`\\q` trips it too: harmless.)
const NOT_COMPACT = /[\u0000-\u001f]|\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?\d{1,15}$/;
const TIME_KEYS = ["stageTimestamp", "requestReceivedTimestamp", "timestamp"] as const;
let eventSerial = 0;

class Compact {
  out = "";
  readonly times: (string | undefined)[] = [undefined, undefined, undefined];
  /** Top-level keys whose value is the `0` a cut left. */
  placeholders = 0;
  constructor(
    readonly text: string,
    readonly serial: number,
    readonly cutKeys: readonly string[],
  ) {}

  /** The object at text[i] === "{" under `node`; returns its end, or -1 to give up. */
  object(i: number, node: KeyPath): number {
    const t = this.text;
    if (t.charCodeAt(++i) === 125) return i + 1;
    for (;;) {
      if (t.charCodeAt(i) !== 34) return -1;
      const keyEnd = stringEnd(t, i);
      if (keyEnd < 0 || t.charCodeAt(keyEnd) !== 58) return -1;
      const next = this.child(node, i + 1, keyEnd - 1);
      if (next === undefined) return -1;
      if (next.seen === this.serial) return -1; // duplicate key
      next.seen = this.serial;
      const end = this.value(keyEnd + 1, next, node === ROOT ? next.path : undefined);
      if (end < 0) return -1;
      const c = t.charCodeAt(end);
      if (c === 125) return end + 1;
      if (c !== 44) return -1;
      i = end + 1;
    }
  }

  /** The child of `node` for the key text[from, to): tried at the cursor first, then in order, then by name. */
  child(node: KeyPath, from: number, to: number): KeyPath | undefined {
    const t = this.text;
    const length = to - from;
    const ordered = node.ordered;
    for (let k = 0, n = ordered.length; k < n; k++) {
      const j = (node.cursor + k) % n;
      const candidate = ordered[j]!;
      if (candidate.key.length === length && t.startsWith(candidate.key, from)) {
        node.cursor = j + 1;
        return candidate.node;
      }
    }
    const key = t.slice(from, to);
    return key.includes("\\") ? undefined : child(node, key);
  }

  /** The value at text[v] for `node`; `topKey` when it is a top-level member. Returns its end or -1. */
  value(v: number, node: KeyPath, topKey: string | undefined): number {
    const t = this.text;
    const c = t.charCodeAt(v);
    // requestObject/responseObject still in place (not cut): the general path handles them.
    if (topKey !== undefined && c !== 48 && (OBJECT_KEYS as readonly string[]).includes(topKey)) return -1;
    if (c === 123) return this.object(v, node);
    let end: number;
    if (c === 34) {
      end = stringEnd(t, v);
      if (end < 0) return -1;
      if (topKey !== undefined) {
        const k = TIME_KEYS.indexOf(topKey as (typeof TIME_KEYS)[number]);
        if (k >= 0) this.times[k] = t.slice(v + 1, end - 1);
      }
      if (node.type !== undefined && node.type !== "string") return -1;
      // Not a strict date-time (or escaped): the general path reports it.
      if (node.timestamp && !isStrictDateTime(t.slice(v + 1, end - 1))) return -1;
    } else if (c === 91) {
      // Lists of strings (groups, sourceIPs, user.extra values) are checked in place; anything else is parsed.
      end = stringListEnd(t, v);
      if (end < 0) {
        end = containerEnd(t, v);
        if (end < 0 || node.type !== undefined) return -1;
        try {
          JSON.parse(t.slice(v, end));
        } catch {
          return -1;
        }
      } else if (node.type !== undefined && node.type !== "array<string>") return -1;
    } else if (c === 110) {
      // null carries nothing
      return t.startsWith("null", v) ? v + 4 : -1;
    } else if (c === 116 || c === 102) {
      end = t.startsWith("true", v) ? v + 4 : t.startsWith("false", v) ? v + 5 : -1;
      if (end < 0 || (node.type !== undefined && node.type !== "boolean")) return -1;
    } else {
      NUMBER.lastIndex = v;
      if (!NUMBER.test(t)) return -1;
      end = NUMBER.lastIndex;
      if (topKey !== undefined && end === v + 1 && c === 48 && this.cutKeys.includes(topKey)) {
        this.placeholders++;
        return end;
      }
      if (node.type !== undefined && !((node.type === "int" || node.type === "bigint") && isInteger(t.slice(v, end), node.type))) return -1;
    }
    if (node.reserved || !node.cached || (node.timestamp && c !== 34)) return -1;
    if (node.shared) {
      // Two key paths of this event on one column: the general path applies the collision rule.
      if (columnSeen.get(node.column) === this.serial) return -1;
      columnSeen.set(node.column, this.serial);
    }
    this.out += node.member + t.slice(v, end);
    return end;
  }
}

/** End of a list of strings only (`[]`, `["a","b"]`) starting at text[v] === "[", or -1 when it holds anything else. */
function stringListEnd(text: string, v: number): number {
  let i = v + 1;
  if (text.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return -1;
    i = stringEnd(text, i);
    if (i < 0) return -1;
    const c = text.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i++;
  }
}

function isInteger(text: string, type: "int" | "bigint"): boolean {
  return INTEGER.test(text) && Math.abs(Number(text)) <= (type === "int" ? INT_MAX : Number.MAX_SAFE_INTEGER);
}

function timeOf(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : parseRfc3339(raw.includes("\\") ? JSON.parse(`"${raw}"`) : raw);
}

/** The event's members written from its text, or undefined when the general path must take it. */
function compactMembers(text: string, cutKeys: readonly string[]): { members: string; timeMs: number | undefined } | undefined {
  // A lone surrogate copied verbatim would be written as U+FFFD; JSON.stringify (general path) escapes it.
  if (NOT_COMPACT.test(text) || !(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return undefined;
  const compact = new Compact(text, ++eventSerial, cutKeys);
  if (text.charCodeAt(0) !== 123 || compact.object(0, ROOT) !== text.length || compact.placeholders !== cutKeys.length) return undefined;
  const [stage, received, v1beta1] = compact.times;
  return { members: compact.out, timeMs: timeOf(stage) ?? timeOf(received) ?? timeOf(v1beta1) };
}

/** Blank without copying a long line: trim only when it starts with whitespace. */
function isBlank(line: string): boolean {
  const c = line.charCodeAt(0);
  return line.length === 0 || ((c === 32 || c === 9 || c === 10 || c === 13) && line.trim() === "");
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

/** The audit parser for the configured object handling. Pure. */
export function createAuditParser(options: AuditOptions): Parser {
  return (line) => {
    if (isBlank(line)) return parseError("audit: empty message");
    // requestObject/responseObject are kept as written unless they are to be flattened: no parse, no re-serialisation.
    let cut = options.objectMode === "flatten" ? undefined : cutKubeApiserverObjects(line);
    const fast = options.objectMode === "flatten" ? undefined : compactMembers(cut ? cut.rest : line, cut ? cut.values.map((v) => v.key) : []);
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
    flattenInto(fields, ROOT, event, undefined, problems);

    for (const [key, value, raw] of objects) {
      if (options.objectMode === "drop") continue;
      const node = child(ROOT, key);
      const flattenable = options.objectMode === "flatten" && value !== null && typeof value === "object" && !Array.isArray(value);
      if (flattenable) flattenInto(fields, node, value as object, options.flattenDepth, problems);
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
