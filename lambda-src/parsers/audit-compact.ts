/**
 * The audit parser's compact path. kube-apiserver writes compact JSON (Go's encoder: no
 * whitespace, standard escapes). For such an event the flattened members are written by copying
 * each value's text, with no JSON.parse and no JSON.stringify of the metadata: the same result as
 * the general path (arrays, nulls, empty objects, names, declared types), checked by tests against
 * it. Anything else (whitespace, a collision, a value off its declared type, an escape in a key)
 * returns undefined and the general path (audit.ts) takes the event, which also reports invalid
 * JSON exactly.
 */
import { isStrictDateTime, parseRfc3339 } from "../time";
import { INT_MAX, type KeyPath, type KeyPaths, OBJECT_KEYS } from "./audit-paths";
import { stringEnd, containerEnd } from "./json-scan";

// A control character anywhere (JSON allows none inside strings, compact JSON none outside) or an
// escape JSON does not have: leave the event to JSON.parse. (`\\q` trips it too: harmless.)
const NOT_COMPACT = /[\u0000-\u001f]|\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?\d{1,15}$/;
const TIME_KEYS = ["stageTimestamp", "requestReceivedTimestamp", "timestamp"] as const;

class Compact {
  out = "";
  readonly times: (string | undefined)[] = [undefined, undefined, undefined];
  /** Top-level keys whose value is the `0` a cut left. */
  placeholders = 0;
  constructor(
    readonly paths: KeyPaths,
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
      const end = this.value(keyEnd + 1, next, node === this.paths.root ? next.path : undefined);
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
    const ordered = node.ordered;
    // Events repeat their key order: the key after the last one found is tried without slicing the text.
    const n = ordered.length;
    if (n > 0) {
      const j = node.cursor % n;
      const candidate = ordered[j]!;
      if (candidate.key.length === to - from && t.startsWith(candidate.key, from)) {
        node.cursor = j + 1;
        return candidate.node;
      }
    }
    // Otherwise one hash lookup, whatever the number of keys seen (no scan of the siblings).
    const key = t.slice(from, to);
    if (key.includes("\\")) return undefined;
    const found = this.paths.child(node, key);
    const at = found.orderIndex;
    if (at >= 0) node.cursor = at + 1;
    return found;
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
      if (this.paths.columnSeen.get(node.column) === this.serial) return -1;
      this.paths.columnSeen.set(node.column, this.serial);
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
export function compactMembers(paths: KeyPaths, text: string, cutKeys: readonly string[]): { members: string; timeMs: number | undefined } | undefined {
  // A lone surrogate copied verbatim would be written as U+FFFD; JSON.stringify (general path) escapes it.
  if (NOT_COMPACT.test(text) || !(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return undefined;
  const compact = new Compact(paths, text, ++paths.serial, cutKeys);
  if (text.charCodeAt(0) !== 123 || compact.object(0, paths.root) !== text.length || compact.placeholders !== cutKeys.length) return undefined;
  const [stage, received, v1beta1] = compact.times;
  return { members: compact.out, timeMs: timeOf(stage) ?? timeOf(received) ?? timeOf(v1beta1) };
}

