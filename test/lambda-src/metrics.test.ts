/**
 * Line counts for silence alarms (bundled handler): one embedded-metric-format document per sender
 * and response, counting exactly the lines in `Ok` data, so a re-ingested event counts once, when
 * it comes back.
 */
import { ACCOUNT, AUTH_STREAM, dataMessage, invocation, KLOG_STREAM, linesOf, loadBundle, memoryLog } from "./helpers";

const bundle = loadBundle();

function handlerWith(overrides: Partial<import("../../lambda-src/config").Config>) {
  const metrics: string[] = [];
  const handler = bundle.createHandler({ config: { ...bundle.DEFAULT_CONFIG, ...overrides }, log: memoryLog(), emitMetric: (line) => metrics.push(line) });
  return { handler, metrics: () => metrics.map((m) => JSON.parse(m) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } }) };
}

const KLOG = "I0619 08:07:21.501381      11 scheduler.go:641] started";

describe("line metrics (embedded metric format)", () => {
  it("counts the delivered lines per account, region and cluster, in the namespace the stack sets", async () => {
    const { handler, metrics } = handlerWith({ metricsNamespace: "EKSControlPlaneLogs/eks-logs-test" });
    const other = "222233334444";
    const response = await handler(
      invocation([
        dataMessage(KLOG_STREAM, [KLOG, KLOG, KLOG]),
        dataMessage(AUTH_STREAM, ["time=\"2023-06-19T08:07:21Z\" level=info msg=\"access granted\""]),
        dataMessage(KLOG_STREAM, [KLOG], { owner: other, logGroup: "/aws/eks/edge/cluster", subscriptionFilters: ["eks-logs@us-east-1"] }),
      ]) as never,
    );
    const delivered = response.records.reduce((n, r) => n + linesOf(r as never).length, 0);
    const docs = metrics();
    expect(docs.map((d) => [d.AccountId, d.Region, d.Cluster, d.Lines])).toEqual([
      [ACCOUNT, "eu-west-1", "prod-1", 4],
      [other, "us-east-1", "edge", 1],
    ]);
    expect(docs.reduce((n, d) => n + (d.Lines as number), 0)).toBe(delivered);
    expect(docs[0]!._aws.CloudWatchMetrics).toEqual([
      { Namespace: "EKSControlPlaneLogs/eks-logs-test", Dimensions: [["AccountId", "Region", "Cluster"], ["AccountId"]], Metrics: [{ Name: "Lines", Unit: "Count" }] },
    ]);
  });

  it("counts lines of accounts outside EXPECTED_SENDERS as UnexpectedSenderLines too", async () => {
    const { handler, metrics } = handlerWith({ metricsNamespace: "N", expectedSenders: ["999988887777"] });
    await handler(invocation([dataMessage(KLOG_STREAM, [KLOG, KLOG])]) as never);
    const [doc] = metrics();
    expect(doc!.UnexpectedSenderLines).toBe(2);
    expect(doc!._aws.CloudWatchMetrics[1]).toEqual({ Namespace: "N", Dimensions: [[]], Metrics: [{ Name: "UnexpectedSenderLines", Unit: "Count" }] });
    const { handler: listed, metrics: listedMetrics } = handlerWith({ metricsNamespace: "N", expectedSenders: [ACCOUNT] });
    await listed(invocation([dataMessage(KLOG_STREAM, [KLOG])]) as never);
    expect(listedMetrics()[0]!.UnexpectedSenderLines).toBeUndefined();
  });

  it("emits nothing without a namespace, and nothing for records with no delivered line", async () => {
    const off = handlerWith({});
    await off.handler(invocation([dataMessage(KLOG_STREAM, [KLOG])]) as never);
    expect(off.metrics()).toEqual([]);
    const on = handlerWith({ metricsNamespace: "N" });
    const control = { messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [] };
    await on.handler(invocation([control, { data: "bm90IGd6aXA=" }]) as never);
    expect(on.metrics()).toEqual([]);
  });

  it("reads METRICS_NAMESPACE and EXPECTED_SENDERS strictly", () => {
    expect(bundle.loadConfig({ METRICS_NAMESPACE: "EKSControlPlaneLogs/x", EXPECTED_SENDERS: "111122223333, 222233334444" })).toMatchObject({
      metricsNamespace: "EKSControlPlaneLogs/x",
      expectedSenders: ["111122223333", "222233334444"],
    });
    expect(() => bundle.loadConfig({ METRICS_NAMESPACE: "AWS/Lambda", EXPECTED_SENDERS: "1234" })).toThrow(
      'METRICS_NAMESPACE must be 1–255 characters of letters, digits and . - _ / # : (a CloudWatch namespace), not starting with AWS/, got "AWS/Lambda"\n  - EXPECTED_SENDERS must be comma-separated 12-digit account ids, got "1234"',
    );
  });
});
