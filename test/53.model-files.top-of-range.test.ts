// The top of the documented range: a network of exactly the contract's parameter cap saves and
// loads through the public API, values in place at both ends (issue 15, finding 8). One child
// process writes and reads a 1 GiB file and removes it (peak RSS 3.1 GB): on a 2-core machine it
// takes about 22 s alone and 44 s within `npm test`, the slowest test of the gate.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PARAMS } from '../lib/engine/contract.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fastmlp-top-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model files at the parameter cap', () => {
  it(`saves and loads ${MAX_PARAMS} parameters, values in place, and leaves no file behind`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/top-of-range.ts', dir],
      { cwd: ROOT, maxBuffer: 1 << 20 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.parameterCount).toBe(MAX_PARAMS);
    expect(result.marks).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    expect(result.nonZero).toBe(5);
    expect(readdirSync(dir)).toEqual([]);
  }, 300_000);
});
