// The engines every contract suite runs on: describe.each(engines). The native row is added when
// the addon is built; in CI (CI=true) a missing addon is a failure, not a skip.
import type { Engine } from '../../lib/engine/engine.js';
import { nativeEngine, nativeStatus } from '../../lib/engine/native.js';
import { tsEngine } from '../../lib/engine/ts/index.js';

const native = nativeEngine();
if (!native && process.env.CI === 'true') {
  const status = nativeStatus();
  throw new Error(
    `CI=true but the native engine is not available: ${status.reason}. Build it with: ${status.fix}`,
  );
}

export const engines: Engine[] = native ? [tsEngine, native] : [tsEngine];
