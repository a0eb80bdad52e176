/**
 * One output line per CloudWatch Logs event: the common fields (record.ts
 * COMMON_COLUMNS, in that order), then the parser's fields. A parse error always
 * travels with the raw text in `message`; a parser that throws is a parse error too.
 */
import type { CwlData, CwlEvent } from "./envelope";
import type { Parser, Parsers } from "./parsers";
import { type EscapedMessages, type LineParts, reusableEscaped } from "./escaped-text";
import { SerializedResult } from "./parsers/types";
import { formatEventTime, isValidEpochMs } from "./time";

/** What every line of one record shares. */
export interface LineContext {
  readonly logType: string;
  readonly parse: Parser;
  /** `,"account_id":…,"log_type":"…"`: the same for every line of the record, serialised once. */
  readonly commonJson: string;
}

export function lineContext(payload: CwlData, parsers: Parsers): LineContext {
  const k = payload.partitionKeys;
  const common = { account_id: k.account_id, region: k.region, cluster: k.cluster, log_group: payload.logGroup, log_stream: payload.logStream, log_type: k.log_type };
  return { logType: k.log_type, parse: parsers[payload.logType], commonJson: "," + JSON.stringify(common).slice(1, -1) };
}

const DIGITS = /^\d{1,100}$/;

/** `members` are the parsed fields as JSON members, each with its leading comma. */
function assemble(ctx: LineContext, event: CwlEvent, timeMs: number | undefined, members: string): string {
  const time = timeMs !== undefined && isValidEpochMs(timeMs) ? timeMs : event.timestamp;
  // CloudWatch event ids are digits: no escaping needed, checked rather than assumed.
  const id = DIGITS.test(event.id) ? `"${event.id}"` : JSON.stringify(event.id);
  return `{"event_time":"${formatEventTime(time)}","cwl_timestamp":${event.timestamp},"cwl_id":${id}${ctx.commonJson}${members}}`;
}

function members(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json.length === 2 ? "" : "," + json.slice(1, -1);
}

/**
 * `fields` (ending with `parse_error`) and the raw text as the last member, `message`: its escaped
 * bytes copied from the payload when they are JSON.stringify's own, else escaped here.
 */
function withMessage(ctx: LineContext, event: CwlEvent, timeMs: number | undefined, fields: Record<string, unknown>, messages: EscapedMessages | undefined, index: number): string | LineParts {
  const copy = reusableEscaped(messages, index);
  if (!copy) return assemble(ctx, event, timeMs, members({ ...fields, message: event.message }));
  return { head: assemble(ctx, event, timeMs, members(fields)).slice(0, -1) + ',"message":"', bytes: messages!.bytes, start: copy.start, end: copy.end, tail: '"}' };
}

/**
 * The parsed line of one event (no trailing newline). Never throws for bad input. `messages` and
 * `index` say where the event's message sits, escaped, in its payload (event `index` of `messages`).
 */
export function renderLine(ctx: LineContext, event: CwlEvent, messages?: EscapedMessages, index = -1): string | LineParts {
  let timeMs: number | undefined;
  let fields: Record<string, unknown>;
  try {
    const result = ctx.parse(event.message, event.timestamp);
    if (result instanceof SerializedResult) return assemble(ctx, event, result.timeMs, result.json);
    timeMs = result.timeMs;
    fields = result.fields;
  } catch (error) {
    fields = { parse_error: `${ctx.logType}: parser failed: ${(error as Error)?.message ?? String(error)}` };
  }
  try {
    if (fields.parse_error !== undefined) {
      const { parse_error, message: _parsed, ...rest } = fields;
      return withMessage(ctx, event, timeMs, { ...rest, parse_error }, messages, index);
    }
    return assemble(ctx, event, timeMs, members(fields));
  } catch (error) {
    // A value nested deeper than JSON.stringify can walk (Kubernetes accepts 10,000 levels): the line goes out raw.
    return renderRawLine(ctx, event, `${ctx.logType}: parsed fields cannot be written as JSON (${(error as Error)?.message ?? String(error)}); delivered unparsed`, messages, index);
  }
}

/** The line of an event delivered unparsed: common fields, the reason, the raw text. */
export function renderRawLine(ctx: LineContext, event: CwlEvent, reason: string, messages?: EscapedMessages, index = -1): string | LineParts {
  return withMessage(ctx, event, undefined, { parse_error: reason }, messages, index);
}

/** A line as one string (tests, tools): the parts joined. */
export function lineText(line: string | LineParts): string {
  return typeof line === "string" ? line : line.head + line.bytes.toString("utf8", line.start, line.end) + line.tail;
}
