// fit's `schedule` option: checked and resolved, turned into the ChunkSchedule each engine call
// gets (step, exponential and cosine are computed per step inside the engines), and
// reduceOnPlateau's decision between epochs (as Keras' ReduceLROnPlateau, with PyTorch's cooldown).
// Where a schedule stands is part of the model state (ScheduleState, saved as metadata).
import {
  MAX_STEPS,
  RANGES,
  SCHEDULE_CODES,
  SCHEDULE_DEFAULTS,
  SCHEDULE_NAMES,
  type ScheduleName,
} from './engine/contract.js';
import type { ChunkSchedule } from './engine/engine.js';
import { powerOf } from './engine/ts/schedule.js';
import { expectInRange, expectObject, expectOneOf, invalidArgument, rejectUnknownKeys } from './validate.js';

/** The rate times gamma every `every` epochs (PyTorch's StepLR). */
export interface StepScheduleOptions {
  name: 'step';
  /** Epochs between two decays: an integer in 1..1000000000. Required. */
  every: number;
  /** The factor of each decay: a number in (0, 1]. Default 0.1. */
  gamma?: number;
}

/** The rate times gamma after each epoch (PyTorch's ExponentialLR). */
export interface ExponentialScheduleOptions {
  name: 'exponential';
  /** The factor per epoch: a number in (0, 1]. Required. */
  gamma: number;
}

/** Per optimizer step over one fit: linear warm-up to the rate, then half a cosine down to minLearningRate at the fit's last step. */
export interface CosineScheduleOptions {
  name: 'cosine';
  /** Steps of linear warm-up (step s uses rate * (s + 1) / warmupSteps): an integer in 0..2^53-1. Default 0. */
  warmupSteps?: number;
  /** The rate of the fit's last step: a non-negative finite float32 number. Default 0. */
  minLearningRate?: number;
}

/**
 * The rate times factor once `monitor` has not improved for `patience` epochs (Keras'
 * ReduceLROnPlateau), then `cooldown` epochs of rest before epochs count again (PyTorch's cooldown).
 */
export interface PlateauScheduleOptions {
  name: 'reduceOnPlateau';
  /** Default 'val_loss' when there is validation data, else 'loss'. */
  monitor?: 'loss' | 'val_loss';
  /** The factor of each reduction: a number in (0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction: an integer in 0..1000000000. Default 10. */
  patience?: number;
  /** The smallest decrease that counts as an improvement: a non-negative finite number. Default 0.0001. */
  minDelta?: number;
  /**
   * Epochs after a reduction during which no epoch counts toward patience (an improvement still
   * sets the best value): an integer in 0..1000000000. Default 0.
   */
  cooldown?: number;
  /** The rate is never reduced below this: a non-negative finite float32 number. Default 0. */
  minLearningRate?: number;
}

/** fit's `schedule`, as users write it. */
export type ScheduleOptions =
  | StepScheduleOptions
  | ExponentialScheduleOptions
  | CosineScheduleOptions
  | PlateauScheduleOptions;

/** A schedule with every default filled in. */
export type ResolvedSchedule =
  | { name: 'step'; every: number; gamma: number }
  | { name: 'exponential'; gamma: number }
  | { name: 'cosine'; warmupSteps: number; minLearningRate: number }
  | {
      name: 'reduceOnPlateau';
      monitor: 'loss' | 'val_loss';
      factor: number;
      patience: number;
      minDelta: number;
      cooldown: number;
      minLearningRate: number;
    };

/**
 * Where the last fit's schedule stopped. A fit given an equal schedule continues from here; any
 * other fit starts its schedule afresh.
 */
export interface ScheduleState {
  schedule: ResolvedSchedule;
  /** Epochs trained under it (step and exponential decay by these). */
  epochs: number;
  /** reduceOnPlateau: reductions so far; the rate is max(learningRate * factor^reductions, minLearningRate). */
  reductions: number;
}

