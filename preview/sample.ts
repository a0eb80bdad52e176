/**
 * The preview's shipped sample: one hour of one cluster's control plane, generated (no
 * third-party lines), written as `aws logs filter-log-events` output so it takes the same
 * reading path as a user's export. Each security question the named queries ask has a
 * planted answer; `SAMPLE_FINDINGS` says what they are (the tests assert them) and the rest
 * is routine traffic that answers none of them.
 */
import { eksLogGroupName } from "../lambda-src/conventions";

export interface SampleOptions {
  readonly accountId: string;
  readonly cluster: string;
}

export interface SampleDocument {
  readonly logGroup: string;
  /** `aws logs filter-log-events --output json` shape. */
  readonly document: { events: FilterLogEvent[]; searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[] };
}

interface FilterLogEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

/** The hour the sample covers; windows are relative to the data, so any fixed hour works. */
export const SAMPLE_START_MS = Date.UTC(2026, 10, 30, 9, 0, 0);

const STREAM_SUFFIX = "9f3c2b1a8e7d6c5b4a39281706f5e4d3";
const stream = (component: string) => `${component}-${STREAM_SUFFIX}`;

/** Identities in the sample. */
export const SAMPLE_USERS = {
  alice: "alice",
  deployer: "system:serviceaccount:ci:deployer",
  mallory: "mallory",
  anonymous: "system:anonymous",
} as const;

export const SAMPLE_IPS = { office: "192.0.2.10", ci: "192.0.2.44", attacker: "198.51.100.23", scanner: "203.0.113.7" } as const;

/** What each named query must find in the sample, written from the events planted below. */
export const SAMPLE_FINDINGS = {
  rbacChanges: [
    { verb: "create", objectref_resource: "clusterrolebindings", objectref_name: "ci-admin", user_username: SAMPLE_USERS.alice },
    { verb: "patch", objectref_resource: "roles", objectref_name: "reader", user_username: SAMPLE_USERS.alice },
    { verb: "delete", objectref_resource: "rolebindings", objectref_name: "old-binding", user_username: SAMPLE_USERS.deployer },
  ],
  secretsRead: [
    { user_username: SAMPLE_USERS.deployer, objectref_namespace: "payments", objectref_name: "db-password", verb: "get", requests: 3 },
    { user_username: SAMPLE_USERS.alice, objectref_namespace: "payments", objectref_name: null, verb: "list", requests: 1 },
  ],
  podSessions: [
    { user_username: SAMPLE_USERS.alice, pod: "api-7d9c", objectref_subresource: "exec" },
    { user_username: SAMPLE_USERS.deployer, pod: "api-7d9c", objectref_subresource: "portforward" },
  ],
  anonymous: [
    { requesturi: "/version", responsestatus_code: 200, requests: 5, source_ip: SAMPLE_IPS.scanner },
    { requesturi: "/api/v1/namespaces/kube-system/secrets", responsestatus_code: 403, requests: 2, source_ip: SAMPLE_IPS.scanner },
  ],
  authFailureBursts: [{ user_username: SAMPLE_USERS.mallory, source_ip: SAMPLE_IPS.attacker, responsestatus_code: 403, failures: 25 }],
  authorizationDenied: [
    { user_username: SAMPLE_USERS.mallory, verb: "get", objectref_resource: "secrets", requests: 25 },
    { user_username: SAMPLE_USERS.anonymous, verb: "list", objectref_resource: "secrets", requests: 2 },
  ],
  authenticatorDenied: 3,
  iamLogins: [
    { username: SAMPLE_USERS.alice, logins: 4 },
    { username: "system:node:ip-10-0-1-23.eu-west-1.compute.internal", logins: 6 },
  ],
  deletes: [
    { objectref_resource: "namespaces", objectref_name: "legacy" },
    { objectref_resource: "customresourcedefinitions", objectref_name: "widgets.example.com" },
  ],
  schedulerFailures: 3,
  controllerErrors: [
    { log_type: "kube-controller-manager", source_file: "deployment_controller.go", occurrences: 3 },
    { log_type: "cloud-controller-manager", source_file: "node_controller.go", occurrences: 1 },
  ],
  slowRequests: [{ verb: "list", objectref_resource: "pods", latency_ms: 2500, user_username: SAMPLE_USERS.deployer }],
  /** Audit lines whose requestReceivedTimestamp Athena could not parse (space-separated). */
  malformedTimestamps: 1,
} as const;

