/** The Trino → DuckDB bridge, on a real DuckDB: Trino's meaning under Trino's names. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../../preview/engine";
import { NAMED_QUERIES, renderQuery } from "../../modules/catalog/queries";
import { timestampLiteral, toDuckDb } from "../../preview/trino";

const NOW = Date.UTC(2026, 11, 1, 18, 0, 0);

describe("Trino on DuckDB", () => {
  let engine: Engine;
  beforeAll(async () => {
    // An empty bucket: the table exists with every column, no rows.
    engine = await Engine.open(mkdtempSync(join(tmpdir(), "trino-")), { prefix: "raw", extraPartitionKeys: [] }, { databaseName: "db", tableName: "raw_logs" }, NOW);
  });
  afterAll(() => engine.close());
  const one = async (sql: string) => Object.values((await engine.query(sql)).rows[0]!)[0];

  it.each([
    ["element_at is 1-based and NULL past the end", "SELECT element_at(['a', 'b'], 1)", "a"],
    ["element_at past the end", "SELECT element_at(['a', 'b'], 3)", null],
    ["array_join", "SELECT array_join(['a', 'b'], ',')", "a,b"],
    ["date_format with the specifiers the queries use", "SELECT date_format(TIMESTAMPTZ '2026-12-01 07:05:00+00', '%Y-%m-%d-%H')", "2026-12-01-07"],
    ["from_iso8601_timestamp, microseconds and Z", "SELECT from_iso8601_timestamp('2026-12-01T07:05:00.123456Z') = TIMESTAMPTZ '2026-12-01 07:05:00.123456+00'", true],
    ["from_iso8601_timestamp, an offset", "SELECT from_iso8601_timestamp('2026-12-01T09:05:00+02:00') = TIMESTAMPTZ '2026-12-01 07:05:00+00'", true],
    ["from_iso8601_timestamp of NULL", "SELECT from_iso8601_timestamp(NULL)", null],
    ["current_timestamp is the data's now", "SELECT current_timestamp", new Date(NOW).toISOString()],
    ["contains on arrays (built in, same meaning)", "SELECT contains(['system:unauthenticated'], 'system:unauthenticated')", true],
    ["date_diff in milliseconds (built in)", "SELECT date_diff('millisecond', TIMESTAMPTZ '2026-12-01 07:05:00+00', TIMESTAMPTZ '2026-12-01 07:05:02.5+00')", 2500],
  ])("%s", async (_name, sql, expected) => {
    const value = await one(sql);
    expect(typeof value === "string" && value.includes("+00") ? new Date(value.replace(" ", "T").replace("+00", "Z")).toISOString() : value).toEqual(expected);
  });

  it.each([
    ["a space instead of T, as Athena refuses it", "SELECT from_iso8601_timestamp('2026-12-01 18:57:52.38')", 'from_iso8601_timestamp: Invalid format: "2026-12-01 18:57:52.38"'],
    ["a date_format specifier that differs between the engines", "SELECT date_format(TIMESTAMPTZ '2026-12-01 07:05:00+00', '%Y-%m-%d %i')", "date_format: only %Y %m %d %H are bridged to DuckDB"],
  ])("fails loudly on %s", async (_name, sql, message) => {
    await expect(engine.query(sql)).rejects.toThrow(message);
  });

  it("rewrites current_timestamp only outside quotes", () => {
    expect(toDuckDb(`SELECT current_timestamp, 'current_timestamp', "current_timestamp" FROM t WHERE x > CURRENT_TIMESTAMP - interval '1' hour`, NOW)).toBe(
      `SELECT ${timestampLiteral(NOW)}, 'current_timestamp', "current_timestamp" FROM t WHERE x > ${timestampLiteral(NOW)} - interval '1' hour`,
    );
  });

  it("runs every named query unchanged on an empty table", async () => {
    for (const query of NAMED_QUERIES) {
      const result = await engine.query(renderQuery(query, { flavour: "raw", databaseName: "db", tableName: "raw_logs" }));
      expect([query.id, result.rows]).toEqual([query.id, []]);
    }
  });
});
