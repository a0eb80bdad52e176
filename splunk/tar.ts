/**
 * A gzip'd POSIX ustar archive of a few text files, byte-identical for the same input (fixed
 * mtime, owner and mode): what Splunk's "Install app from file" takes as a `.tgz`.
 */
import { gzipSync } from "node:zlib";

const BLOCK = 512;
/** 2025-01-01T00:00:00Z: a fixed time, so the same app packs to the same bytes. */
const MTIME = 1_735_689_600;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(path: string, size: number, type: "0" | "5"): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = "";
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf("/", 155);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: path too long for ustar: ${path}`);
  block.write(name, 0, "utf8");
  block.write(octal(type === "5" ? 0o755 : 0o644, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii");
  block.write(octal(0, 8), 116, "ascii");
  block.write(octal(size, 12), 124, "ascii");
  block.write(octal(MTIME, 12), 136, "ascii");
  block.fill(" ", 148, 156); // checksum field counts as spaces while summing
  block.write(type, 156, "ascii");
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  block.write(prefix, 345, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148, "ascii");
  return block;
}

/** `files` (path → text) under `root/`, directories first, paths in order. */
export function tarGz(root: string, files: ReadonlyMap<string, string>): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>([root]);
  for (const path of files.keys()) {
    const segments = path.split("/").slice(0, -1);
    for (let i = 1; i <= segments.length; i++) dirs.add(`${root}/${segments.slice(0, i).join("/")}`);
  }
  for (const dir of [...dirs].sort()) parts.push(header(`${dir}/`, 0, "5"));
  for (const path of [...files.keys()].sort()) {
    const body = Buffer.from(files.get(path)!, "utf8");
    parts.push(header(`${root}/${path}`, body.length, "0"), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
