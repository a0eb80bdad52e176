/**
 * The raw table on DuckDB: the delivered objects read with the Glue table's columns and
 * types (modules/catalog/schema.ts), partition keys from the S3 path as Athena projects
 * them, and the named queries run as Athena would run them (trino.ts bridges the dialect).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { S3Layout } from "../lambda-src/conventions";
import { rawDataColumns, rawPartitionKeys } from "../modules/catalog/schema";
import { duckDbType, toDuckDb, TRINO_MACROS } from "./trino";

export interface TableName {
  readonly databaseName: string;
  readonly tableName: string;
}

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export class Engine {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly instance: DuckDBInstance,
    /** Epoch ms that `current_timestamp` stands for. */
    readonly nowMs: number,
  ) {}

  /** An in-memory DuckDB with `"<database>"."<table>"` over `<dataDir>/<layout.prefix>/`. */
  static async open(dataDir: string, layout: S3Layout, table: TableName, nowMs: number): Promise<Engine> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const connection = await instance.connect();
    const engine = new Engine(connection, instance, nowMs);
    // Athena's current_timestamp and date_format work in UTC.
    await connection.run("SET TimeZone = 'UTC'");
    for (const macro of TRINO_MACROS) await connection.run(macro);
    await connection.run(`CREATE SCHEMA ${quote(table.databaseName)}`);
    await connection.run(`CREATE VIEW ${quote(table.databaseName)}.${quote(table.tableName)} AS ${tableSource(dataDir, layout)}`);
    return engine;
  }

  /** Runs Athena SQL (bridged to DuckDB); rows as JSON-safe values (timestamps as text, bigints as numbers when exact). */
  async query(athenaSql: string): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(toDuckDb(athenaSql, this.nowMs));
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS().map(plain) };
  }

  /**
   * Reads every column of every line (a count alone would read none): a value off its declared
   * type fails here, as Athena would fail on it. Returns the number of lines.
   */
  async readAll(table: TableName): Promise<number> {
    const reader = await this.connection.runAndReadAll(`SELECT * FROM ${quote(table.databaseName)}.${quote(table.tableName)}`);
    return reader.currentRowCount;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The SELECT the table is a view of: every object under the prefix, newline-delimited JSON,
 * gzip, the declared columns only (a value off its declared type fails the read, as it would
 * fail in Athena), partition keys from the `key=value` path segments, typed as Glue declares them.
 */
export function tableSource(dataDir: string, layout: S3Layout): string {
  const data = rawDataColumns(layout);
  const keys = rawPartitionKeys(layout);
  const root = join(dataDir, layout.prefix);
  if (!existsSync(root)) {
    // No object delivered: an empty table with the same columns, so every query still runs.
    const columns = [...data, ...keys].map((c) => `CAST(NULL AS ${duckDbType(c.type)}) AS ${quote(c.name)}`).join(", ");
    return `SELECT ${columns} WHERE false`;
  }
  const columns = data.map((c) => `${literal(c.name)}: ${literal(duckDbType(c.type))}`).join(", ");
  const hiveTypes = keys.map((k) => `${literal(k.name)}: ${literal(duckDbType(k.type))}`).join(", ");
  return (
    `SELECT * FROM read_json(${literal(join(root, "**", "*.json.gz"))}, format = 'newline_delimited', compression = 'gzip', ` +
    `columns = {${columns}}, hive_partitioning = true, hive_types = {${hiveTypes}}, maximum_object_size = 16777216)`
  );
}

/** DuckDB values → plain JS for printing and tests: bigints as numbers where exact, dates as ISO text. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") {
    const text = String(value);
    // DuckDB's timestamp/interval values print themselves; other objects (lists, maps) are walked.
    if (text !== "[object Object]") return text;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}
