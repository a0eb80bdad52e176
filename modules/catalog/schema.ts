/**
 * The raw table's schema and partition projection, derived from the transform's
 * output record (lambda-src/record.ts) and S3 layout (lambda-src/conventions.ts):
 * one source of truth, so a field added to the record is a column here.
 */
import {
  ALL_LOG_TYPES,
  TIME_PARTITION,
  UNKNOWN_CLUSTER,
  UNKNOWN_REGION,
  athenaLocationTemplate,
  type S3Layout,
} from "../../lambda-src/conventions";
import { RECORD_COLUMNS, type ColumnType } from "../../lambda-src/record";

/** The raw table's name when the catalog's `rawTableName` is unset (the preview names its DuckDB table the same). */
export const DEFAULT_RAW_TABLE = "raw_logs";

/** A Glue column: name, Hive DDL type, comment. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/**
 * Hive DDL type of each record type. They are spelled alike today; the map makes
 * a new `ColumnType` a compile error here instead of a silently wrong column.
 */
export const GLUE_TYPE: Readonly<Record<ColumnType, string>> = {
  string: "string",
  bigint: "bigint",
  int: "int",
  boolean: "boolean",
  "array<string>": "array<string>",
  "map<string,string>": "map<string,string>",
};

/** Glue rejects column comments over 255 characters. */
const COMMENT_MAX = 255;

function comment(text: string): string {
  return text.length <= COMMENT_MAX ? text : `${text.slice(0, COMMENT_MAX - 1)}…`;
}

/** Partition keys of the raw table, in S3 path order: `log_type`, the layout's extra keys, `dt`. */
export function rawPartitionKeyNames(layout: S3Layout): string[] {
  return ["log_type", ...layout.extraPartitionKeys, TIME_PARTITION.name];
}

/** The raw table's partition keys, typed and described like the record fields they mirror. */
export function rawPartitionKeys(layout: S3Layout): GlueColumn[] {
  return rawPartitionKeyNames(layout).map((name) => {
    if (name === TIME_PARTITION.name) {
      return { name, type: "string", comment: `Firehose arrival hour (UTC), ${TIME_PARTITION.format}; always restrict it` };
    }
    const field = RECORD_COLUMNS.find((c) => c.name === name);
    if (!field) throw new Error(`catalog: partition key "${name}" is not a field of lambda-src/record.ts`);
    return { name, type: GLUE_TYPE[field.type], comment: comment(field.description) };
  });
}

/**
 * The raw table's data columns: every record field except the layout's partition keys
 * (Glue rejects a data column that repeats a partition key; Athena reads those from the path).
 * Keys the layout does not partition by (e.g. `cluster` with no extra keys) stay data columns.
 */
export function rawDataColumns(layout: S3Layout): GlueColumn[] {
  const keys = new Set(rawPartitionKeyNames(layout));
  return RECORD_COLUMNS.filter((c) => !keys.has(c.name)).map((c) => ({
    name: c.name,
    type: GLUE_TYPE[c.type],
    comment: comment(c.description),
  }));
}

/** Escapes Terraform template sequences (`${`, `%{`) so Athena's own placeholders reach Glue verbatim. */
export function escapeTerraform(text: string): string {
  // A function replacer: in a replacement string `$$` would mean one literal `$`.
  return text.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

/**
 * `storage.location.template`, Terraform-escaped. The bucket may be a Terraform token
 * (`${aws_s3_bucket.x.bucket}`), so only the part after it is escaped.
 */
export function locationTemplate(bucketName: string, layout: S3Layout): string {
  const placeholder = "bucket";
  const head = `s3://${placeholder}/`;
  const template = athenaLocationTemplate(placeholder, layout);
  return `s3://${bucketName}/${escapeTerraform(template.slice(head.length))}`;
}

/** Values Athena projects for the layout's optional keys. */
export interface PartitionValues {
  readonly account_id: readonly string[];
  readonly region: readonly string[];
  readonly cluster: readonly string[];
}

/**
 * What the transform writes when it cannot tell the region or cluster (conventions.ts):
 * projected too, so those lines stay queryable.
 */
export const FALLBACK_PARTITION_VALUES: Readonly<Partial<Record<keyof PartitionValues, string>>> = {
  region: UNKNOWN_REGION,
  cluster: UNKNOWN_CLUSTER,
};

function enumValues(values: readonly string[], fallback?: string): string {
  const all = [...values];
  if (fallback && !all.includes(fallback)) all.push(fallback);
  return all.join(",");
}

/**
 * Glue table parameters for partition projection over the raw layout: `log_type` and
 * the optional keys as enums, `dt` as an hourly date from `projectionStart` to NOW.
 * (Athena partition projection: enum needs `values`; date needs `format`, `range`,
 * `interval`, `interval.unit`; `storage.location.template` maps keys to paths.)
 */
export function rawProjection(
  bucketName: string,
  layout: S3Layout,
  values: PartitionValues,
  projectionStart: string,
): Record<string, string> {
  const dt = TIME_PARTITION.name;
  const params: Record<string, string> = {
    "projection.enabled": "true",
    "projection.log_type.type": "enum",
    "projection.log_type.values": ALL_LOG_TYPES.join(","),
  };
  for (const key of layout.extraPartitionKeys) {
    params[`projection.${key}.type`] = "enum";
    params[`projection.${key}.values`] = enumValues(values[key], FALLBACK_PARTITION_VALUES[key]);
  }
  params[`projection.${dt}.type`] = "date";
  params[`projection.${dt}.format`] = TIME_PARTITION.format;
  params[`projection.${dt}.range`] = `${projectionStart},NOW`;
  params[`projection.${dt}.interval`] = "1";
  params[`projection.${dt}.interval.unit`] = "HOURS";
  params["storage.location.template"] = locationTemplate(bucketName, layout);
  return params;
}
