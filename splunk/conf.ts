/**
 * Splunk `.conf` files: written from data, and read back strictly (the build checks every file
 * it writes with the same parser the tests use). The format: `[stanza]` headers, `key = value`
 * lines, `#` comments on their own line, a trailing `\` continues a value on the next line;
 * keys are case-sensitive; a stanza or a key within a stanza appears once.
 */

export interface Stanza {
  readonly name: string;
  /** Comment lines written above the stanza (without `#`). */
  readonly comment?: readonly string[];
  readonly entries: readonly (readonly [key: string, value: string])[];
}

export class ConfError extends Error {
  override readonly name = "ConfError";
}

/** A conf file's text. Values are written on one line; a value with a newline is refused. */
export function renderConf(stanzas: readonly Stanza[], header: readonly string[] = []): string {
  const lines: string[] = header.map((h) => `# ${h}`.trimEnd());
  for (const stanza of stanzas) {
    if (lines.length > 0) lines.push("");
    for (const c of stanza.comment ?? []) lines.push(`# ${c}`.trimEnd());
    lines.push(`[${stanza.name}]`);
    for (const [key, value] of stanza.entries) {
      if (/[\r\n]/.test(value)) throw new ConfError(`[${stanza.name}] ${key}: a value must be one line`);
      if (value.endsWith("\\")) throw new ConfError(`[${stanza.name}] ${key}: a value must not end with \\ (Splunk would join the next line)`);
      lines.push(`${key} = ${value}`);
    }
  }
  return lines.join("\n") + "\n";
}

export interface ParsedConf {
  /** Stanzas in file order; settings before any header belong to `default`. */
  readonly stanzas: Map<string, Map<string, string>>;
}

/** Parses `text` strictly; every problem names the file and the line. */
export function parseConf(text: string, file: string): ParsedConf {
  const stanzas = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let currentName = "default";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const at = `${file}:${i + 1}`;
    let line = lines[i]!.replace(/\r$/, "");
    if (/^\s*(#|$)/.test(line)) continue;
    const header = /^\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      currentName = header[1]!;
      if (stanzas.has(currentName)) throw new ConfError(`${at}: stanza [${currentName}] appears twice`);
      current = new Map();
      stanzas.set(currentName, current);
      continue;
    }
    while (line.endsWith("\\")) {
      if (i + 1 >= lines.length) throw new ConfError(`${at}: a continuation \\ on the last line`);
      line = `${line.slice(0, -1)}\n${lines[++i]!.replace(/\r$/, "")}`;
    }
    const setting = /^([^=\s][^=]*?)\s*=\s?(.*)$/s.exec(line);
    if (!setting) throw new ConfError(`${at}: expected [stanza], key = value or # comment, got ${JSON.stringify(line.slice(0, 60))}`);
    const key = setting[1]!;
    if (/\s/.test(key)) throw new ConfError(`${at}: key ${JSON.stringify(key)} contains white space`);
    if (!current) {
      current = new Map();
      stanzas.set(currentName, current);
    }
    if (current.has(key)) throw new ConfError(`${at}: key ${key} appears twice in [${currentName}]`);
    current.set(key, setting[2]!.trim());
  }
  return { stanzas };
}
