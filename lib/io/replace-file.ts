// Replacing a file's contents durably and atomically, the way an editor saves: the bytes go to a
// temporary file of ours beside the target, are flushed, then renamed over it. What the path
// names is kept: a symlink is followed (the link stays), anything but a regular file (device,
// FIFO, directory, socket) is refused before anything is written, an existing file keeps its mode.
import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Largest single read or write: fs calls take at most 2^31 - 1 bytes. */
export const IO_CHUNK = 1 << 30;

/** Writes `bytes` as the new contents of the regular file `path` (or of what its symlinks name). */
export async function replaceFile(path: string, bytes: Uint8Array): Promise<void> {
  let temporary: string | undefined;
  try {
    const { target, mode } = await writeTarget(path);
    await removeStaleTemporaries(target);
    temporary = temporaryName(target, temporaryCount++);
    const file = await open(temporary, 'wx', mode ?? 0o666);
    try {
      if (mode !== undefined) await file.chmod(mode); // open's mode passes through the umask
      for (let at = 0; at < bytes.length; ) {
        const { bytesWritten } = await file.write(bytes, at, Math.min(IO_CHUNK, bytes.length - at));
        at += bytesWritten;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  } catch (cause) {
    if (temporary) await rm(temporary, { force: true }).catch(() => {});
    throw cause;
  }
}

/** Symlinks followed to their end (a missing end is created), at most as many as the OS follows. */
const MAX_SYMLINKS = 40;

/** The file save replaces: `path` with its symlinks followed, and its mode if it exists. */
async function writeTarget(path: string): Promise<{ target: string; mode: number | undefined }> {
  let target = path;
  for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
    let info: Stats;
    try {
      info = await lstat(target);
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ENOENT') return { target, mode: undefined };
      throw cause;
    }
    if (info.isSymbolicLink()) {
      target = resolve(dirname(target), await readlink(target));
      continue;
    }
    if (!info.isFile()) throw new NotRegularFile(info);
    return { target, mode: info.mode & 0o7777 };
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
}

class NotRegularFile extends Error {
  constructor(info: Stats) {
    const kind = info.isDirectory()
      ? 'a directory'
      : info.isFIFO()
        ? 'a FIFO'
        : info.isSocket()
          ? 'a socket'
          : info.isCharacterDevice() || info.isBlockDevice()
            ? 'a device'
            : 'not a file';
    super(`not a regular file (${kind})`);
  }
}

/**
 * Temporaries are named `.<name>.fastmlp-<pid>-<n>.tmp` beside the target: hidden, recognizably
 * ours, unique per process and per save, so one left by a killed process can be found and removed.
 */
let temporaryCount = 0;
const temporaryName = (target: string, n: number) =>
  join(dirname(target), `.${basename(target)}.fastmlp-${process.pid}-${n}.tmp`);

/** Removes temporaries of `target` left by processes that no longer run. */
async function removeStaleTemporaries(target: string): Promise<void> {
  const prefix = `.${basename(target)}.fastmlp-`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return; // the open below reports an unusable directory
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)-\d+\.tmp$/.exec(name.slice(prefix.length));
    if (match && !isRunning(Number(match[1]))) {
      await rm(join(dirname(target), name), { force: true }).catch(() => {});
    }
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM'; // alive, someone else's
  }
}
