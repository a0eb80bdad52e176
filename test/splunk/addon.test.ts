/**
 * The Splunk add-on, read the way Splunk reads it: every generated file parsed strictly, and
 * every field a search, alias, eventtype or CIM eval reads checked against what the bundled
 * Lambda really writes (the shared corpus and the preview sample, through the preview's replay).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadEnvironment } from "../../envs/load";
import { DEFAULT_CONFIG } from "../../lambda-src/config";
import { ALL_LOG_TYPES, type LogType, eksLogGroupName } from "../../lambda-src/conventions";
import { maxLineBytes } from "../../lambda-src/limits";
import { AUDIT_COLUMNS, RECORD_COLUMNS } from "../../lambda-src/record";
import { NAMED_QUERIES } from "../../modules/catalog/queries";
import { runPreview } from "../../preview/index";
import { generateSample } from "../../preview/sample";
import { APP_NAME, buildAddon, EVENTTYPES, truncateBytes } from "../../splunk/addon";
import { ConfError, parseConf } from "../../splunk/conf";
import { auditAliases, DETECTION_FIELDS, objectAliases, sourcetype, splunkField, UNMAPPABLE_DETECTION_FIELDS } from "../../splunk/fields";
import { fieldsRead, renderSpl } from "../../splunk/spl";
import { tarGz } from "../../splunk/tar";
import { resources, synthApp } from "../helpers/app";
import { ROOT } from "../lambda-src/helpers";

const CORPUS = join(ROOT, "../shared/corpus");
const tmp = () => mkdtempSync(join(tmpdir(), "splunk-test-"));

describe.each(["example", "multi-account"])("the add-on for the %s environment", (name) => {
  const env = loadEnvironment(name);
  const files = buildAddon({ env, lambdaConfig: DEFAULT_CONFIG });
  const conf = (path: string) => parseConf(files.get(path)!, path).stanzas;

  it("is an app directory whose every conf file parses strictly", () => {
    expect([...files.keys()].sort()).toEqual(
      ["README.txt", "default/app.conf", "default/eventtypes.conf", "default/inputs.conf", "default/macros.conf", "default/props.conf", "default/savedsearches.conf", "default/tags.conf", "default/transforms.conf", "metadata/default.meta"].sort(),
    );
    for (const [path, text] of files) if (path.endsWith(".conf") || path.endsWith(".meta")) expect(conf(path).size).toBeGreaterThan(0), void text;
    expect(conf("default/app.conf").get("package")!.get("id")).toBe(APP_NAME);
  });

  it("has a props stanza per sourcetype, one event per line, timestamps from event_time, JSON fields at search time", () => {
    const props = conf("default/props.conf");
    expect([...props.keys()].sort()).toEqual([...ALL_LOG_TYPES.map((t) => sourcetype(t)), sourcetype("all")].sort());
    for (const stanza of props.values()) {
      expect(Object.fromEntries([...stanza].filter(([k]) => !k.startsWith("EVAL-") && k !== "description" && !k.startsWith("TRANSFORMS-")))).toEqual({
        SHOULD_LINEMERGE: "false",
        LINE_BREAKER: "([\\r\\n]+)",
        TRUNCATE: String(truncateBytes(DEFAULT_CONFIG)),
        TIME_PREFIX: '^\\{"event_time":"',
        TIME_FORMAT: "%Y-%m-%dT%H:%M:%S.%3NZ",
        MAX_TIMESTAMP_LOOKAHEAD: "24",
        TZ: "UTC",
        KV_MODE: "json",
        NO_BINARY_CHECK: "true",
        category: "Structured",
      });
    }
    // TRUNCATE exceeds the longest line the Lambda can write (Splunk's default 10,000 would cut ~5 % of audit lines).
    expect(truncateBytes(DEFAULT_CONFIG)).toBeGreaterThan(maxLineBytes(DEFAULT_CONFIG.responseBudgetBytes));
    expect(props.get(sourcetype("all"))!.get("TRANSFORMS-eks_log_type")).toBe("eks_sourcetype_by_log_type");
    expect(conf("default/transforms.conf").get("eks_sourcetype_by_log_type")!.get("FORMAT")).toBe("sourcetype::aws:eks:$1");
  });

  it("has an input per queue the central stack creates, with its URL, region, sourcetype and decoder", () => {
    const app = synthApp(env);
    try {
      const central = app.stacks[`${env.name}-central`]!;
      const queues = resources(central, "aws_sqs_queue").map((q) => q.name as string).filter((n) => !n.endsWith("-dlq"));
      const inputs = conf("default/inputs.conf");
      expect(inputs.size).toBe(queues.length);
      for (const [stanza, settings] of inputs) {
        const queue = settings.get("sqs_queue_url")!.split("/").pop()!;
        expect(queues).toContain(queue);
        expect(settings.get("sqs_queue_url")).toBe(`https://sqs.${env.central.region}.amazonaws.com/${env.central.accountId}/${queue}`);
        expect(stanza).toBe(`aws_sqs_based_s3://eks-${queue.replace(`${env.central.namePrefix}-splunk-`, "")}`);
        expect(settings.get("sourcetype")).toBe(sourcetype(queue.replace(`${env.central.namePrefix}-splunk-`, "") as LogType));
        expect([settings.get("sqs_queue_region"), settings.get("s3_file_decoder"), settings.get("using_dlq"), settings.get("disabled")]).toEqual([env.central.region, "CustomLogs", "1", "1"]);
        // the add-on's IAM role entry cannot send an external id: named only when none is required
        expect(settings.has("aws_iam_role")).toBe(!env.pipeline.splunk.requireExternalId && env.pipeline.splunk.readerPrincipalArns.length > 0);
      }
    } finally {
      app.dispose();
    }
  });

  it("has a scheduled, disabled, throttled alert per named query, its search rendered from the same question", () => {
    const saved = conf("default/savedsearches.conf");
    expect(saved.size).toBe(NAMED_QUERIES.length);
    for (const query of NAMED_QUERIES) {
      const s = saved.get(`EKS - ${query.id}`)!;
      expect(s.get("search")).toBe(renderSpl(query));
      expect([s.get("disabled"), s.get("enableSched"), s.get("alert.suppress"), s.get("alert.suppress.period")]).toEqual(["1", "1", "1", "1h"]);
      expect(s.get("cron_schedule")).toMatch(/^(\*\/15 \* \* \* \*|5 6 \* \* \*)$/);
      expect(s.get("description")).toContain(query.description);
      expect(s.get("alert.suppress.fields")!.split(",")[0]).toBe("account_id");
    }
  });

  it("tags the CIM eventtypes and has a macro per log type plus one for ESCU's kube_audit", () => {
    const tags = conf("default/tags.conf");
    expect(Object.fromEntries([...tags].map(([k, v]) => [k, [...v.keys()]]))).toEqual({
      "eventtype=eks_authenticator_authentication": ["authentication"],
      "eventtype=eks_audit_authentication_failure": ["authentication"],
      "eventtype=eks_audit_change": ["change"],
    });
    const macros = conf("default/macros.conf");
    expect(macros.get("eks_kube_audit")!.get("definition")).toBe("`eks_kube_apiserver_audit`");
    expect(macros.get("eks_kube_apiserver_audit")!.get("definition")).toBe('`eks_index` sourcetype="aws:eks:kube-apiserver-audit"');
    expect(macros.size).toBe(ALL_LOG_TYPES.length + 2);
  });
});

describe("the Splunk conf parser is strict", () => {
  it.each([
    ["a duplicate stanza", "[a]\nx = 1\n[a]\ny = 2\n", "f.conf:3: stanza [a] appears twice"],
    ["a duplicate key", "[a]\nx = 1\nx = 2\n", "f.conf:3: key x appears twice in [a]"],
    ["a line that is no setting", "[a]\njust words\n", 'f.conf:2: expected [stanza], key = value or # comment, got "just words"'],
    ["a key with a space", "[a]\nmy key = 1\n", 'f.conf:2: key "my key" contains white space'],
    ["a continuation at the end", "[a]\nx = 1 \\", "f.conf:2: a continuation \\ on the last line"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseConf(text, "f.conf")).toThrow(new ConfError(message));
  });

  it("joins continuation lines and keeps keys case-sensitive", () => {
    const parsed = parseConf("# c\n[s]\nsearch = a \\\nb\nKEY = 1\nkey = 2\n", "f.conf").stanzas.get("s")!;
    expect(Object.fromEntries(parsed)).toEqual({ search: "a \nb", KEY: "1", key: "2" });
  });
});

/** The field names Splunk's KV_MODE=json extracts from our lines: top-level keys, arrays as `k{}`, maps as `k.x`. */
function splunkFields(line: Record<string, unknown>): string[] {
  return Object.entries(line).flatMap(([k, v]) => (Array.isArray(v) ? [`${k}{}`] : v !== null && typeof v === "object" ? Object.keys(v).map((x) => `${k}.${x}`) : [k]));
}

