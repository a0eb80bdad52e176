/**
 * A small SQL tokenizer for tests: enough of Athena (Trino) SQL to list which identifiers a
 * query names, so a test can check them against a table's columns. Not a parser: it knows
 * strings, quoted identifiers, numbers, words, operators and comments.
 */

export type TokenKind = "word" | "quoted" | "string" | "number" | "operator" | "punctuation";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const PATTERNS: [TokenKind | "space" | "comment", RegExp][] = [
  ["space", /^\s+/],
  ["comment", /^--[^\n]*/],
  ["string", /^'(?:[^']|'')*'/],
  ["quoted", /^"(?:[^"]|"")+"/],
  ["number", /^\d+(?:\.\d+)?/],
  ["word", /^[A-Za-z_][A-Za-z0-9_]*/],
  ["operator", /^(?:<=|>=|<>|!=|\|\||[=<>+\-*/%])/],
  ["punctuation", /^[(),.;[\]]/],
];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let rest = sql;
  while (rest.length > 0) {
    const hit = PATTERNS.map(([kind, re]) => [kind, re.exec(rest)?.[0]] as const).find(([, m]) => m !== undefined);
    if (!hit) throw new Error(`cannot tokenize at: ${rest.slice(0, 40)}`);
    const [kind, text] = hit;
    if (kind !== "space" && kind !== "comment") tokens.push({ kind, text: text! });
    rest = rest.slice(text!.length);
  }
  return tokens;
}

/** Words that are SQL syntax here, never names (lowercase). */
export const SQL_KEYWORDS = new Set([
  "select", "from", "where", "and", "or", "not", "in", "is", "null", "as", "group", "by", "order", "having",
  "limit", "asc", "desc", "between", "like", "distinct", "case", "when", "then", "else", "end", "interval",
  "hour", "day", "minute", "second", "true", "false", "current_timestamp", "current_date",
]);

export interface Identifiers {
  /** Names used as values: columns or aliases. */
  readonly names: string[];
  /** Names called as functions. */
  readonly functions: string[];
  /** Names introduced by AS. */
  readonly aliases: string[];
  /** `db.table` references. */
  readonly tables: string[];
}

function unquote(token: Token): string {
  return token.kind === "quoted" ? token.text.slice(1, -1).replaceAll('""', '"') : token.text.toLowerCase();
}

const isName = (t: Token | undefined) => t !== undefined && (t.kind === "word" || t.kind === "quoted");

/** Sorts the identifiers of `sql` into functions, aliases, qualified tables and other names. */
export function identifiers(sql: string): Identifiers {
  const tokens = tokenize(sql);
  const names: string[] = [];
  const functions: string[] = [];
  const aliases: string[] = [];
  const tables: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!isName(token)) continue;
    if (token.kind === "word" && SQL_KEYWORDS.has(token.text.toLowerCase())) continue;
    const next = tokens[i + 1];
    const previous = tokens[i - 1];
    if (next?.text === "." && isName(tokens[i + 2])) {
      tables.push(`${unquote(token)}.${unquote(tokens[i + 2]!)}`);
      i += 2;
    } else if (previous?.kind === "word" && previous.text.toLowerCase() === "as") {
      aliases.push(unquote(token));
    } else if (next?.text === "(" && token.kind === "word") {
      functions.push(token.text.toLowerCase());
    } else {
      names.push(unquote(token));
    }
  }
  return { names, functions, aliases, tables };
}
