/**
 * The DataBrew recipe (recipes/) and what it does to the columns: the documented actions it
 * may use, and a simulation of its steps over the record's columns that yields the Parquet
 * output schema. One source of truth: the Glue Parquet table is derived from the recipe.
 */
import recipeFile from "../../recipes/eks-control-plane-logs.json";
import { RECORD_COLUMNS, type ColumnType } from "../../lambda-src/record";

export interface RecipeStep {
  readonly Action: { readonly Operation: string; readonly Parameters?: Readonly<Record<string, string>> };
  readonly ConditionExpressions?: readonly { readonly Condition: string; readonly Value?: string; readonly TargetColumn: string }[];
}

/** The recipe in recipes/eks-control-plane-logs.json. */
export const RECIPE_STEPS: readonly RecipeStep[] = recipeFile as unknown as RecipeStep[];

const DOCS = "https://docs.aws.amazon.com/databrew/latest/dg";

/**
 * Recipe actions this module understands, as the DataBrew Developer Guide documents them
 * ("Recipe step and function reference"): parameters, and which of them name existing
 * (`sources`) or new (`targets`) columns.
 */
export const DOCUMENTED_ACTIONS: Readonly<
  Record<string, { readonly doc: string; readonly required: readonly string[]; readonly optional: readonly string[]; readonly sources: readonly string[]; readonly targets: readonly string[] }>
> = {
  CHANGE_DATA_TYPE: {
    doc: `${DOCS}/recipe-actions.CHANGE_DATA_TYPE.html`,
    required: ["sourceColumn", "columnDataType"],
    optional: [],
    sources: ["sourceColumn"],
    targets: [],
  },
  DATE_FORMAT: {
    doc: `${DOCS}/recipe-actions.functions.DATE_FORMAT.html`,
    required: ["sourceColumn", "targetColumn"],
    optional: ["dateTimeFormat"],
    sources: ["sourceColumn"],
    targets: ["targetColumn"],
  },
  DATE_DIFF: {
    doc: `${DOCS}/recipe-actions.functions.DATEDIFF.html`,
    required: ["sourceColumn1", "sourceColumn2", "units", "targetColumn"],
    optional: [],
    sources: ["sourceColumn1", "sourceColumn2"],
    targets: ["targetColumn"],
  },
  RENAME: {
    doc: `${DOCS}/recipe-actions.RENAME.html`,
    required: ["sourceColumn", "targetColumn"],
    optional: [],
    sources: ["sourceColumn"],
    targets: ["targetColumn"],
  },
  DELETE: {
    doc: `${DOCS}/recipe-actions.DELETE.html`,
    required: ["sourceColumn"],
    optional: [],
    sources: ["sourceColumn"],
    targets: [],
  },
};

/** CHANGE_DATA_TYPE `columnDataType` values (DataBrew guide) and their Glue (Hive DDL) types. */
export const DATABREW_TO_GLUE_TYPE: Readonly<Record<string, string>> = {
  byte: "tinyint",
  short: "smallint",
  int: "int",
  long: "bigint",
  float: "float",
  double: "double",
  decimal: "decimal(38,18)",
  string: "string",
  boolean: "boolean",
  timestamp: "timestamp",
  date: "date",
};

/** DATE_DIFF `units` values. */
export const DATE_DIFF_UNITS = ["MONTHS", "YEARS", "MILLISECONDS", "QUARTERS", "HOURS", "MICROSECONDS", "WEEKS", "SECONDS", "DAYS", "MINUTES"];

/**
 * The type DataBrew (Spark) infers for a record field when it reads the JSON lines: JSON numbers
 * become `long` whatever the record declares, and a JSON object with changing keys (`kv`) becomes
 * a struct whose fields differ run to run, which no fixed Glue column can describe (`undefined`).
 */
export const INFERRED_FROM_JSON: Readonly<Record<ColumnType, string | undefined>> = {
  string: "string",
  bigint: "bigint",
  int: "bigint",
  boolean: "boolean",
  "array<string>": "array<string>",
  "map<string,string>": undefined,
};

/** A column after the recipe: its Glue type, or `undefined` when it has none a Glue table can declare. */
export interface OutputColumn {
  readonly name: string;
  readonly type: string | undefined;
}

/**
 * Runs the steps over the record's columns and returns the output columns in order (new columns
 * last). Throws, naming the step, on an undocumented action, a missing or unknown parameter, a
 * column that does not exist at that step, or a target that already exists.
 */
