/**
 * Field names on the Splunk side, from the data contract (lambda-src/record.ts): what
 * `KV_MODE = json` extracts from our lines, and the audit Event's own names that Splunk's
 * security content (ESCU) and Sigma rules search, as search-time aliases.
 */
import { ALL_LOG_TYPES, type LogType } from "../lambda-src/conventions";
import { AUDIT_COLUMNS, type ColumnDefinition, RECORD_COLUMNS } from "../lambda-src/record";

/** The field `KV_MODE = json` extracts for a column: arrays get Splunk's `{}` suffix. */
export function splunkField(column: ColumnDefinition): string {
  return column.type === "array<string>" ? `${column.name}{}` : column.name;
}

export function columnNamed(name: string): ColumnDefinition {
  const column = RECORD_COLUMNS.find((c) => c.name === name);
  if (!column) throw new Error(`splunk: "${name}" is not a column of lambda-src/record.ts`);
  return column;
}

/** The sourcetype of a log type: `aws:eks:<log type>`. */
export function sourcetype(logType: LogType | "all"): string {
  return `aws:eks:${logType}`;
}

/** The search macro of a log type: `eks_kube_apiserver_audit`. */
export function logTypeMacro(logType: LogType): string {
  return `eks_${logType.replaceAll("-", "_")}`;
}

export const LOG_TYPES = ALL_LOG_TYPES;

/** `'name'` for an eval expression (single quotes name a field whatever its characters). */
export function evalField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name}'`;
}

/** A field in a search: quoted when it has characters beyond `[A-Za-z0-9_]`. */
export function searchField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name}"`;
}

export interface Alias {
  /** The audit Event's name, as Splunk's JSON extraction of a raw audit Event names it (`user.groups{}`). */
  readonly name: string;
  /** The eval expression over our fields. */
  readonly expression: string;
  /** Our fields it reads. */
  readonly reads: readonly string[];
}

/** Every declared audit column under its Event path; arrays also without `{}` (Sigma's spelling). */
export function auditAliases(): Alias[] {
  return AUDIT_COLUMNS.flatMap((c) => {
    const path = c.auditPath!;
    const ours = splunkField(c);
    if (c.type === "array<string>") {
      return [
        { name: `${path}{}`, expression: evalField(ours), reads: [ours] },
        { name: path, expression: evalField(ours), reads: [ours] },
      ];
    }
    if (c.type === "map<string,string>") return [];
    return [{ name: path, expression: evalField(ours), reads: [ours] }];
  }).filter((a) => a.name !== a.reads[0]);
}

/**
 * Paths inside the request and response bodies that detections search (ESCU, Sigma) or that
 * investigations need, read from the `requestobject`/`responseobject` JSON text at search time.
 * A key with dots of its own (an annotation) is read with `json_extract_exact`, which takes keys
 * literally; other paths with `spath`, which also walks arrays (`containers{}`).
 */
export const OBJECT_PATHS: readonly { readonly object: "requestObject" | "responseObject"; readonly path: string; readonly exactKey?: string }[] = [
  { object: "requestObject", path: "kind" },
  { object: "requestObject", path: "apiVersion" },
  { object: "requestObject", path: "message" },
  { object: "requestObject", path: "metadata.name" },
  { object: "requestObject", path: "metadata.namespace" },
  { object: "requestObject", path: "metadata.annotations", exactKey: "kubectl.kubernetes.io/last-applied-configuration" },
  { object: "requestObject", path: "spec.type" },
  { object: "requestObject", path: "spec.schedule" },
  { object: "requestObject", path: "spec.hostNetwork" },
  { object: "requestObject", path: "spec.hostPID" },
  { object: "requestObject", path: "spec.hostIPC" },
  { object: "requestObject", path: "spec.serviceAccountName" },
  { object: "requestObject", path: "spec.containers{}.image" },
  { object: "requestObject", path: "spec.containers{}.securityContext.privileged" },
  { object: "requestObject", path: "spec.volumes{}.hostPath.path" },
  { object: "requestObject", path: "spec.template.spec.containers{}.image" },
  { object: "requestObject", path: "spec.jobTemplate.spec.template.spec.containers{}.image" },
  { object: "requestObject", path: "roleRef.name" },
  { object: "requestObject", path: "subjects{}.name" },
  { object: "requestObject", path: "subjects{}.kind" },
  { object: "responseObject", path: "kind" },
  { object: "responseObject", path: "metadata.name" },
  { object: "responseObject", path: "metadata.namespace" },
];

