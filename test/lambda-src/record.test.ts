import { ALL_LOG_TYPES, PARTITION_KEYS } from "../../lambda-src/conventions";
import { createParsers } from "../../lambda-src/parsers";
import { AUDIT_COLUMNS, AUDIT_RESERVED_NAMES, COMMON_COLUMNS, RECORD_COLUMNS, SQL_RESERVED_WORDS, toColumnName } from "../../lambda-src/record";
import { DEFAULT_CONFIG } from "../../lambda-src/config";
import { loadCases } from "./helpers";

const TYPES = ["string", "bigint", "int", "boolean", "array<string>", "map<string,string>"];

describe("record columns", () => {
  it("are unique, lowercase [a-z0-9_] without __, typed, described and tied to log types", () => {
    const names = RECORD_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of RECORD_COLUMNS) {
      expect(c.name).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
      expect(TYPES).toContain(c.type);
      expect(c.logTypes.length).toBeGreaterThan(0);
      for (const t of c.logTypes) expect(ALL_LOG_TYPES).toContain(t);
    }
  });

  it("start with the common fields every line carries, partition keys among them", () => {
    expect(COMMON_COLUMNS.map((c) => c.name)).toEqual(["event_time", "cwl_timestamp", "cwl_id", "account_id", "region", "cluster", "log_group", "log_stream", "log_type"]);
    for (const key of PARTITION_KEYS) expect(COMMON_COLUMNS.map((c) => c.name)).toContain(key);
  });

  it("declare each audit column under the name its Event path maps to, and no name Athena reserves", () => {
    for (const c of AUDIT_COLUMNS) {
      const path = /^audit `([^`]+)`/.exec(c.description)?.[1];
      expect([c.name, path !== undefined && toColumnName(path) === c.name]).toEqual([c.name, true]);
    }
    for (const c of RECORD_COLUMNS) expect([c.name, SQL_RESERVED_WORDS.has(c.name)]).toEqual([c.name, false]);
    expect(toColumnName("timestamp")).toBe("timestamp_value");
    expect(toColumnName("user")).toBe("user_value");
  });

  it("reserve every non-audit name from audit keys", () => {
    for (const name of ["message", "parse_error", "severity", "kv", "region", "cluster", "groups"]) expect(AUDIT_RESERVED_NAMES.has(name)).toBe(true);
    expect(AUDIT_RESERVED_NAMES.has("verb")).toBe(false);
  });

  it.each([
    ["objectRef.apiGroup", "objectref_apigroup"],
    ["annotations.authorization.k8s.io/decision", "annotations_authorization_k8s_io_decision"],
    ["user.extra.authentication.kubernetes.io/pod-name", "user_extra_authentication_kubernetes_io_pod_name"],
    ["requestObject.status.$setElementOrder/conditions", "requestobject_status_setelementorder_conditions"],
    ["_weird__Key--", "weird_key"],
    ["ünï", "n"],
    ["/", "unnamed"],
  ])("toColumnName(%s) = %s", (key, name) => {
    expect(toColumnName(key)).toBe(name);
  });

  it("declare every field the parsers write for the conforming fixtures, with a value of the declared type", () => {
    const parsers = createParsers(DEFAULT_CONFIG);
    const declared = new Map(RECORD_COLUMNS.map((c) => [c.name, c]));
    const fixtures: [string, keyof typeof parsers, string[]][] = [
      ["klog.txt", "kube-scheduler", []],
      ["authenticator.txt", "authenticator", []],
      ["audit.txt", "kube-apiserver-audit", ["keys that collide", "panther: rewritten user.extra keys"]],
    ];
    for (const [file, logType, undeclaredOnPurpose] of fixtures) {
      for (const c of loadCases(file).values()) {
        if (undeclaredOnPurpose.includes(c.name)) continue;
        for (const [name, value] of Object.entries(parsers[logType](c.text, Date.UTC(2023, 0, 1)).fields)) {
          const column = declared.get(name);
          expect([c.name, name, column !== undefined && column.logTypes.includes(logType)]).toEqual([c.name, name, true]);
          const type = column!.type;
          const ok =
            type === "string" ? typeof value === "string" : type === "int" || type === "bigint" ? Number.isInteger(value) : type === "array<string>" ? Array.isArray(value) && value.every((v) => typeof v === "string") : type === "map<string,string>" ? Object.values(value as object).every((v) => typeof v === "string") : typeof value === "boolean";
          expect([c.name, name, ok]).toEqual([c.name, name, true]);
        }
      }
    }
  });
});
