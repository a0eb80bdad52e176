import fc from "fast-check";
import { coerce, createAuditParser } from "../../../lambda-src/parsers/audit";
import { SerializedResult } from "../../../lambda-src/parsers/types";
import { flatReference } from "../flat-reference";
import { fixture, loadCases } from "../helpers";

const cases = loadCases("audit.txt");
const parse = createAuditParser({ objectMode: "string", flattenDepth: 2 });
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("audit parser", () => {
  const isObject = (text: string) => {
    try {
      const v = JSON.parse(text) as unknown;
      return v !== null && typeof v === "object" && !Array.isArray(v);
    } catch {
      return false;
    }
  };
  // (the two hand-written cases exercise the collision and coercion rules, where renaming differs on purpose)
  const comparable = [...cases.values()].filter((c) => isObject(c.text) && !["keys that collide", "a value that does not fit its column"].includes(c.name));

  it.each(comparable.map((c) => [c.name]))("flattens like flat({ safe: true }): %s", (name) => {
    const line = fixture(cases, name);
    const { requestobject: _q, responseobject: _r, ...fields } = parse(line, 0).fields;
    expect(fields).toEqual(flatReference(line));
  });

  it("flattens a v1 EKS event into Glue-safe columns, arrays kept as arrays", () => {
    const result = parse(fixture(cases, "v1 list namespaces by an SSO role (EKS)"), 0);
    expect(iso(result.timeMs)).toBe("2024-08-24T14:27:07.491Z"); // stageTimestamp, to the millisecond
    expect(result.fields).toEqual({
      kind: "Event",
      apiversion: "audit.k8s.io/v1",
      level: "Request",
      auditid: "fb5dba68-6262-4718-b45e-d293b03e434d",
      stage: "ResponseComplete",
      requesturi: "/api/v1/namespaces",
      verb: "list",
      user_username: "arn:aws:sts::211125685544:assumed-role/sso_admin/gomyers-paloaltonetworks.com",
      user_uid: "aws-iam-authenticator:211125685544:AROATCKASJUUBCXRRKSFT",
      user_groups: ["system:authenticated"],
      user_extra_accesskeyid: ["ASIATCKASJUUD7MPDOZN"],
      user_extra_arn: ["arn:aws:sts::211125685544:assumed-role/sso_admin/gomyers@paloaltonetworks.com"],
      user_extra_canonicalarn: ["arn:aws:iam::211125685544:role/sso_admin"],
      user_extra_principalid: ["AROATCKASJUUBCXRRKSFT"],
      user_extra_sessionname: ["gomyers@paloaltonetworks.com"],
      sourceips: ["130.41.219.137"],
      useragent: "ClusterLoGo_darwin_amd64/v0.0.0 (darwin/amd64) kubernetes/$Format",
      objectref_resource: "namespaces",
      objectref_apiversion: "v1",
      responsestatus_code: 200, // responseStatus.metadata is {}: omitted
      requestreceivedtimestamp: "2024-08-24T14:27:07.461683Z",
      stagetimestamp: "2024-08-24T14:27:07.491536Z",
      annotations_authorization_k8s_io_decision: "allow",
      annotations_authorization_k8s_io_reason:
        'EKS Access Policy: allowed by ClusterRoleBinding "arn:aws:iam::211125685544:role/sso_admin+arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" of ClusterRole "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" to User "AROATCKASJUUBCXRRKSFT"',
    });
  });

  it("v1beta1: timestamp and metadata.creationTimestamp become columns, requestObject a JSON string", () => {
    const result = parse(fixture(cases, "v1beta1 create namespace"), 0);
    expect(iso(result.timeMs)).toBe("2018-10-25T13:58:49.736Z");
    expect(result.fields).toMatchObject({
      apiversion: "audit.k8s.io/v1beta1",
      metadata_creationtimestamp: "2018-10-25T13:58:49Z",
      timestamp_value: "2018-10-25T13:58:49Z", // `timestamp` is reserved in Athena
      responsestatus_code: 201,
      requestobject: '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"foo","creationTimestamp":null},"spec":{},"status":{"phase":"Active"}}',
    });
    expect(Object.keys(result.fields).filter((k) => k.startsWith("requestobject"))).toEqual(["requestobject"]);
  });

  it.each<[string, Record<string, unknown> | undefined, string | undefined]>([
    ["truncated event", { parse_error: "audit: invalid JSON at position 600 (truncated event?)" }, undefined],
    ["JSON but not an object", { parse_error: "audit: not a JSON object" }, undefined],
    ["not JSON at all", { parse_error: "audit: invalid JSON at position 0" }, undefined],
    ["empty message", { parse_error: "audit: empty message" }, undefined],
    ["panther: no timestamps at all", { apiversion: "audit.k8s.io/v1", kind: "Event", sourceips: ["127.0.0.1"], user_username: "system:anonymous" }, undefined],
    [
      // A nonconforming event is still flattened and its event time read as UTC, but its space-separated
      // timestamps are not written: Athena's from_iso8601_timestamp would fail the whole query on them.
      "panther: space-separated timestamps",
      {
        annotations_authorization_k8s_io_decision: "allow",
        annotations_authorization_k8s_io_reason: 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"',
        apiversion: "audit.k8s.io/v1",
        auditid: "d976bfc6-a2bc-49d5-bdeb-074441e0b875",
        kind: "Event",
        level: "Metadata",
        requesturi: "/version",
        responsestatus_code: 200,
        sourceips: ["44.238.138.237"],
        stage: "ResponseComplete",
        user_groups: ["system:unauthenticated"],
        user_username: "system:anonymous",
        useragent: "python-requests/2.31.0",
        verb: "get",
        parse_error: 'audit: requestReceivedTimestamp is not an RFC 3339 date-time: "2024-11-13 18:34:10.595141000"; stageTimestamp is not an RFC 3339 date-time: "2024-11-13 18:34:10.595494000"',
      },
      "2024-11-13T18:34:10.595Z",
    ],
    ["no apiVersion, pods/attach 101", undefined, "2018-10-26T13:42:46.808Z"],
  ])("%s", (name, fields, eventTime) => {
    const result = parse(fixture(cases, name), 0);
    if (fields) expect(result.fields).toEqual(fields);
    expect(iso(result.timeMs)).toBe(eventTime);
  });

  it("the collision rule: common names and repeated names get __2, __3 in key order", () => {
    expect(parse(fixture(cases, "keys that collide"), 0).fields).toEqual({
      kind: "Event",
      message__2: "a field named like a common column",
      severity__2: "high",
      a_b: "dotted key",
      a_b__2: "nested key", // a.c is null and a.d is {}: nothing to write
      a_b__3: "mixed case and slash",
      responsestatus_code: 403, // "403" coerced to the declared int
    });
  });

  it("Panther's rewritten user.extra keys are kept, under their own (undeclared) names", () => {
    expect(parse(fixture(cases, "panther: rewritten user.extra keys"), 0).fields).toMatchObject({
      user_extra_authentication_kubernetes_io_slash_pod_name: ["coredns-57ff979f67-bl27n"],
      user_extra_authentication_kubernetes_io_slash_pod_uid: ["5b9488ae-5563-42aa-850b-b0d82edb3e22"],
    });
  });

  it("a value that does not fit its declared column is left out and reported; other values are coerced", () => {
    expect(parse(fixture(cases, "a value that does not fit its column"), 0).fields).toEqual({
      kind: "Event",
      auditid: "x-1",
      responsestatus_details_causes: ['{"reason":"FieldValueInvalid","field":"spec"}'],
      sourceips: ["10.0.0.1"],
      parse_error: 'audit: responseStatus.code is not an int: "forbidden"',
    });
  });

  it("keeps the children of an empty key apart from a top-level key of the same name (flat alone merges them and loses a value)", () => {
    // found by the random compact-vs-general property: {"": {"x y": 0}, "x y": {}}
    const event = { kind: "Event", "": { "x y": 0 }, "x y": {} };
    const general = parse(JSON.stringify(event, null, 1), 0);
    expect(general).not.toBeInstanceOf(SerializedResult);
    expect(general.fields).toEqual({ kind: "Event", x_y: 0 });
    expect(parse(JSON.stringify(event), 0).fields).toEqual(general.fields);
  });

  it("writes an event the same bytes whatever came before: a full key-path cache starts again, per parser instance", () => {
    // given a parser that has seen more distinct keys than its cache holds
    const busy = createAuditParser({ objectMode: "string", flattenDepth: 2 });
    for (let i = 0; i < 21_000; i += 500) busy(JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, j) => [`k${i + j}`, "v"]))), 0);
    // an API-server event whose value keeps Go's escapes (\u0026): the compact path copies them, the general path re-escapes
    const event = '{"kind":"Event","requestURI":"/api/v1/pods?a=1\\u0026b=2","zq_never_seen_key":"a"}';
    const fresh = createAuditParser({ objectMode: "string", flattenDepth: 2 });
    // when / then: both take the compact path and write the same bytes
    const before = fresh(event, 0);
    const after = busy(event, 0);
    expect(before).toBeInstanceOf(SerializedResult);
    expect(after).toBeInstanceOf(SerializedResult);
    expect((after as SerializedResult).json).toBe((before as SerializedResult).json);
    expect((after as SerializedResult).json).toContain("\\u0026");
  });

  it("an event with more distinct keys than the cache holds (25,000) takes the general path every time, every key once", () => {
    const parser = createAuditParser({ objectMode: "string", flattenDepth: 2 });
    const small = JSON.stringify({ kind: "Event", annotations: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`example.com/key-${i}`, "v"])) });
    const event = JSON.stringify({ kind: "Event", annotations: Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`example.com/key-${i}`, "v"])) });
    expect(parser(small, 0)).toBeInstanceOf(SerializedResult);
    const first = parser(event, 0);
    expect(first).not.toBeInstanceOf(SerializedResult);
    expect(Object.keys(first.fields)).toHaveLength(25_001);
    expect(parser(event, 0)).toEqual(first);
  });

  describe("AUDIT_OBJECT_MODE", () => {
    const event = fixture(cases, "v1beta1 configmap with request and response objects");
    const objectKeys = (fields: Record<string, unknown>) => Object.keys(fields).filter((k) => k.startsWith("requestobject") || k.startsWith("responseobject"));

    it("string (default) keeps each object as one JSON-text column", () => {
      const fields = parse(event, 0).fields;
      expect(objectKeys(fields)).toEqual(["requestobject", "responseobject"]);
      expect(JSON.parse(fields.responseobject as string)).toEqual(JSON.parse(event).responseObject);
    });

    it("drop leaves them out", () => {
      expect(objectKeys(createAuditParser({ objectMode: "drop", flattenDepth: 2 })(event, 0).fields)).toEqual([]);
    });

    it("flatten writes their fields to the configured depth, deeper values as JSON text", () => {
      const fields = createAuditParser({ objectMode: "flatten", flattenDepth: 2 })(event, 0).fields;
      expect(fields).toMatchObject({
        requestobject_kind: "ConfigMap",
        requestobject_metadata_name: "my-config",
        requestobject_data_ui_properties: "color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n",
        responseobject_metadata_resourceversion: "260014",
      });
      const depth1 = createAuditParser({ objectMode: "flatten", flattenDepth: 1 })(event, 0).fields;
      expect(depth1.requestobject_metadata).toBe(JSON.stringify(JSON.parse(event).requestObject.metadata));
    });
  });

  it("keeps a value under a top-level `__proto__` key, which flat alone would lose to the prototype", () => {
    // given: `__proto__` at the top of the event and of a flattened requestObject (flat's own output
    // keys there are bare; deeper ones carry their path). JSON text: in a JS literal it would be the prototype.
    const event = `{"kind":"Event","__proto__":"event value","requestObject":{"__proto__":"object value","other":"kept"}}`;
    // when
    const fields = createAuditParser({ objectMode: "flatten", flattenDepth: 3 })(event, 0).fields;
    // then
    expect(fields).toMatchObject({ proto: "event value", requestobject_proto: "object value", requestobject_other: "kept" });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });

  it("a 1 MB requestObject stays one JSON-text column", () => {
    const big = { kind: "Event", auditID: "big", requestObject: { data: { blob: "y".repeat(1_000_000) } } };
    const fields = parse(JSON.stringify(big), 0).fields;
    expect(fields).toEqual({ kind: "Event", auditid: "big", requestobject: JSON.stringify(big.requestObject) });
  });

  it("unicode survives flattening", () => {
    expect(parse('{"kind":"Event","objectRef":{"name":"café-ポッド"}}', 0).fields).toEqual({ kind: "Event", objectref_name: "café-ポッド" });
  });

  it.each<[unknown, string, unknown]>([
    [403, "int", 403],
    ["403", "int", 403],
    [3.5, "int", undefined],
    [2 ** 31, "int", undefined],
    [2 ** 31, "bigint", 2 ** 31],
    [12, "string", "12"],
    [{ a: 1 }, "string", '{"a":1}'],
    ["x", "array<string>", ["x"]],
    [[1, "a"], "array<string>", ["1", "a"]],
    ["true", "boolean", true],
    ["yes", "boolean", undefined],
    [{ a: 1 }, "map<string,string>", { a: "1" }],
  ])("coerce(%j, %s) → %j", (value, type, expected) => {
    expect(coerce(value, type as Parameters<typeof coerce>[1])).toEqual(expected);
  });

  describe("the compact path (values copied from API-server JSON) equals the general path", () => {
    const keys = ["kind", "verb", "auditID", "user", "username", "groups", "extra", "code", "responseStatus", "a.b", "a/b", "A", "é", "", "x y", "__proto__", "constructor", "message", "sourceIPs"];
    const scalar = fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom('q"uote', "back\\slash", "ctl\u0001", "\u2028", "<&>", "lone \ud800", "pair 😀"), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, scalar, fc.array(scalar, { maxLength: 3 }), tie("object")),
      object: fc.dictionary(fc.constantFrom(...keys), tie("node"), { maxKeys: 5 }),
    })).object;
    const event = fc.record({ head: value, request: fc.option(value), response: fc.option(value), tail: value });

    it("for random events, compact text vs the same event pretty-printed (which always takes the general path)", () => {
      fc.assert(
        fc.property(event, ({ head, request, response, tail }) => {
          // API-server order: metadata, requestObject, responseObject, requestReceivedTimestamp, the rest
          const e: Record<string, unknown> = { ...head, kind: "Event" };
          if (request !== null) e.requestObject = request;
          if (response !== null) e.responseObject = response;
          Object.assign(e, { requestReceivedTimestamp: "2024-01-01T00:00:00.000001Z" }, tail);
          const compact = parse(JSON.stringify(e), 0);
          const general = parse(JSON.stringify(e, null, 1), 0);
          expect(general).not.toBeInstanceOf(SerializedResult);
          expect(compact.fields).toEqual(general.fields);
          expect(compact.timeMs).toBe(general.timeMs);
        }),
        { numRuns: 300 },
      );
    });

    it("a raw lone surrogate (from an escaped one in the CloudWatch envelope) is escaped, not replaced", () => {
      const result = parse('{"kind":"Event","verb":"x\ud800"}', 0);
      expect(result).not.toBeInstanceOf(SerializedResult);
      expect(JSON.stringify(result.fields)).toBe('{"kind":"Event","verb":"x\\ud800"}');
    });

    it("is what the API server's events take (not a path no event reaches)", () => {
      // A fresh module: key paths seen to collide (as the random events above make) keep later events on the general path.
      jest.isolateModules(() => {
        const fresh = (require("../../../lambda-src/parsers/audit") as typeof import("../../../lambda-src/parsers/audit")).createAuditParser({ objectMode: "string", flattenDepth: 2 });
        const Serialized = (require("../../../lambda-src/parsers/types") as typeof import("../../../lambda-src/parsers/types")).SerializedResult;
        expect(fresh(fixture(cases, "v1 list namespaces by an SSO role (EKS)"), 0)).toBeInstanceOf(Serialized);
        expect(fresh(fixture(cases, "v1beta1 configmap with request and response objects"), 0)).toBeInstanceOf(Serialized);
        expect(fresh(fixture(cases, "keys that collide"), 0)).not.toBeInstanceOf(Serialized);
        // two key paths of one event on one column: the general path renames; events with only one stay compact
        const both = fresh(fixture(cases, "v1 list namespaces by an SSO role (EKS)").replace('"kind":"Event"', '"kind":"Event","Verb":"x"'), 0);
        expect(both).not.toBeInstanceOf(Serialized);
        expect(both.fields).toMatchObject({ verb: "x", verb__2: "list" }); // the key met first keeps the name
        expect(fresh(fixture(cases, "v1 list namespaces by an SSO role (EKS)"), 0)).toBeInstanceOf(Serialized);
      });
    });
  });
});
