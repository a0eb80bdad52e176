/**
 * The local preview: CloudWatch Logs data → the bundled Lambda, as Firehose would run it →
 * the env's S3 layout on disk → the named queries on DuckDB. No AWS, no credentials.
 * `cli.ts` parses the command line; this file is the programmatic API the tests use.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { subscriptionFilterName } from "../lambda-src/conventions";
import type { ResolvedEnvironment } from "../envs/validate";
import { NAMED_QUERIES, renderQuery, type NamedQueryDefinition } from "../modules/catalog/queries";
import { DEFAULT_RAW_TABLE } from "../modules/catalog/schema";
import { centralNames, ERROR_PREFIX, s3Layout, workloadNames } from "../stacks/names";
import { Engine, type QueryResult } from "./engine";
import { type Inputs, readInputs } from "./inputs";
import { type Handler, type RecordingFirehose, replay, type ReplayStats } from "./replay";
import { generateSample } from "./sample";

export const BUNDLE = resolve(__dirname, "..", "dist", "lambda", "index.js");

export interface PreviewOptions {
  readonly env: ResolvedEnvironment;
  /** A file or directory of the user's data; the shipped sample when unset. */
  readonly input?: string | undefined;
  readonly logGroup?: string | undefined;
  readonly logStream?: string | undefined;
  /** Account that owns the log groups; the env's first workload account by default. */
  readonly account?: string | undefined;
  /** Region the logs come from; the first region of that account by default. */
  readonly region?: string | undefined;
  /** Where the bucket's objects are written; a new temporary directory by default. */
  readonly outDir?: string | undefined;
  /** Named query ids to run (all when unset and no `sql`). */
  readonly queries?: readonly string[] | undefined;
  /** An ad-hoc query in Athena SQL, instead of the named ones. */
  readonly sql?: string | undefined;
  readonly bundlePath?: string;
  readonly progress?: (message: string) => void;
}

export interface QueryAnswer {
  readonly id: string;
  readonly description: string;
  readonly sql: string;
  readonly result: QueryResult;
}

export interface PreviewResult {
  readonly inputs: Inputs;
  readonly stats: ReplayStats;
  readonly answers: QueryAnswer[];
  /** Where the bucket's objects are: `<outDir>/<bucket>/`. */
  readonly bucketDir: string;
  readonly failureReasons: string[];
  readonly timings: { readonly readMs: number; readonly replayMs: number; readonly queryMs: number };
}

export class PreviewError extends Error {
  override readonly name = "PreviewError";
}

interface Bundle {
  createHandler(options: object): Handler;
  loadConfig(env: Readonly<Record<string, string | undefined>>): object;
}

function loadBundle(path: string): Bundle {
  try {
    return createRequire(__filename)(path) as Bundle;
  } catch (error) {
    throw new PreviewError(`cannot load the Lambda bundle ${path} (${(error as Error).message}): run \`npm run build:lambda\` first`);
  }
}

/** The queries to run: the named ones selected by id (all by default), or the ad-hoc SQL. */
export function selectQueries(ids: readonly string[] | undefined, sql: string | undefined): { id: string; description: string; athenaSql?: string; query?: NamedQueryDefinition }[] {
  if (sql !== undefined) return [{ id: "sql", description: "ad-hoc query", athenaSql: sql }];
  if (!ids || ids.length === 0) return NAMED_QUERIES.map((query) => ({ id: query.id, description: query.description, query }));
  return ids.map((id) => {
    const query = NAMED_QUERIES.find((q) => q.id === id);
    if (!query) throw new PreviewError(`--query ${id}: no such named query; choose one of: ${NAMED_QUERIES.map((q) => q.id).join(", ")}`);
    return { id, description: query.description, query };
  });
}

