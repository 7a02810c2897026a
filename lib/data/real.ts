// The real data sets shipped in the package's data/ folder (see data/README.md for sources and
// licenses): digits (1797 8x8 images, pixels 0..16, classes 0..9) and iris (150 x 4, 3 classes).
// Parsed once per process and cached; every call returns fresh copies the caller may mutate.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from './synthetic.js';

// --- locating data/

let dataDir: string | undefined;

/**
 * The package's data/ folder. This file runs from lib/data/ (tsx, vitest) or dist/lib/data/ (after
 * tsc), so rather than guess a fixed number of `..` we walk up to the package.json named fastmlp.
 */
export function dataDirectory(): string {
  if (dataDir !== undefined) return dataDir;
  const start = dirname(fileURLToPath(import.meta.url));
  const tried: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    tried.push(manifest);
    try {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (pkg.name === 'fastmlp') {
        dataDir = join(dir, 'data');
        return dataDir;
      }
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `Cannot find the fastmlp data/ folder: no package.json named "fastmlp" above ${start} (tried ${tried.join(', ')})`,
  );
}

// --- parsing

interface Table {
  X: number[][];
  y: number[];
}

/** Parses numeric CSV rows of `features` values followed by a class label; `file` names errors. */
function parseRows(lines: string[], features: number, file: string, firstLine: number): Table {
  const X: number[][] = [];
  const y: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const values = line.split(',').map(Number);
    if (values.length !== features + 1 || values.some((v) => !Number.isFinite(v))) {
      throw new Error(
        `${file} is corrupt: line ${firstLine + i} should hold ${features + 1} numbers but is "${line.slice(0, 80)}"`,
      );
    }
    y.push(values.pop() as number);
    X.push(values);
  });
  return { X, y };
}

function checkCount(table: Table, rows: number, classes: number, file: string): void {
  if (table.X.length !== rows) {
    throw new Error(`${file} is corrupt: expected ${rows} rows but found ${table.X.length}`);
  }
  const bad = table.y.find((c) => !Number.isInteger(c) || c < 0 || c >= classes);
  if (bad !== undefined) throw new Error(`${file} is corrupt: class ${bad} is not in 0..${classes - 1}`);
}

let digitsCache: (Table & { classNames: string[]; featureNames: string[] }) | undefined;
let irisCache: (Table & { classNames: string[]; featureNames: string[] }) | undefined;

function loadDigits(): NonNullable<typeof digitsCache> {
  if (digitsCache) return digitsCache;
  const file = join(dataDirectory(), 'digits.csv.gz');
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const table = parseRows(text.split('\n'), 64, file, 1);
  checkCount(table, 1797, 10, file);
  digitsCache = {
    ...table,
    classNames: Array.from({ length: 10 }, (_, c) => String(c)),
    // sklearn's names: pixel_<row>_<column> of the 8x8 image, row-major
    featureNames: Array.from({ length: 64 }, (_, j) => `pixel_${Math.floor(j / 8)}_${j % 8}`),
  };
  return digitsCache;
}

function loadIris(): NonNullable<typeof irisCache> {
  if (irisCache) return irisCache;
  const file = join(dataDirectory(), 'iris.csv');
  const [header = '', ...lines] = readFileSync(file, 'utf8').split('\n');
  // header: "<rows>,<features>,<class names...>" (sklearn's own CSV layout)
  const [rows, features, ...classNames] = header.trim().split(',');
  if (Number(rows) !== 150 || Number(features) !== 4 || classNames.length !== 3) {
    throw new Error(`${file} is corrupt: header should be "150,4,<3 class names>" but is "${header}"`);
  }
  const table = parseRows(lines, 4, file, 2);
  checkCount(table, 150, 3, file);
  irisCache = {
    ...table,
    classNames,
    featureNames: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
  };
  return irisCache;
}

function copy(table: Table & { classNames: string[]; featureNames: string[] }): Dataset {
  return {
    X: table.X.map((row) => row.slice()),
    y: table.y.slice(),
    classNames: table.classNames.slice(),
    featureNames: table.featureNames.slice(),
  };
}

// --- public

/** Handwritten digits: 1797 rows of 64 pixels (8x8, row-major, integers 0..16), y the digit 0..9. */
export function digits(): Dataset {
  return copy(loadDigits());
}

/** Fisher's iris: 150 rows of 4 measurements in cm, y 0..2 (setosa, versicolor, virginica), 50 each. */
export function iris(): Dataset {
  return copy(loadIris());
}
