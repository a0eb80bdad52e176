/**
 * `workload`: the sending side for one account and region — a subscription filter on each
 * cluster's control-plane log group, the role CloudWatch Logs delivers with, and optionally the
 * account-level subscription policy — pointing at the central destination of that region. The
 * Subscription construct of the workload stacks, with its props as variables.
 */
import type { App } from "cdktf";
import { Fn, Token } from "cdktf";
import { eksLogGroupName } from "../lambda-src/conventions";
import { PATTERNS } from "../modules/common/patterns";
import { Subscription } from "../modules/forwarder";
import { namePrefixInput } from "./inputs";
import { ModuleStack } from "./module-stack";
import { distinctItems, eachMatches, matches } from "./rules";

export function workloadModule(app: App): ModuleStack {
  const m = new ModuleStack(
    app,
    "workload",
    "Subscribes the EKS clusters of one account and region to the central CloudWatch Logs destination of that region.",
  );
  const namePrefix = namePrefixInput(
    m,
    "The central deployment's name prefix: the filters are named <name_prefix>@<region> (the transform reads the region from it) and the role <name_prefix>-cwl-sub-<region>.",
  );
  const destinationArn = m.input("destination_arn", {
    type: "string",
    description: "The central CloudWatch Logs destination in this provider's region (the central module's destination_arns[<region>]).",
    rules: [matches(PATTERNS.destinationArn)],
  });
  const clusters = m.input("cluster_names", {
    type: "list(string)",
    description: "EKS clusters whose control-plane log group (/aws/eks/<name>/cluster) gets a subscription filter; control-plane logging must be on so the group exists.",
    default: [],
    rules: [
      eachMatches(PATTERNS.clusterName),
      distinctItems("a cluster (one filter of ours per log group)"),
      {
        condition: (ref) => `\${length(${ref}) > 0 || var.account_policy}`,
        message: (name) => `Invalid ${name}: must name at least one cluster unless account_policy is true.`,
      },
    ],
  });
  const accountPolicy = m.input("account_policy", {
    type: "bool",
    description: "Also create the account-level subscription policy of this region, so clusters created later are sent without a change here.",
    default: false,
  });
  const exclude = m.input("account_policy_exclude_log_group_names", {
    type: "list(string)",
    description: "Log groups the account-level policy leaves out (the clusters above are always left out: they have their own filters).",
    default: [],
    rules: [eachMatches(PATTERNS.logGroupName)],
  });
  const filterPattern = m.input("filter_pattern", {
    type: "string",
    description: "CloudWatch Logs filter pattern; empty sends every event.",
    default: "",
  });

  const region = m.region;
  const subscription = new Subscription(m, "subscription", {
    accountId: m.accountId,
    region,
    partition: m.partition,
    clusters: Token.asList(clusters.value),
    filterName: namePrefix,
    destinationArn: destinationArn.stringValue,
    roleName: `${namePrefix}-cwl-sub-${region}`,
    // Always a role: organisation-wide destination policies require one, account lists accept one.
    requireRoleArn: true,
    filterPattern: filterPattern.stringValue,
    accountPolicy: { enabled: accountPolicy.booleanValue, excludeLogGroupNames: Token.asList(exclude.value) },
  });

  m.output("filter_name", subscription.filterNames[0], "Name of every subscription filter (<name_prefix>@<region>)");
  m.output("role_arn", subscription.roleArn, "Role CloudWatch Logs delivers with");
  m.output("log_group_names", Fn.formatlist(eksLogGroupName("%s"), [clusters.value]), "The subscribed log groups");
  return m;
}