export async function runPreview(options: PreviewOptions): Promise<PreviewResult> {
  const { env } = options;
  const say = options.progress ?? (() => {});
  const selected = selectQueries(options.queries, options.sql);
  const workload = options.account ? env.workloads.find((w) => w.accountId === options.account) : env.workloads[0];
  const owner = options.account ?? env.workloads[0]?.accountId ?? env.central.accountId;
  const region = options.region ?? workload?.regions[0]?.region ?? env.central.region;
  const filter = subscriptionFilterName(workloadNames(env).subscriptionFilter, region);
  const names = centralNames(env);
  const layout = s3Layout(env);
  const outDir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "eks-logs-preview-")));
  const bucketDir = join(outDir, names.logBucket);
  mkdirSync(bucketDir, { recursive: true });

  // Read.
  let started = Date.now();
  let input = options.input;
  let logGroup = options.logGroup;
  if (input === undefined) {
    const cluster = workload?.regions[0]?.clusters[0] ?? "demo";
    const [sample] = generateSample({ accountId: owner, cluster });
    input = join(outDir, "input", "sample.filter-log-events.json");
    mkdirSync(join(outDir, "input"), { recursive: true });
    writeFileSync(input, JSON.stringify(sample!.document, null, 1));
    logGroup = sample!.logGroup;
    say(`sample: one hour of cluster "${cluster}" in account ${owner}, written to ${input}`);
  }
  const inputs = readInputs(input, { logGroup, logStream: options.logStream, owner, subscriptionFilters: [filter] });
  const readMs = Date.now() - started;
  const eventCount = inputs.payloads.reduce((n, p) => n + p.logEvents.length, 0);
  say(`read ${eventCount} events from ${inputs.files.length} file(s) in ${readMs} ms`);

  // Replay through the bundled Lambda, as Firehose would.
  started = Date.now();
  const bundle = loadBundle(options.bundlePath ?? BUNDLE);
  const config = bundle.loadConfig(env.pipeline.lambda.environment);
  const failureReasons: string[] = [];
  const log = { info: () => {}, warn: (entry: Record<string, unknown>) => failureReasons.push(String(entry.reason ?? entry.msg)) };
  const { firehose } = env.pipeline;
  const stats = await replay(inputs.payloads, {
    handler: (client: RecordingFirehose) => bundle.createHandler({ config, firehoseClient: client, sleep: async () => {}, log }),
    deliveryStreamArn: names.deliveryStreamArn,
    region: env.central.region,
    layout,
    errorPrefix: ERROR_PREFIX,
    // Firehose sizes are in MB (10^6 bytes).
    processorBufferBytes: firehose.processorBufferSizeMBs * 1_000_000,
    s3BufferBytes: firehose.bufferSizeMBs * 1_000_000,
    outDir: bucketDir,
    onProgress: (done, total) => say(`transform: ${done}/${total} records`),
  });
  const replayMs = Date.now() - started;
  say(`transformed ${stats.recordsIn} records in ${stats.invocations} invocation(s), ${stats.objects} object(s) written in ${replayMs} ms`);

  // Query.
  started = Date.now();
  // "Now" is the data's: windows reach back from the last arrival, not from the clock.
  const table = { databaseName: env.pipeline.catalog.databaseName, tableName: DEFAULT_RAW_TABLE };
  const engine = await Engine.open(bucketDir, layout, table, stats.lastArrivalMs + 60_000);
  const answers: QueryAnswer[] = [];
  try {
    let rowsRead: number;
    try {
      rowsRead = await engine.readAll(table);
    } catch (error) {
      throw new PreviewError(`DuckDB cannot read the delivered lines with the Glue table's column types: ${(error as Error).message}`);
    }
    if (rowsRead !== stats.linesOut) throw new PreviewError(`DuckDB read ${rowsRead} lines of the ${stats.linesOut} delivered: the table would hide some`);
    say(`read all ${rowsRead} lines back with the Glue table's column types`);
    for (const [i, q] of selected.entries()) {
      const sql = q.athenaSql ?? renderQuery(q.query!, { flavour: "raw", databaseName: env.pipeline.catalog.databaseName, tableName: DEFAULT_RAW_TABLE });
      say(`query ${i + 1}/${selected.length}: ${q.id}`);
      let result: QueryResult;
      try {
        result = await engine.query(sql);
      } catch (error) {
        throw new PreviewError(`query ${q.id} failed on DuckDB: ${(error as Error).message}`);
      }
      answers.push({ id: q.id, description: q.description, sql, result });
    }
  } finally {
    engine.close();
  }
  const queryMs = Date.now() - started;
  return { inputs, stats, answers, bucketDir, failureReasons, timings: { readMs, replayMs, queryMs } };
}
