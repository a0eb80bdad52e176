import { ALL_LOG_TYPES, type S3Layout } from "../../lambda-src/conventions";
import { PARQUET_PARTITION_COLUMNS, parquetDataColumns } from "../../modules/analytics/recipe";
import { Catalog } from "../../modules/catalog";
import { NAMED_QUERIES, renderQuery, type NamedQueryDefinition, type TableFlavour } from "../../modules/catalog/queries";
import { rawDataColumns, rawPartitionKeyNames } from "../../modules/catalog/schema";
import { identifiers, tokenize } from "../helpers/sql";
import { blocks, synth } from "../helpers/synth";

/** Trino functions the queries may call (Athena engine v3). */
const FUNCTIONS = new Set([
  "from_iso8601_timestamp", "date_format", "date_trunc", "date_diff", "element_at", "contains", "count", "min", "max",
  "arbitrary", "array_join", "array_agg", "lower", "substr", "coalesce",
]);

const LAYOUTS: S3Layout[] = [
  { prefix: "raw", extraPartitionKeys: [] },
  { prefix: "raw", extraPartitionKeys: ["account_id", "region", "cluster"] },
];

function columnsOf(flavour: TableFlavour, layout: S3Layout): Set<string> {
  if (flavour === "raw") return new Set([...rawDataColumns(layout).map((c) => c.name), ...rawPartitionKeyNames(layout)]);
  return new Set([...parquetDataColumns().map((c) => c.name), ...PARQUET_PARTITION_COLUMNS]);
}

const cases = NAMED_QUERIES.flatMap((query) =>
  (["raw", "parquet"] as const).flatMap((flavour) => LAYOUTS.map((layout) => [query.id, flavour, layout.extraPartitionKeys.length, query, layout] as const)),
);

function whereClause(sql: string): string {
  const where = sql.indexOf("WHERE");
  const end = sql.search(/\n(GROUP BY|ORDER BY|HAVING|LIMIT)/);
  return sql.slice(where, end === -1 ? undefined : end);
}

describe("named queries", () => {
  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))("%s: a unique id usable as a construct id, and a description that states its window", (id, query: NamedQueryDefinition) => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(NAMED_QUERIES.filter((q) => q.id === id)).toHaveLength(1);
    const window = query.windowHours % 24 === 0 && query.windowHours > 24 ? `last ${query.windowHours / 24} days` : `last ${query.windowHours} h`;
    expect(query.description).toMatch(new RegExp(`\\(${window}\\)\\.$`));
  });

  it.each(cases)("%s (%s table, %i extra keys) names only columns, aliases and functions that exist", (_id, flavour, _n, query, layout) => {
    // given
    const sql = renderQuery(query, { flavour, databaseName: "eks_logs", tableName: "logs" });
    const found = identifiers(sql);
    const columns = columnsOf(flavour, layout);
    // then
    expect(found.tables).toEqual(["eks_logs.logs"]);
    expect(found.functions.filter((f) => !FUNCTIONS.has(f))).toEqual([]);
    expect(found.names.filter((n) => !columns.has(n) && !found.aliases.includes(n))).toEqual([]);
  });

  it.each(cases)("%s (%s table, %i extra keys) restricts the time partition and the log type in WHERE", (_id, flavour, _n, query) => {
    const where = whereClause(renderQuery(query, { flavour, databaseName: "eks_logs", tableName: "logs" }));
    const partition = flavour === "raw" ? "dt" : "event_date";
    expect(where).toMatch(new RegExp(`^WHERE ${partition} BETWEEN date_format\\(current_timestamp - interval '${query.windowHours}' hour, '[^']+'\\) AND date_format\\(current_timestamp, '[^']+'\\)`));
    // The log_type predicate names exactly the query's log types, all real ones.
    const logTypes = /\bAND log_type (?:= '([^']+)'|IN \(([^)]*)\))/.exec(where);
    expect(logTypes).not.toBeNull();
    const named = logTypes![1] ? [logTypes![1]] : logTypes![2]!.split(",").map((v) => v.trim().replace(/^'|'$/g, ""));
    expect(named).toEqual([...query.logTypes]);
    for (const type of named) expect(ALL_LOG_TYPES).toContain(type);
  });

  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))("%s renders without Terraform template sequences", (_id, query: NamedQueryDefinition) => {
    for (const flavour of ["raw", "parquet"] as const) {
      const sql = renderQuery(query, { flavour, databaseName: "db", tableName: "t" });
      expect(sql).not.toMatch(/\$\{|%\{/);
      expect(() => tokenize(sql)).not.toThrow();
    }
  });

  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))("%s: names the account wherever it names the cluster (any account may set its lines' cluster)", (_id, query: NamedQueryDefinition) => {
    const sql = renderQuery(query, { flavour: "raw", databaseName: "eks_logs", tableName: "logs" });
    const selected = sql.slice(0, sql.indexOf("FROM"));
    expect(/\bcluster\b/.test(selected)).toBe(true);
    expect(selected).toMatch(/\baccount_id, cluster\b/);
    const keys = (query.by ?? []).map((k) => ("column" in k ? k.column : k.kind));
    if (keys.includes("cluster")) expect(keys[keys.indexOf("cluster") - 1]).toBe("account_id");
    if (query.show) expect(query.show.slice(0, query.show.indexOf("cluster") + 1)).toContain("account_id");
  });

  it("uses the date formats of the partitions it restricts", () => {
    const raw = renderQuery(NAMED_QUERIES[0]!, { flavour: "raw", databaseName: "db", tableName: "t" });
    const parquet = renderQuery(NAMED_QUERIES[0]!, { flavour: "parquet", databaseName: "db", tableName: "t" });
    // yyyy-MM-dd-HH (dt) and yyyy-MM-dd (event_date) in Trino date_format
    expect(raw).toContain("date_format(current_timestamp, '%Y-%m-%d-%H')");
    expect(parquet).toContain("date_format(current_timestamp, '%Y-%m-%d')");
  });

  it("rejects an unknown placeholder and a non-timestamp {{ts:…}}", () => {
    const bad = { ...NAMED_QUERIES[0]!, sql: "SELECT 1 FROM {{table}} WHERE {{nope}}" };
    expect(() => renderQuery(bad, { flavour: "raw", databaseName: "db", tableName: "t" })).toThrow(
      'catalog: query "rbac-changes" has an unknown placeholder {{nope}}',
    );
    const ts = { ...NAMED_QUERIES[0]!, sql: "SELECT {{ts:verb}} FROM {{table}}" };
    expect(() => renderQuery(ts, { flavour: "raw", databaseName: "db", tableName: "t" })).toThrow(
      "catalog: {{ts:verb}} names a column that is not a timestamp (event_time, requestreceivedtimestamp, stagetimestamp)",
    );
  });

  it("catches a query that names a column the table does not have", () => {
    const sql = renderQuery({ ...NAMED_QUERIES[0]!, sql: "SELECT kv, no_such_column FROM {{table}} WHERE {{window}}" }, { flavour: "parquet", databaseName: "db", tableName: "t" });
    const columns = columnsOf("parquet", LAYOUTS[0]!);
    expect(identifiers(sql).names.filter((n) => !columns.has(n))).toEqual(["kv", "no_such_column"]);
  });
});

