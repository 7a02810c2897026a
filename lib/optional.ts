// Packages fastmlp needs for one feature only, kept in package.json's optionalDependencies so that
// `npm install --omit=optional` leaves them out: each loads when its feature runs, and a missing
// one is an Error naming the package(s) and the command that installs them.
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

/** Each feature that needs optional packages: the packages and what they are for. */
export const OPTIONAL_FEATURES = {
  report: { packages: ['vega', 'vega-lite'], purpose: 'writing an HTML report (--report)' },
  progressBar: { packages: ['cli-progress'], purpose: "the CLI's progress bar" },
  arrow: { packages: ['apache-arrow'], purpose: 'reading Arrow and Feather files' },
  parquet: { packages: ['parquet-wasm'], purpose: 'reading Parquet files' },
  onnx: { packages: ['protobufjs'], purpose: 'ONNX export' },
} as const;

export type OptionalFeature = keyof typeof OPTIONAL_FEATURES;

/** The code of the Error thrown when a feature's optional package is not installed. */
export const MISSING_OPTIONAL = 'FASTMLP_MISSING_OPTIONAL';

export class MissingOptionalPackageError extends Error {
  readonly code = MISSING_OPTIONAL;
  constructor(
    readonly feature: string,
    readonly packages: readonly string[],
  ) {
    const list = packages.join(' and ');
    super(
      `${feature} needs the optional package${packages.length > 1 ? 's' : ''} ${list}, which ${packages.length > 1 ? 'are' : 'is'} not installed; install ${packages.length > 1 ? 'them' : 'it'} with: npm install ${packages.join(' ')}`,
    );
    this.name = 'MissingOptionalPackageError';
  }
}

/** True when `error` says that `name` itself (not something inside it) cannot be found. */
export function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}

/**
 * Runs `load` (the dynamic imports of `packages`); a package among them that is not installed
 * becomes a MissingOptionalPackageError for `purpose`. Other errors pass through unchanged.
 */
export async function loadOptional<T>(
  purpose: string,
  packages: readonly string[],
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (packages.some((name) => isMissingPackage(error, name))) {
      throw new MissingOptionalPackageError(purpose, packages);
    }
    throw error;
  }
}

/** vega and vega-lite, for lib/report; the Error names both when either is missing. */
export function loadReportPackages(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  const { packages, purpose } = OPTIONAL_FEATURES.report;
  return loadOptional(purpose, packages, () => Promise.all([import('vega'), import('vega-lite')]));
}

/** cli-progress (a CommonJS package, so it loads synchronously), or null when it is not installed. */
export function loadProgressBar(): typeof import('cli-progress') | null {
  try {
    return createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  } catch (error) {
    if (isMissingPackage(error, OPTIONAL_FEATURES.progressBar.packages[0])) return null;
    throw error;
  }
}

function loadFeature<T>(feature: OptionalFeature, load: () => Promise<T>): Promise<T> {
  const { packages, purpose } = OPTIONAL_FEATURES[feature];
  return loadOptional(purpose, packages, load);
}

/** apache-arrow, for datasets.fromArrow and fromParquet (lib/data/arrow.ts). */
export function loadArrow(): Promise<typeof Arrow> {
  return loadFeature('arrow', () => import('apache-arrow'));
}

/** parquet-wasm (Parquet to Arrow IPC), for datasets.fromParquet. */
export function loadParquet(): Promise<typeof import('parquet-wasm')> {
  return loadFeature('parquet', () => import('parquet-wasm'));
}

/** protobufjs, for ONNX export (lib/io/onnx/encode.ts). */
export async function loadProtobuf(): Promise<typeof import('protobufjs')> {
  return (await loadFeature('onnx', () => import('protobufjs'))).default;
}
