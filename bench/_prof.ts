import { tsEngine } from '../lib/engine/ts/index.js';
import { mlpInitialParams, mlpPlan, syntheticMnist } from './fixtures.js';

const d = syntheticMnist(2048);
const p = mlpInitialParams();
const t = tsEngine.createTrainer(mlpPlan(64, 1), p, new Float32Array(0));
const losses = new Float64Array(1);
let step = 0;
const s = performance.now();
for (let e = 0; e < 8; e++)
  step = t.trainEpochs({ X: d.X, Y: d.Y, rows: 2048, order: null, epochs: 1, batchSize: 64, step, losses });
console.log('samples/s', (8 * 2048) / ((performance.now() - s) / 1000));
