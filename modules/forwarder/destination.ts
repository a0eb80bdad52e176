/**
 * A CloudWatch Logs destination in the central account, one per source region (a subscription
 * filter and its destination must be in the same region; the destination may point at a stream
 * in another region). It carries the role CloudWatch Logs assumes to write to Firehose and the
 * destination policy that says which accounts may subscribe.
 */
import { CloudwatchLogDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-destination";
import { CloudwatchLogDestinationPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-destination-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, Op, type TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { servicePrincipal } from "../common/aws";
import { PATTERNS } from "../common/patterns";
import { isListToken, jsonDocument } from "../common/tokens";
import { known, thousands } from "../common/validate";
import { arnField, checkIdentity, problemsOf } from "./validate";

/** Central account, one per source region. */
export interface LogDestinationProps {
  /** The central account's provider for `region`. */
  readonly provider: TerraformProvider;
  /** Destination name (1–512 characters, no `:` or `*`). */
  readonly name: string;
  /** Name of the role CloudWatch Logs assumes to write to Firehose (one per destination region). */
  readonly roleName: string;
  /** The central account. */
  readonly accountId: string;
  /** The senders' region: the destination lives here. */
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  /** The stream records go to (any region of the central account); a plain string or a reference. */
  readonly deliveryStreamArn: string;
  /**
   * Who may subscribe. With `organizationId` the destination policy admits the whole organisation
   * (`aws:PrincipalOrgID`) and every sender must pass a role on its filter; without, it lists
   * `accountIds`. `accountIds` also scope the role's trust policy (confused-deputy protection);
   * with an organisation and no account ids the trust admits any account of this region.
   */
  readonly senders: {
    readonly organizationId?: string;
    readonly accountIds: readonly string[];
    /** Narrows the organisation to these OU paths (`aws:PrincipalOrgPaths`); needs `organizationId`. */
    readonly organizationalUnitPaths?: readonly string[];
  };
}

/** CloudWatch Logs destination policies are at most 5,120 bytes (PutDestinationPolicy). */
export const DESTINATION_POLICY_MAX_BYTES = 5120;
/** IAM's default quota for a role trust policy (raisable to 4,096 on request). */
export const TRUST_POLICY_MAX_CHARS = 2048;

export class LogDestination extends Construct {
  /** `arn:<partition>:logs:<region>:<account>:destination:<name>` (a reference to the destination). */
  readonly destinationArn: string;
  /** The role CloudWatch Logs assumes to write to the stream. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: LogDestinationProps) {
    super(scope, id);
    validate(props);
    const { provider } = props;
    const arn = `arn:${props.partition}`;
    const destinationArn = `${arn}:logs:${props.region}:${props.accountId}:destination:${props.name}`;

    const accessPolicy = destinationPolicy(props, destinationArn);
    const trust = trustPolicy(props);
    const sizes = problemsOf("LogDestinationProps");
    const bytes = Buffer.byteLength(accessPolicy, "utf8");
    sizes.check(
      "senders.accountIds",
      props.senders.accountIds.length,
      () => bytes <= DESTINATION_POLICY_MAX_BYTES,
      `make a destination policy of ${thousands(bytes)} bytes in ${props.region}, over the ${thousands(DESTINATION_POLICY_MAX_BYTES)}-byte limit of CloudWatch Logs destination policies; list fewer accounts or set senders.organizationId`,
    );
    if (known(trust)) {
      sizes.check(
        "senders.accountIds",
        props.senders.accountIds.length,
        () => trust.length <= TRUST_POLICY_MAX_CHARS,
        `make the trust policy of role ${props.roleName} (${props.region}) ${thousands(trust.length)} characters, over IAM's default ${thousands(TRUST_POLICY_MAX_CHARS)}-character limit for role trust policies; list fewer accounts, or admit the organisation instead (senders.organizationId with no account list: the role then trusts any account of the region, and the destination policy's aws:PrincipalOrgID decides who may subscribe)`,
      );
    }
    sizes.throwIfAny();
    const role = new IamRole(this, "role", {
      provider,
      name: props.roleName,
      description: `CloudWatch Logs destination ${props.name} (${props.region}) writes to Firehose`,
      assumeRolePolicy: trust,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "policy-document", {
      provider,
      statement: [{ sid: "Stream", actions: ["firehose:PutRecord", "firehose:PutRecordBatch"], resources: [props.deliveryStreamArn] }],
    });
    const rolePolicy = new IamRolePolicy(this, "policy", { provider, name: "deliver", role: role.name, policy: permissions.json });

    const destination = new CloudwatchLogDestination(this, "destination", {
      provider,
      name: props.name,
      roleArn: role.arn,
      targetArn: props.deliveryStreamArn,
      // CloudWatch Logs sends a test message through the role when the destination is created.
      dependsOn: [rolePolicy],
    });
    new CloudwatchLogDestinationPolicy(this, "policy-attachment", {
      provider,
      destinationName: destination.name,
      accessPolicy,
      // Switching between an account list and an organisation policy needs --force.
      forceUpdate: true,
    });

    this.destinationArn = destination.arn;
    this.roleArn = role.arn;
  }
}

/** The exact JSON sent to PutDestinationPolicy (built from plain strings, so its size is known now). */
export function destinationPolicy(props: Pick<LogDestinationProps, "senders">, destinationArn: string): string {
  // PutAccountPolicy lets senders use the destination from an account-level subscription policy too.
  const statement: Record<string, unknown> = {
    Sid: props.senders.organizationId ? "OrganizationSubscribes" : "AccountsSubscribe",
    Effect: "Allow",
    Principal: props.senders.organizationId ? "*" : { AWS: [...props.senders.accountIds] },
    Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
    Resource: destinationArn,
  };
  if (props.senders.organizationId) {
    const org = props.senders.organizationId;
    const paths = props.senders.organizationalUnitPaths ?? [];
    // Multivalued key: the sender's account must sit under one of the paths. A module variable may be
    // empty: then the whole organisation (`<org>/*`), so the condition's shape is the same either way.
    const orgPaths = isListToken(paths) ? Token.asList(Fn.conditional(Op.gte(Fn.lengthOf(paths), 1), paths, [`${org}/*`])) : [...paths];
    statement.Condition = {
      StringEquals: { "aws:PrincipalOrgID": org },
      ...(orgPaths.length > 0 ? { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": orgPaths } } : {}),
    };
  }
  return jsonDocument({ Version: "2012-10-17", Statement: [statement] });
}

/**
 * The role's trust policy, as sent to IAM (plain strings, so its size is known now).
 * CloudWatch Logs assumes the role for the recipient (its test message) and on behalf of each
 * sender: `aws:SourceArn` is a logs ARN of that account and region
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html).
 */
export function trustPolicy(props: LogDestinationProps): string {
  const sourceArn = (account: string) => `arn:${props.partition}:logs:${props.region}:${account}:*`;
  const accounts = [props.accountId, ...props.senders.accountIds.filter((a) => a !== props.accountId)];
  // Organisation without an account list: any account of this region. Only our own destinations can
  // use the role (PutDestination needs iam:PassRole in this account), and the destination policy
  // admits only the organisation.
  const sources = props.senders.organizationId && props.senders.accountIds.length === 0 ? [sourceArn("*")] : accounts.map(sourceArn);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: servicePrincipal("logs") },
        Action: "sts:AssumeRole",
        Condition: { StringLike: { "aws:SourceArn": sources } },
      },
    ],
  });
}

