/**
 * Validation of an environment: the schema, then the rules that span fields,
 * then the defaults that depend on other fields. Every problem is collected and
 * reported together, each naming the file, the field, the value and the rule.
 */
import type { z } from "zod";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../lambda-src/config";
import { parseCadence } from "../modules/analytics/schedule";
import { bucketNameProblem, partitionOfRegion, type Partition } from "./aws-facts";
import { environmentSchema, type Environment } from "./schema";

type Path = readonly (string | number)[];

export interface Problem {
  readonly path: Path;
  readonly value: unknown;
  readonly rule: string;
}

/** The account a stack deploys into, with its backend fully resolved. */
export interface ResolvedState {
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  readonly roleArn: string;
  readonly externalId: string | undefined;
  readonly lockfile: boolean;
  readonly bootstrapStateInBucket: boolean;
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
  readonly senders: { readonly organizationId?: string; readonly accountIds: readonly string[] };
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
  return [{ path: issue.path as Path, value: issue.input, rule: issue.message }];
}

/** Rules that need more than one field. */
function crossFieldProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, value: unknown, rule: string) => problems.push({ path, value, rule });
  const partition = partitionOfRegion(env.central.region);

  const accounts: { path: Path; accountId: string; access: RawCentral["access"]; state: RawCentral["state"] }[] = [
    { path: ["central"], ...env.central },
    ...env.workloads.map((w, i) => ({ path: ["workloads", i] as Path, ...w })),
  ];

  for (const { path, accountId, access, state } of accounts) {
    const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(access.roleArn)?.[1];
    if (roleAccount !== accountId) {
      add([...path, "access", "roleArn"], access.roleArn, `must be a role in account ${accountId} (it names ${roleAccount})`);
    }
    if (state.region && partitionOfRegion(state.region) !== partition) {
      add([...path, "state", "region"], state.region, `must be in the central region's partition (${partition})`);
    }
  }

  const seenAccounts = new Map<string, number>();
  env.workloads.forEach((w, i) => {
    const first = seenAccounts.get(w.accountId);
    if (first !== undefined) add(["workloads", i, "accountId"], w.accountId, `is already listed at workloads[${first}]`);
    else seenAccounts.set(w.accountId, i);

    const seenRegions = new Map<string, number>();
    w.regions.forEach((r, j) => {
      const at = ["workloads", i, "regions", j, "region"];
      const firstRegion = seenRegions.get(r.region);
      if (firstRegion !== undefined) {
        add(at, r.region, `is already listed at workloads[${i}].regions[${firstRegion}]; merge their clusters`);
      } else seenRegions.set(r.region, j);
      if (partitionOfRegion(r.region) !== partition) {
        add(at, r.region, `must be in the central region's partition (${partition}); CloudWatch Logs cannot send across partitions`);
      } else if (
        w.accountId !== env.central.accountId &&
        env.central.destinationRegions &&
        !env.central.destinationRegions.includes(r.region)
      ) {
        add(at, r.region, "has no CloudWatch Logs destination: add it to central.destinationRegions");
      }
    });
  });

  env.central.destinationRegions?.forEach((r, i) => {
    if (partitionOfRegion(r) !== partition) {
      add(["central", "destinationRegions", i], r, `must be in the central region's partition (${partition})`);
    }
  });

  // One account, one state bucket: its bootstrap stack and key alias exist once per account.
  const accountBuckets = new Map<string, { bucket: string; path: Path }>();
  for (const { path, accountId, state } of accounts) {
    const seen = accountBuckets.get(accountId);
    if (seen && seen.bucket !== state.bucket) {
      add([...path, "state", "bucket"], state.bucket, `differs from ${formatPath(seen.path)} ("${seen.bucket}"); account ${accountId} keeps all its state in one bucket`);
    } else if (!seen) accountBuckets.set(accountId, { bucket: state.bucket, path: [...path, "state", "bucket"] });
  }

  // A state bucket shared by several accounts is one bucket: it has one region.
  const bucketRegions = new Map<string, { region: string; path: Path }>();
  for (const { path, state } of accounts) {
    const region = state.region;
    if (!region) continue;
    const seen = bucketRegions.get(state.bucket);
    if (seen && seen.region !== region) {
      add([...path, "state", "region"], region, `differs from ${formatPath(seen.path)} (${seen.region}) for the same bucket "${state.bucket}"`);
    } else if (!seen) bucketRegions.set(state.bucket, { region, path: [...path, "state", "region"] });
  }

  const senders = env.senders;
  if (senders) {
    if ((senders.organizationId === undefined) === (senders.accountIds === undefined)) {
      add(["senders"], senders, "must set exactly one of organizationId or accountIds");
    } else if (senders.accountIds) {
      env.workloads.forEach((w, i) => {
        if (!senders.accountIds!.includes(w.accountId)) {
          add(["workloads", i, "accountId"], w.accountId, "is not in senders.accountIds, so its logs would be refused");
        }
      });
    }
  }

  // Same-account subscriptions go straight to the Firehose stream, which lives in the central region.
  env.workloads.forEach((w, i) => {
    if (w.accountId !== env.central.accountId) return;
    w.regions.forEach((r, j) => {
      if (r.region !== env.central.region) {
        add(
          ["workloads", i, "regions", j, "region"],
          r.region,
          `must be the central region (${env.central.region}) for the central account's own clusters: same-account subscriptions deliver straight to the Firehose stream, and CloudWatch Logs destinations are cross-account only`,
        );
      }
    });
  });

  const { s3, splunk, firehose } = env.pipeline;
  const estimate = activePartitionEstimate(env);
  if (estimate > firehose.activePartitionLimit) {
    add(
      ["pipeline", "s3", "extraPartitionKeys"],
      s3.extraPartitionKeys,
      `make up to ${estimate} active Firehose partitions (6 log types × ${estimate / 12} key combinations × 2 at hour boundaries), over pipeline.firehose.activePartitionLimit (${firehose.activePartitionLimit}); records over the limit go to the error prefix`,
    );
  }
  if (s3.extraPartitionKeys.includes("cluster")) {
    env.workloads.forEach((w, i) => {
      if (w.accountWideSubscription) {
        add(
          ["workloads", i, "accountWideSubscription"],
          true,
          "cannot be combined with pipeline.s3.extraPartitionKeys containing cluster: Athena's partition projection lists the clusters of this file, so clusters found later would not be queryable",
        );
      }
    });
  }

  let previous: { afterDays: number; storageClass: string } | undefined;
  s3.transitions.forEach((t, i) => {
    const at = ["pipeline", "s3", "transitions", i, "afterDays"];
    if ((t.storageClass === "STANDARD_IA" || t.storageClass === "ONEZONE_IA") && t.afterDays < 30) {
      add(at, t.afterDays, `must be at least 30 for ${t.storageClass} (S3 lifecycle minimum)`);
    }
    if (previous && t.afterDays <= previous.afterDays) {
      add(at, t.afterDays, `must be greater than the previous transition (${previous.afterDays})`);
    } else if (previous && /IA$/.test(previous.storageClass) && t.afterDays < previous.afterDays + 30) {
      add(at, t.afterDays, `must be at least 30 days after the ${previous.storageClass} transition (${previous.afterDays})`);
    }
    previous = t;
  });
  if (s3.expireAfterDays > 0 && previous && s3.expireAfterDays <= previous.afterDays) {
    add(["pipeline", "s3", "expireAfterDays"], s3.expireAfterDays, `must be greater than the last transition (${previous.afterDays}) or 0`);
  }

  if (splunk.requireExternalId) {
    if (splunk.readerPrincipalArns.length > 0 && !splunk.externalId) {
      add(["pipeline", "splunk", "externalId"], undefined, "is required when readerPrincipalArns is set (confused-deputy protection); set requireExternalId: false only for Splunk_TA_aws's own IAM Role setting, which cannot send one");
    }
  } else {
    if (splunk.externalId) {
      add(["pipeline", "splunk", "externalId"], splunk.externalId, "would not be checked with requireExternalId: false; remove it or require it");
    }
    splunk.readerPrincipalArns.forEach((principal, i) => {
      if (principal.endsWith(":root")) {
        add(["pipeline", "splunk", "readerPrincipalArns", i], principal, "must be an exact role or user when requireExternalId is false, never a whole account");
      }
    });
  }

  const { databrew } = env.pipeline;
  const cadence = parseCadence(databrew.schedule);
  if (!cadence) {
    add(
      ["pipeline", "databrew", "schedule"],
      databrew.schedule,
      "must run every hour, every N hours (N divides 24) or daily, at a fixed minute from 1 to 59, e.g. cron(15 * * * ? *): each run reads the whole hours since the last one",
    );
  } else if (databrew.enabled && cadence.minute * 60 < deliveryDelaySeconds(env)) {
    add(
      ["pipeline", "databrew", "schedule"],
      databrew.schedule,
      `must fire at least ${Math.ceil(deliveryDelaySeconds(env) / 60)} minutes past the hour: an hour's last objects land up to ${deliveryDelaySeconds(env)} s after it ends (processor interval + Lambda timeout + S3 buffer interval)`,
    );
  }

  // The Lambda validates these at cold start; checking them here fails the synth instead of the deploy.
  const known = new Set<string>([...CONFIG_VARIABLES.map((v) => v.name), "NODE_OPTIONS"]);
  for (const name of Object.keys(env.pipeline.lambda.environment)) {
    if (!known.has(name)) {
      add(["pipeline", "lambda", "environment", name], env.pipeline.lambda.environment[name], `is not a setting of the transform; known: ${[...known].join(", ")}`);
    }
  }
  try {
    loadConfig(env.pipeline.lambda.environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) {
      const name = problem.split(" ")[0]!;
      add(["pipeline", "lambda", "environment", name], env.pipeline.lambda.environment[name], problem.slice(name.length + 1));
    }
  }

  // Bucket names derived from the prefix (storage, access logs, Athena results) must be valid too.
  const prefix = env.central.namePrefix ?? `eks-logs-${env.name}`;
  const { accountId: account, region: home } = env.central;
  for (const [what, name] of [
    ["log bucket", `${prefix}-${account}-${home}`],
    ["access-log bucket", `${prefix}-${account}-${home}-sal`],
    ["Athena results bucket", `${prefix}-athena-${account}-${home}`],
  ] as const) {
    const problem = bucketNameProblem(name);
    if (problem) add(["central", "namePrefix"], prefix, `makes the ${what} name "${name}", which ${problem}: use a shorter prefix`);
  }

  const reservedTags = 4; // Project, Environment, Stack, ManagedBy
  if (Object.keys(env.tags).length + reservedTags > 50) {
    add(["tags"], `${Object.keys(env.tags).length} tags`, `must be at most ${50 - reservedTags} (AWS allows 50 per resource; 4 are ours)`);
  }
  return problems;
}

