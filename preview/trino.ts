/**
 * The Athena (Trino) SQL the named queries use, on DuckDB: the one place where the two
 * engines' differences are bridged. The Athena SQL itself is never changed; it is run
 * through `toDuckDb`, which only swaps `current_timestamp` for the preview's "now", and
 * the macros below give Trino's functions Trino's meaning under Trino's names.
 *
 * | Trino                          | DuckDB here                                  | why |
 * |--------------------------------|----------------------------------------------|-----|
 * | `from_iso8601_timestamp(s)`    | strict ISO 8601 check, then `CAST(s AS TIMESTAMPTZ)` | DuckDB's cast also takes `2026-12-01 18:57:52`, which Athena rejects, failing the whole query: the macro fails the same way |
 * | `element_at(array, i)`         | `array[i]`                                   | DuckDB's element_at is for maps; both are 1-based and NULL past the end |
 * | `array_join(array, sep)`       | `array_to_string(array, sep)`                | name |
 * | `date_format(ts, '%Y-%m-%d-%H')` | `strftime(ts, fmt)`                        | same specifiers for `%Y %m %d %H`; any other specifier fails loudly rather than differ |
 * | `current_timestamp`            | the data's last arrival time                 | windows are relative to the data, not the clock |
 *
 * Functions both engines spell and mean alike (`contains` on arrays, `arbitrary`, `date_trunc`,
 * `date_diff`, `array_agg(DISTINCT …)`, `substr`, `lower`, `coalesce`, `interval '24' hour`) need nothing.
 */

/** ISO 8601 forms `from_iso8601_timestamp` parses: a date, optionally `T` and a time, optionally a zone. */
const ISO8601 = String.raw`^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$`;

/** `CREATE MACRO` statements, run once per connection (DuckDB lets a macro shadow a built-in name). */
export const TRINO_MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS
     CASE WHEN s IS NULL THEN NULL
          WHEN regexp_full_match(s, '${ISO8601}') THEN CAST(s AS TIMESTAMPTZ)
          ELSE error('from_iso8601_timestamp: Invalid format: "' || s || '"') END`,
  `CREATE OR REPLACE MACRO element_at(a, i) AS a[i]`,
  `CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep)`,
  `CREATE OR REPLACE MACRO date_format(ts, fmt) AS
     CASE WHEN regexp_matches(replace(fmt, '%%', ''), '%[^YmdH]') THEN error('date_format: only %Y %m %d %H are bridged to DuckDB, got ' || fmt)
          ELSE strftime(ts, fmt) END`,
];

/** The TIMESTAMPTZ literal of an epoch-ms time. */
export function timestampLiteral(ms: number): string {
  return `TIMESTAMPTZ '${new Date(ms).toISOString().replace("T", " ").replace("Z", "+00")}'`;
}

/**
 * Athena SQL → the SQL DuckDB runs: `current_timestamp` (outside strings and quoted
 * names) becomes `now`. Everything else is left as written.
 */
export function toDuckDb(sql: string, nowMs: number): string {
  // Split into quoted runs ('…', "…") and the rest; only the rest is rewritten.
  return sql
    .split(/('(?:[^']|'')*'|"(?:[^"]|"")*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\bcurrent_timestamp\b/gi, timestampLiteral(nowMs))))
    .join("");
}

/** DuckDB type of a Glue/Hive column type the catalog writes (modules/catalog/schema.ts GLUE_TYPE). */
export function duckDbType(glueType: string): string {
  switch (glueType) {
    case "string":
      return "VARCHAR";
    case "bigint":
      return "BIGINT";
    case "int":
      return "INTEGER";
    case "boolean":
      return "BOOLEAN";
    case "array<string>":
      return "VARCHAR[]";
    case "map<string,string>":
      return "MAP(VARCHAR, VARCHAR)";
    default:
      throw new Error(`preview: no DuckDB type for the Glue type "${glueType}"`);
  }
}
