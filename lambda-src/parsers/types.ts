/** What every parser returns. Parsers are pure `(line, eventTimeMs) => ParseResult`: no clock, env, SDK or logging. */
export interface ParseResult {
  /** The event's own time (epoch ms) when the text carries one; the CloudWatch timestamp is used otherwise. */
  readonly timeMs?: number | undefined;
  /**
   * Per-type fields in output order, named as in record.ts. When parsing failed they hold
   * `parse_error`; the line builder then puts the raw text into `message`.
   */
  readonly fields: Record<string, unknown>;
}

export type Parser = (line: string, eventTimeMs: number) => ParseResult;

/**
 * A result whose fields a parser wrote straight as JSON members (`,"verb":"get","code":200`),
 * values copied from the input text; `fields` decodes them on demand (tests, error paths).
 */
export class SerializedResult implements ParseResult {
  constructor(
    readonly json: string,
    readonly timeMs: number | undefined,
  ) {}

  get fields(): Record<string, unknown> {
    return this.json === "" ? {} : (JSON.parse(`{${this.json.slice(1)}}`) as Record<string, unknown>);
  }
}

/** A failed parse: the reason, plus any fields that were still understood. */
export function parseError(reason: string, fields: Record<string, unknown> = {}, timeMs?: number): ParseResult {
  return { timeMs, fields: { ...fields, parse_error: reason } };
}

/** CloudWatch events often end with a newline, and Windows-built tools write CRLF: normalise both. */
export function normaliseNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  const trimmed = end === text.length ? text : text.slice(0, end);
  return trimmed.includes("\r") ? trimmed.replace(/\r\n?/g, "\n") : trimmed;
}
