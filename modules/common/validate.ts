/**
 * The one validation vocabulary of the modules: a collect-all list of problems, each naming
 * the module, the prop, the rule and the value received, and one error type that carries
 * them. Values that are unresolved Terraform tokens are skipped: Terraform and AWS check those
 * at plan or apply time. envs/ maps a module's problems back to the env field that caused them.
 */
import { Token } from "cdktf";
import { isListElementToken } from "./tokens";
import { bucketNameProblem } from "./s3-names";

/** One thing a module refuses: `<module>: <prop> <rule>, got <value>`. */
export interface ModuleProblem {
  readonly module: string;
  /** The prop path inside the module's props, e.g. `lifecycle.transitions[1].afterDays`. */
  readonly prop: string;
  readonly rule: string;
  readonly value: unknown;
}

/** `value` is a plain value (not a cdktf token) and can be checked now. */
export function known<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value) && !isListElementToken(value);
}

/** Strings quoted, lists and objects as JSON, numbers, booleans and undefined as they are. */
export function show(value: unknown): string {
  if (value === undefined || typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** `1,234` — byte counts and limits read better with separators. */
export function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatModuleProblem(p: ModuleProblem): string {
  return `${p.module}: ${p.prop} ${p.rule}, got ${show(p.value)}`;
}

/** A configuration a module refuses at synth time, before any Terraform is written; every problem at once. */
export class ModuleValidationError extends Error {
  override readonly name = "ModuleValidationError";
  constructor(readonly problems: readonly ModuleProblem[]) {
    super(problems.map(formatModuleProblem).join("\n"));
  }

  /** The module that refused (the first problem's). */
  get module(): string {
    return this.problems[0]?.module ?? "";
  }
}

/** A pattern and the rule it stands for, written once (patterns.ts). */
export interface Rule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/** Problems of one module's props, collected so that all of them are reported together. */
export class Problems {
  readonly list: ModuleProblem[] = [];

  constructor(
    readonly module: string,
    /** Prepended to every prop: `Problems("forwarder", "subscriptions.")`. */
    private readonly prefix = "",
  ) {}

  add(prop: string, rule: string, value: unknown): void {
    this.list.push({ module: this.module, prop: this.prefix + prop, rule, value });
  }

  /** A problem when `value` is known and `ok(value)` is false. */
  check<T>(prop: string, value: T | undefined, ok: (v: T) => boolean, rule: string): void {
    if (known(value) && !ok(value)) this.add(prop, rule, value);
  }

  /** A problem when `value` is a known string that does not match. */
  match(prop: string, value: string | undefined, rule: Rule): void {
    this.check(prop, value, (v) => rule.pattern.test(v), rule.rule);
  }

  /** A problem when `value` is known and not one of `allowed`. */
  oneOf<T>(prop: string, value: T | undefined, allowed: readonly T[]): void {
    this.check(prop, value, (v) => allowed.includes(v), `must be one of ${allowed.join(", ")}`);
  }

  /** `min <= value <= max` (a whole number unless `integer: false`), with the unit and why. */
  range(prop: string, value: number | undefined, min: number, max: number, unit = "", options: { readonly integer?: boolean; readonly why?: string } = {}): void {
    const integer = options.integer ?? true;
    const why = options.why ? ` (${options.why})` : "";
    const rule =
      max === Infinity
        ? `must be ${integer ? `a whole number${unit ? ` of ${unit}` : ""}, ` : ""}at least ${thousands(min)}${!integer && unit ? ` ${unit}` : ""}${why}`
        : `must be ${integer ? "a whole number of " : ""}${thousands(min)}–${thousands(max)}${unit ? ` ${unit}` : ""}${why}`;
    this.check(prop, value, (v) => Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)), rule);
  }

  /** Every item of `values` appears once: `unique("clusters", clusters, "a cluster")`. */
  unique(prop: string, values: readonly unknown[] | undefined, what: string): void {
    (values ?? []).forEach((v, i) => {
      if (known(v) && values!.indexOf(v) !== i) this.add(`${prop}[${i}]`, `must not repeat ${what}`, v);
    });
  }

  /** S3 general purpose bucket naming rules. */
  bucketName(prop: string, value: string | undefined): void {
    if (!known(value)) return;
    const problem = bucketNameProblem(value);
    if (problem) this.add(prop, problem, value);
  }

  /** Problems of a part checked elsewhere (another validator's list), under `prefix`. */
  addAll(problems: readonly ModuleProblem[], prefix = ""): void {
    for (const p of problems) this.list.push({ ...p, prop: this.prefix + prefix + p.prop });
  }

  get ok(): boolean {
    return this.list.length === 0;
  }

  /** Throws every problem at once, if there are any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ModuleValidationError(this.list);
  }
}
