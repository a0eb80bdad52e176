/**
 * The rules of an environment that span fields or accounts, one named function each, and the
 * module rules envs/ runs on the settings it passes on (mapped back to the env field).
 * Single-field rules live in schema.ts; a module's own rules live in that module.
 *
 * Each rule names the sections it reads: when the schema refuses one of them, the rule is
 * skipped (its input would be meaningless) while every other rule still runs, so one run
 * reports every problem of the file.
 */
import { ALL_LOG_TYPES } from "../lambda-src/conventions";
import { scheduleProblems } from "../modules/analytics/validate";
import { defaultResultsBucketName } from "../modules/catalog/validate";
import { partitionOfRegion } from "../modules/common/aws";
import { bucketNameProblem } from "../modules/common/s3-names";
import type { ModuleProblem } from "../modules/common/validate";
import { storageNames } from "../modules/storage/names";
import { lifecycleProblems, splunkProblems } from "../modules/storage/validate";
import { environmentProblems } from "../modules/transform/validate";
import { defaultNamePrefix, type Environment } from "./schema";

export type Path = readonly (string | number)[];

export interface Problem {
  readonly path: Path;
  readonly value: unknown;
  readonly rule: string;
}

/** Sections of an environment the schema checks on their own. */
export type Section = "name" | "central" | "workloads" | "senders" | "tags" | `pipeline.${keyof Environment["pipeline"]}`;

export interface EnvironmentRule {
  readonly name: string;
  readonly reads: readonly Section[];
  readonly check: (env: Environment) => Problem[];
}

/** Provider default tags the stacks add to every resource: Project, Environment, Stack, ManagedBy. */
export const RESERVED_TAGS = 4;
const MAX_TAGS = 50;

function problem(path: Path, value: unknown, rule: string): Problem {
  return { path, value, rule };
}

