/** Every generated Terraform module, by directory name under terraform/modules/. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { centralModule } from "./central";
import { destinationModule } from "./destination";
import { moduleFiles, type ModuleFiles } from "./generate";
import type { ModuleStack } from "./module-stack";
import { workloadModule } from "./workload";

export const MODULES: Record<string, (app: App) => ModuleStack> = {
  central: centralModule,
  destination: destinationModule,
  workload: workloadModule,
};

export interface GeneratedModule extends ModuleFiles {
  readonly name: string;
  readonly milliseconds: number;
}

/** Generates every module in memory (cdktf's App needs a scratch directory, removed afterwards). */
export function generateModules(root: string, onModule?: (module: GeneratedModule) => void): GeneratedModule[] {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const scratch = mkdtempSync(join(tmpdir(), "eks-logs-modules-"));
  try {
    return Object.entries(MODULES).map(([name, build]) => {
      const started = Date.now();
      const stack = build(new App({ outdir: join(scratch, name) }));
      const generated = { name, ...moduleFiles(stack, { repository: "<this repository>", ref: `v${version}` }), milliseconds: Date.now() - started };
      onModule?.(generated);
      return generated;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
