/**
 * One region of one workload account: the subscription filters that send its
 * EKS clusters' control-plane logs to the central destination of that region.
 */
import type { Construct } from "constructs";
import type { ResolvedEnvironment } from "../envs/validate";
import { AccountStack } from "./account-stack";

type Workload = ResolvedEnvironment["workloads"][number];

export interface WorkloadStackProps {
  readonly env: ResolvedEnvironment;
  readonly workload: Workload;
  readonly region: Workload["regions"][number];
}

export class WorkloadStack extends AccountStack {
  constructor(scope: Construct, name: string, props: WorkloadStackProps) {
    super(scope, name, {
      env: props.env,
      accountId: props.workload.accountId,
      region: props.region.region,
      access: props.workload.access,
      state: props.workload.state,
    });
  }
}