/** `transitions[1].afterDays` → ["transitions", 1, "afterDays"]. */
export function parseProp(prop: string): Path {
  return prop.split(/\.|(?=\[)/).flatMap((part): (string | number)[] => {
    const index = /^\[(\d+)\]$/.exec(part);
    return index ? [Number(index[1])] : part === "" ? [] : [part];
  });
}

/** A module's problems as env problems under `at` (its props are the env's fields there). */
export function fromModule(problems: readonly ModuleProblem[], at: Path): Problem[] {
  return problems.map((p) => problem([...at, ...parseProp(p.prop)], p.value, p.rule));
}

function accounts(env: Environment) {
  return [{ path: ["central"] as Path, ...env.central }, ...env.workloads.map((w, i) => ({ path: ["workloads", i] as Path, ...w }))];
}

/** Terraform assumes each account's own role. */
function accessRolesInOwnAccount(env: Environment): Problem[] {
  return accounts(env).flatMap(({ path, accountId, access }) => {
    const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(access.roleArn)?.[1];
    return roleAccount === accountId ? [] : [problem([...path, "access", "roleArn"], access.roleArn, `must be a role in account ${accountId} (it names ${roleAccount})`)];
  });
}

/** One partition for the whole estate: CloudWatch Logs cannot send across partitions. */
function onePartition(env: Environment): Problem[] {
  const partition = partitionOfRegion(env.central.region);
  const problems: Problem[] = [];
  for (const { path, state } of accounts(env)) {
    if (state.region && partitionOfRegion(state.region) !== partition) problems.push(problem([...path, "state", "region"], state.region, `must be in the central region's partition (${partition})`));
  }
  env.central.destinationRegions?.forEach((r, i) => {
    if (partitionOfRegion(r) !== partition) problems.push(problem(["central", "destinationRegions", i], r, `must be in the central region's partition (${partition})`));
  });
  env.workloads.forEach((w, i) =>
    w.regions.forEach((r, j) => {
      if (partitionOfRegion(r.region) !== partition) {
        problems.push(problem(["workloads", i, "regions", j, "region"], r.region, `must be in the central region's partition (${partition}); CloudWatch Logs cannot send across partitions`));
      }
    }),
  );
  return problems;
}

function uniqueWorkloads(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  env.workloads.forEach((w, i) => {
    const first = seen.get(w.accountId);
    if (first !== undefined) problems.push(problem(["workloads", i, "accountId"], w.accountId, `is already listed at workloads[${first}]`));
    else seen.set(w.accountId, i);
    const regions = new Map<string, number>();
    w.regions.forEach((r, j) => {
      const firstRegion = regions.get(r.region);
      if (firstRegion !== undefined) problems.push(problem(["workloads", i, "regions", j, "region"], r.region, `is already listed at workloads[${i}].regions[${firstRegion}]; merge their clusters`));
      else regions.set(r.region, j);
    });
  });
  return problems;
}

/** A destination must be in its senders' region; the central account's own clusters skip it. */
function destinationsForSenders(env: Environment): Problem[] {
  const partition = partitionOfRegion(env.central.region);
  const problems: Problem[] = [];
  env.workloads.forEach((w, i) =>
    w.regions.forEach((r, j) => {
      const at = ["workloads", i, "regions", j, "region"];
      if (w.accountId === env.central.accountId) {
        // Same-account subscriptions deliver straight to the stream, which lives in the central region.
        if (r.region !== env.central.region) {
          problems.push(
            problem(at, r.region, `must be the central region (${env.central.region}) for the central account's own clusters: same-account subscriptions deliver straight to the Firehose stream, and CloudWatch Logs destinations are cross-account only`),
          );
        }
      } else if (partitionOfRegion(r.region) === partition && env.central.destinationRegions && !env.central.destinationRegions.includes(r.region)) {
        problems.push(problem(at, r.region, "has no CloudWatch Logs destination: add it to central.destinationRegions"));
      }
    }),
  );
  return problems;
}

/** One account, one state bucket (its bootstrap stack and key alias exist once); one bucket, one region. */
function stateBuckets(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const byAccount = new Map<string, { bucket: string; path: Path }>();
  const byBucket = new Map<string, { region: string; path: Path }>();
  const format = (path: Path) => path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : String(part)), "");
  for (const { path, accountId, state } of accounts(env)) {
    const seen = byAccount.get(accountId);
    if (seen && seen.bucket !== state.bucket) {
      problems.push(problem([...path, "state", "bucket"], state.bucket, `differs from ${format(seen.path)} ("${seen.bucket}"); account ${accountId} keeps all its state in one bucket`));
    } else if (!seen) byAccount.set(accountId, { bucket: state.bucket, path: [...path, "state", "bucket"] });
    if (!state.region) continue;
    const other = byBucket.get(state.bucket);
    if (other && other.region !== state.region) {
      problems.push(problem([...path, "state", "region"], state.region, `differs from ${format(other.path)} (${other.region}) for the same bucket "${state.bucket}"`));
    } else if (!other) byBucket.set(state.bucket, { region: state.region, path: [...path, "state", "region"] });
  }
  return problems;
}

function sendersCoverWorkloads(env: Environment): Problem[] {
  const senders = env.senders;
  if (!senders) return [];
  if ((senders.organizationId === undefined) === (senders.accountIds === undefined)) {
    return [problem(["senders"], senders, "must set exactly one of organizationId or accountIds")];
  }
  if (senders.organizationalUnitPaths) {
    const org = senders.organizationId;
    if (org === undefined) return [problem(["senders", "organizationalUnitPaths"], senders.organizationalUnitPaths, "needs senders.organizationId (paths narrow an organisation)")];
    return senders.organizationalUnitPaths.flatMap((path, i) =>
      path.startsWith(`${org}/`) ? [] : [problem(["senders", "organizationalUnitPaths", i], path, `must be a path in ${org} (start with ${org}/)`)],
    );
  }
  if (!senders.accountIds) return [];
  return env.workloads.flatMap((w, i) =>
    senders.accountIds!.includes(w.accountId) ? [] : [problem(["workloads", i, "accountId"], w.accountId, "is not in senders.accountIds, so its logs would be refused")],
  );
}

