// A Python interpreter that imports torch and numpy, for the PyTorch interop suites (test/56, 57):
// /usr/bin/python3 (Debian's python3-torch) or the first python3 on PATH, else null and those
// suites skip. In CI (CI=true) torch is required: a missing one is a failure, not a skip.
import { spawnSync } from 'node:child_process';

const CANDIDATES = [process.env.FASTMLP_PYTHON, '/usr/bin/python3', 'python3'].filter(
  (p): p is string => typeof p === 'string' && p.length > 0,
);

/** One thread per torch process: the machine is small and results must not depend on threading. */
export const PYTHON_ENV = {
  ...process.env,
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  PYTHONDONTWRITEBYTECODE: '1',
};

function findTorchPython(): string | null {
  for (const python of CANDIDATES) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy'], { env: PYTHON_ENV, timeout: 120_000 });
    if (probe.status === 0) return python;
  }
  if (process.env.CI === 'true') {
    throw new Error(
      `CI=true but no python3 imports torch and numpy (tried ${CANDIDATES.join(', ')}): install python3-torch`,
    );
  }
  return null;
}

export const torchPython = findTorchPython();
export const noTorchReason = 'no python3 with torch and numpy (install python3-torch)';

/** Runs a Python script with `input` as JSON on stdin; returns what it prints as JSON. */
export function runPython(script: string, input: unknown, cwd?: string): unknown {
  const run = spawnSync(torchPython as string, ['-c', script], {
    input: JSON.stringify(input),
    env: PYTHON_ENV,
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`python failed (${run.status ?? run.signal}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}
