// Engine names for Network-level suites: describe.each(engineNames) runs each suite on every
// engine that test/helpers/engines.ts provides (the native one whenever the addon is built).
import type { EngineName } from '../../lib/engine/engine.js';
import { engines } from './engines.js';

export const engineNames: EngineName[] = engines.map((engine) => engine.name);
