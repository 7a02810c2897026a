// Copies the files the compiled library reads at run time beside their compiled modules in dist/
// (tsc copies only TypeScript): the ONNX schema protobufjs loads, and its license. Run by build:ts.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths relative to the package root, copied to the same path under dist/. */
export const ASSETS = ['lib/io/onnx/onnx.proto', 'lib/io/onnx/LICENSE-onnx.txt'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'dist');
for (const asset of ASSETS) {
  mkdirSync(dirname(join(out, asset)), { recursive: true });
  copyFileSync(join(root, asset), join(out, asset));
}
