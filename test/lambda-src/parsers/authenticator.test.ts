import { parseAuthenticator, parseGroups } from "../../../lambda-src/parsers/authenticator";
import { fixture, loadCases } from "../helpers";

const cases = loadCases("authenticator.txt");
const CWL = Date.UTC(2023, 5, 19);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("parseAuthenticator", () => {
  it.each<[string, string | undefined, Record<string, unknown>]>([
    [
      "access granted, node manager (EKS)",
      "2022-10-07T18:10:46.000Z",
      {
        severity: "info",
        message: "access granted",
        arn: "arn:aws:iam::892146088969:role/AWSWesleyClusterManagerLambda-NodeManagerRole-16UPVDKA1KBGI",
        username: "eks:node-manager",
        uid: "aws-iam-authenticator:892146088969:AROA47OAM7QE2NWPDFDCW",
        aws_account_id: "892146088969",
        groups: [],
        kv: {
          time: "2022-10-07T18:10:46Z",
          level: "info",
          msg: "access granted",
          arn: "arn:aws:iam::892146088969:role/AWSWesleyClusterManagerLambda-NodeManagerRole-16UPVDKA1KBGI",
          client: "127.0.0.1:50252",
          groups: "[]",
          method: "POST",
          path: "/authenticate",
          uid: "aws-iam-authenticator:892146088969:AROA47OAM7QE2NWPDFDCW",
          username: "eks:node-manager",
        },
      },
    ],
    [
      "access granted, legacy heptio uid and bare username (EKS)",
      "2021-08-11T10:09:43.000Z",
      {
        severity: "info",
        message: "access granted",
        arn: "arn:aws:iam::12345678910:user/awscli",
        username: "kubernetes-admin",
        uid: "heptio-authenticator-aws:12345678910:ABCDEFGHIJKLMNOP",
        aws_account_id: "12345678910",
        groups: ["system:masters"],
        kv: {
          time: "2021-08-11T10:09:43Z",
          level: "info",
          msg: "access granted",
          arn: "arn:aws:iam::12345678910:user/awscli",
          client: "127.0.0.1:51326",
          groups: "[system:masters]",
          method: "POST",
          path: "/authenticate",
          sts: "sts.eu-west-1.amazonaws.com",
          uid: "heptio-authenticator-aws:12345678910:ABCDEFGHIJKLMNOP",
          username: "kubernetes-admin",
        },
      },
    ],
    [
      "access denied warning (EKS)",
      "2021-08-08T20:04:44.000Z",
      {
        severity: "warning",
        message: "access denied",
        kv: {
          time: "2021-08-08T20:04:44Z",
          level: "warning",
          msg: "access denied",
          client: "127.0.0.1:52856",
          error: "sts getCallerIdentity failed: error from AWS (expected 200, got 403)",
          method: "POST",
          path: "/authenticate",
        },
      },
    ],
    [
      "STS response, account from accountid= (shape of aws-eks-best-practices#624)",
      "2024-11-30T12:06:40.000Z",
      {
        severity: "info",
        message: "STS response",
        arn: "arn:aws:sts::123456789012:assumed-role/ExampleRole/EKSClusterInsightsAuth",
        aws_account_id: "123456789012",
        kv: {
          time: "2024-11-30T12:06:40Z",
          level: "info",
          msg: "STS response",
          accesskeyid: "ASIAEXAMPLE",
          accountid: "123456789012",
          arn: "arn:aws:sts::123456789012:assumed-role/ExampleRole/EKSClusterInsightsAuth",
          client: "127.0.0.1:55380",
          method: "POST",
          path: "/authenticate",
          session: "EKSClusterInsightsAuth",
          stsendpoint: "sts.us-west-2.amazonaws.com",
          userid: "AROAEXAMPLE",
        },
      },
    ],
    [
      "mapping IAM role without time (shape of terraform-aws-eks#2200)",
      undefined,
      {
        severity: "info",
        message: "mapping IAM role",
        arn: "arn:aws:iam::111122223333:role/NodeRole",
        username: "system:node:{{EC2PrivateDNSName}}",
        aws_account_id: "111122223333",
        groups: ["system:bootstrappers", "system:nodes"],
        kv: { level: "info", msg: "mapping IAM role", groups: "[system:bootstrappers system:nodes]", role: "arn:aws:iam::111122223333:role/NodeRole", username: "system:node:{{EC2PrivateDNSName}}" },
      },
    ],
    [
      "error with escaped quotes (shape of the fun-every-day.com watch error)",
      undefined,
      {
        severity: "error",
        message:
          'watch failed: Get "https://10.100.0.1:443/api/v1/namespaces/kube-system/configmaps?watch=1": connection refused; retrying in 5s',
        kv: {
          level: "error",
          msg: 'watch failed: Get "https://10.100.0.1:443/api/v1/namespaces/kube-system/configmaps?watch=1": connection refused; retrying in 5s',
        },
      },
    ],
    [
      "empty values and an offset time (shape of aws-iam-authenticator#292 test output)",
      "2020-02-21T06:04:31.000Z",
      {
        severity: "info",
        message: "STS response",
        kv: { time: "2020-02-20T22:04:31-08:00", level: "info", msg: "STS response", accesskeyid: "", accountid: "", arn: "", client: "192.0.2.1:1234", method: "POST", path: "/authenticate", session: "", userid: "" },
      },
    ],
    ["warn level spelled short", "2023-03-01T00:00:00.000Z", { severity: "warning", message: "slow sts", kv: { time: "2023-03-01T00:00:00Z", level: "warn", msg: "slow sts", latency: "2.5s" } }],
    [
      "unicode in a quoted value",
      "2023-03-01T00:00:00.000Z",
      {
        severity: "info",
        message: "access granted",
        username: "jürgen:ユーザー",
        groups: ["dev", "ops"],
        kv: { time: "2023-03-01T00:00:00Z", level: "info", msg: "access granted", username: "jürgen:ユーザー", groups: "[dev ops]" },
      },
    ],
    [
      "cut inside a quoted value",
      "2023-01-23T14:06:32.000Z",
      {
        severity: "info",
        message: "access granted",
        kv: { time: "2023-01-23T14:06:32Z", level: "info", msg: "access granted" },
        parse_error: "authenticator: unterminated quoted value for arn at offset 64 (cut line?)",
      },
    ],
    ["not key=value", undefined, { parse_error: "authenticator: not a key=value line (expected key=value at offset 0)" }],
  ])("%s", (name, eventTime, fields) => {
    const result = parseAuthenticator(fixture(cases, name), CWL);
    expect(iso(result.timeMs)).toBe(eventTime);
    expect(result.fields).toEqual(fields);
  });

  it("an unparseable time= falls back to the CloudWatch timestamp and stays in kv", () => {
    const result = parseAuthenticator('time="yesterday" level=info msg=x', CWL);
    expect(result.timeMs).toBeUndefined();
    expect(result.fields.kv).toEqual({ time: "yesterday", level: "info", msg: "x" });
  });

  it("CRLF and a trailing newline do not end up in values", () => {
    expect(parseAuthenticator('level=info msg="a"\r\n', CWL).fields).toEqual({ severity: "info", message: "a", kv: { level: "info", msg: "a" } });
  });

  it.each([[""], [" \n"]])("an empty event %j is a parse error", (line) => {
    expect(parseAuthenticator(line, CWL).fields).toEqual({ parse_error: "authenticator: empty message" });
  });

  it.each([
    ["[]", []],
    ["[system:masters]", ["system:masters"]],
    ["[a  b c]", ["a", "b", "c"]],
    ["solo", ["solo"]],
  ])("groups %s → %j", (value, groups) => {
    expect(parseGroups(value)).toEqual(groups);
  });
});
