// The text of a YAML source, read the way kubectl can read it: bounded in size, strict UTF-8, and
// without the control characters YAML forbids. A problem is one line, never an exception.
import * as fs from 'fs';
import { codePoint, escaped } from '../grammar/values';
import { MAX_SOURCE_BYTES } from '../limits';

const CHUNK_BYTES = 64 * 1024;
const TOO_LARGE = `is larger than ${MAX_SOURCE_BYTES / 2 ** 10} KiB`;
const TOO_LARGE_FIX = 'split it into several files';

/** What went wrong with a source, at a position (`line 3, column 7`) when there is one. */
export interface TextProblem {
  readonly path?: string;
  readonly message: string;
}

/** The text of a file, or of standard input for fd 0; a problem when it cannot be used. */
export function readSourceText(file: string | 0): { text: string } | TextProblem {
  let bytes: Buffer;
  try {
    bytes = readCapped(file);
  } catch (e) {
    if (e instanceof TooLarge) return { message: e.message };
    return { message: `cannot read it: ${ioReason(e)}` };
  }
  return decodeUtf8(bytes);
}

class TooLarge extends Error {}

function readCapped(file: string | 0): Buffer {
  const fd = file === 0 ? 0 : fs.openSync(file, 'r');
  try {
    // The size is known for a regular file; a device or a pipe reports 0 and is capped while reading.
    const { size } = fs.fstatSync(fd);
    if (size > MAX_SOURCE_BYTES) throw new TooLarge(`${TOO_LARGE} (got ${size} bytes) — ${TOO_LARGE_FIX}`);
    return readChunks(fd);
  } finally {
    if (fd !== 0) fs.closeSync(fd);
  }
}

function readChunks(fd: number): Buffer {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const parts: Buffer[] = [];
  let total = 0;
  for (let n = readSome(fd, chunk); n > 0; n = readSome(fd, chunk)) {
    total += n;
    if (total > MAX_SOURCE_BYTES) throw new TooLarge(`${TOO_LARGE} (got more than ${MAX_SOURCE_BYTES} bytes) — ${TOO_LARGE_FIX}`);
    parts.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(parts, total);
}

/** One read; a non-blocking standard input (EAGAIN: no data yet) is waited for, not an error. */
function readSome(fd: number, chunk: Buffer): number {
  for (;;) {
    try {
      return fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

// ignoreBOM keeps a byte order mark in the text, as reading with 'utf8' did: the YAML parser skips it.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
const REPLACEMENT = 0xfffd;

/** The text of UTF-8 bytes. kubectl refuses other bytes; replacing them with U+FFFD would hide that. */
function decodeUtf8(bytes: Buffer): { text: string } | TextProblem {
  try {
    return { text: STRICT_UTF8.decode(bytes) };
  } catch {
    const text = LENIENT_UTF8.decode(bytes);
    const { index, byte } = firstInvalidByte(bytes, text);
    return {
      path: position(text, index),
      message: `is not UTF-8 (got byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}) — save the file as UTF-8`,
    };
  }
}

/**
 * Where the first invalid byte is, as an index into the leniently decoded text, and its value.
 * The lenient decoder turns it into U+FFFD; a U+FFFD written in the file is the bytes EF BF BD.
 */
function firstInvalidByte(bytes: Buffer, lenient: string): { index: number; byte: number } {
  let offset = 0;
  let index = 0;
  for (const ch of lenient) {
    const cp = ch.codePointAt(0) as number;
    if (cp === REPLACEMENT && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) break;
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += ch.length;
  }
  return { index, byte: bytes[offset] };
}

// The characters YAML allows in a stream (YAML 1.2 §5.1, c-printable). go-yaml v2, which kubectl
// reads YAML with, refuses any other with "control characters are not allowed" (reader.go,
// yaml_parser_update_buffer); the yaml package would take them in plain and quoted text.
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character YAML does not allow, as a problem at its position. */
export function controlCharacterProblem(text: string): TextProblem | undefined {
  const m = NOT_PRINTABLE.exec(text);
  if (!m) return undefined;
  return { path: position(text, m.index), message: `control characters are not allowed in YAML (got ${codePoint(m[0])}) — remove it` };
}

/** `line 3, column 7` of an index into `text`, both 1-based, as the YAML parser reports them. */
export function position(text: string, index: number): string {
  const before = text.slice(0, index);
  return formatPosition(before.split('\n').length, index - before.lastIndexOf('\n'));
}

export function formatPosition(line: number, column: number): string {
  return `line ${line}, column ${column}`;
}

/** `no such file or directory` from `ENOENT: no such file or directory, open 'x.yaml'`. */
export function ioReason(e: unknown): string {
  return messageOf(e)
    .replace(/^[A-Z]+: /, '')
    .replace(/, \w+( '[\s\S]*')?$/, '');
}

/**
 * The message of a thrown value, its control characters escaped: the yaml package's and Node's
 * messages quote source text and paths, which may hold any character.
 */
// Not `instanceof Error`: errors from another realm (a test VM, a worker) are not instances of ours.
export function messageOf(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return escaped(typeof message === 'string' ? message : String(e));
}
