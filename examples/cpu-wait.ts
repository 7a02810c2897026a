// How long the calling thread has waited for a CPU so far (runnable, but another process ran), in
// ms, from Linux's /proc/thread-self/schedstat (its second field, run-queue wait in ns): the part
// of an event-loop delay the rest of the machine caused, not the code the loop ran. A diagnostic
// beside the delay (examples/loop-delay.ts), never instead of it. null where the file is missing.
import { closeSync, openSync, readSync } from 'node:fs';

export interface CpuWaitClock {
  /** ms this thread has waited for a CPU since it started; read it on the thread it was opened on. */
  read(): number;
  close(): void;
}

export function openCpuWaitClock(): CpuWaitClock | null {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return null;
  }
  const buffer = Buffer.alloc(96);
  return {
    read() {
      const n = readSync(fd, buffer, 0, buffer.length, 0); // the kernel writes the figures anew at offset 0
      return Number(buffer.toString('latin1', 0, n).split(' ')[1]) / 1e6;
    },
    close() {
      closeSync(fd);
    },
  };
}
