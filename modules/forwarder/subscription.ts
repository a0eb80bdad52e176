/**
 * The sending side, one per workload account and region: a subscription filter on each cluster's
 * control-plane log group, named `<filterName>@<region>` so the Lambda can tell the source region,
 * pointing at the central destination of this region (cross-account) or straight at the stream
 * (same account). Optionally an account-level subscription policy picks up clusters created later.
 */
import { CloudwatchLogAccountPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-account-policy";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, type IResolvable, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { eksLogGroupName, REGION_SEPARATOR, subscriptionFilterName } from "../../lambda-src/conventions";
import { servicePrincipal } from "../common/aws";
import { PATTERNS } from "../common/patterns";
import { isListToken } from "../common/tokens";
import { known, thousands } from "../common/validate";
import { arnField, checkIdentity, problemsOf } from "./validate";

/** Workload account, one per region. */
export interface SubscriptionProps {
  /** The workload account (where the log groups are). */
  readonly accountId: string;
  /** The log groups' region. */
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /**
   * EKS clusters whose log group `eksLogGroupName(cluster)` gets a filter; the log groups must exist
   * (control-plane logging on). A list token (a Terraform module's variable) makes one `for_each` filter.
   */
  readonly clusters: readonly string[];
  /** Base filter name; every filter is named `subscriptionFilterName(filterName, region)`. */
  readonly filterName: string;
  /** Cross-account: the central destination ARN of this region. */
  readonly destinationArn?: string;
  /** Same account as the central stack: subscribe straight to the stream (destinations are cross-account only). */
  readonly deliveryStreamArn?: string;
  /**
   * Role CloudWatch Logs uses to deliver; required for an organisation-wide destination policy and
   * for same-account Firehose delivery.
   * @default created only when needed, named `<filterName>-cwl-<region>`
   */
  readonly roleName?: string;
  /** The destination policy uses `aws:PrincipalOrgID`, so every filter must pass a role. @default false */
  readonly requireRoleArn?: boolean;
  /** @default "" (every event) */
  readonly filterPattern?: string;
  /**
   * Account-level subscription policy so new clusters are picked up without a config change. It
   * subscribes every log group of the account and region except `excludeLogGroupNames` and the
   * clusters above (they have their own filters). @default off
   */
  readonly accountPolicy?: {
    /** A boolean token (a module variable) creates the policy with `count`. */
    readonly enabled: boolean | IResolvable;
    readonly excludeLogGroupNames: readonly string[];
  };
}

/** `selectionCriteria` is at most 25 KB (PutAccountPolicy); counted conservatively as 25,000 bytes. */
export const SELECTION_CRITERIA_MAX_BYTES = 25_000;

export class Subscription extends Construct {
  /** The filters' names, one per cluster in `clusters` order (all `<filterName>@<region>`). */
  readonly filterNames: string[];
  /** The role CloudWatch Logs assumes, when one was needed. */
  readonly roleArn?: string;

  constructor(scope: Construct, id: string, props: SubscriptionProps) {
    super(scope, id);
    validate(props);
    const arn = `arn:${props.partition}`;
    const name = filterNameFor(props);
    const target = (props.destinationArn ?? props.deliveryStreamArn)!;
    const sameAccount = props.deliveryStreamArn !== undefined;
    const enabled = props.accountPolicy?.enabled;
    const policyDecidedByTerraform = enabled !== undefined && Token.isUnresolved(enabled);
    const policyEnabled = enabled === true;
    const clustersFromTerraform = isListToken(props.clusters);
    const logGroupArn = (group: string) => `${arn}:logs:${props.region}:${props.accountId}:log-group:${group}:*`;
    const subscribedArns: string[] = clustersFromTerraform
      ? Fn.formatlist(logGroupArn(eksLogGroupName("%s")), [props.clusters])
      : props.clusters.map((cluster) => logGroupArn(eksLogGroupName(cluster)));

    let role: IamRole | undefined;
    if (sameAccount || props.requireRoleArn) {
      const trust = new DataAwsIamPolicyDocument(this, "trust", {
        statement: [
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: [servicePrincipal("logs")] }],
            condition: [{ test: "StringLike", variable: "aws:SourceArn", values: [`${arn}:logs:${props.region}:${props.accountId}:*`] }],
          },
        ],
      });
      role = new IamRole(this, "role", {
        name: props.roleName ?? defaultRoleName(props),
        description: `CloudWatch Logs delivers ${props.region} EKS control-plane logs (${name})`,
        assumeRolePolicy: trust.json,
      });
      const statement = sameAccount
        ? { sid: "Stream", actions: ["firehose:PutRecord", "firehose:PutRecordBatch"], resources: [props.deliveryStreamArn!] }
        : {
            // With an organisation policy, CloudWatch Logs checks that the sender may write the
            // subscribed log groups (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilter-IAMrole.html).
            // The account-level policy covers every log group, present and future, hence the wildcard.
            sid: "SubscribedLogGroups",
            actions: ["logs:PutLogEvents"],
            resources: policyDecidedByTerraform
              ? Token.asList(Fn.conditional(enabled, [logGroupArn("*")], subscribedArns))
              : policyEnabled
                ? [logGroupArn("*")]
                : subscribedArns,
          };
      const permissions = new DataAwsIamPolicyDocument(this, "policy-document", { statement: [statement] });
      new IamRolePolicy(this, "policy", { name: "deliver", role: role.name, policy: permissions.json });
    }

    const filter = (id: string, logGroupName: string, forEach?: TerraformIterator) =>
      new CloudwatchLogSubscriptionFilter(this, id, {
        ...(forEach ? { forEach } : {}),
        name,
        logGroupName,
        destinationArn: target,
        filterPattern: props.filterPattern ?? "",
        ...(role ? { roleArn: role.arn } : {}),
      });
    const each = clustersFromTerraform ? TerraformIterator.fromList([...props.clusters]) : undefined;
    const filters = each ? [filter("filter", eksLogGroupName(each.value as string), each)] : props.clusters.map((cluster) => filter(`filter-${cluster}`, eksLogGroupName(cluster)));

    if (policyEnabled || policyDecidedByTerraform) {
      new CloudwatchLogAccountPolicy(this, "account-policy", {
        ...(policyDecidedByTerraform ? { count: Token.asNumber(Fn.conditional(enabled, 1, 0)) } : {}),
        // The policy's name stands in the payload's subscriptionFilters like a filter name's.
        policyName: name,
        policyType: "SUBSCRIPTION_FILTER_POLICY",
        scope: "ALL",
        policyDocument: policyJson({
          DestinationArn: target,
          FilterPattern: props.filterPattern ?? "",
          ...(role ? { RoleArn: role.arn } : {}),
        }),
        selectionCriteria: selectionCriteria(props),
        // The filters first: the log groups they cover are excluded from the policy anyway.
        dependsOn: filters,
      });
    }

    this.filterNames = filters.map(() => name);
    if (role) this.roleArn = role.arn;
  }
}

