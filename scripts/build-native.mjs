// The npm `install` script. When the package ships a prebuilt addon that fits this platform, arch
// and libc (prebuilds/, resolved by node-gyp-build as lib/engine/native.ts will) and it loads, it
// is used and nothing is built. Otherwise it builds the addon from source (build/Release/
// fastmlp.node) with cmake-js, never downloading anything. A missing toolchain or a failed build
// never fails the install: it prints ONE line saying the pure-TypeScript engine will be used, why,
// and how to retry. Under CI=true a failed build exits non-zero. FASTMLP_SKIP_NATIVE=1 skips the
// build (a fitting prebuild still loads at run time).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Not under build/: cmake-js wipes build/ and rebuilds from scratch when a build fails.
const logPath = join(root, 'native-build.log');
const addonPath = join(root, 'build', 'Release', 'fastmlp.node');
// Installed as a dependency, `npm rebuild fastmlp` reruns this script; in a clone, the package script.
const retry = root.split(/[\\/]/).includes('node_modules') ? 'npm rebuild fastmlp' : 'npm run build:native';
const inCI = process.env.CI === 'true' || process.env.CI === '1';
let logWritten = false;

function fallback(reason) {
  console.log(
    `fastmlp: native addon not built (${reason}); the pure-TypeScript engine will be used. Retry with: ${retry}`,
  );
  if (inCI) {
    console.error(
      `fastmlp: CI=true and the native addon did not build; failing (log: ${relative(root, logPath)})`,
    );
    if (logWritten) console.error(readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n'));
    process.exit(1);
  }
  process.exit(0);
}

function findCmakeJs() {
  try {
    return createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  } catch {
    const local = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
    return existsSync(local) ? local : null;
  }
}

// The first line of the log that names the cause, for the one-line summary.
function diagnose(log) {
  if (/No CMAKE_CXX_COMPILER could be found|CMAKE_CXX_COMPILER not set/i.test(log))
    return 'no C++ compiler found';
  if (/CMake is not installed|CMake executable is not found/i.test(log)) return 'cmake not found';
  if (/CMake \d+\.\d+ or higher is required/i.test(log)) return 'cmake is too old (3.15 or newer is needed)';
  const error = log.split('\n').find((line) => /error[:\s]/i.test(line));
  return error ? `build failed: ${error.trim().slice(0, 160)}` : 'build failed';
}

/** The prebuild node-gyp-build picks for this process, when one fits and loads; else null. */
function loadablePrebuild() {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const p = require('node-gyp-build').resolve(${JSON.stringify(root)}); require(p).info(); console.log(p);`,
    ],
    { cwd: root, env: { ...process.env, PREBUILDS_ONLY: '1' }, encoding: 'utf8' },
  );
  return probe.status === 0 ? probe.stdout.trim() : null;
}

async function main() {
  const prebuild = loadablePrebuild();
  if (prebuild !== null) {
    console.log(`fastmlp: using the prebuilt native addon ${relative(root, prebuild)}; nothing to build`);
    return;
  }
  if (process.env.FASTMLP_SKIP_NATIVE === '1') {
    console.log(
      `fastmlp: skipping the native addon build (FASTMLP_SKIP_NATIVE=1); the pure-TypeScript engine will be used. Build it with: ${retry}`,
    );
    return;
  }
  const cmake = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
  if (cmake.error || cmake.status !== 0) fallback('cmake not found');
  const cmakeJs = findCmakeJs();
  if (!cmakeJs) {
    fallback(
      'no prebuild fits this platform and cmake-js, an optional dependency, is not installed: npm install cmake-js node-addon-api node-api-headers',
    );
  }

  mkdirSync(dirname(logPath), { recursive: true });
  const log = createWriteStream(logPath);
  logWritten = true;
  const verbose = process.env.FASTMLP_BUILD_VERBOSE === '1';
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [cmakeJs, 'compile'], { cwd: root, env: process.env });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        log.write(chunk);
        if (verbose) process.stdout.write(chunk);
      });
    }
    child.on('error', (error) => {
      log.write(`\n${String(error)}\n`);
      resolve(-1);
    });
    child.on('close', (status) => resolve(status ?? -1));
  });
  await new Promise((resolve) => log.end(resolve));
  if (code !== 0 || !existsSync(addonPath)) fallback(diagnose(readFileSync(logPath, 'utf8')));

  try {
    createRequire(import.meta.url)(addonPath).info();
  } catch (error) {
    fallback(`the built addon does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(`fastmlp: native addon built (${relative(root, addonPath)}); log: ${relative(root, logPath)}`);
}

await main();