export function objectAliases(): Alias[] {
  return OBJECT_PATHS.map(({ object, path, exactKey }) => {
    const ours = object.toLowerCase();
    const name = exactKey ? `${object}.${path}.${exactKey}` : `${object}.${path}`;
    const expression = exactKey ? `json_extract_exact(spath(${ours}, "${path}"), "${exactKey}")` : `spath(${ours}, "${path}")`;
    return { name, expression, reads: [ours] };
  });
}

/**
 * The audit Event fields the public detections search, as facts with their sources: Splunk
 * Security Content (ESCU) Kubernetes audit detections, searched through `kube_audit`
 * (github.com/splunk/security_content @ b13b314ae, detections/cloud/kubernetes_*.yml), and the
 * Sigma rules for Kubernetes audit (github.com/SigmaHQ/sigma, rules/application/kubernetes/audit/).
 */
export const DETECTION_FIELDS: readonly { readonly field: string; readonly source: "ESCU" | "Sigma" | "ESCU, Sigma" }[] = [
  { field: "verb", source: "ESCU, Sigma" },
  { field: "kind", source: "ESCU" },
  { field: "stage", source: "ESCU" },
  { field: "requestURI", source: "ESCU" },
  { field: "requestReceivedTimestamp", source: "ESCU" },
  { field: "userAgent", source: "ESCU" },
  { field: "sourceIPs{}", source: "ESCU" },
  { field: "user.username", source: "ESCU" },
  { field: "user.uid", source: "ESCU" },
  { field: "user.groups{}", source: "ESCU" },
  { field: "objectRef.resource", source: "ESCU, Sigma" },
  { field: "objectRef.name", source: "ESCU" },
  { field: "objectRef.namespace", source: "ESCU, Sigma" },
  { field: "objectRef.subresource", source: "Sigma" },
  { field: "objectRef.apiGroup", source: "Sigma" },
  { field: "responseStatus.code", source: "ESCU, Sigma" },
  { field: "responseStatus.message", source: "ESCU" },
  { field: "responseStatus.reason", source: "ESCU" },
  { field: "annotations.authorization.k8s.io/decision", source: "ESCU" },
  { field: "requestObject.kind", source: "ESCU" },
  { field: "requestObject.message", source: "ESCU" },
  { field: "requestObject.spec.type", source: "ESCU" },
  { field: "requestObject.spec.schedule", source: "ESCU" },
  { field: "requestObject.spec.jobTemplate.spec.template.spec.containers{}.image", source: "ESCU" },
  { field: "requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration", source: "ESCU" },
];

/**
 * Fields some Sigma rules use that are not audit Event fields at all (a backend's field mapping
 * must say what they mean), so no alias can provide them faithfully.
 */
export const UNMAPPABLE_DETECTION_FIELDS: readonly { readonly field: string; readonly rule: string; readonly why: string }[] = [
  { field: "capabilities", rule: "Sigma kubernetes_audit_privileged_pod_creation", why: "not an Event field: the container's securityContext.capabilities inside requestObject, one per container; search requestObject.spec.containers{}.securityContext.privileged instead" },
  { field: "hostPath", rule: "Sigma kubernetes_audit_hostpath_mount", why: "not an Event field: a volume type inside requestObject.spec.volumes[]; requestObject.spec.volumes{}.hostPath.path is provided" },
];