/** Worst case from an hour's end until its last raw object lands: the DataBrew schedule must wait this long. */
export function deliveryDelaySeconds(env: { readonly pipeline: Pick<Pipeline, "firehose" | "lambda"> }): number {
  const { firehose, lambda } = env.pipeline;
  return firehose.processorBufferIntervalSeconds + lambda.timeoutSeconds + firehose.bufferIntervalSeconds;
}

/** Partitions Firehose may hold open at once: distinct partition-key values, per log type, doubled at the hour change. */
export function activePartitionEstimate(env: Environment): number {
  const keys = env.pipeline.s3.extraPartitionKeys;
  const combinations = new Set<string>();
  for (const w of env.workloads) {
    for (const r of w.regions) {
      for (const cluster of r.clusters) {
        const value = { account_id: w.accountId, region: r.region, cluster };
        combinations.add(keys.map((k) => value[k]).join("/"));
      }
    }
  }
  return 6 * combinations.size * 2;
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
      ownsBucket: !owner,
    };
  };

  const namePrefix = env.central.namePrefix ?? `eks-logs-${env.name}`;
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
      ? { organizationId: env.senders.organizationId, accountIds: [] }
      : { accountIds: env.senders?.accountIds ?? senderAccounts },
  };
}

export type ValidationResult =
  | { readonly ok: true; readonly env: ResolvedEnvironment }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Validates `config` read from `file`; never throws. */
export function validateEnvironment(config: unknown, file: string): ValidationResult {
  const parsed = environmentSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.flatMap(fromZodIssue).map((p) => formatProblem(file, p)) };
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => formatProblem(file, p)) };
  return { ok: true, env: resolve(parsed.data) };
}
