/**
 * Construct ids are a contract: a renamed id replaces its resource on the next apply (a new
 * bucket, a new key). The address of every resource and data source of both example envs is
 * pinned here, ids and types only, so a rename shows up as a snapshot diff to read like a plan.
 * Change it on purpose with `npx jest -u`, and move state (`moveTo`, `terraform state mv`) with it.
 */
import { synthApp } from "../helpers/app";
import type { Json } from "../helpers/synth";

function addresses(stack: Json): string[] {
  const out: string[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const [type, blocks] of Object.entries<Record<string, unknown>>(stack[kind] ?? {})) {
      for (const id of Object.keys(blocks)) out.push(`${kind === "data" ? "data." : ""}${type}.${id}`);
    }
  }
  return out.sort();
}

describe.each(["example", "multi-account"])("construct ids of the %s environment", (env) => {
  it("are the ones the last reviewed change left", () => {
    const app = synthApp(env);
    try {
      const ids = Object.fromEntries(Object.entries(app.stacks).map(([name, stack]) => [name, addresses(stack)]));
      expect(ids).toMatchSnapshot();
    } finally {
      app.dispose();
    }
  });
});
