// What `npm pack` and `npm publish` run first (the prepack script): a clean TypeScript build into
// dist/ (no stale files from removed sources) with the assets tsc does not copy, then the prebuilt addon for this machine
// (scripts/prebuild.mjs). Either failing stops the pack.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

function step(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
step([tsc, '-p', 'tsconfig.build.json']);
step([join(root, 'scripts', 'copy-assets.mjs')]); // files tsc does not copy (onnx.proto)
step([join(root, 'scripts', 'prebuild.mjs')]);
