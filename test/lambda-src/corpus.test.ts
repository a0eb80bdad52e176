/**
 * The whole shared corpus (../shared/corpus, beside the clone in CI) through the
 * parsers and the bundled handler. Most of it may not be copied into this repo
 * (CC BY-NC-SA, no licence, Elastic), so it is read where it lies; without it these
 * tests say so and skip.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_CONFIG } from "../../lambda-src/config";
import { createParsers } from "../../lambda-src/parsers";
import { RECORD_COLUMNS } from "../../lambda-src/record";
import { dataMessage, invocation, KLOG_STREAM, linesOf, loadBundle, memoryLog, ROOT } from "./helpers";
import { flatReference } from "./flat-reference";

const CORPUS = path.resolve(ROOT, "../shared/corpus");
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus tests skipped: ${CORPUS} does not exist (CI checks it out beside the clone)`);
const describeCorpus = present ? describe : describe.skip;

const parsers = createParsers(DEFAULT_CONFIG);
const CWL = Date.UTC(2023, 5, 19);
const HEADER = /^[IWEF]\d{4} /;

/** klog corpus files as events: a `# [multi-line event]` marker glues the header-less lines that follow to their event. */
function klogEvents(file: string): { text: string; eks: boolean }[] {
  const events: { text: string; eks: boolean }[] = [];
  let multi = false;
  let eks = false;
  for (const line of readFileSync(path.join(CORPUS, "klog", file), "utf8").split("\n")) {
    if (line.startsWith("#")) {
      if (line.startsWith("# source:")) (eks = line.includes("[EKS]")), (multi = false);
      if (line.includes("[multi-line event]")) multi = true;
      continue;
    }
    if (line === "") continue;
    const last = events[events.length - 1];
    if (multi && !HEADER.test(line) && last && HEADER.test(last.text)) last.text += "\n" + line;
    else events.push({ text: line, eks });
  }
  return events;
}

function jsonl(dir: string): { file: string; line: string }[] {
  return readdirSync(path.join(CORPUS, dir))
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((file) =>
      readFileSync(path.join(CORPUS, dir, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((line) => ({ file, line })),
    );
}

describeCorpus("shared corpus", () => {
  it.each(["kube-apiserver.txt", "kube-scheduler.txt", "kube-controller-manager.txt", "cloud-controller-manager.txt"])("klog %s: every headed event parses, every header-less one is a marked parse error", (file) => {
    const events = klogEvents(file);
    expect(events.length).toBeGreaterThan(10);
    for (const { text } of events) {
      const { fields } = parsers["kube-apiserver"](text, CWL);
      if (HEADER.test(text)) {
        expect([text, fields.parse_error]).toEqual([text, undefined]);
        expect(["info", "warning", "error", "fatal"]).toContain(fields.severity);
        expect(text.endsWith(fields.message as string) || fields.kv !== undefined).toBe(true);
      } else {
        expect(fields).toEqual({ parse_error: "klog: no klog header (continuation line or cut event)" });
      }
    }
  });

  it("the multi-line Trace blocks stay one event each", () => {
    const traces = klogEvents("kube-apiserver.txt").filter((e) => e.text.includes("trace.go"));
    expect(traces.length).toBe(5);
    for (const t of traces) expect((parsers["kube-apiserver"](t.text, CWL).fields.message as string).split("\n").length).toBeGreaterThan(1);
  });

  it("authenticator: every line parses; identity lines give account, uid and username", () => {
    const lines = readFileSync(path.join(CORPUS, "authenticator.txt"), "utf8")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines.length).toBe(21);
    for (const line of lines) {
      const { fields } = parsers.authenticator(line, CWL);
      expect([line, fields.parse_error]).toEqual([line, undefined]);
      if (line.includes("uid=")) expect(fields).toEqual(expect.objectContaining({ uid: expect.any(String), aws_account_id: expect.any(String), username: expect.any(String) }));
    }
  });

  it("audit: every complete event parses, and every field it yields is a declared column (record.ts covers the corpus)", () => {
    const declared = new Set(RECORD_COLUMNS.map((c) => c.name));
    const undeclared = new Set<string>();
    const events = jsonl("audit");
    expect(events.length).toBe(189);
    for (const { file, line } of events) {
      const result = parsers["kube-apiserver-audit"](line, CWL);
      expect([file, result.fields.parse_error]).toEqual([file, undefined]);
      expect(result.timeMs).toBe(Date.parse(JSON.parse(line).stageTimestamp));
      for (const key of Object.keys(result.fields)) if (!declared.has(key)) undeclared.add(key);
      const { requestobject: _q, responseobject: _r, ...fields } = result.fields;
      expect([file, fields]).toEqual([file, flatReference(line)]);
    }
    expect([...undeclared]).toEqual([]);
  });

  it("audit-nonconforming: never an exception; the cut event is a truncation parse error", () => {
    for (const { file, line } of jsonl("audit-nonconforming")) {
      const { fields } = parsers["kube-apiserver-audit"](line, CWL);
      if (file.includes("truncated")) expect(fields.parse_error).toBe("audit: invalid JSON at position 1205 (truncated event?)");
      else if (file.startsWith("panther-") && /Timestamp":"\d{4}-\d\d-\d\d /.test(line)) {
        // Panther rewrote the timestamps with a space: left out, named, the event itself still parsed.
        expect([file, fields.parse_error]).toEqual([file, expect.stringMatching(/^audit: (?:(?:requestReceivedTimestamp|stageTimestamp) is not an RFC 3339 date-time: "\d{4}-[^"]+"(?:; |$))+$/)]);
        expect(fields.verb).toEqual(JSON.parse(line).verb);
      } else expect([file, fields.parse_error]).toEqual([file, undefined]);
    }
  });

  it("every corpus event through the bundled handler comes out exactly once", async () => {
    const bundle = loadBundle();
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, log: memoryLog() });
    const payloads = [
      dataMessage("kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", [...jsonl("audit"), ...jsonl("audit-nonconforming")].map((e) => e.line)),
      ...["kube-apiserver", "kube-scheduler", "kube-controller-manager", "cloud-controller-manager"].map((t) => dataMessage(`${t}-bb3ea89d63fd2b9735ba06b144377db6`, klogEvents(`${t}.txt`).map((e) => e.text))),
      dataMessage(KLOG_STREAM.replace("kube-scheduler", "authenticator"), readFileSync(path.join(CORPUS, "authenticator.txt"), "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"))),
    ];
    const response = await handler(invocation(payloads) as never);
    expect(response.records.map((r) => r.result)).toEqual(payloads.map(() => "Ok"));
    const out = response.records.flatMap((r) => linesOf(r).map((l) => l.cwl_id));
    expect(out).toEqual(payloads.flatMap((p) => p.logEvents.map((e) => e.id)));
  });
});
