/** Policy statements several modules share. */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

export const EVERYONE = [{ type: "*", identifiers: ["*"] }];

/**
 * Refuses every request without TLS. A wildcard action in a Deny (`s3:*`, `sqs:*`) only
 * narrows access, so it is the one place the modules write one.
 */
export function denyInsecureTransport(actions: string[], resources: string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: EVERYONE,
    actions,
    resources,
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}
