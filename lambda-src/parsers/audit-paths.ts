/**
 * The audit parser's key paths: each JSON key path (`user` → `extra` → `arn`) with its column
 * name, declared type and children, computed once per parser instance.
 */
import { AUDIT_COLUMN_TYPES, AUDIT_RESERVED_NAMES, AUDIT_TIMESTAMP_COLUMNS, type ColumnType, columnNameOf, columnNamePart } from "../record";

/** The request and response bodies, kept as JSON text unless flattened. */
export const OBJECT_KEYS = ["requestObject", "responseObject"] as const;

/** The largest value of an `int` column (Hive INT, 32-bit). */
export const INT_MAX = 2 ** 31 - 1;

/** One key path (`user` → `extra` → `arn`): its column, declared type and children, computed once. */
export interface KeyPath {
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
  /** This path's place in its parent's `ordered`, or -1 when it is not cached. */
  orderIndex: number;
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
    orderIndex: -1,
  };
}

/** Key paths repeat across events; flatten mode's are open-ended, so the cache is bounded. */
export const MAX_CACHED_PATHS = 20_000;

/**
 * The key paths one parser has seen, with their columns: owned by that parser instance (two
 * parsers, or two modes, never share what they learnt), bounded at MAX_CACHED_PATHS. Once full,
 * it starts again before the next event (`beginEvent`), so how an event is written depends on
 * that event alone, never on how many keys earlier events brought.
 */
export class KeyPaths {
  root: KeyPath = keyPath("", "");
  /** First cached key path per column, to mark paths that share one. */
  private readonly byColumn = new Map<string, KeyPath>();
  /** Event serial that last wrote (or may have written) each shared column. */
  readonly columnSeen = new Map<string, number>();
  private cached = 0;
  /** Serial of the event being parsed (compact path), for duplicate and shared-column checks. */
  serial = 0;

  constructor(private readonly max = MAX_CACHED_PATHS) {}

  /** Called before each event: a full cache is emptied first, so no event ever meets a cache with no room. */
  beginEvent(): void {
    if (this.cached < this.max) return;
    this.root = keyPath("", "");
    this.byColumn.clear();
    this.columnSeen.clear();
    this.cached = 0;
  }

  /** The child path of `key`; its name is toColumnName of the dotted path (record.ts), built piecewise. */
  child(parent: KeyPath, key: string): KeyPath {
    let node = parent.children?.get(key);
    if (node === undefined) {
      const part = columnNamePart(key);
      const base = parent.base === "" ? part : part === "" ? parent.base : `${parent.base}_${part}`;
      node = keyPath(parent === this.root ? key : `${parent.path}.${key}`, base);
      if (this.cached < this.max) {
        (parent.children ??= new Map()).set(key, node);
        node.orderIndex = parent.ordered.push({ key, node }) - 1;
        this.cached++;
        node.cached = true;
        const other = this.byColumn.get(node.column);
        if (other) {
          other.shared = node.shared = true;
          // `other` may have been written earlier in this very event, before it was known to share.
          if (!this.columnSeen.has(node.column)) this.columnSeen.set(node.column, other.seen);
        } else this.byColumn.set(node.column, node);
      }
    }
    return node;
  }
}