export function simulateRecipe(steps: readonly RecipeStep[] = RECIPE_STEPS): OutputColumn[] {
  const columns = new Map<string, string | undefined>(RECORD_COLUMNS.map((c) => [c.name, INFERRED_FROM_JSON[c.type]]));
  steps.forEach((step, i) => {
    const where = `recipe step ${i + 1} (${step.Action.Operation})`;
    const action = DOCUMENTED_ACTIONS[step.Action.Operation];
    if (!action) throw new Error(`${where}: not a documented DataBrew action this module supports (${Object.keys(DOCUMENTED_ACTIONS).join(", ")})`);
    const params = step.Action.Parameters ?? {};
    for (const name of action.required) {
      if (params[name] === undefined) throw new Error(`${where}: missing parameter ${name}`);
    }
    for (const name of Object.keys(params)) {
      if (![...action.required, ...action.optional].includes(name)) throw new Error(`${where}: undocumented parameter ${name}`);
    }
    for (const name of action.sources) {
      if (!columns.has(params[name]!)) throw new Error(`${where}: ${name} "${params[name]}" is neither a record column nor created by an earlier step`);
    }
    for (const name of action.targets) {
      if (columns.has(params[name]!)) throw new Error(`${where}: ${name} "${params[name]}" already exists`);
    }
    for (const condition of step.ConditionExpressions ?? []) {
      if (!columns.has(condition.TargetColumn)) throw new Error(`${where}: condition column "${condition.TargetColumn}" does not exist`);
    }
    switch (step.Action.Operation) {
      case "CHANGE_DATA_TYPE": {
        const type = DATABREW_TO_GLUE_TYPE[params.columnDataType!];
        if (!type) throw new Error(`${where}: columnDataType "${params.columnDataType}" is not one of ${Object.keys(DATABREW_TO_GLUE_TYPE).join(", ")}`);
        columns.set(params.sourceColumn!, type);
        break;
      }
      case "DATE_FORMAT":
        columns.set(params.targetColumn!, "string");
        break;
      case "DATE_DIFF":
        if (!DATE_DIFF_UNITS.includes(params.units!)) throw new Error(`${where}: units "${params.units}" is not one of ${DATE_DIFF_UNITS.join(", ")}`);
        // DataBrew does not document the result's type: a later CHANGE_DATA_TYPE must fix it.
        columns.set(params.targetColumn!, undefined);
        break;
      case "RENAME": {
        const type = columns.get(params.sourceColumn!);
        columns.delete(params.sourceColumn!);
        columns.set(params.targetColumn!, type);
        break;
      }
      case "DELETE":
        columns.delete(params.sourceColumn!);
        break;
    }
  });
  return [...columns].map(([name, type]) => ({ name, type }));
}

/** Parquet partition columns, in S3 path order: the job writes `log_type=<t>/event_date=<yyyy-MM-dd>/`. */
export const PARQUET_PARTITION_COLUMNS = ["log_type", "event_date"] as const;

/** Record columns whose JSON type no Glue column can declare (they stay in the files, undeclared). */
export const UNDECLARED_COLUMNS = RECORD_COLUMNS.filter((c) => INFERRED_FROM_JSON[c.type] === undefined).map((c) => c.name);

/**
 * The Parquet table's data columns: the recipe's output minus the partition columns (the job moves
 * them into the path) and minus the struct-typed columns listed in UNDECLARED_COLUMNS. Any other
 * column without a type is an error: the recipe must give it one.
 */
export function parquetDataColumns(steps: readonly RecipeStep[] = RECIPE_STEPS): { name: string; type: string }[] {
  const output = simulateRecipe(steps);
  for (const partition of PARQUET_PARTITION_COLUMNS) {
    if (!output.some((c) => c.name === partition)) throw new Error(`recipe: partition column "${partition}" is not in the recipe's output`);
  }
  return output
    .filter((c) => !(PARQUET_PARTITION_COLUMNS as readonly string[]).includes(c.name))
    .filter((c) => !UNDECLARED_COLUMNS.includes(c.name))
    .map((c) => {
      if (c.type === undefined) throw new Error(`recipe: column "${c.name}" has no declared type; add a CHANGE_DATA_TYPE step`);
      return { name: c.name, type: c.type };
    });
}