function validate(props: LogDestinationProps): void {
  const p = problemsOf("LogDestinationProps");
  checkIdentity(p, props);
  p.match("name", props.name, PATTERNS.cwlName);
  p.match("roleName", props.roleName, PATTERNS.iamRoleName);
  p.match("senders.organizationId", props.senders.organizationId, PATTERNS.organizationId);
  props.senders.accountIds.forEach((account, i) => p.match(`senders.accountIds[${i}]`, account, PATTERNS.accountId));
  p.unique("senders.accountIds", props.senders.accountIds, "an account");
  for (const [i, path] of (props.senders.organizationalUnitPaths ?? []).entries()) {
    p.match(`senders.organizationalUnitPaths[${i}]`, path, PATTERNS.organizationPath);
    if (props.senders.organizationId === undefined) p.add(`senders.organizationalUnitPaths[${i}]`, "needs senders.organizationId (paths narrow an organisation)", path);
    else p.check(`senders.organizationalUnitPaths[${i}]`, path, (v) => !known(props.senders.organizationId) || v.startsWith(`${props.senders.organizationId}/`), `must be a path in ${props.senders.organizationId} (start with ${props.senders.organizationId}/)`);
  }
  if (props.senders.organizationId === undefined && props.senders.accountIds.length === 0) {
    p.add("senders", "must name an organizationId or at least one account id", props.senders);
  }
  if (arnField(props.deliveryStreamArn, "service") !== undefined) {
    p.check(
      "deliveryStreamArn",
      props.deliveryStreamArn,
      (arn) => arnField(arn, "service") === "firehose" && arnField(arn, "account") === props.accountId,
      `must be a Firehose stream of account ${props.accountId}`,
    );
  }
  p.throwIfAny();
}
