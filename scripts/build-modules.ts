/**
 * `npm run build:modules [-- --check] [--out <dir>]`
 *
 * Generates the Terraform modules under terraform/modules/ from tfmodules/ (the same constructs
 * the stacks use, with variables for props). `--check` writes nothing and fails when the
 * committed modules differ from what the generator writes now (CI runs it).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { generateModules, MODULES } from "../tfmodules";
import { commandLine } from "./cli";

const ROOT = resolve(__dirname, "..");

const USAGE = `Usage: npm run build:modules [-- --check] [--out <dir>]

Writes every Terraform module (${Object.keys(MODULES).join(", ")}) into <dir>/<name>/ (default terraform/modules):
versions.tf, variables.tf, main.tf, outputs.tf, README.md and the assets they read.

  --check       write nothing; exit 1 listing every file that differs from what would be written
  --out <dir>   where the modules go (default terraform/modules)
  -h, --help    this text`;

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full).map((f) => join(entry, f)) : [entry];
  });
}

function main(): number {
  const values = commandLine("build:modules", USAGE, { check: { type: "boolean", default: false }, out: { type: "string" } });
  const out = resolve(values.out ?? join(ROOT, "terraform", "modules"));
  const differences: string[] = [];
  const started = Date.now();
  generateModules(ROOT, (generated) => {
    const dir = join(out, generated.name);
    const expected = new Map(Object.entries(generated.files).map(([file, content]) => [file, Buffer.from(content)]));
    if (values.check) {
      for (const [file, content] of expected) {
        let current: Buffer | undefined;
        try {
          current = readFileSync(join(dir, file));
        } catch {
          current = undefined;
        }
        if (!current) differences.push(`${relative(ROOT, join(dir, file))}: missing`);
        else if (!current.equals(content)) differences.push(`${relative(ROOT, join(dir, file))}: differs`);
      }
      for (const file of listFiles(dir)) if (!expected.has(file)) differences.push(`${relative(ROOT, join(dir, file))}: not generated (stale)`);
    } else {
      rmSync(dir, { recursive: true, force: true });
      for (const [file, content] of expected) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), content);
      }
    }
    const bytes = [...expected.values()].reduce((n, b) => n + b.length, 0);
    console.log(
      `${values.check ? "checked" : "wrote"} ${relative(ROOT, dir) || dir}: ${generated.inputs} inputs, ${generated.outputs} outputs, ${generated.resources} resources, ${expected.size} files (${bytes.toLocaleString("en-US")} bytes) in ${generated.milliseconds} ms`,
    );
  });
  const count = Object.keys(MODULES).length;
  if (differences.length > 0) {
    console.error(`\n${differences.length} generated file(s) differ from the committed modules; run npm run build:modules and commit:\n${differences.map((d) => `  ${d}`).join("\n")}`);
    return 1;
  }
  console.log(`\n${count} modules ${values.check ? "match the generator" : "written"} in ${Date.now() - started} ms`);
  return 0;
}

if (require.main === module) process.exit(main());
