/**
 * Checks shared by the forwarder's constructs, in the modules' one vocabulary
 * (modules/common/validate.ts): each construct collects every problem of its props and
 * throws them together, each naming `forwarder`, the prop, the rule and the value.
 */
import { PARTITIONS } from "../common/aws";
import { PATTERNS } from "../common/patterns";
import { known, Problems } from "../common/validate";

/** A collector for one construct's props: problems read `forwarder: <Construct>Props.<prop> …`. */
export function problemsOf(construct: string): Problems {
  return new Problems("forwarder", `${construct}.`);
}

/** The identity props every construct takes. */
export function checkIdentity(p: Problems, props: { accountId: string; region: string; partition: string }): void {
  p.match("accountId", props.accountId, PATTERNS.accountId);
  p.match("region", props.region, PATTERNS.region);
  p.oneOf("partition", props.partition, PARTITIONS as readonly string[]);
}

/** A field of an ARN (`arn:partition:service:region:account:…`), if the ARN is a plain string. */
export function arnField(arn: string | undefined, field: "service" | "region" | "account"): string | undefined {
  if (!known(arn)) return undefined;
  return arn.split(":")[{ service: 2, region: 3, account: 4 }[field]];
}
