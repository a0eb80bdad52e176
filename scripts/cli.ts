/** Strict flags for the project's commands: unknown flags and missing values name themselves; --help prints usage. */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * The flags of `command`, or the process ends: `--help`/`-h` prints `usage` and exits 0, a bad
 * command line prints the problem and `usage` and exits 2.
 */
type Flags<T extends Options> = { [K in keyof T]: T[K]["type"] extends "boolean" ? boolean : T[K]["multiple"] extends true ? string[] | undefined : string | undefined };

export function commandLine<T extends Options>(command: string, usage: string, options: T, argv: string[] = process.argv.slice(2)): Flags<T> {
  try {
    const parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { ...options, help: { type: "boolean", short: "h", default: false } } });
    const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    for (const [name, spec] of Object.entries(options)) {
      if (spec.type === "string" && values[name] === "") throw new TypeError(`Option '--${name} <value>' argument missing`);
    }
    return values as unknown as Flags<T>;
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
