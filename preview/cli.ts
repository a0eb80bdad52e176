/**
 * npm run preview [-- --input <file|dir> --log-group <group> --query <id> --sql "<sql>" --out <dir> …]
 * Progress goes to stderr, answers and the summary to stdout.
 */
import { parseArgs } from "node:util";
import { ALL_LOG_TYPES } from "../lambda-src/conventions";
import { DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE, environmentFile, environmentForCommand } from "../envs/load";
import { InputError } from "./inputs";
import { type PreviewResult, PreviewError, runPreview } from "./index";

const USAGE = `Usage: npm run preview [-- options]

Replays CloudWatch Logs data through the bundled transform Lambda the way Firehose runs it,
writes the objects in the environment's S3 layout, and answers the Athena named queries on
DuckDB. No AWS account is used. Without --input it runs on a generated sample hour.

Options:
  --env <name>          environment in envs/ (default: $${ENVIRONMENT_VARIABLE} or "${DEFAULT_ENVIRONMENT}")
  --input <path>        a file or directory of your data: \`aws logs filter-log-events\` or
                        \`get-log-events\` JSON, a CloudWatch Logs export task's files
                        (<prefix>/<task>/<stream>/*.gz), raw subscription payloads, or a
                        Firehose processing-failed object
  --log-group <name>    the log group, for formats that do not carry it (/aws/eks/<cluster>/cluster)
  --log-stream <name>   the log stream, for get-log-events output (its prefix decides the log type)
  --account <id>        the account that owns the log group (default: the env's first workload account)
  --region <region>     the region the logs come from (default: that account's first region)
  --query <id>          run only this named query (repeatable)
  --sql <query>         run this Athena SQL instead of the named queries (table "<database>"."raw_logs")
  --out <dir>           keep the bucket's objects here (default: a new temporary directory)
  --rows <n>            rows to print per query (default: 20)
  --width <n>           characters per cell before it is cut (default: 48)
  -h, --help            print this help

Example, your own cluster's last hour:
  aws logs filter-log-events --log-group-name /aws/eks/prod/cluster \\
    --start-time $(( ($(date +%s) - 3600) * 1000 )) --output json > prod.json
  npm run preview -- --input prod.json --log-group /aws/eks/prod/cluster`;

function fail(message: string): never {
  console.error(`preview: ${message}`);
  process.exit(2);
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9]\d{0,5}$/.test(text)) fail(`--${flag} must be a whole number from 1 to 999999, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: "string" },
        input: { type: "string" },
        "log-group": { type: "string" },
        "log-stream": { type: "string" },
        account: { type: "string" },
        region: { type: "string" },
        query: { type: "string", multiple: true },
        sql: { type: "string" },
        out: { type: "string" },
        rows: { type: "string" },
        width: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\nRun with --help for the options.`);
  }
}

/** A value as one table cell: JSON for lists and maps, cut to `width`. */
function cell(value: unknown, width: number): string {
  const text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[], maxRows: number, width: number): string {
  if (rows.length === 0) return "  (no rows)";
  const shown = rows.slice(0, maxRows).map((r) => columns.map((c) => cell(r[c], width)));
  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "  " + cells.map((s, i) => s.padEnd(widths[i]!)).join(" │ ").trimEnd();
  const out = [line([...columns]), "  " + widths.map((w) => "─".repeat(w)).join("─┼─"), ...shown.map(line)];
  if (rows.length > maxRows) out.push(`  … ${rows.length - maxRows} more rows (--rows to show more)`);
  return out.join("\n");
}

function summary(result: PreviewResult): string {
  const { stats, inputs, timings } = result;
  const perType = ALL_LOG_TYPES.filter((t) => stats.linesByLogType[t]).map((t) => `${t} ${stats.linesByLogType[t]}`).join(", ");
  const formats = [...new Set(inputs.files.map((f) => f.format))].join(", ");
  return [
    "Summary",
    `  input       ${inputs.files.length} file(s) (${formats}), ${stats.eventsIn} events in ${stats.recordsIn} records${inputs.skipped.length ? `; skipped ${inputs.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}` : ""}`,
    `  transform   ${stats.invocations} invocation(s); ${stats.linesOut} lines out; ${stats.reingestedRecords} records re-ingested (${stats.reingestedEvents} events); ${stats.failedRecords} records ProcessingFailed (${stats.failedEvents} events); ${stats.droppedRecords} dropped`,
    `  per type    ${perType || "none"}`,
    `  exactly once ${stats.missingIds === 0 && stats.duplicateIds === 0 ? "yes" : "NO"}: ${stats.missingIds} events missing, ${stats.duplicateIds} delivered twice`,
    `  objects     ${stats.objects} under ${result.bucketDir}`,
    `  answers     ${result.answers.map((a) => `${a.id} ${a.result.rows.length}`).join(", ")}`,
    `  time        read ${timings.readMs} ms, transform ${timings.replayMs} ms, queries ${timings.queryMs} ms`,
    ...(result.failureReasons.length ? [`  failures    ${[...new Set(result.failureReasons)].slice(0, 5).join("; ")}`] : []),
  ].join("\n");
}

async function main(): Promise<void> {
  const flags = parse(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const rows = positiveInt("rows", flags.rows, 20);
  const width = positiveInt("width", flags.width, 48);
  const env = environmentForCommand(flags.env, fail);
  let result: PreviewResult;
  try {
    result = await runPreview({
      env,
      input: flags.input,
      logGroup: flags["log-group"],
      logStream: flags["log-stream"],
      account: flags.account,
      region: flags.region,
      outDir: flags.out,
      queries: flags.query,
      sql: flags.sql,
      progress: (message) => console.error(`… ${message}`),
    });
  } catch (error) {
    if (error instanceof InputError || error instanceof PreviewError) fail(error.message);
    throw error;
  }
  for (const answer of result.answers) {
    console.log(`\n■ ${answer.id} — ${answer.description} (${answer.result.rows.length} rows)`);
    console.log(formatTable(answer.result.columns, answer.result.rows, rows, width));
  }
  console.log(`\n${summary(result)}`);
  console.log(`  env         ${environmentFile(env.name)}`);
  if (result.stats.missingIds > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
