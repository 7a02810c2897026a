// Builds the prebuilt addon that the npm package ships, for this machine's platform and arch, in
// prebuildify's layout: prebuilds/<platform>-<arch>/fastmlp[.<libc>].node (N-API 8, so one file
// serves every Node version in `engines`; the libc tag lets node-gyp-build tell glibc from musl).
// Why not prebuildify itself: prebuildify 6 drives node-gyp (`node-gyp rebuild --target=<node
// version>`), and cmake-js reads --target as the CMake target to build; so this script runs
// cmake-js and writes the file where prebuildify would, under the name node-gyp-build resolves.
// The build is portable across CPUs: no -march flags, and on x86-64 Linux the AVX code is checked
// to sit only in the *avx2* kernels (scripts/portable-check.mjs), which run only after CPUID says
// AVX2 and FMA are there. Its system baseline (glibc, libstdc++) is that of the machine building
// it: printed here, stated in README.md. It then loads the file through node-gyp-build with
// PREBUILDS_ONLY=1, as an installed package would. Run by `npm pack` (scripts/prepack.mjs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPortable, systemBaseline } from './portable-check.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build-prebuild');
const require = createRequire(join(root, 'package.json'));

/** The file name node-gyp-build matches here: the package name, then the libc tag on Linux. */
export function prebuildFile(platform = process.platform, arch = process.arch) {
  // node-gyp-build's own test for musl (node-gyp-build.js, isAlpine)
  const libc = platform === 'linux' ? (existsSync('/etc/alpine-release') ? 'musl' : 'glibc') : null;
  return join('prebuilds', `${platform}-${arch}`, libc ? `fastmlp.${libc}.node` : 'fastmlp.node');
}

function fail(message) {
  console.error(`fastmlp prebuild: ${message}`);
  process.exit(1);
}

function main() {
  // Flags from the environment would reach every file, not only the *avx2* kernels.
  for (const name of ['CFLAGS', 'CXXFLAGS', 'LDFLAGS']) {
    if (/-march=|-mavx|-mfma|-mtune=native/.test(process.env[name] ?? '')) {
      fail(`${name}='${process.env[name]}' would make the prebuild need this CPU; unset it`);
    }
  }
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  // Extra arguments go to cmake-js: the release workflow's per-platform toolchain flags
  // (.github/workflows/prebuild.yml), e.g. --CDCMAKE_OSX_ARCHITECTURES=arm64.
  const args = [cmakeJs, 'compile', '--out', buildDir, '--parallel', '2', ...process.argv.slice(2)];
  const build = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const built = join(buildDir, 'Release', 'fastmlp.node');
  if (build.status !== 0 || !existsSync(built)) {
    console.error(`${build.stdout ?? ''}${build.stderr ?? ''}`.split('\n').slice(-40).join('\n'));
    fail(`cmake-js rebuild failed (exit ${build.status})`);
  }

  const facts = [];
  if (process.platform === 'linux') {
    if (process.arch === 'x64') {
      const portable = checkPortable(buildDir, built);
      if (portable.problems.length > 0) fail(`not portable:\n  ${portable.problems.join('\n  ')}`);
      facts.push(
        `AVX code only in ${portable.avx2Objects.length} *avx2* objects (${portable.avxFunctionsInAddon} functions)`,
      );
    }
    const { glibc, glibcxx, cxxabi, needed } = systemBaseline(built);
    facts.push(
      `needs glibc >= ${glibc}, libstdc++ GLIBCXX_${glibcxx} and CXXABI_${cxxabi} (${needed.join(', ')})`,
    );
  }

  const target = join(root, prebuildFile());
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { force: true }); // only this file: other libc builds may share the folder
  copyFileSync(built, target);
  if (process.platform === 'linux' || process.platform === 'darwin') {
    const strip = spawnSync(
      'strip',
      process.platform === 'darwin' ? ['-Sx', target] : ['--strip-all', target],
    );
    if (strip.status !== 0) console.warn('fastmlp prebuild: strip failed; shipping the unstripped file');
  }

  // Load it as an installed package would: node-gyp-build, prebuilds only.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const p = require(${JSON.stringify(require.resolve('node-gyp-build'))}).resolve(${JSON.stringify(root)});
       console.log(JSON.stringify({ path: p, info: require(p).info() }));`,
    ],
    { env: { ...process.env, PREBUILDS_ONLY: '1' }, encoding: 'utf8' },
  );
  if (probe.status !== 0) fail(`the prebuild does not load: ${probe.stderr.trim()}`);
  const loaded = JSON.parse(probe.stdout);
  if (loaded.path !== target) fail(`node-gyp-build picked ${loaded.path}, not ${target}`);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (loaded.info.version !== version)
    fail(`the prebuild says version ${loaded.info.version}, package.json ${version}`);

  const kb = Math.round(statSync(target).size / 1024);
  console.log(
    `fastmlp prebuild: ${relative(root, target)} (${kb} KiB, N-API 8, kernel here ${loaded.info.kernel}; ${facts.join('; ')})`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