/** Fields an eval expression reads: 'quoted' names and bare identifiers that are not functions or strings. */
function evalReads(expression: string): string[] {
  const noStrings = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const quoted = [...noStrings.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  const bare = [...noStrings.replace(/'[^']+'/g, "").matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((w) => !["AND", "OR", "NOT"].includes(w));
  return [...quoted, ...bare];
}

describe("every field the add-on reads is one the Lambda writes (bundled Lambda over the shared corpus and the sample)", () => {
  const byType = new Map<string, Set<string>>();
  let longestLine = 0;
  const env = loadEnvironment("example");

  beforeAll(async () => {
    const dir = tmp();
    const docs: { group: string; events: { logStreamName: string; timestamp: number; message: string }[] }[] = [];
    const sample = generateSample({ accountId: env.workloads[0]!.accountId, cluster: "demo" })[0]!;
    docs.push({ group: sample.logGroup, events: sample.document.events });
    if (existsSync(CORPUS)) {
      const t0 = Date.UTC(2026, 10, 30, 9);
      const events: { logStreamName: string; timestamp: number; message: string }[] = [];
      const stream = (type: string) => `${type}-00000000000000000000000000000000`;
      for (const f of readdirSync(join(CORPUS, "audit")).filter((f) => f.endsWith(".jsonl"))) {
        for (const line of readFileSync(join(CORPUS, "audit", f), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))) events.push({ logStreamName: stream("kube-apiserver-audit"), timestamp: t0 + events.length, message: line });
      }
      for (const f of readdirSync(join(CORPUS, "klog"))) {
        for (const line of readFileSync(join(CORPUS, "klog", f), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))) events.push({ logStreamName: stream(f.replace(/\.txt$/, "")), timestamp: t0 + events.length, message: line });
      }
      for (const line of readFileSync(join(CORPUS, "authenticator.txt"), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))) events.push({ logStreamName: stream("authenticator"), timestamp: t0 + events.length, message: line });
      docs.push({ group: eksLogGroupName("corpus"), events });
    } else console.warn(`Splunk field coverage: ${CORPUS} absent, checking against the preview sample only`);
    for (const [i, d] of docs.entries()) {
      const file = join(dir, `doc-${i}.json`);
      writeFileSync(file, JSON.stringify({ events: d.events, searchedLogStreams: [] }));
      const result = await runPreview({ env, input: file, logGroup: d.group, outDir: tmp(), queries: ["rbac-changes"] });
      expect([result.stats.missingIds, result.stats.failedRecords]).toEqual([0, 0]);
      const walk = (p: string): string[] => readdirSync(p, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(p, e.name)) : e.name.endsWith(".json.gz") ? [join(p, e.name)] : []));
      for (const object of walk(join(result.bucketDir, "raw"))) {
        for (const text of gunzipSync(readFileSync(object)).toString("utf8").split("\n").filter(Boolean)) {
          longestLine = Math.max(longestLine, Buffer.byteLength(text));
          const line = JSON.parse(text) as Record<string, unknown>;
          const set = byType.get(line.log_type as string) ?? new Set<string>();
          for (const f of splunkFields(line)) set.add(f);
          byType.set(line.log_type as string, set);
        }
      }
    }
  }, 120_000);

  const has = (types: readonly string[], f: string) => types.some((t) => byType.get(t)?.has(f));

  it.each(NAMED_QUERIES.map((q) => [q.id, q] as const))("%s: its SPL reads only fields of its log types' lines", (_id, query) => {
    const missing = fieldsRead(query).filter((f) => !has(query.logTypes, f));
    expect(missing).toEqual([]);
    // and renders our Splunk names: arrays with {}, no raw SQL
    expect(renderSpl(query)).not.toMatch(/element_at|from_iso8601|array_join|\{\{/);
  });

  it("eventtypes and the CIM evals read only fields the Lambda writes for that sourcetype", () => {
    for (const e of EVENTTYPES) for (const [type, f] of e.reads) expect([e.name, f, has([type], f)]).toEqual([e.name, f, true]);
    const props = parseConf(buildAddon({ env }).get("default/props.conf")!, "props.conf").stanzas;
    const aliasNames = new Set([...auditAliases(), ...objectAliases()].map((a) => `EVAL-${a.name}`));
    for (const type of ["kube-apiserver-audit", "authenticator"]) {
      for (const [key, expression] of props.get(sourcetype(type as LogType))!) {
        if (!key.startsWith("EVAL-") || aliasNames.has(key)) continue;
        for (const f of evalReads(expression)) expect([key, f, has([type], f)]).toEqual([key, f, true]);
      }
    }
  });

  it("every alias reads a declared audit column, and every ESCU/Sigma field resolves (an alias, or our field of the same name)", () => {
    const declared = new Set(AUDIT_COLUMNS.map(splunkField));
    for (const a of auditAliases()) for (const r of a.reads) expect(declared.has(r)).toBe(true);
    for (const a of objectAliases()) expect(a.reads).toEqual([expect.stringMatching(/^(requestobject|responseobject)$/)]);
    const provided = new Set([...auditAliases(), ...objectAliases()].map((a) => a.name));
    for (const { field } of DETECTION_FIELDS) {
      const resolved = provided.has(field) || has(["kube-apiserver-audit"], field);
      expect([field, resolved]).toEqual([field, true]);
      // and what it reads appears in real lines
      const alias = [...auditAliases(), ...objectAliases()].find((a) => a.name === field);
      for (const r of alias?.reads ?? [field]) expect([field, r, has(["kube-apiserver-audit"], r)]).toEqual([field, r, true]);
    }
    expect(UNMAPPABLE_DETECTION_FIELDS.map((u) => u.field)).toEqual(["capabilities", "hostPath"]);
    for (const u of UNMAPPABLE_DETECTION_FIELDS) expect(RECORD_COLUMNS.some((c) => c.auditPath === u.field)).toBe(false);
  });

  it("the longest line the Lambda wrote fits under TRUNCATE", () => {
    expect(longestLine).toBeGreaterThan(1000);
    expect(longestLine).toBeLessThan(truncateBytes(DEFAULT_CONFIG));
  });
});

describe("the .tgz", () => {
  it("holds every file of the app under its directory, byte for byte, and packs the same bytes twice", () => {
    const files = buildAddon({ env: loadEnvironment("example") });
    const archive = tarGz(APP_NAME, files);
    expect(tarGz(APP_NAME, files).equals(archive)).toBe(true);
    const tar = gunzipSync(archive);
    const found = new Map<string, string>();
    for (let at = 0; at + 512 <= tar.length; ) {
      const head = tar.subarray(at, at + 512);
      if (head.every((b) => b === 0)) break;
      const name = head.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
      const prefix = head.subarray(345, 500).toString("utf8").replace(/\0.*$/s, "");
      const size = parseInt(head.subarray(124, 136).toString("ascii"), 8);
      const sum = [...head].reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0);
      expect(parseInt(head.subarray(148, 156).toString("ascii"), 8)).toBe(sum);
      const path = prefix ? `${prefix}/${name}` : name;
      if (head[156] === 0x30) found.set(path, tar.subarray(at + 512, at + 512 + size).toString("utf8"));
      at += 512 + Math.ceil(size / 512) * 512;
    }
    expect(new Map([...found].map(([p, t]) => [p.slice(APP_NAME.length + 1), t]))).toEqual(files);
  });
});
