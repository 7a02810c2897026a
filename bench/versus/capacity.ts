// The machine's capacity at a moment: native/bench/fma_peak.cpp's FMA peak on 1 and on all
// threads, on the widest FMA unit the CPU and OS offer (AVX-512F, else AVX2+FMA, else scalar:
// `kernel` names it), compiled once into build/bench/ with the system's C++ compiler. On a shared machine
// the same code swings with the neighbours' load; each round of the benchmark records this beside
// its timings so a ratio can be read with the capacity it was taken under.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = join(ROOT, 'native/bench/fma_peak.cpp');
const BINARY = join(ROOT, 'build/bench/fma_peak');
/** Milliseconds each of the two probes (1 thread, all threads) runs. */
const PROBE_MS = 60;

export interface Capacity {
  /** GFLOP/s of fused multiply-adds on 1 thread and on all `threads` at once. */
  one: number;
  all: number;
  threads: number;
  /** The probe's kernel: 'avx512f', 'avx2-fma' or 'scalar' (the widest this CPU runs). */
  kernel: string;
  at: string;
}

let built: { ok: true } | { ok: false; reason: string } | null = null;

function build(): { ok: true } | { ok: false; reason: string } {
  if (built) return built;
  try {
    if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
      mkdirSync(join(ROOT, 'build/bench'), { recursive: true });
      const cxx = process.env.CXX ?? 'c++';
      const r = spawnSync(cxx, ['-O2', '-std=c++17', '-pthread', SOURCE, '-o', BINARY], { encoding: 'utf8' });
      if (r.status !== 0)
        built = { ok: false, reason: `${cxx} failed: ${(r.error?.message ?? r.stderr).split('\n')[0]}` };
    }
    built ??= { ok: true };
  } catch (error) {
    built = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return built;
}

/** The FMA peak now, or why it cannot be probed (no C++ compiler). */
export function probeCapacity(): Capacity | { skip: string } {
  const b = build();
  if (!b.ok) return { skip: `FMA probe unavailable: ${b.reason}` };
  try {
    const out = execFileSync(BINARY, [String(PROBE_MS)], { encoding: 'utf8' });
    const j = JSON.parse(out.trim()) as Omit<Capacity, 'at'>;
    return { ...j, at: new Date().toISOString() };
  } catch (error) {
    return { skip: `FMA probe failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function showCapacity(c: Capacity | { skip: string }): string {
  if ('skip' in c) return c.skip;
  return `FMA peak (${c.kernel}) ${c.one.toFixed(1)} GFLOP/s on 1 thread, ${c.all.toFixed(1)} on ${c.threads} (${(c.all / c.one).toFixed(2)}x)`;
}

/** A table's capacity line: the range over the probes taken during its rounds. */
export function showCapacityRange(probes: Capacity[]): string {
  if (probes.length === 0) return 'capacity: not probed';
  const span = (v: number[]) => `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}`;
  const scale = probes.map((p) => p.all / p.one);
  return (
    `capacity during these trials (${probes.length} probe${probes.length === 1 ? '' : 's'}): FMA peak (${[...new Set(probes.map((p) => p.kernel))].join(', ')}) ${span(probes.map((p) => p.one))} GFLOP/s on 1 thread, ` +
    `${span(probes.map((p) => p.all))} on ${probes[0].threads} (${Math.min(...scale).toFixed(2)}-${Math.max(...scale).toFixed(2)}x of one)`
  );
}
