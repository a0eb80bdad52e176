/**
 * The named queries' questions (modules/catalog/queries.ts) rendered to SPL: the same
 * predicates and grouping keys the Athena SQL is rendered from, over our fields as
 * `KV_MODE = json` extracts them, so the Splunk alerts and the Athena queries never drift.
 */
import type { GroupKey, NamedQueryDefinition, Predicate } from "../modules/catalog/queries";
import { columnNamed, evalField, logTypeMacro, searchField, splunkField } from "./fields";

/** Receipt-to-completion latency, from the two RFC 3339 audit timestamps (microseconds, `Z`). */
const LATENCY_EVAL =
  'eval latency_ms=round((strptime(stagetimestamp, "%Y-%m-%dT%H:%M:%S.%6NZ") - strptime(requestreceivedtimestamp, "%Y-%m-%dT%H:%M:%S.%6NZ")) * 1000)';

function value(v: string | number): string {
  return typeof v === "number" ? String(v) : `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** Our Splunk field of a record column (`user_groups{}` for an array). */
function field(name: string): string {
  return splunkField(columnNamed(name));
}

/** A predicate as search terms; latency is a `where` after an eval (see `renderSpl`). */
export function predicateSpl(p: Predicate): string {
  switch (p.op) {
    case "eq":
      return `${searchField(field(p.field))}=${value(p.value)}`;
    case "ne":
      return `${searchField(field(p.field))}!=${value(p.value)}`;
    case "in":
      return `${searchField(field(p.field))} IN (${p.values.map(value).join(", ")})`;
    case "notIn":
      return `NOT ${searchField(field(p.field))} IN (${p.values.map(value).join(", ")})`;
    case "between":
      return `${searchField(field(p.field))}>=${p.low} ${searchField(field(p.field))}<=${p.high}`;
    case "has":
      return `${searchField(field(p.field))}=${value(p.value)}`;
    case "contains":
      // Search terms match case-insensitively, like the SQL's lower(…) LIKE.
      return `${searchField(field(p.field))}=${value(`*${p.text}*`)}`;
    case "latencyAtLeast":
      throw new Error("splunk: latencyAtLeast is rendered as a where clause");
    case "or":
      return `(${p.of.map(predicateSpl).join(" OR ")})`;
    case "and":
      return `(${p.of.map(predicateSpl).join(" ")})`;
  }
}

/** The eval a grouping key needs (if any) and the field `stats … by` names. */
function groupKeySpl(key: GroupKey): { eval?: string; bin?: string; by: string } {
  switch (key.kind) {
    case "column":
      return { by: searchField(field(key.column)) };
    case "first":
      return { eval: `${key.as}=mvindex(${evalField(field(key.column))}, 0)`, by: key.as };
    case "joined":
      return { eval: `${key.as}=mvjoin(${evalField(field(key.column))}, ",")`, by: key.as };
    case "prefix":
      return { eval: `${key.as}=substr(${evalField(field(key.column))}, 1, ${key.length})`, by: key.as };
    case "minute":
      return { bin: "bin _time span=1m", by: "_time" };
  }
}

/** The fields a query's SPL reads, for checking them against the Lambda's real output. */
export function fieldsRead(query: NamedQueryDefinition): string[] {
  const out = new Set<string>();
  const walk = (p: Predicate): void => {
    switch (p.op) {
      case "or":
      case "and":
        p.of.forEach(walk);
        return;
      case "latencyAtLeast":
        ["stagetimestamp", "requestreceivedtimestamp"].forEach((f) => out.add(f));
        return;
      default:
        out.add(field(p.field));
    }
  };
  query.match.forEach(walk);
  for (const key of query.by ?? []) if (key.kind !== "minute") out.add(field(key.column));
  for (const name of query.show ?? []) if (name !== "latency_ms") out.add(field(name));
  return [...out];
}

/** The whole search of a question: its log types' macros, the predicates, then the grouping or the list. */
export function renderSpl(query: NamedQueryDefinition): string {
  const macros = query.logTypes.map((t) => `\`${logTypeMacro(t)}\``);
  const base = macros.length === 1 ? macros[0]! : `(${macros.join(" OR ")})`;
  const terms = query.match.filter((p) => p.op !== "latencyAtLeast").map(predicateSpl);
  const latency = query.match.find((p): p is Extract<Predicate, { op: "latencyAtLeast" }> => p.op === "latencyAtLeast");
  const parts = [[base, ...terms].join(" ")];
  if (latency) parts.push(LATENCY_EVAL, `where latency_ms>=${latency.ms}`);
  if (query.by) {
    const keys = query.by.map(groupKeySpl);
    const evals = keys.flatMap((k) => (k.eval ? [k.eval] : []));
    if (evals.length > 0) parts.push(`eval ${evals.join(", ")}`);
    for (const k of keys) if (k.bin) parts.push(k.bin);
    parts.push(`stats count min(_time) as first_seen max(_time) as last_seen by ${keys.map((k) => k.by).join(" ")}`);
    if (query.minCount !== undefined) parts.push(`where count>=${query.minCount}`);
    parts.push("convert ctime(first_seen) ctime(last_seen)", "sort - count");
  } else {
    const shown = (query.show ?? []).map((n) => (n === "latency_ms" ? n : searchField(field(n))));
    parts.push(`table _time ${shown.join(" ")}`, "sort - _time");
  }
  return parts.join(" | ");
}
