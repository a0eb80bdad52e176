/**
 * aws-iam-authenticator lines, logrus text format:
 * `time="2022-10-07T18:10:46Z" level=info msg="access granted" arn="arn:aws:iam::…" groups="[]" uid="aws-iam-authenticator:<acct>:<id>" username=…`
 */
import { parseRfc3339 } from "../time";
import { scanKeyValues } from "./key-value";
import { normaliseNewlines, type ParseResult } from "./types";

const LEVELS: Readonly<Record<string, string>> = { warn: "warning", warning: "warning", err: "error" };

// uid `aws-iam-authenticator:<account>:<principal id>`; EKS wrote `heptio-authenticator-aws:` before the rename.
const UID_ACCOUNT = /^(?:aws-iam-authenticator|heptio-authenticator-aws):([^:]+):/;
// arn:<partition>:iam|sts::<account>:…
const ARN_ACCOUNT = /^arn:[^:]+:(?:iam|sts)::([^:]+):/;

/** `[system:masters developer]` → ["system:masters", "developer"]; `[]` → []. */
export function parseGroups(value: string): string[] {
  const inner = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  return inner.split(/\s+/).filter((g) => g !== "");
}

/** Parses one authenticator event. Pure. */
export function parseAuthenticator(line: string, _eventTimeMs: number): ParseResult {
  const text = normaliseNewlines(line);
  if (text.trim() === "") return { fields: { parse_error: "authenticator: empty message" } };
  const { pairs: kv, count, error } = scanKeyValues(text, 0, { klogValues: false });
  if (count === 0) return { fields: { parse_error: `authenticator: not a key=value line (${error ?? "no pairs"})` } };

  const fields: Record<string, unknown> = {};
  const level = kv.level?.toLowerCase();
  if (level) fields.severity = LEVELS[level] ?? level;
  if (kv.msg !== undefined) fields.message = kv.msg;
  const arn = kv.arn || (kv.role?.startsWith("arn:") ? kv.role : undefined);
  if (arn) fields.arn = arn;
  if (kv.username) fields.username = kv.username;
  if (kv.uid) fields.uid = kv.uid;
  const account = UID_ACCOUNT.exec(kv.uid ?? "")?.[1] ?? (arn ? ARN_ACCOUNT.exec(arn)?.[1] : undefined) ?? (kv.accountid || undefined);
  if (account) fields.aws_account_id = account;
  if (kv.groups !== undefined) fields.groups = parseGroups(kv.groups);
  fields.kv = kv;
  if (error) fields.parse_error = `authenticator: ${error}`;
  return { timeMs: parseRfc3339(kv.time), fields };
}
