/**
 * Where a JSON text first goes wrong. V8's `JSON.parse` messages differ between
 * Node versions and often carry no position, so the failure path re-scans the
 * text itself to report a stable one. Only runs after `JSON.parse` has thrown.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ["true", "false", "null"];
const SPECIAL = /["\\\u0000-\u001f]/g;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Index of the first syntax error, `text.length` when the text ends too early, -1 when it is valid JSON. */
export function jsonErrorPosition(text: string): number {
  const n = text.length;
  const stack: ("}" | "]")[] = [];
  let i = 0;

  const skipSpace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      i++;
    }
  };
  /** Scans a string starting at text[i] === '"'; false leaves i at the error. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      // Native search to the next quote, backslash or control character: events reach 256 KiB.
      SPECIAL.lastIndex = i;
      if (!SPECIAL.test(text)) {
        i = n;
        return false;
      }
      i = SPECIAL.lastIndex - 1;
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c !== 92) {
        i++;
        continue;
      }
      if (i + 1 >= n) {
        i = n;
        return false;
      }
      const e = text.charCodeAt(i + 1);
      if (e === 117) {
        // \uXXXX: four hex digits; fewer because the text ends is "too early", not an error here
        let k = 0;
        while (k < 4 && i + 2 + k < n && isHex(text.charCodeAt(i + 2 + k))) k++;
        if (k < 4) {
          if (i + 2 + k < n) return false;
          i = n;
          return false;
        }
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return false;
      i += 2;
    }
    return false;
  };
  /** An object key and its colon. */
  const key = (): boolean => {
    skipSpace();
    if (i >= n || text[i] !== '"') return false;
    if (!string()) return false;
    skipSpace();
    if (i >= n || text[i] !== ":") return false;
    i++;
    return true;
  };

  for (;;) {
    // A value is expected at i.
    skipSpace();
    if (i >= n) return n;
    const c = text[i]!;
    if (c === "{" || c === "[") {
      i++;
      skipSpace();
      if (text[i] === (c === "{" ? "}" : "]")) i++;
      else {
        stack.push(c === "{" ? "}" : "]");
        if (c === "{" && !key()) return i;
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === "t" || c === "f" || c === "n") {
      const literal = LITERALS.find((l) => l[0] === c)!;
      const got = text.slice(i, i + literal.length);
      if (got !== literal) return literal.startsWith(got) && i + got.length === n ? n : i;
      i += literal.length;
    } else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return i;
      i = NUMBER.lastIndex;
    }
    // After a value: commas and closers until the next value is expected.
    for (;;) {
      skipSpace();
      if (stack.length === 0) return i < n ? i : -1;
      if (i >= n) return n;
      const d = text[i];
      if (d === ",") {
        i++;
        if (stack[stack.length - 1] === "}" && !key()) return i;
        break;
      }
      if (d !== stack[stack.length - 1]) return i;
      stack.pop();
      i++;
    }
  }
}
