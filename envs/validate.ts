/**
 * Validation of an environment: the schema (schema.ts), the rules that span fields and the
 * module rules mapped back to env fields (rules.ts), then the defaults that depend on other
 * fields. Every problem of the file is collected in one run and reported together, each
 * naming the file, the field, the value and the rule.
 */
import type { z } from "zod";
import { partitionOfRegion, type Partition } from "../modules/common/aws";
import { ENVIRONMENT_RULES, type Path, type Problem, type Section } from "./rules";
import { defaultNamePrefix, environmentSchema, type Environment } from "./schema";

export type { Problem } from "./rules";
export { activePartitionEstimate, deliveryDelaySeconds } from "./rules";

/** The account a stack deploys into, with its backend fully resolved. */
export interface ResolvedState {
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  readonly roleArn: string;
  readonly externalId: string | undefined;
  readonly lockfile: boolean;
  readonly bootstrapStateInBucket: boolean;
  /** The bootstrap stack may be destroyed with its bucket and key (they are protected otherwise). */
  readonly allowDestroy: boolean;
  /** This account creates the bucket (the first account in the file that names it). */
  readonly ownsBucket: boolean;
}

type RawCentral = Environment["central"];
type RawWorkload = Environment["workloads"][number];

type Pipeline = Environment["pipeline"];

export interface ResolvedEnvironment extends Omit<Environment, "central" | "workloads" | "senders" | "pipeline"> {
  readonly partition: Partition;
  readonly pipeline: Omit<Pipeline, "athena" | "catalog"> & {
    readonly athena: Pipeline["athena"] & { readonly workgroupName: string };
    readonly catalog: Pipeline["catalog"] & { readonly databaseName: string };
  };
  readonly central: Omit<RawCentral, "namePrefix" | "destinationRegions" | "state"> & {
    readonly namePrefix: string;
    readonly destinationRegions: readonly string[];
    readonly state: ResolvedState;
  };
  readonly workloads: readonly (Omit<RawWorkload, "state"> & { readonly state: ResolvedState })[];
  readonly senders: { readonly organizationId?: string; readonly accountIds: readonly string[]; readonly organizationalUnitPaths?: readonly string[] };
}

export class EnvironmentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${file} is not a valid environment (${count}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvironmentError";
  }
}

export function formatPath(path: Path): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : String(part)),
    "",
  );
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(file: string, problem: Problem): string {
  return `${file}: ${formatPath(problem.path)}: ${formatValue(problem.value)} ${problem.rule}`;
}

function fromZodIssue(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code === "unrecognized_keys") {
    const input = issue.input as Record<string, unknown> | undefined;
    return issue.keys.map((key) => ({ path: [...issue.path, key] as Path, value: input?.[key], rule: "is not a known field" }));
  }
  if (issue.code === "invalid_type") {
    const rule = issue.input === undefined ? `is required (${issue.expected})` : `must be a ${issue.expected}`;
    return [{ path: issue.path as Path, value: issue.input, rule }];
  }
  if (issue.code === "invalid_union") {
    // The one option that took the value's shape and failed inside says more than "one of …".
    const inside = issue.errors.filter((option) => option.length > 0 && option.every((i) => i.path.length > 0));
    if (inside.length === 1) return inside[0]!.flatMap((i) => fromZodIssue({ ...i, path: [...issue.path, ...i.path] }));
  }
  return [{ path: issue.path as Path, value: issue.input, rule: issue.message }];
}