/** Partitions Firehose may hold open at once: distinct partition-key values, per log type, doubled at the hour change. */
export function activePartitionEstimate(env: Pick<Environment, "workloads" | "pipeline">): number {
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
  return ALL_LOG_TYPES.length * combinations.size * 2;
}

function activePartitions(env: Environment): Problem[] {
  const { s3, firehose } = env.pipeline;
  const estimate = activePartitionEstimate(env);
  if (estimate <= firehose.activePartitionLimit) return [];
  const types = ALL_LOG_TYPES.length;
  return [
    problem(
      ["pipeline", "s3", "extraPartitionKeys"],
      s3.extraPartitionKeys,
      `make up to ${estimate} active Firehose partitions (${types} log types × ${estimate / (types * 2)} key combinations × 2 at hour boundaries), over pipeline.firehose.activePartitionLimit (${firehose.activePartitionLimit}); records over the limit go to the error prefix`,
    ),
  ];
}

function clusterKeyNeedsListedClusters(env: Environment): Problem[] {
  if (!env.pipeline.s3.extraPartitionKeys.includes("cluster")) return [];
  return env.workloads.flatMap((w, i) =>
    w.accountWideSubscription
      ? [
          problem(
            ["workloads", i, "accountWideSubscription"],
            true,
            "cannot be combined with pipeline.s3.extraPartitionKeys containing cluster: Athena's partition projection lists the clusters of this file, so clusters found later would not be queryable",
          ),
        ]
      : [],
  );
}

/**
 * Athena's partition projection enumerates the values of each path key from this file. In
 * organisation mode any account of the organisation may send, so an account (and its clusters)
 * missing here would land in S3 under a path the raw table never projects: its lines would exist
 * for the Parquet table and Splunk but not for Athena. Such keys are refused; the record carries
 * account_id and cluster as columns either way.
 */
function pathKeysSeeEverySender(env: Environment): Problem[] {
  if (!env.senders?.organizationId) return [];
  const hidden = env.pipeline.s3.extraPartitionKeys.filter((key) => key === "account_id" || key === "cluster");
  if (hidden.length === 0) return [];
  return [
    problem(
      ["pipeline", "s3", "extraPartitionKeys"],
      env.pipeline.s3.extraPartitionKeys,
      `cannot hold ${hidden.join(" or ")} with senders.organizationId: any account of the organisation may send, and Athena's partition projection lists only the accounts and clusters of this file, so an unlisted sender's lines would be invisible to the raw table; filter on the account_id and cluster columns instead (region stays: destinations exist only in listed regions)`,
    ),
  ];
}

/** The storage module's lifecycle rules, on what the central stack passes it. */
function lifecycle(env: Environment): Problem[] {
  const { transitions, expireAfterDays, noncurrentVersionExpireAfterDays, abortIncompleteMultipartUploadAfterDays, errorExpireAfterDays } = env.pipeline.s3;
  return fromModule(lifecycleProblems({ transitions, expireAfterDays, noncurrentVersionExpireAfterDays, abortIncompleteMultipartUploadAfterDays, errorExpireAfterDays }), ["pipeline", "s3"]);
}

/** Object Lock's retention follows the lifecycle by default, and "kept forever" is no retention period. */
function objectLockRetention(env: Environment): Problem[] {
  const { objectLock, expireAfterDays } = env.pipeline.s3;
  if (!objectLock || objectLock.days !== undefined || expireAfterDays > 0) return [];
  return [
    problem(
      ["pipeline", "s3", "objectLock", "days"],
      undefined,
      "is required when expireAfterDays is 0 (objects kept forever): Object Lock's default retention is a finite number of days (or set objectLock: false)",
    ),
  ];
}

/** The storage module's Splunk rules (external id, exact principals). */
function splunk(env: Environment): Problem[] {
  return fromModule(splunkProblems(env.pipeline.splunk), ["pipeline", "splunk"]);
}