describe("named queries in Terraform", () => {
  const base = {
    namePrefix: "eks-logs-test",
    accountId: "111111111111",
    region: "eu-west-1",
    partition: "aws",
    databaseName: "eks_logs_test",
    bucketName: "b",
    bucketArn: "arn:aws:s3:::b",
    kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k",
    layout: LAYOUTS[0]!,
    partitionValues: { account_id: [], region: [], cluster: [] },
    projectionStart: "2025-01-01-00",
    athena: { workgroupName: "wg", bytesScannedCutoffPerQuery: 10 * 1024 ** 3, resultsExpireAfterDays: 7 },
  };

  it("saves one query per definition for the raw table, in the workgroup", () => {
    const json = synth((scope) => new Catalog(scope, "catalog", base));
    const queries = Object.values(blocks(json, "aws_athena_named_query"));
    expect(queries.map((q) => q.name).sort()).toEqual(NAMED_QUERIES.map((q) => `eks-logs-test-${q.id}`).sort());
    for (const definition of NAMED_QUERIES) {
      const saved = queries.find((q) => q.name === `eks-logs-test-${definition.id}`)!;
      expect(saved.query).toBe(renderQuery(definition, { flavour: "raw", databaseName: "eks_logs_test", tableName: "raw_logs" }));
      expect(saved.workgroup).toMatch(/^\$\{aws_athena_workgroup\.catalog_workgroup_[0-9A-F]{8}\.name\}$/);
      expect(saved.database).toMatch(/^\$\{aws_glue_catalog_database\.catalog_database_[0-9A-F]{8}\.name\}$/);
      expect(saved.description.length).toBeLessThanOrEqual(1024);
    }
  });

  it("adds a Parquet twin of every query when analytics is on", () => {
    let catalog: Catalog | undefined;
    const json = synth((scope) => {
      catalog = new Catalog(scope, "catalog", { ...base, parquetTableName: "parquet_logs" });
    });
    const queries = Object.values(blocks(json, "aws_athena_named_query"));
    expect(queries).toHaveLength(2 * NAMED_QUERIES.length);
    for (const definition of NAMED_QUERIES) {
      const twin = queries.find((q) => q.name === `eks-logs-test-${definition.id}-parquet`)!;
      expect(twin.query).toBe(renderQuery(definition, { flavour: "parquet", databaseName: "eks_logs_test", tableName: "parquet_logs" }));
    }
    expect(Object.keys(catalog!.namedQueryIds).sort()).toEqual(
      NAMED_QUERIES.flatMap((q) => [q.id, `${q.id}-parquet`]).sort(),
    );
  });
});
