/**
 * The env/module rules (modules/common/patterns.ts, the AWS ranges) as Terraform `validation`
 * blocks: the same pattern or range, the same sentence, checked by `terraform plan` in the
 * caller's estate instead of by our synth.
 */
import type { Rule } from "../modules/common/validate";

export interface TerraformRule {
  /** The condition over the variable reference (`var.x`). */
  condition(ref: string): string;
  /** Terraform wants a sentence: capitalized, ending with a period. */
  message(name: string): string;
}

/** An HCL string literal (JSON escapes are HCL escapes, plus the two template sequences). */
export function hclString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

const sentence = (name: string, rule: string) => `Invalid ${name}: ${rule}.`;

/**
 * The regex() test of `value` (RE2 reads our patterns as JavaScript does: no look-around). RE2
 * repeats at most 1,000 times, so `^[class]{m,n}$` with a larger bound becomes a length check.
 */
function regexTest(pattern: RegExp, value: string): string {
  const bounded = /^\^(\[[^\]]+\])\{(\d+),(\d+)\}\$$/.exec(pattern.source);
  if (bounded && Number(bounded[3]) > 1000) {
    return `length(${value}) >= ${bounded[2]} && length(${value}) <= ${bounded[3]} && can(regex(${hclString(`^${bounded[1]}+$`)}, ${value}))`;
  }
  return `can(regex(${hclString(pattern.source)}, ${value}))`;
}

/** A string matching `rule.pattern`. */
export function matches(rule: Rule): TerraformRule {
  return {
    condition: (ref) => `\${${regexTest(rule.pattern, ref)}}`,
    message: (name) => sentence(name, rule.rule),
  };
}

/** Every item of a list matches. */
export function eachMatches(rule: Rule): TerraformRule {
  return {
    condition: (ref) => `\${alltrue([for v in ${ref} : ${regexTest(rule.pattern, "v")}])}`,
    message: (name) => sentence(name, `each item ${rule.rule}`),
  };
}

/** Every value of a map matches. */
export function eachValueMatches(rule: Rule): TerraformRule {
  return {
    condition: (ref) => `\${alltrue([for v in values(${ref}) : ${regexTest(rule.pattern, "v")}])}`,
    message: (name) => sentence(name, `each value ${rule.rule}`),
  };
}

/** A whole number in [min, max]. */
export function wholeNumberIn(min: number, max: number, unit: string): TerraformRule {
  return {
    condition: (ref) => `\${${ref} >= ${min} && ${ref} <= ${max} && floor(${ref}) == ${ref}}`,
    message: (name) => sentence(name, `must be a whole number of ${min}–${max} ${unit}`),
  };
}

export function oneOf(values: readonly (string | number)[], what: string): TerraformRule {
  return {
    condition: (ref) => `\${contains([${values.map((v) => JSON.stringify(v)).join(", ")}], ${ref})}`,
    message: (name) => sentence(name, `must be one of ${values.join(", ")} (${what})`),
  };
}

export function distinctItems(what: string): TerraformRule {
  return {
    condition: (ref) => `\${length(distinct(${ref})) == length(${ref})}`,
    message: (name) => sentence(name, `must not repeat ${what}`),
  };
}

export function notEmpty(what: string): TerraformRule {
  return {
    condition: (ref) => `\${length(${ref}) > 0}`,
    message: (name) => sentence(name, `must name at least one ${what}`),
  };
}

/** 0 (follow `expireVariable`) only when that keeps objects for a finite time: Object Lock needs a period. */
export function lockedForAFinitePeriod(expireVariable: string): TerraformRule {
  return {
    condition: (ref) => `\${${ref} > 0 || var.${expireVariable} > 0}`,
    message: (name) => sentence(name, `must be set (1–36500 days) when ${expireVariable} is 0: Object Lock's default retention is a finite period`),
  };
}
