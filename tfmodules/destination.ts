/**
 * `destination`: the CloudWatch Logs destination of one more source region, writing to the
 * central stream through its own role. Terraform cannot hand one module call a variable number of
 * provider configurations, so each region beyond the central one is one call of this module with
 * that region's provider of the central account. The LogDestination construct of the central stack.
 */
import type { App } from "cdktf";
import { LogDestination } from "../modules/forwarder";
import { namePrefixInput, organizationalUnitPathsInput, organizationIdInput } from "./inputs";
import { ModuleStack } from "./module-stack";

export function destinationModule(app: App): ModuleStack {
  const m = new ModuleStack(
    app,
    "destination",
    "The CloudWatch Logs destination of one further source region (the caller's provider region) in the central account, writing to the central Firehose stream.",
  );
  const namePrefix = namePrefixInput(m, "The central module's name_prefix: the destination is named <name_prefix>, its role <name_prefix>-cwl-dest-<region>.");
  const stream = m.input("delivery_stream_arn", {
    type: "string",
    description: "The central Firehose stream (the central module's forwarder_delivery_stream_arn).",
    rules: [
      {
        condition: (ref) => `\${can(regex("^arn:[\\\\w-]+:firehose:[a-z0-9-]+:\\\\d{12}:deliverystream/[a-zA-Z0-9_.-]{1,64}$", ${ref}))}`,
        message: (name) => `Invalid ${name}: must be a Firehose delivery stream ARN.`,
      },
    ],
  }).stringValue;
  const organizationId = organizationIdInput(m, "AWS Organizations id whose accounts may subscribe (aws:PrincipalOrgID), as for the central module.");
  const organizationalUnitPaths = organizationalUnitPathsInput(m);

  const region = m.region;
  const destination = new LogDestination(m, "destination", {
    provider: m.defaultProvider,
    name: namePrefix,
    roleName: `${namePrefix}-cwl-dest-${region}`,
    accountId: m.accountId,
    region,
    partition: m.partition,
    deliveryStreamArn: stream,
    senders: { organizationId, accountIds: [], organizationalUnitPaths },
  });
  m.output("destination_arn", destination.destinationArn, "The destination of this region (workload modules' destination_arn)");
  m.output("role_arn", destination.roleArn, "Role CloudWatch Logs assumes to write to the stream");
  return m;
}
