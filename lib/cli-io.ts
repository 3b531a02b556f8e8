// The CLI's writes, each checked to completion. Node's process.stdout does neither: on a file it
// makes one write(2) and drops the count (node lib/internal/fs/sync_write_stream.js), so a short
// write on a full disk is lost silently and the command exits 0; and a failed write (EPIPE, ENOSPC,
// EBADF) surfaces later as an unhandled 'error' event with a stack trace. Here every byte is
// written with fs.writeSync in a loop, and a failure is an error the CLI reports in one line.
import * as fs from 'fs';
import * as path from 'path';
import { plain } from './grammar/values';
import { ioReason } from './loader/source-text';

/** A write or a directory that failed, in one line: what could not be done, and why. */
export class OutputError extends Error {}

const STDOUT = 1;
const STDERR = 2;
// A descriptor opened non-blocking by another process sharing it (Node's own stdio pipes are,
// libuv uv_pipe_open) answers EAGAIN while the pipe is full: wait for the reader, with a growing pause.
const FIRST_PAUSE_MS = 1;
const LONGEST_PAUSE_MS = 50;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** `no space left on device (ENOSPC)`: the errno's text and its code. */
export function reasonOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${ioReason(e)} (${code})` : ioReason(e);
}

/** A write that failed after `written` bytes. */
class WriteFailure {
  constructor(
    readonly cause: unknown,
    readonly written: number,
  ) {}
}

/** Writes every byte of `data` to `fd`; throws a WriteFailure, never returns after a short write. */
function writeAll(fd: number, data: Uint8Array): void {
  let pause = FIRST_PAUSE_MS;
  for (let offset = 0; offset < data.length;) {
    try {
      // A short count (a file that reached the disk's or RLIMIT_FSIZE's end) is followed by the next
      // write, which then fails with the reason: ENOSPC, EFBIG, EDQUOT.
      offset += fs.writeSync(fd, data, offset, data.length - offset);
      pause = FIRST_PAUSE_MS;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      } else if (code !== 'EINTR') throw new WriteFailure(e, offset);
    }
  }
}

/** The size of the regular file open at `fd`, else undefined (a pipe, a terminal, /dev/full). */
function regularFileSize(fd: number): number | undefined {
  try {
    const stat = fs.fstatSync(fd);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/** Truncates the file at `fd` to `size` bytes; false when that fails too. */
function cutBack(fd: number, size: number): boolean {
  try {
    fs.ftruncateSync(fd, size);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: number, b: number): boolean {
  try {
    const [x, y] = [fs.fstatSync(a), fs.fstatSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Writes a command's whole output to standard output at once, or throws an OutputError. When
 * standard output is a regular file, a failed write cuts the file back to the size it had, so a
 * redirect (`> file`, `>> file`) never keeps a partial output; what a pipe's reader has read is
 * past recall, and the exit status says it is incomplete. (Not when standard error is the same
 * file: the message about the failure is then written after the partial output, where cutting
 * would leave a hole of zero bytes before it.)
 */
export function writeStdout(text: string): void {
  const start = regularFileSize(STDOUT);
  const data = Buffer.from(text, 'utf8');
  try {
    writeAll(STDOUT, data);
  } catch (e) {
    if (!(e instanceof WriteFailure)) throw e;
    const outcome =
      e.written === 0
        ? 'nothing was written'
        : start !== undefined && !sameFile(STDOUT, STDERR) && cutBack(STDOUT, start)
          ? `the file is cut back to the ${start} bytes it had`
          : `only ${e.written} of ${data.length} bytes were written`;
    throw new OutputError(`cannot write standard output: ${reasonOf(e.cause)} — ${outcome}`);
  }
}

/** Writes to standard error; a failure there has nowhere to be reported, and changes nothing else. */
export function writeStderr(text: string): void {
  try {
    writeAll(STDERR, Buffer.from(text, 'utf8'));
  } catch {
    // The exit status still tells.
  }
}

/**
 * Makes `dir` and its missing parents, one level at a time, or throws an OutputError at once.
 * fs.mkdirSync's `recursive` retries a parent it takes for missing for as long as mkdir(2) answers
 * ENOENT, which it does forever under a directory that exists but takes no new entries
 * (`/proc/self/foo`: Node's mkdirp in src/node_file.cc, MKDirpSync). Here each missing level is
 * made once, from the deepest existing parent down: as many steps as the path has names.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = path.normalize(dir); ; at = path.dirname(at)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(at, { throwIfNoEntry: false });
    } catch (e) {
      throw new OutputError(`cannot make directory ${plain(dir)}: ${reasonOf(e)} — choose another --output`);
    }
    if (stat !== undefined) {
      if (!stat.isDirectory())
        throw new OutputError(`cannot make directory ${plain(dir)}: ${plain(at)} is not a directory — choose another --output`);
      break;
    }
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (e) {
      throw new OutputError(`cannot make directory ${plain(level)}: ${reasonOf(e)} — choose another --output`);
    }
  }
}