/** Worst case from an hour's end until its last raw object lands: the DataBrew schedule must wait this long. */
export function deliveryDelaySeconds(env: { readonly pipeline: Pick<Environment["pipeline"], "firehose" | "lambda"> }): number {
  const { firehose, lambda } = env.pipeline;
  return firehose.processorBufferIntervalSeconds + lambda.timeoutSeconds + firehose.bufferIntervalSeconds;
}

/** The analytics module's schedule rule; how late it must fire depends on the delivery settings. */
function databrewSchedule(env: Environment): Problem[] {
  const { databrew } = env.pipeline;
  return fromModule(scheduleProblems(databrew.schedule, databrew.enabled ? deliveryDelaySeconds(env) : 0), ["pipeline", "databrew"]);
}

/** The transform module's rules for its settings (the Lambda would refuse them at cold start). */
function transformSettings(env: Environment): Problem[] {
  return fromModule(environmentProblems(env.pipeline.lambda.environment), ["pipeline", "lambda", "environment"]);
}

/** Bucket names derived from the prefix must be valid too: the module names them the same way. */
function derivedBucketNames(env: Environment): Problem[] {
  const namePrefix = env.central.namePrefix ?? defaultNamePrefix(env.name);
  const { accountId, region } = env.central;
  const storage = storageNames({ namePrefix, accountId, region, partition: "aws", accessLogging: {} });
  const names = [
    ["log bucket", storage.bucketName],
    ["access-log bucket", storage.accessLogBucketName!],
    ["Athena results bucket", defaultResultsBucketName({ namePrefix, accountId, region })],
  ] as const;
  return names.flatMap(([what, name]) => {
    const rule = bucketNameProblem(name);
    return rule ? [problem(["central", "namePrefix"], namePrefix, `makes the ${what} name "${name}", which ${rule}: use a shorter prefix`)] : [];
  });
}

function tagCount(env: Environment): Problem[] {
  const count = Object.keys(env.tags).length;
  return count + RESERVED_TAGS > MAX_TAGS ? [problem(["tags"], `${count} tags`, `must be at most ${MAX_TAGS - RESERVED_TAGS} (AWS allows ${MAX_TAGS} per resource; ${RESERVED_TAGS} are ours)`)] : [];
}

export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  { name: "access roles in their own account", reads: ["central", "workloads"], check: accessRolesInOwnAccount },
  { name: "one partition", reads: ["central", "workloads"], check: onePartition },
  { name: "unique workloads and regions", reads: ["workloads"], check: uniqueWorkloads },
  { name: "destinations for every sender region", reads: ["central", "workloads"], check: destinationsForSenders },
  { name: "one state bucket per account, one region per bucket", reads: ["central", "workloads"], check: stateBuckets },
  { name: "senders cover the workloads", reads: ["senders", "workloads"], check: sendersCoverWorkloads },
  { name: "Firehose active partitions", reads: ["workloads", "pipeline.s3", "pipeline.firehose"], check: activePartitions },
  { name: "cluster partitions need listed clusters", reads: ["workloads", "pipeline.s3"], check: clusterKeyNeedsListedClusters },
  { name: "path keys Athena can project for every sender", reads: ["senders", "pipeline.s3"], check: pathKeysSeeEverySender },
  { name: "lifecycle (storage module)", reads: ["pipeline.s3"], check: lifecycle },
  { name: "Object Lock retention", reads: ["pipeline.s3"], check: objectLockRetention },
  { name: "Splunk reader trust (storage module)", reads: ["pipeline.splunk"], check: splunk },
  { name: "DataBrew schedule (analytics module)", reads: ["pipeline.databrew", "pipeline.firehose", "pipeline.lambda"], check: databrewSchedule },
  { name: "transform settings (transform module)", reads: ["pipeline.lambda"], check: transformSettings },
  { name: "derived bucket names", reads: ["name", "central"], check: derivedBucketNames },
  { name: "tag count", reads: ["tags"], check: tagCount },
];
