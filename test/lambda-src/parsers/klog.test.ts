import { parseKlog } from "../../../lambda-src/parsers/klog";
import { fixture, loadCases } from "../helpers";

const cases = loadCases("klog.txt");
const CWL = Date.UTC(2023, 5, 19, 8, 7, 22); // 2023-06-19T08:07:22Z
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("parseKlog", () => {
  it.each<[string, string | undefined, Record<string, unknown>]>([
    [
      "structured scheduler line (EKS)",
      "2023-09-15T12:19:43.933Z",
      {
        severity: "info",
        thread_id: 1,
        source_file: "scheduler.go",
        source_line: 604,
        message: "Successfully bound pod to node",
        kv: { pod: "kube-system/aws-6799fc88d8-jqc2r", node: "ip-192-168-66-187.eu-west-1.compute.internal", evaluatedNodes: "3", feasibleNodes: "2" },
      },
    ],
    ["plain warning", "2023-04-24T11:47:41.605Z", { severity: "warning", thread_id: 1, source_file: "authorization.go", source_line: 47, message: "Authorization is disabled" }],
    [
      "plain info",
      "2023-04-24T11:47:41.605Z",
      { severity: "info", thread_id: 1, source_file: "deprecated_insecure_serving.go", source_line: 49, message: "Serving healthz insecurely on 127.0.0.1:10251" },
    ],
    [
      "plain error with quotes and a colon-path",
      "2023-04-24T11:47:46.923Z",
      {
        severity: "error",
        thread_id: 1,
        source_file: "reflector.go",
        source_line: 134,
        message:
          'k8s.io/client-go/informers/factory.go:132: Failed to list *v1.PersistentVolumeClaim: persistentvolumeclaims is forbidden: User "system:kube-scheduler" cannot list resource "persistentvolumeclaims" in API group "" at the cluster scope',
      },
    ],
    [
      "fatal (shape of rancher/rancher#8457 KCM leader election)",
      "2023-04-11T05:17:54.489Z",
      { severity: "fatal", thread_id: 1, source_file: "controllermanager.go", source_line: 216, message: "leaderelection lost" },
    ],
    [
      "collapsed thread padding (shape of the Insights pastes)",
      "2023-09-14T09:46:06.295Z",
      { severity: "info", thread_id: 10, source_file: "flags.go", source_line: 59, message: 'FLAG: --authentication-token-webhook-version="v1beta1"' },
    ],
    [
      'structured with escaped quotes (shape of the KCM "Event occurred" line)',
      "2023-06-19T08:07:21.042Z",
      {
        severity: "info",
        thread_id: 10,
        source_file: "event.go",
        source_line: 307,
        message: "Event occurred",
        kv: {
          object: "default/web-0",
          fieldPath: "",
          kind: "Pod",
          apiVersion: "v1",
          type: "Warning",
          reason: "FailedAttachVolume",
          message: 'Multi-Attach error for volume "pvc-0001" Volume is already attached',
        },
      },
    ],
    [
      "structured with a bracketed dump (shape of the KCM reconciler line)",
      "2023-06-19T08:07:30.127Z",
      {
        severity: "info",
        thread_id: 10,
        source_file: "reconciler.go",
        source_line: 273,
        message: "attacherDetacher.DetachVolume started",
        kv: {
          node: "ip-10-0-0-1",
          volume: "{AttachedVolume:{VolumeName:kubernetes.io/csi/ebs.csi.aws.com^vol-0001 MountedByNode:false DevicePath: PluginName:} DetachRequestedTime:2023-06-19 08:07:20 +0000 UTC}",
          attempt: "1",
        },
      },
    ],
    [
      "structured line cut inside a dump (shape of the KCM fragment)",
      "2023-06-19T08:07:21.042Z",
      {
        severity: "info",
        thread_id: 10,
        source_file: "reconciler.go",
        source_line: 385,
        message: "Multi-Attach error",
        kv: { attachedTo: "[ip-10-0-0-1]", volume: "{VolumeToAttach:{VolumeName:kubernetes.io/csi/ebs.csi.aws.com^vol-0002 ScheduledPods:[&Pod{ObjectMeta:{web-0 default" },
      },
    ],
    [
      // Not fully structured: the body stays the message, nothing is lost and nothing is guessed.
      "structured line cut inside a quoted value",
      "2023-06-19T08:07:21.502Z",
      { severity: "error", thread_id: 10, source_file: "node_authorizer.go", source_line: 200, message: "\"NODE DENY\" err=\"node 'ip-10-0-0-1' cannot get unknown pv /4a2" },
    ],
    [
      "structured multi-line value",
      "2023-10-05T04:02:24.181Z",
      {
        severity: "info",
        thread_id: 1,
        source_file: "tlsconfig.go",
        source_line: 200,
        message: "Loaded serving cert",
        kv: { certName: "generated", certDetail: '"localhost@1664942543" [serving]\nvalidServingFor=[127.0.0.1,localhost]', attempt: "2" },
      },
    ],
    [
      'quoted word then prose is not structured (shape of cloud-controller-manager "tagging" line)',
      "2023-10-05T04:02:24.236Z",
      { severity: "warning", thread_id: 1, source_file: "controllermanager.go", source_line: 278, message: '"tagging" is disabled' },
    ],
    [
      "multi-line trace block (shape of kubernetes/kubernetes#87126)",
      "2023-01-13T06:36:47.715Z",
      {
        severity: "info",
        thread_id: 1,
        source_file: "trace.go",
        source_line: 116,
        message:
          'Trace[42]: "GuaranteedUpdate etcd3" type:*v1.Lease (total time: 612.5ms):\nTrace[42]: [600.1ms] [600.1ms] Transaction committed',
      },
    ],
    [
      "embedded newline in an error body (shape of metrics-server#1084)",
      "2023-09-05T14:47:55.129Z",
      {
        severity: "error",
        thread_id: 1,
        source_file: "controller.go",
        source_line: 116,
        message: 'fetching spec for "v1.example.io" failed: status 503, body: upstream down\n, headers: map[Retry-After:[5]]',
      },
    ],
    [
      "panic with goroutine dump",
      "2023-03-01T10:00:00.000Z",
      {
        severity: "error",
        thread_id: 7,
        source_file: "runtime.go",
        source_line: 79,
        message:
          'Observed a panic: "invalid memory address or nil pointer dereference" (runtime error: invalid memory address or nil pointer dereference)\ngoroutine 123 [running]:\nk8s.io/apimachinery/pkg/util/runtime.logPanic({0x3e4c2a0, 0x6f2b7c0})\n\tvendor/k8s.io/apimachinery/pkg/util/runtime/runtime.go:75 +0x99',
      },
    ],
    ["continuation line without header (shape of kubernetes/kubernetes#88936)", undefined, { parse_error: "klog: no klog header (continuation line or cut event)" }],
    ["header dropped by the reporter (shape of aws/containers-roadmap#2479)", undefined, { parse_error: "klog: no klog header (continuation line or cut event)" }],
    [
      "unicode message",
      "2023-01-02T03:04:05.678Z",
      { severity: "info", thread_id: 1, source_file: "event.go", source_line: 307, message: "Event occurred", kv: { object: "default/café-0", reason: "Créé", message: "ポッドを作成しました ✓" } },
    ],
    ["impossible date", undefined, { parse_error: "klog: invalid date 0230 10:00:00 in header" }],
    ["empty message after the header", "2023-06-19T08:07:21.501Z", { severity: "info", thread_id: 10, source_file: "healthz.go", source_line: 255, message: "" }],
  ])("%s", (name, eventTime, fields) => {
    const result = parseKlog(fixture(cases, name), CWL);
    expect(iso(result.timeMs)).toBe(eventTime);
    expect(result.fields).toEqual(fields);
  });

  it.each([
    ["I", "info"],
    ["W", "warning"],
    ["E", "error"],
    ["F", "fatal"],
  ])("level %s is severity %s", (letter, severity) => {
    expect(parseKlog(`${letter}0619 08:07:21.501207      10 x.go:1] m`, CWL).fields.severity).toBe(severity);
  });

  it.each([
    ["Z"],
    ["D"],
  ])("an unknown level letter %s is not a klog header", (letter) => {
    expect(parseKlog(`${letter}0619 08:07:21.501207      10 x.go:1] m`, CWL).fields).toEqual({ parse_error: "klog: no klog header (continuation line or cut event)" });
  });

  describe("the year comes from the CloudWatch timestamp", () => {
    it.each([
      ["december line stamped in january", Date.UTC(2024, 0, 1, 0, 0, 1), "2023-12-31T23:59:59.999Z"],
      ["january line stamped in december", Date.UTC(2023, 11, 31, 23, 59, 59), "2024-01-01T00:00:00.000Z"],
      ["plain warning", Date.UTC(2021, 3, 24, 12), "2021-04-24T11:47:41.605Z"],
    ])("%s", (name, cwl, eventTime) => {
      expect(iso(parseKlog(fixture(cases, name), cwl).timeMs)).toBe(eventTime);
    });

    it("Feb 29 takes the leap year within half a year, else it is an invalid date", () => {
      const line = "I0229 12:00:00.000000       1 x.go:1] leap";
      expect(iso(parseKlog(line, Date.UTC(2024, 2, 1)).timeMs)).toBe("2024-02-29T12:00:00.000Z");
      expect(parseKlog(line, Date.UTC(2023, 5, 1)).fields).toEqual({ parse_error: "klog: invalid date 0229 12:00:00 in header" });
    });
  });

  it("CRLF line ends are read as LF, and a trailing newline is not part of the message", () => {
    const lf = fixture(cases, "multi-line trace block (shape of kubernetes/kubernetes#87126)");
    const crlf = lf.replace(/\n/g, "\r\n") + "\r\n";
    expect(parseKlog(crlf, CWL)).toEqual(parseKlog(lf, CWL));
    expect(parseKlog(lf + "\n", CWL)).toEqual(parseKlog(lf, CWL));
  });

  it("Go escapes in structured values are decoded", () => {
    const line = 'I0619 08:07:21.501207      10 x.go:1] "tab\\there" a="\\u00e9\\x41\\101\\\\" b=<\n\tone\n\ttwo\n >';
    expect(parseKlog(line, CWL).fields).toMatchObject({ message: "tab\there", kv: { a: "éAA\\", b: "one\ntwo" } });
  });

  it("a repeated key keeps its last value; keys such as __proto__ are plain data", () => {
    const line = 'I0619 08:07:21.501207      10 x.go:1] "m" k=1 k=2 __proto__=x constructor=y';
    expect(JSON.stringify(parseKlog(line, CWL).fields.kv)).toBe('{"k":"2","__proto__":"x","constructor":"y"}');
  });

  it.each([[""], ["   "], ["\r\n"]])("an empty event %j is a parse error", (line) => {
    expect(parseKlog(line, CWL).fields).toEqual({ parse_error: "klog: empty message" });
  });

  it("a huge structured event (1 MB value) stays one message with its pairs", () => {
    const big = "x".repeat(1_000_000);
    const result = parseKlog(`E0619 08:07:21.501207      10 x.go:1] "big" payload="${big}" n=1`, CWL);
    expect(result.fields).toEqual({ severity: "error", thread_id: 10, source_file: "x.go", source_line: 1, message: "big", kv: { payload: big, n: "1" } });
  });

  it("a huge plain event keeps every byte of its message", () => {
    const body = "line\n".repeat(200_000).slice(0, -1);
    expect(parseKlog(`I0619 08:07:21.501207      10 x.go:1] ${body}`, CWL).fields.message).toBe(body);
  });
});
