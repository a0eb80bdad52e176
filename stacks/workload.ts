/**
 * One region of one workload account: the subscription filters that send its
 * EKS clusters' control-plane logs to the central account. Another account's
 * clusters go through the central destination of this region; the central
 * account's own clusters go straight to the Firehose stream.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { ResolvedEnvironment } from "../envs/validate";
import { Subscription } from "../modules/forwarder";
import { AccountStack } from "./account-stack";
import { centralNames, destinationArn, workloadNames } from "./names";

type Workload = ResolvedEnvironment["workloads"][number];

export interface WorkloadStackProps {
  readonly env: ResolvedEnvironment;
  readonly workload: Workload;
  readonly region: Workload["regions"][number];
}

export class WorkloadStack extends AccountStack {
  constructor(scope: Construct, name: string, props: WorkloadStackProps) {
    const { env, workload, region } = props;
    super(scope, name, {
      env,
      accountId: workload.accountId,
      region: region.region,
      access: workload.access,
      state: workload.state,
    });
    const central = centralNames(env);
    const names = workloadNames(env);
    const sameAccount = workload.accountId === env.central.accountId;

    const subscription = new Subscription(this, "subscription", {
      accountId: workload.accountId,
      region: region.region,
      partition: env.partition,
      clusters: region.clusters,
      filterName: names.subscriptionFilter,
      ...(sameAccount
        ? { deliveryStreamArn: central.deliveryStreamArn }
        : { destinationArn: destinationArn(env, region.region) }),
      roleName: names.subscriptionRole(region.region),
      // An organisation-wide destination policy only accepts filters that name a role.
      requireRoleArn: !sameAccount && env.senders.organizationId !== undefined,
      ...(workload.accountWideSubscription
        ? {
            accountPolicy: {
              enabled: true,
              // Our own log groups would feed the pipeline its own output.
              excludeLogGroupNames: sameAccount ? [central.firehoseLogGroup, central.transformLogGroup] : [],
            },
          }
        : {}),
    });

    new TerraformOutput(this, "forwarder_subscription_filter_names", {
      value: subscription.filterNames,
      description: "Subscription filters (named <name>@<region> for the transform)",
    });
    new TerraformOutput(this, "forwarder_subscription_role_arn", {
      value: subscription.roleArn ?? "",
      description: "Role CloudWatch Logs uses to deliver (empty when none is needed)",
    });
  }
}