interface Identity {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Record<string, readonly string[]>;
}

interface AuditSpec {
  readonly at: number;
  readonly user: Identity;
  readonly verb: string;
  readonly uri: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly apiGroup?: string;
  /** objectRef.uid: the API server records it when the request names the object's UID (e.g. a delete precondition). */
  readonly uid?: string;
  readonly code: number;
  readonly ip: string;
  readonly userAgent?: string;
  readonly stage?: string;
  readonly latencyMs?: number;
  readonly annotations?: Record<string, string>;
  readonly auditId?: string;
  /** Written verbatim instead of the RFC 3339 receipt time (for the malformed-timestamp line). */
  readonly receivedText?: string;
  readonly requestObject?: object;
}

function micros(ms: number, extraMicros = 0): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(extraMicros).padStart(3, "0")}Z`;
}

export function generateSample(options: SampleOptions): SampleDocument[] {
  const { accountId, cluster } = options;
  let serial = 0;
  const auditId = () => {
    const n = (++serial).toString(16).padStart(12, "0");
    return `5a3f0c1e-7b2d-4e8a-9c6f-${n}`;
  };
  const iam = (name: string, role: string): Identity => ({
    username: name,
    uid: `aws-iam-authenticator:${accountId}:AROA${role.toUpperCase().replace(/[^A-Z]/g, "")}EXAMPLE`,
    groups: ["platform-admins", "system:authenticated"],
    extra: {
      accessKeyId: ["ASIAEXAMPLEKEYID0001"],
      arn: [`arn:aws:sts::${accountId}:assumed-role/${role}/${name}`],
      canonicalArn: [`arn:aws:iam::${accountId}:role/${role}`],
      principalId: [`AROA${role.toUpperCase().replace(/[^A-Z]/g, "")}EXAMPLE`],
      sessionName: [name],
      "sigs.k8s.io/aws-iam-authenticator/principalId": [`AROA${role.toUpperCase().replace(/[^A-Z]/g, "")}EXAMPLE`],
    },
  });
  const alice = iam(SAMPLE_USERS.alice, "platform-admin");
  const deployer: Identity = {
    username: SAMPLE_USERS.deployer,
    uid: "0d6c1f0e-4a51-4f0b-9d1e-1f2a3b4c5d6e",
    groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
    extra: { "authentication.kubernetes.io/pod-name": ["deployer-5b7c9-xk2lp"], "authentication.kubernetes.io/pod-uid": ["7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"] },
  };
  const mallory: Identity = { username: SAMPLE_USERS.mallory, uid: `aws-iam-authenticator:${accountId}:AIDAMALLORYEXAMPLE`, groups: ["system:authenticated"] };
  const anonymous: Identity = { username: SAMPLE_USERS.anonymous, groups: ["system:unauthenticated"] };
  const controller: Identity = { username: "system:kube-controller-manager", groups: ["system:authenticated"] };
  const node: Identity = { username: "system:node:ip-10-0-1-23.eu-west-1.compute.internal", groups: ["system:nodes", "system:authenticated"] };
  const t = (minute: number, second = 0, ms = 0) => SAMPLE_START_MS + minute * 60_000 + second * 1000 + ms;

  const audit: AuditSpec[] = [];
  const allow = (reason: string) => ({ "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": reason });
  const rbac = allow('RBAC: allowed by ClusterRoleBinding "platform-admins" of ClusterRole "cluster-admin" to Group "platform-admins"');
  const forbid = { "authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": "" };

  // Routine traffic: controllers and kubelets reading and watching, every few seconds.
  for (let i = 0; i < 240; i++) {
    const who = i % 3 === 0 ? node : controller;
    const resource = ["configmaps", "pods", "endpoints", "leases"][i % 4]!;
    audit.push({
      at: t(Math.floor(i / 4), (i * 13) % 60, i % 1000),
      user: who,
      verb: i % 5 === 0 ? "list" : "get",
      uri: `/api/v1/namespaces/kube-system/${resource}/item-${i % 7}`,
      resource,
      namespace: "kube-system",
      name: `item-${i % 7}`,
      apiGroup: resource === "leases" ? "coordination.k8s.io" : "",
      code: 200,
      ip: "10.0.1.23",
      userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/eks",
      latencyMs: 3 + (i % 40),
      annotations: allow('RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager"'),
    });
  }
  // RBAC changes.
  audit.push(
    { at: t(5, 10), user: alice, verb: "create", uri: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", resource: "clusterrolebindings", name: "ci-admin", apiGroup: "rbac.authorization.k8s.io", code: 201, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac, requestObject: { kind: "ClusterRoleBinding", apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "ci-admin" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }] } },
    { at: t(6, 2), user: alice, verb: "patch", uri: "/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles/reader", resource: "roles", namespace: "payments", name: "reader", apiGroup: "rbac.authorization.k8s.io", code: 200, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac },
    { at: t(41, 30), user: deployer, verb: "delete", uri: "/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings/old-binding", resource: "rolebindings", namespace: "payments", name: "old-binding", apiGroup: "rbac.authorization.k8s.io", code: 200, ip: SAMPLE_IPS.ci, userAgent: "helm/v3.16.2", annotations: rbac },
  );
  // Secrets read.
  for (const minute of [12, 13, 14]) {
    audit.push({ at: t(minute, 5), user: deployer, verb: "get", uri: "/api/v1/namespaces/payments/secrets/db-password", resource: "secrets", namespace: "payments", name: "db-password", apiGroup: "", code: 200, ip: SAMPLE_IPS.ci, userAgent: "helm/v3.16.2", annotations: rbac });
  }
  audit.push({ at: t(15, 40), user: alice, verb: "list", uri: "/api/v1/namespaces/payments/secrets", resource: "secrets", namespace: "payments", apiGroup: "", code: 200, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac });
  // Interactive sessions: exec (two stages of one request), port-forward.
  const execId = auditId();
  const exec = { user: alice, verb: "create", uri: "/api/v1/namespaces/payments/pods/api-7d9c/exec?command=sh&container=api&stdin=true&stdout=true&tty=true", resource: "pods", namespace: "payments", name: "api-7d9c", subresource: "exec", apiGroup: "", code: 101, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac, auditId: execId } as const;
  audit.push({ ...exec, at: t(20, 0), stage: "ResponseStarted" }, { ...exec, at: t(20, 0), stage: "ResponseComplete", latencyMs: 95_000 });
  audit.push({ at: t(22, 15), user: deployer, verb: "create", uri: "/api/v1/namespaces/payments/pods/api-7d9c/portforward", resource: "pods", namespace: "payments", name: "api-7d9c", subresource: "portforward", apiGroup: "", code: 101, ip: SAMPLE_IPS.ci, userAgent: "kubectl/v1.31.0", annotations: rbac, latencyMs: 30_000 });
  // Anonymous probing.
  for (let i = 0; i < 5; i++) {
    audit.push({ at: t(30, i * 7), user: anonymous, verb: "get", uri: "/version", code: 200, ip: SAMPLE_IPS.scanner, userAgent: "python-requests/2.32.3", annotations: allow('RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"') });
  }
  for (let i = 0; i < 2; i++) {
    audit.push({ at: t(31, i * 11), user: anonymous, verb: "list", uri: "/api/v1/namespaces/kube-system/secrets", resource: "secrets", namespace: "kube-system", apiGroup: "", code: 403, ip: SAMPLE_IPS.scanner, userAgent: "python-requests/2.32.3", annotations: forbid });
  }
  // A burst of forbidden secret reads: 25 in one minute.
  for (let i = 0; i < 25; i++) {
    audit.push({ at: t(35, 2 + i * 2), user: mallory, verb: "get", uri: `/api/v1/namespaces/payments/secrets/guess-${i}`, resource: "secrets", namespace: "payments", name: `guess-${i}`, apiGroup: "", code: 403, ip: SAMPLE_IPS.attacker, userAgent: "curl/8.5.0", annotations: forbid });
  }
  // Deletes of a namespace and a CRD.
  audit.push(
    { at: t(45, 0), user: alice, verb: "delete", uri: "/api/v1/namespaces/legacy", resource: "namespaces", name: "legacy", apiGroup: "", uid: "5f0c2b7e-8d41-4c1a-9a57-3e2d6f9b1c08", code: 200, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac },
    { at: t(46, 0), user: alice, verb: "delete", uri: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", resource: "customresourcedefinitions", name: "widgets.example.com", apiGroup: "apiextensions.k8s.io", code: 200, ip: SAMPLE_IPS.office, userAgent: "kubectl/v1.31.0", annotations: rbac },
  );
  // A slow list, and one line whose receipt time Athena could not parse.
  audit.push({ at: t(50, 0), user: deployer, verb: "list", uri: "/api/v1/pods?limit=500", resource: "pods", apiGroup: "", code: 200, ip: SAMPLE_IPS.ci, userAgent: "helm/v3.16.2", annotations: rbac, latencyMs: 2500 });
  audit.push({ at: t(51, 0), user: deployer, verb: "list", uri: "/api/v1/namespaces/payments/pods", resource: "pods", namespace: "payments", apiGroup: "", code: 200, ip: SAMPLE_IPS.ci, userAgent: "helm/v3.16.2", annotations: rbac, latencyMs: 4000, receivedText: "2026-11-30 09:51:00.38" });

  const events: FilterLogEvent[] = [];
  const push = (logStreamName: string, at: number, message: string) => {
    const id = `${String(at).padStart(20, "0")}${String(events.length).padStart(36, "0")}`;
    events.push({ logStreamName, timestamp: at + 250, message, ingestionTime: at + 900, eventId: id });
  };
  for (const spec of audit) push(stream("kube-apiserver-audit"), spec.at + (spec.latencyMs ?? 5), auditLine(spec, spec.auditId ?? auditId()));

  // kube-apiserver, scheduler, controller managers: klog.
  const klog = (level: string, at: number, thread: number, file: string, text: string) => {
    const d = new Date(at).toISOString();
    return `${level}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}${String(at % 1000).padStart(3, "0")} ${String(thread).padStart(7)} ${file}] ${text}`;
  };
  for (let i = 0; i < 20; i++) {
    push(stream("kube-apiserver"), t(i * 3, 1), klog("I", t(i * 3, 1), 11, "cidrallocator.go:277", `"updated ClusterIP allocator for Service CIDR" CIDR="172.20.0.0/16"`));
    push(stream("kube-scheduler"), t(i * 3, 2), klog("I", t(i * 3, 2), 10, "schedule_one.go:314", `"Successfully bound pod to node" pod="payments/api-${i}" node="ip-10-0-1-23.eu-west-1.compute.internal" evaluatedNodes=3 feasibleNodes=3`));
    push(stream("kube-controller-manager"), t(i * 3, 3), klog("I", t(i * 3, 3), 12, "event.go:389", `"Event occurred" object="payments/api" fieldPath="" kind="Deployment" apiVersion="apps/v1" type="Normal" reason="ScalingReplicaSet" message="Scaled up replica set api-7d9c to 3"`));
  }
  push(stream("kube-scheduler"), t(25, 0), klog("E", t(25, 0), 10, "schedule_one.go:1004", `"Error scheduling pod; retrying" err="0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod." pod="payments/batch-1"`));
  push(stream("kube-scheduler"), t(25, 30), klog("E", t(25, 30), 10, "schedule_one.go:1004", `"Error scheduling pod; retrying" err="0/3 nodes are available: 3 Insufficient cpu." pod="payments/batch-2"`));
  push(stream("kube-scheduler"), t(26, 0), klog("I", t(26, 0), 10, "schedule_one.go:1055", `"Unable to schedule pod; no fit; waiting" pod="payments/batch-3" err="0/3 nodes are available: 3 Insufficient memory."`));
  for (let i = 0; i < 3; i++) {
    push(stream("kube-controller-manager"), t(40 + i, 0), klog("E", t(40 + i, 0), 12, "deployment_controller.go:495", `"Error syncing deployment" deployment="payments/api" err="Operation cannot be fulfilled on deployments.apps \\"api\\": the object has been modified; please apply your changes to the latest version and try again"`));
  }
  push(stream("cloud-controller-manager"), t(8, 0), klog("I", t(8, 0), 1, "node_controller.go:431", `"Initializing node with cloud provider" node="ip-10-0-1-23.eu-west-1.compute.internal"`));
  push(stream("cloud-controller-manager"), t(9, 0), klog("E", t(9, 0), 1, "node_controller.go:240", `"Error getting instance metadata for node addresses" err="RequestLimitExceeded: Request limit exceeded."`));

  // aws-iam-authenticator: logins and refusals.
  const logrus = (at: number, level: string, msg: string, kv: string) => `time="${new Date(at).toISOString().slice(0, 19)}Z" level=${level} msg="${msg}" ${kv}`;
  for (let i = 0; i < 4; i++) {
    push(stream("authenticator"), t(4 + i * 10, 0), logrus(t(4 + i * 10, 0), "info", "access granted", `arn="arn:aws:iam::${accountId}:role/platform-admin" client="127.0.0.1:4${5000 + i}" groups="[platform-admins]" method=POST path=/authenticate uid="aws-iam-authenticator:${accountId}:AROAPLATFORMADMINEXAMPLE" username="alice"`));
  }
  for (let i = 0; i < 6; i++) {
    push(stream("authenticator"), t(2 + i * 9, 30), logrus(t(2 + i * 9, 30), "info", "access granted", `arn="arn:aws:iam::${accountId}:role/eks-node-role" client="127.0.0.1:5${1000 + i}" groups="[system:bootstrappers system:nodes]" method=POST path=/authenticate uid="aws-iam-authenticator:${accountId}:AROANODEROLEEXAMPLE" username="system:node:ip-10-0-1-23.eu-west-1.compute.internal"`));
  }
  for (let i = 0; i < 3; i++) {
    push(stream("authenticator"), t(34, i * 5), logrus(t(34, i * 5), "warning", "access denied", `arn="arn:aws:iam::444455556666:role/unknown-${i}" client="127.0.0.1:6${2000 + i}" error="ARN is not mapped: arn:aws:iam::444455556666:role/unknown-${i}" method=POST path=/authenticate`));
  }

  const streams = [...new Set(events.map((e) => e.logStreamName))].map((logStreamName) => ({ logStreamName, searchedCompletely: true }));
  return [{ logGroup: eksLogGroupName(cluster), document: { events: events.sort((a, b) => a.timestamp - b.timestamp), searchedLogStreams: streams } }];
}

/** An audit Event as the API server writes it: compact JSON, its key order, microsecond times. */
function auditLine(spec: AuditSpec, id: string): string {
  // The API server adds latency annotations to requests slower than 500 ms (Kubernetes >= 1.27).
  const slow = spec.latencyMs !== undefined && spec.latencyMs >= 500 && spec.stage !== "ResponseStarted" ? { "apiserver.latency.k8s.io/total": goDuration(spec.latencyMs) } : undefined;
  const event: Record<string, unknown> = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: spec.requestObject ? "RequestResponse" : "Metadata",
    auditID: id,
    stage: spec.stage ?? "ResponseComplete",
    requestURI: spec.uri,
    verb: spec.verb,
    user: { username: spec.user.username, ...(spec.user.uid ? { uid: spec.user.uid } : {}), groups: spec.user.groups, ...(spec.user.extra ? { extra: spec.user.extra } : {}) },
    sourceIPs: [spec.ip],
    ...(spec.userAgent ? { userAgent: spec.userAgent } : {}),
    ...(spec.resource
      ? { objectRef: { resource: spec.resource, ...(spec.namespace ? { namespace: spec.namespace } : {}), ...(spec.name ? { name: spec.name } : {}), ...(spec.uid ? { uid: spec.uid } : {}), apiGroup: spec.apiGroup ?? "", apiVersion: "v1", ...(spec.subresource ? { subresource: spec.subresource } : {}) } }
      : {}),
    responseStatus: { metadata: {}, ...(spec.code >= 400 ? { status: "Failure", message: failureMessage(spec), reason: spec.code === 403 ? "Forbidden" : "Unauthorized" } : {}), code: spec.code },
    ...(spec.requestObject ? { requestObject: spec.requestObject } : {}),
    requestReceivedTimestamp: spec.receivedText ?? micros(spec.at, 123),
    stageTimestamp: micros(spec.at + (spec.stage === "ResponseStarted" ? 1 : (spec.latencyMs ?? 5)), 456),
    ...(spec.annotations || slow ? { annotations: { ...spec.annotations, ...slow } } : {}),
  };
  return JSON.stringify(event);
}

/** The API server's wording of a refused request (its Status message). */
function failureMessage(spec: AuditSpec): string {
  if (spec.code !== 403) return "Unauthorized";
  const what = spec.name ? `${spec.resource} "${spec.name}"` : spec.resource ?? "";
  const where = spec.namespace ? ` in the namespace "${spec.namespace}"` : " at the cluster scope";
  return `${what} is forbidden: User "${spec.user.username}" cannot ${spec.verb} resource "${spec.resource}" in API group "${spec.apiGroup ?? ""}"${where}`;
}

/** Go's time.Duration text for whole milliseconds: 95000 → "1m35s", 2500 → "2.5s", 500 → "500ms". */
function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${minutes > 0 ? `${minutes}m` : ""}${seconds > 0 || minutes === 0 ? `${seconds}s` : ""}`;
}
