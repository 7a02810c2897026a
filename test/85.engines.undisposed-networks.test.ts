// Finding 9 of issue 15: networks dropped without dispose must not pile up. In a fresh process
// (--expose-gc) the fixture creates, trains briefly and drops 1,000 native networks with
// threads: 2, whose native workspaces dwarf their JS arrays; OS threads stay those of the
// isolate's one pool (they were one pool per network: 2,012 threads for 2,000 networks) and
// RSS grows by a bounded amount, because each Model and Trainer reports its native bytes to V8
// (external_memory.hpp) and releases them when collected. Generous bounds, nothing timed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engines } from './helpers/engines.js';

const CHILD = fileURLToPath(new URL('./fixtures/undisposed-networks.ts', import.meta.url));

describe.each(engines)('the $name engine: undisposed networks', (engine) => {
  // The TS engine holds nothing natively and trains far slower: fewer networks suffice there.
  const COUNT = engine.name === 'native' ? 1000 : 100;
  it(`${COUNT} dropped networks keep OS threads and RSS bounded`, () => {
    const line = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHILD, `${COUNT}`, engine.name],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const result = JSON.parse(line.trim()) as {
      engine: string;
      count: number;
      rssGrowthMB: number;
      peakRssGrowthMB: number;
      peakThreads: number;
    };
    expect(result.engine).toBe(engine.name);
    expect(result.count).toBe(COUNT);
    // Node's own threads (about 11) plus the pool's: far below one or two per network.
    expect(result.peakThreads).toBeLessThan(64);
    // Each network holds 2.3 MB natively: 1,000 kept alive would be 2.3 GB.
    expect(result.peakRssGrowthMB).toBeLessThan(400);
    expect(result.rssGrowthMB).toBeLessThan(400);
  });
});
