import fc from "fast-check";
import { confirmsCut, containerEnd, cutKubeApiserverObjects, cutTopLevelValues } from "../../../lambda-src/parsers/json-scan";
import { jsonErrorPosition } from "../../../lambda-src/parsers/json-error";
import { createAuditParser } from "../../../lambda-src/parsers/audit";

describe("json-scan", () => {
  it.each([
    ['{"a":"}"}', 9],
    ['{"a":"\\"}"}', 11],
    ['{"a":"\\\\"}', 10],
    ['[{"a":[1,{"b":"]"}]}]', 21],
    ['{"a":[}', -1],
    ['{"a":"x', -1],
    ['{"a":{}', -1],
  ])("containerEnd(%s) = %d", (text, end) => {
    expect(containerEnd(text, 0)).toBe(end);
  });

  it("cutTopLevelValues takes only top-level keys, in any order and spacing", () => {
    const text = '{ "user": {"requestObject": {"x":1}}, "requestObject" : {"a":[1,"}"]}, "verb":"get", "responseObject":[2] }';
    const cut = cutTopLevelValues(text, ["requestObject", "responseObject"])!;
    expect(cut.values).toEqual([
      { key: "requestObject", text: '{"a":[1,"}"]}' },
      { key: "responseObject", text: "[2]" },
    ]);
    expect(JSON.parse(cut.rest)).toEqual({ user: { requestObject: { x: 1 } }, requestObject: 0, verb: "get", responseObject: 0 });
  });

  it("cutKubeApiserverObjects: the API server's order, confirmed by parsing what is left", () => {
    const text = '{"verb":"get","requestObject":{"s":"\\"},"},"responseObject":{"t":1},"requestReceivedTimestamp":"2024-01-01T00:00:00Z","annotations":{}}';
    const cut = cutKubeApiserverObjects(text)!;
    expect(cut.values).toEqual([
      { key: "requestObject", text: '{"s":"\\"},"}' },
      { key: "responseObject", text: '{"t":1}' },
    ]);
    expect(confirmsCut(JSON.parse(cut.rest), cut.values)).toBe(true);
  });

  it("cutKubeApiserverObjects: a nested key of the same name is caught by the confirmation", () => {
    const text = '{"user":{"extra":{"requestObject":{"x":1},"requestReceivedTimestamp":"t"}},"verb":"get"}';
    const cut = cutKubeApiserverObjects(text);
    const parsed = cut && (JSON.parse(cut.rest) as Record<string, unknown>);
    expect(cut === undefined || !confirmsCut(parsed!, cut.values)).toBe(true);
    // and the parser gets it right through the general path
    expect(createAuditParser({ objectMode: "string", flattenDepth: 2 })(text, 0).fields).toEqual({ user_extra_requestobject_x: 1, user_extra_requestreceivedtimestamp: "t", verb: "get" });
  });

  it.each([
    ['{"a":1}', -1],
    ['{"a":1', 6],
    ['{"a":tru', 8],
    ['{"a":x}', 5],
    ['{"a":"\\q"}', 6],
    ['{"a":1}}', 7],
    ["", 0],
  ])("jsonErrorPosition(%j) = %d", (text, position) => {
    expect(jsonErrorPosition(text)).toBe(position);
  });
});

describe("jsonErrorPosition on random JSON", () => {
  it("is -1 exactly when JSON.parse accepts, and a cut-short text ends too early, never earlier", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.boolean(), (value, cut, escapeAll) => {
        let text = JSON.stringify(value);
        // \\u escapes too, as Go's encoder writes them (\\u003c)
        if (escapeAll) text = text.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
        expect(jsonErrorPosition(text)).toBe(-1);
        const prefix = text.slice(0, cut % (text.length + 1));
        // A number cut inside its fraction or exponent is reported where the dangling part starts.
        fc.pre(!/[-+.eE]$/.test(prefix));
        let valid = true;
        try {
          JSON.parse(prefix);
        } catch {
          valid = false;
        }
        expect(jsonErrorPosition(prefix)).toBe(valid ? -1 : prefix.length);
      }),
      { numRuns: 1000 },
    );
  });
});
