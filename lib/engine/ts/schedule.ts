// Learning-rate schedules of the TS engine: the rate of one optimizer step from the chunk's
// ChunkSchedule, by the formulas in engine.ts (native/core/schedule.cpp computes the same).
import { RANGES, SCHEDULE_CODES, SCHEDULE_KINDS } from '../contract.js';
import type { ChunkSchedule } from '../engine.js';
import { checkNumber, checkObject, checkSize } from './checks.js';

/** gamma^k by binary exponentiation in float64 (the order native/core/schedule.cpp multiplies in). */
export function powerOf(gamma: number, k: number): number {
  let result = 1;
  let base = gamma;
  let n = k;
  while (n > 0) {
    if (n % 2 === 1) result *= base;
    n = Math.floor(n / 2);
    if (n > 0) base *= base;
  }
  return result;
}

/** The rate of the step at the schedule's epoch E and position s (both counted from 0). */
export function scheduledRate(s: ChunkSchedule, epoch: number, position: number): number {
  const lr = s.learningRate;
  switch (s.kind) {
    case SCHEDULE_CODES.step:
      return lr * powerOf(s.gamma, Math.floor(epoch / s.every));
    case SCHEDULE_CODES.exponential:
      return lr * powerOf(s.gamma, epoch);
    case SCHEDULE_CODES.cosine: {
      if (position < s.warmupSteps) return (lr * (position + 1)) / s.warmupSteps;
      const span = s.totalSteps - 1 - s.warmupSteps;
      const q = span > 0 ? Math.min(1, (position - s.warmupSteps) / span) : 1;
      const min = s.minLearningRate;
      return min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * q));
    }
    default:
      return lr;
  }
}

/** Whether the rate changes within an epoch (then it is computed per step, else per epoch). */
export function ratePerStep(s: ChunkSchedule): boolean {
  return s.kind === SCHEDULE_CODES.cosine;
}

/** A chunk's schedule, every field against the contract (the addon's parse_schedule, same order). */
export function checkSchedule(value: unknown): ChunkSchedule {
  const s = checkObject(value, 'schedule');
  checkSize('schedule.kind', s.kind, 0, SCHEDULE_KINDS.length - 1);
  checkNumber(s.learningRate, 'schedule.learningRate', RANGES.learningRate);
  checkNumber(s.every, 'schedule.every', RANGES.scheduleEvery);
  checkNumber(s.gamma, 'schedule.gamma', RANGES.scheduleGamma);
  checkNumber(s.warmupSteps, 'schedule.warmupSteps', RANGES.warmupSteps);
  checkNumber(s.totalSteps, 'schedule.totalSteps', RANGES.scheduleTotalSteps);
  checkNumber(s.minLearningRate, 'schedule.minLearningRate', RANGES.minLearningRate);
  checkNumber(s.epoch, 'schedule.epoch', RANGES.scheduleEpoch);
  checkNumber(s.position, 'schedule.position', RANGES.schedulePosition);
  return s as unknown as ChunkSchedule;
}