function resolve(env: Environment): ResolvedEnvironment {
  const partition = partitionOfRegion(env.central.region)!;
  // Destinations serve other accounts; the central account's own clusters go straight to the stream.
  const senders = env.workloads.filter((w) => w.accountId !== env.central.accountId);
  const senderRegions = [...new Set(senders.flatMap((w) => w.regions.map((r) => r.region)))];
  const senderAccounts = [...new Set(senders.map((w) => w.accountId))];
  const owners = new Map<string, { roleArn: string; externalId: string | undefined }>();

  const resolveState = (state: RawCentral["state"], access: RawCentral["access"], defaultRegion: string): ResolvedState => {
    const owner = owners.get(state.bucket);
    if (!owner) owners.set(state.bucket, { roleArn: access.roleArn, externalId: access.externalId });
    const via = state.roleArn ? { roleArn: state.roleArn, externalId: access.externalId } : (owner ?? access);
    return {
      bucket: state.bucket,
      region: state.region ?? defaultRegion,
      keyPrefix: state.keyPrefix,
      roleArn: via.roleArn,
      externalId: via.externalId,
      lockfile: state.lockfile,
      bootstrapStateInBucket: state.bootstrapStateInBucket,
      allowDestroy: state.allowDestroy,
      ownsBucket: !owner,
    };
  };

  const namePrefix = env.central.namePrefix ?? defaultNamePrefix(env.name);
  return {
    ...env,
    pipeline: {
      ...env.pipeline,
      athena: { ...env.pipeline.athena, workgroupName: env.pipeline.athena.workgroupName ?? namePrefix },
      catalog: { ...env.pipeline.catalog, databaseName: env.pipeline.catalog.databaseName ?? namePrefix.replace(/-/g, "_") },
    },
    partition,
    central: {
      ...env.central,
      namePrefix,
      destinationRegions: env.central.destinationRegions ?? senderRegions,
      state: resolveState(env.central.state, env.central.access, env.central.region),
    },
    workloads: env.workloads.map((w) => ({ ...w, state: resolveState(w.state, w.access, w.regions[0]!.region) })),
    // An organisation is admitted by aws:PrincipalOrgID, not by a list: its destination roles trust
    // any account of their region, so the estate can grow without the trust policy's size limit.
    senders: env.senders?.organizationId
      ? {
          organizationId: env.senders.organizationId,
          accountIds: [],
          ...(env.senders.organizationalUnitPaths ? { organizationalUnitPaths: env.senders.organizationalUnitPaths } : {}),
        }
      : { accountIds: env.senders?.accountIds ?? senderAccounts },
  };
}

export type ValidationResult =
  | { readonly ok: true; readonly env: ResolvedEnvironment }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Each section the schema checks on its own, read from the raw config. */
function sections(config: unknown): { section: Section; schema: z.ZodType; value: unknown }[] {
  const raw = (config !== null && typeof config === "object" ? config : {}) as Record<string, unknown>;
  const pipeline = (raw.pipeline !== null && typeof raw.pipeline === "object" ? raw.pipeline : {}) as Record<string, unknown>;
  const shape = environmentSchema.shape;
  const pipelineShape = shape.pipeline.unwrap().shape;
  return [
    ...(["name", "central", "workloads", "senders", "tags"] as const).map((key) => ({ section: key as Section, schema: shape[key] as z.ZodType, value: raw[key] })),
    ...(Object.keys(pipelineShape) as (keyof typeof pipelineShape)[]).map((key) => ({ section: `pipeline.${key}` as Section, schema: pipelineShape[key] as z.ZodType, value: pipeline[key] })),
  ];
}

/**
 * The rules whose sections all passed the schema, run on those sections (with their defaults).
 * When the whole schema passes, that is every rule on the parsed environment.
 */
function ruleProblems(config: unknown, parsed: Environment | undefined): Problem[] {
  let env = parsed;
  const ok = new Set<Section>();
  if (env) for (const { section } of sections(config)) ok.add(section);
  else {
    const partial: Record<string, unknown> = { pipeline: {} };
    for (const { section, schema, value } of sections(config)) {
      const result = schema.safeParse(value);
      if (!result.success) continue;
      ok.add(section);
      if (section.startsWith("pipeline.")) (partial.pipeline as Record<string, unknown>)[section.slice("pipeline.".length)] = result.data;
      else partial[section] = result.data;
    }
    env = partial as unknown as Environment;
  }
  return ENVIRONMENT_RULES.filter((rule) => rule.reads.every((s) => ok.has(s))).flatMap((rule) => rule.check(env!));
}

/** Validates `config` read from `file`; never throws. Schema and rule problems come in one list. */
export function validateEnvironment(config: unknown, file: string): ValidationResult {
  const parsed = environmentSchema.safeParse(config, { reportInput: true });
  const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap(fromZodIssue);
  const problems = [...schemaProblems, ...ruleProblems(config, parsed.success ? parsed.data : undefined)];
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => formatProblem(file, p)) };
  return { ok: true, env: resolve(parsed.data!) };
}