/**
 * JSON now, unless the filter pattern is a module variable: free text (quotes and all) that only
 * Terraform's jsonencode escapes. ARNs, references included, need no escaping.
 */
function policyJson(document: { FilterPattern: string } & Record<string, string>): string {
  return known(document.FilterPattern) ? JSON.stringify(document) : Fn.jsonencode(document);
}

/** `<filterName>@<region>`, with the conventions' own errors restated as a prop error. */
function filterNameFor(props: SubscriptionProps): string {
  // A region Terraform reads from the provider cannot be checked here.
  if (!known(props.region) || !known(props.filterName)) return `${props.filterName}${REGION_SEPARATOR}${props.region}`;
  try {
    return subscriptionFilterName(props.filterName, props.region);
  } catch {
    const p = problemsOf("SubscriptionProps");
    p.add("filterName", `must not contain "${REGION_SEPARATOR}" (it separates the region)`, props.filterName);
    p.throwIfAny();
    throw new Error("unreachable");
  }
}

function defaultRoleName(props: SubscriptionProps): string {
  return `${props.filterName}-cwl-${props.region}`;
}

/** `LogGroupName NOT IN [...]`: the caller's exclusions plus the log groups that have their own filters. */
export function selectionCriteria(props: SubscriptionProps): string {
  const exclude = props.accountPolicy?.excludeLogGroupNames ?? [];
  if (isListToken(props.clusters) || isListToken(exclude)) {
    const groups = Fn.distinct(Fn.concat([exclude, Fn.formatlist(eksLogGroupName("%s"), [props.clusters])]));
    return `LogGroupName NOT IN [${Fn.join(", ", Fn.formatlist(Fn.rawString('"%s"'), [groups]))}]`;
  }
  const names = [...new Set([...(props.accountPolicy?.excludeLogGroupNames ?? []), ...props.clusters.map(eksLogGroupName)])];
  return `LogGroupName NOT IN [${names.map((n) => JSON.stringify(n)).join(", ")}]`;
}

