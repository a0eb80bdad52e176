import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMON_COLUMNS, RECORD_COLUMNS } from "../../lambda-src/record";
import { DOCUMENTED_ACTIONS, RECIPE_STEPS, parquetDataColumns, simulateRecipe, type RecipeStep } from "../../modules/analytics/recipe";

/**
 * DataBrew recipe actions as documented in the AWS Glue DataBrew Developer Guide, "Recipe step and
 * function reference" (https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions-reference.html),
 * each with its page and its documented parameters. A recipe step must use one of these.
 */
const DOCUMENTED: Record<string, { page: string; parameters: string[] }> = {
  CHANGE_DATA_TYPE: { page: "recipe-actions.CHANGE_DATA_TYPE.html", parameters: ["sourceColumn", "columnDataType"] },
  DATE_FORMAT: { page: "recipe-actions.functions.DATE_FORMAT.html", parameters: ["sourceColumn", "value", "dateTimeFormat", "targetColumn"] },
  DATE_DIFF: { page: "recipe-actions.functions.DATEDIFF.html", parameters: ["sourceColumn1", "sourceColumn2", "value1", "value2", "units", "targetColumn"] },
  DATE_ADD: { page: "recipe-actions.functions.DATEADD.html", parameters: ["sourceColumn", "value", "units", "dateAddValue", "dateTimeFormat", "targetColumn"] },
  DATE_TIME: { page: "recipe-actions.functions.DATETIME.html", parameters: ["dateTimeFormat", "dateTimeParameters", "targetColumn"] },
  FORMAT_DATE: { page: "recipe-actions.FORMAT_DATE.html", parameters: ["sourceColumn", "targetDateFormat"] },
  RENAME: { page: "recipe-actions.RENAME.html", parameters: ["sourceColumn", "targetColumn"] },
  DELETE: { page: "recipe-actions.DELETE.html", parameters: ["sourceColumn"] },
  TO_STRING_COLUMN: { page: "recipe-actions.TO_STRING_COLUMN.html", parameters: ["sourceColumn", "columnDataType"] },
  TO_NUMBER_COLUMN: { page: "recipe-actions.TO_NUMBER_COLUMN.html", parameters: ["sourceColumn", "columnDataType"] },
  TO_DOUBLE_COLUMN: { page: "recipe-actions.TO_DOUBLE_COLUMN.html", parameters: ["sourceColumn", "columnDataType"] },
};

/** Columns on every line, and those every completed audit event carries (audit.k8s.io/v1 Event). */
const ALWAYS_PRESENT = new Set([...COMMON_COLUMNS.map((c) => c.name), "requestreceivedtimestamp", "stagetimestamp", "responsestatus_code"]);

describe("recipes/eks-control-plane-logs.json", () => {
  it("is the DataBrew API steps format the module deploys", () => {
    const file = JSON.parse(readFileSync(join(__dirname, "..", "..", "recipes", "eks-control-plane-logs.json"), "utf8"));
    expect(file).toEqual(RECIPE_STEPS);
    for (const step of file) expect(Object.keys(step).filter((k) => k !== "ConditionExpressions")).toEqual(["Action"]);
  });

  it.each(RECIPE_STEPS.map((step, i) => [i + 1, step.Action.Operation, step] as const))(
    "step %i (%s) uses a documented action with documented parameters",
    (_i, operation, step: RecipeStep) => {
      expect(Object.keys(DOCUMENTED)).toContain(operation);
      for (const name of Object.keys(step.Action.Parameters ?? {})) expect(DOCUMENTED[operation]!.parameters).toContain(name);
    },
  );

  it("names only columns of record.ts or columns an earlier step created", () => {
    // An independent walk over the steps, not the module's simulation.
    const columns = new Set(RECORD_COLUMNS.map((c) => c.name));
    for (const step of RECIPE_STEPS) {
      const p = step.Action.Parameters ?? {};
      for (const source of [p.sourceColumn, p.sourceColumn1, p.sourceColumn2].filter(Boolean)) expect(columns).toContain(source);
      if (p.targetColumn) {
        expect(columns).not.toContain(p.targetColumn);
        columns.add(p.targetColumn);
      }
      if (step.Action.Operation === "RENAME") columns.delete(p.sourceColumn!);
      if (step.Action.Operation === "DELETE") columns.delete(p.sourceColumn!);
    }
  });

  it("reads only columns that every window with audit logging carries, so a run never misses one", () => {
    const created = new Set(RECIPE_STEPS.map((s) => s.Action.Parameters?.targetColumn).filter(Boolean));
    for (const step of RECIPE_STEPS) {
      const p = step.Action.Parameters ?? {};
      for (const source of [p.sourceColumn, p.sourceColumn1, p.sourceColumn2].filter(Boolean) as string[]) {
        expect(ALWAYS_PRESENT.has(source) || created.has(source)).toBe(true);
      }
    }
  });

  it("turns the JSON into typed, analysis-ready columns", () => {
    const types = Object.fromEntries(parquetDataColumns().map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      event_time: "timestamp",
      requestreceivedtimestamp: "timestamp",
      stagetimestamp: "timestamp",
      request_latency_ms: "bigint",
      responsestatus_code: "int",
      cwl_timestamp: "bigint",
      user_username: "string",
      verb: "string",
      objectref_resource: "string",
      objectref_namespace: "string",
      sourceips: "array<string>",
      // JSON numbers are read as long when no step types them
      thread_id: "bigint",
    });
    // partition columns live in the path; kv (a changing struct) is not declared
    expect(types).not.toHaveProperty("log_type");
    expect(types).not.toHaveProperty("event_date");
    expect(types).not.toHaveProperty("kv");
  });

  it("keeps the module's action list within the documented actions", () => {
    for (const [operation, action] of Object.entries(DOCUMENTED_ACTIONS)) {
      expect(DOCUMENTED[operation]).toBeDefined();
      expect(action.doc).toBe(`https://docs.aws.amazon.com/databrew/latest/dg/${DOCUMENTED[operation]!.page}`);
      for (const name of [...action.required, ...action.optional]) expect(DOCUMENTED[operation]!.parameters).toContain(name);
    }
  });
});

