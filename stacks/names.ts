/**
 * Names and ARNs computed from the environment alone. Stacks in different
 * accounts refer to each other through these plain strings, never through
 * Terraform references, so no account ever reads another account's state.
 */
import type { ResolvedEnvironment } from "../envs/validate";

export function stackNames(env: ResolvedEnvironment) {
  return {
    central: `${env.name}-central`,
    workload: (accountId: string, region: string) => `${env.name}-workload-${accountId}-${region}`,
    bootstrap: (accountId: string) => `${env.name}-bootstrap-${accountId}`,
  };
}

/** The CloudWatch Logs destination the central account offers in `region`. */
export function destinationName(env: ResolvedEnvironment): string {
  return `${env.central.namePrefix}`;
}

export function destinationArn(env: ResolvedEnvironment, region: string): string {
  return `arn:${env.partition}:logs:${region}:${env.central.accountId}:destination:${destinationName(env)}`;
}