function validate(props: SubscriptionProps): void {
  const p = problemsOf("SubscriptionProps");
  checkIdentity(p, props);
  if ((props.destinationArn === undefined) === (props.deliveryStreamArn === undefined)) {
    p.add("destinationArn", "must be set, or else deliveryStreamArn, not both (destinationArn cross-account, deliveryStreamArn in the same account)", {
      destinationArn: props.destinationArn,
      deliveryStreamArn: props.deliveryStreamArn,
    });
  }
  p.check("filterName", props.filterName, (v) => !v.includes(REGION_SEPARATOR), `must not contain "${REGION_SEPARATOR}" (it separates the region)`);
  if (known(props.filterName)) {
    p.check("filterName", `${props.filterName}${REGION_SEPARATOR}${props.region}`, (v) => PATTERNS.cwlName.pattern.test(v), `with its region suffix ${PATTERNS.cwlName.rule}`);
  }
  props.clusters.forEach((c, i) => p.match(`clusters[${i}]`, c, PATTERNS.clusterName));
  // One filter of ours per log group: a log group takes at most two subscription filters.
  p.unique("clusters", props.clusters, "a cluster (one filter of ours per log group)");
  if (props.clusters.length === 0 && props.accountPolicy?.enabled !== true) {
    p.add("clusters", "must name at least one cluster unless accountPolicy is enabled", props.clusters);
  }

  if (props.destinationArn !== undefined) {
    p.match("destinationArn", props.destinationArn, PATTERNS.destinationArn);
    p.check("destinationArn", props.destinationArn, (d) => arnField(d, "region") === props.region, `must be in the log groups' region ${props.region} (a destination must be in its senders' region)`);
    p.check(
      "destinationArn",
      props.destinationArn,
      (d) => arnField(d, "account") !== props.accountId,
      `must belong to another account than ${props.accountId} (destinations are cross-account only; use deliveryStreamArn)`,
    );
  }
  if (props.deliveryStreamArn !== undefined) {
    p.check(
      "deliveryStreamArn",
      props.deliveryStreamArn,
      (s) => arnField(s, "service") === "firehose" && arnField(s, "account") === props.accountId,
      `must be a Firehose stream of account ${props.accountId} (a subscription filter delivers straight to a stream only in its own account)`,
    );
    if (props.requireRoleArn === true) p.add("requireRoleArn", "applies to destinationArn only (same-account delivery always uses a role)", true);
  }
  if (props.roleName !== undefined || props.deliveryStreamArn !== undefined || props.requireRoleArn) {
    p.check("roleName", props.roleName ?? defaultRoleName(props), (v) => PATTERNS.iamRoleName.pattern.test(v), `${PATTERNS.iamRoleName.rule}; the default is <filterName>-cwl-<region>`);
  }

  const policy = props.accountPolicy;
  if (policy?.enabled) {
    policy.excludeLogGroupNames.forEach((g, i) => p.match(`accountPolicy.excludeLogGroupNames[${i}]`, g, PATTERNS.logGroupName));
    if (props.deliveryStreamArn !== undefined) {
      // Same account: the pipeline's own log groups are in this account and would feed themselves.
      p.check(
        "accountPolicy.excludeLogGroupNames",
        policy.excludeLogGroupNames,
        (names) => names.some((g) => g.startsWith("/aws/kinesisfirehose/")) && names.some((g) => g.startsWith("/aws/lambda/")),
        "must name the stream's error log group (/aws/kinesisfirehose/<stream>) and the transform's (/aws/lambda/<function>) in the same-account case, or the policy subscribes them and loops",
      );
    }
    const criteria = selectionCriteria(props);
    const bytes = Buffer.byteLength(criteria, "utf8");
    if (known(criteria) && bytes > SELECTION_CRITERIA_MAX_BYTES) {
      p.add(
        "accountPolicy.excludeLogGroupNames",
        `make a selection criteria of ${thousands(bytes)} bytes, over the 25 KB limit of PutAccountPolicy; exclude fewer log groups`,
        policy.excludeLogGroupNames.length,
      );
    }
  }
  p.throwIfAny();
}
