/** Routing: the parser for each log type (the stream prefix, see conventions.ts). */
import type { Config } from "../config";
import type { LogType } from "../conventions";
import { createAuditParser } from "./audit";
import { parseAuthenticator } from "./authenticator";
import { parseKlog } from "./klog";
import type { Parser } from "./types";

export type { Parser, ParseResult } from "./types";

/** Unknown streams are delivered as they are: the raw text in `message`, no parse attempted. */
const passThrough: Parser = (line) => ({ fields: { message: line } });

export type Parsers = Readonly<Record<LogType, Parser>>;

export function createParsers(config: Pick<Config, "auditObjectMode" | "auditObjectFlattenDepth">): Parsers {
  return {
    "kube-apiserver-audit": createAuditParser({ objectMode: config.auditObjectMode, flattenDepth: config.auditObjectFlattenDepth }),
    "kube-apiserver": parseKlog,
    "kube-scheduler": parseKlog,
    "kube-controller-manager": parseKlog,
    "cloud-controller-manager": parseKlog,
    authenticator: parseAuthenticator,
    unknown: passThrough,
  };
}