describe("recipe simulation", () => {
  const step = (Operation: string, Parameters: Record<string, string>): RecipeStep => ({ Action: { Operation, Parameters } });

  it.each([
    [
      "a column that does not exist",
      [step("CHANGE_DATA_TYPE", { sourceColumn: "user", columnDataType: "string" })],
      'recipe step 1 (CHANGE_DATA_TYPE): sourceColumn "user" is neither a record column nor created by an earlier step',
    ],
    [
      "a column deleted by an earlier step",
      [step("DELETE", { sourceColumn: "verb" }), step("RENAME", { sourceColumn: "verb", targetColumn: "k8s_verb" })],
      'recipe step 2 (RENAME): sourceColumn "verb" is neither a record column nor created by an earlier step',
    ],
    [
      "an undocumented action",
      [step("MAGIC", { sourceColumn: "verb" })],
      "recipe step 1 (MAGIC): not a documented DataBrew action this module supports (CHANGE_DATA_TYPE, DATE_FORMAT, DATE_DIFF, RENAME, DELETE)",
    ],
    [
      "an undocumented parameter",
      [step("DELETE", { sourceColumn: "verb", column: "verb" })],
      "recipe step 1 (DELETE): undocumented parameter column",
    ],
    [
      "a target that exists",
      [step("DATE_FORMAT", { sourceColumn: "event_time", targetColumn: "verb" })],
      'recipe step 1 (DATE_FORMAT): targetColumn "verb" already exists',
    ],
    [
      "an unknown data type",
      [step("CHANGE_DATA_TYPE", { sourceColumn: "verb", columnDataType: "varchar" })],
      'recipe step 1 (CHANGE_DATA_TYPE): columnDataType "varchar" is not one of byte, short, int, long, float, double, decimal, string, boolean, timestamp, date',
    ],
  ] as [string, RecipeStep[], string][])("rejects %s", (_name, steps, message) => {
    expect(() => simulateRecipe(steps)).toThrow(message);
  });

  it("requires a type for a DATE_DIFF result before the table can declare it", () => {
    const steps = [
      step("DATE_FORMAT", { sourceColumn: "event_time", dateTimeFormat: "yyyy-mm-dd", targetColumn: "event_date" }),
      step("DATE_DIFF", { sourceColumn1: "requestreceivedtimestamp", sourceColumn2: "stagetimestamp", units: "MILLISECONDS", targetColumn: "latency" }),
    ];
    expect(() => parquetDataColumns(steps)).toThrow('recipe: column "latency" has no declared type; add a CHANGE_DATA_TYPE step');
  });

  it("requires the partition columns in the output", () => {
    expect(() => parquetDataColumns([])).toThrow('recipe: partition column "event_date" is not in the recipe\'s output');
  });

  it("renames keep the type and move the column to the end", () => {
    const out = simulateRecipe([step("RENAME", { sourceColumn: "user_username", targetColumn: "principal" })]);
    expect(out.at(-1)).toEqual({ name: "principal", type: "string" });
    expect(out.find((c) => c.name === "user_username")).toBeUndefined();
  });
});