const KEYS: Record<ScheduleName, readonly string[]> = {
  step: ['name', 'every', 'gamma'],
  exponential: ['name', 'gamma'],
  cosine: ['name', 'warmupSteps', 'minLearningRate'],
  reduceOnPlateau: ['name', 'monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLearningRate'],
};

/** A number field of the schedule: its default when absent (undefined: required), else checked. */
function field(
  s: Record<string, unknown>,
  key: string,
  range: (typeof RANGES)[keyof typeof RANGES],
  fallback?: number,
): number {
  const value = s[key];
  if (value === undefined && fallback !== undefined) return fallback;
  return expectInRange(value, `schedule.${key}`, range);
}

/** Checks fit's `schedule` (null: none). val_loss needs validation data. */
export function resolveSchedule(value: unknown, hasValidation: boolean): ResolvedSchedule | null {
  if (value === undefined || value === null) return null;
  const s = expectObject(value, 'schedule');
  const name = expectOneOf(s.name, 'schedule.name', SCHEDULE_NAMES);
  rejectUnknownKeys(s, KEYS[name], `schedule '${name}'`);
  switch (name) {
    case 'step':
      return {
        name,
        every: field(s, 'every', RANGES.scheduleEvery),
        gamma: field(s, 'gamma', RANGES.scheduleGamma, SCHEDULE_DEFAULTS.stepGamma),
      };
    case 'exponential':
      return { name, gamma: field(s, 'gamma', RANGES.scheduleGamma) };
    case 'cosine':
      return {
        name,
        warmupSteps: field(s, 'warmupSteps', RANGES.warmupSteps, SCHEDULE_DEFAULTS.warmupSteps),
        minLearningRate: field(
          s,
          'minLearningRate',
          RANGES.minLearningRate,
          SCHEDULE_DEFAULTS.minLearningRate,
        ),
      };
    default: {
      const monitor =
        s.monitor === undefined
          ? hasValidation
            ? 'val_loss'
            : 'loss'
          : expectOneOf(s.monitor, 'schedule.monitor', ['loss', 'val_loss'] as const);
      if (monitor === 'val_loss' && !hasValidation) {
        throw new TypeError(
          "Expected validationData or validationSplit for schedule.monitor 'val_loss' but received neither",
        );
      }
      return {
        name,
        monitor,
        factor: field(s, 'factor', RANGES.plateauFactor, SCHEDULE_DEFAULTS.plateauFactor),
        patience: field(s, 'patience', RANGES.plateauPatience, SCHEDULE_DEFAULTS.plateauPatience),
        minDelta: field(s, 'minDelta', RANGES.minDelta, SCHEDULE_DEFAULTS.plateauMinDelta),
        cooldown: field(s, 'cooldown', RANGES.plateauCooldown, SCHEDULE_DEFAULTS.plateauCooldown),
        minLearningRate: field(
          s,
          'minLearningRate',
          RANGES.minLearningRate,
          SCHEDULE_DEFAULTS.minLearningRate,
        ),
      };
    }
  }
}

