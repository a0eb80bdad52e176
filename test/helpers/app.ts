/** Synthesizes a whole environment (every stack) into a temporary directory and reads it back. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironment } from "../../envs/load";
import type { ResolvedEnvironment } from "../../envs/validate";
import { buildApp } from "../../main";
import type { Json } from "./synth";

export interface SynthesizedApp {
  readonly outdir: string;
  readonly stacks: Record<string, Json>;
  /** Removes the output directory. */
  dispose(): void;
}

export function synthApp(env: string | ResolvedEnvironment): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), "eks-logs-app-"));
  buildApp(typeof env === "string" ? loadEnvironment(env) : env, outdir).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks: Record<string, Json> = {};
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    stacks[name] = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), "utf8")) as Json;
  }
  return { outdir, stacks, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Every resource of `type` in a stack, as a list. */
export function resources(stack: Json, type: string): Json[] {
  return Object.values((stack.resource?.[type] ?? {}) as Record<string, Json>);
}