/** Same name and settings: the next fit continues the schedule. */
export function sameSchedule(a: ResolvedSchedule, b: ResolvedSchedule): boolean {
  const keys = Object.keys(a) as (keyof ResolvedSchedule)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** reduceOnPlateau's rate after `reductions` reductions of `learningRate`. */
export function plateauRate(
  s: { factor: number; minLearningRate: number },
  learningRate: number,
  reductions: number,
): number {
  return Math.max(learningRate * powerOf(s.factor, reductions), s.minLearningRate);
}

/**
 * One fit's schedule: where it starts (continuing the saved state when the schedule is the same),
 * the ChunkSchedule of each chunk, and reduceOnPlateau's decision after each epoch.
 */
export class FitSchedule {
  /** The schedule's epochs so far (step / exponential count from here). */
  epochs = 0;
  reductions = 0;
  /** Optimizer steps of this fit so far (cosine's position). */
  private position = 0;
  private best = Number.POSITIVE_INFINITY;
  private wait = 0;
  /** reduceOnPlateau: epochs of cooldown left after the last reduction. */
  private cooldownLeft = 0;

  constructor(
    readonly schedule: ResolvedSchedule,
    private readonly learningRate: number,
    /** Optimizer steps this fit will take at most (cosine spans them). */
    private readonly totalSteps: number,
    previous: ScheduleState | null,
  ) {
    if (previous !== null && sameSchedule(previous.schedule, schedule) && schedule.name !== 'cosine') {
      this.epochs = previous.epochs;
      this.reductions = previous.reductions;
    }
  }

  /** The engine's schedule for the next chunk. */
  chunk(): ChunkSchedule {
    const s = this.schedule;
    const chunk: ChunkSchedule = {
      kind: SCHEDULE_CODES.constant,
      learningRate: this.learningRate,
      every: 1,
      gamma: 1,
      warmupSteps: 0,
      totalSteps: 1,
      minLearningRate: 0,
      epoch: Math.min(this.epochs, MAX_STEPS),
      position: this.position,
    };
    if (s.name === 'step')
      Object.assign(chunk, { kind: SCHEDULE_CODES.step, every: s.every, gamma: s.gamma });
    else if (s.name === 'exponential')
      Object.assign(chunk, { kind: SCHEDULE_CODES.exponential, gamma: s.gamma });
    else if (s.name === 'cosine') {
      Object.assign(chunk, {
        kind: SCHEDULE_CODES.cosine,
        warmupSteps: s.warmupSteps,
        totalSteps: this.totalSteps,
        minLearningRate: s.minLearningRate,
      });
    } else chunk.learningRate = plateauRate(s, this.learningRate, this.reductions);
    return chunk;
  }

  /** Books a chunk the engine ran. */
  advance(epochs: number, steps: number): void {
    this.epochs += epochs;
    this.position += steps;
  }

  /**
   * reduceOnPlateau after an epoch whose monitored value is `value`: Keras' rule (reduce once
   * `patience` epochs in a row did not improve on the best by more than minDelta), with
   * PyTorch's cooldown (the `cooldown` epochs after a reduction never count as such epochs, while
   * an improvement among them still sets the best). The patience count and the cooldown start
   * afresh each fit, as Keras' callback does.
   */
  afterEpoch(logs: { loss: number; val_loss?: number }): void {
    const s = this.schedule;
    if (s.name !== 'reduceOnPlateau') return;
    const value = logs[s.monitor];
    if (value === undefined) return;
    const improved = value < this.best - s.minDelta;
    if (improved) {
      this.best = value;
      this.wait = 0;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
      return;
    }
    if (improved) return;
    this.wait++;
    if (this.wait < s.patience) return;
    const rate = plateauRate(s, this.learningRate, this.reductions);
    const next = plateauRate(s, this.learningRate, this.reductions + 1);
    // a rate already at the floor (or one float32 would round to 0) is not reduced further
    if (rate > s.minLearningRate && Math.fround(next) > 0) {
      this.reductions++;
      this.wait = 0;
      this.cooldownLeft = s.cooldown;
    }
  }

  /** Where the schedule stands, for the model state. */
  state(): ScheduleState {
    return { schedule: { ...this.schedule }, epochs: this.epochs, reductions: this.reductions };
  }
}

/** A saved schedule state, checked (metadata of a model file or JSON); throws naming the field. */
export function checkScheduleState(value: unknown): ScheduleState {
  const o = expectObject(value, 'metadata.scheduleState');
  rejectUnknownKeys(o, ['schedule', 'epochs', 'reductions'], 'metadata.scheduleState');
  const schedule = resolveSchedule(o.schedule, true);
  if (schedule === null) throw invalidArgument('metadata.scheduleState.schedule', 'a schedule', o.schedule);
  const epochs = expectInRange(o.epochs, 'metadata.scheduleState.epochs', RANGES.scheduleEpoch);
  const reductions = expectInRange(o.reductions, 'metadata.scheduleState.reductions', RANGES.scheduleEpoch);
  return { schedule, epochs, reductions };
}
