// Checks that a built x86-64 addon runs on any x86-64 CPU: AVX instructions (VEX- or
// EVEX-encoded, or using ymm/zmm registers) may appear only in functions compiled from the
// *avx2*.cpp and *avx512*.cpp files, which the run-time dispatch (native/core/cpu/) calls only
// after CPUID and XCR0 say the CPU and OS support them.
// Also reads the addon's glibc baseline (the newest GLIBC_x.y symbol version it needs). Uses
// binutils' objdump and nm; ELF (Linux) only.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** True for an AVX instruction line of `objdump -d --no-show-raw-insn` (mnemonic v*, or ymm/zmm). */
export function isAvxInstruction(line) {
  const fields = line.split('\t');
  if (fields.length < 2) return false;
  const instruction = fields[1].trim();
  return /^v[a-z]/.test(instruction) || /%[yz]mm\d/.test(instruction);
}

/** The functions (mangled names) of an object or shared library that hold AVX instructions. */
export function avxFunctions(file) {
  const found = new Set();
  let current = null;
  for (const line of run('objdump', ['-d', '--no-show-raw-insn', file]).split('\n')) {
    const header = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (header) current = header[1];
    else if (current !== null && isAvxInstruction(line)) found.add(current);
  }
  return found;
}

/** The functions an object file defines (text symbols, local ones too). */
function definedFunctions(file) {
  const names = new Set();
  for (const line of run('nm', ['--defined-only', file]).split('\n')) {
    const [, type, name] = line.trim().split(/\s+/);
    if (name && /^[tTwW]$/.test(type)) names.add(name);
  }
  return names;
}

function objectFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...objectFiles(path));
    else if (entry.name.endsWith('.o')) out.push(path);
  }
  return out;
}

/**
 * The portability of `addon`, built in `buildDir` (its object files): which functions hold AVX
 * code and whether each is allowed. Allowed: defined by an *avx2* or *avx512* object and by no other object
 * (an inline function compiled in both kinds may be kept in its AVX form by the linker, and then
 * baseline code would call it: that is the failure this catches).
 */
export function checkPortable(buildDir, addon) {
  const objects = objectFiles(buildDir);
  const avx2Objects = objects.filter((o) => /avx2|avx512/.test(basename(o)));
  if (avx2Objects.length === 0) throw new Error(`no *avx2* or *avx512* object files under ${buildDir}`);
  const baselineObjects = objects.filter((o) => !avx2Objects.includes(o));
  const problems = [];
  const baselineDefined = new Set();
  for (const o of baselineObjects) {
    for (const f of avxFunctions(o)) problems.push(`${basename(o)}: ${f} (a baseline object holds AVX code)`);
    for (const f of definedFunctions(o)) baselineDefined.add(f);
  }
  const allowed = new Set();
  for (const o of avx2Objects) {
    for (const f of definedFunctions(o)) if (!baselineDefined.has(f)) allowed.add(f);
  }
  const inAddon = avxFunctions(addon);
  for (const f of inAddon)
    if (!allowed.has(f))
      problems.push(`${basename(addon)}: ${f} (AVX code outside the *avx2* and *avx512* files)`);
  return {
    objects: objects.length,
    avx2Objects: avx2Objects.map((o) => basename(o)),
    avxFunctionsInAddon: inAddon.size,
    problems,
  };
}

/** The newest of the `prefix`x.y[.z] symbol versions in `objdump -T` output, or null. */
function newestVersion(dynamicSymbols, prefix) {
  const versions = [...dynamicSymbols.matchAll(new RegExp(`\\(${prefix}([0-9.]+)\\)`, 'g'))].map((m) =>
    m[1].split('.').map(Number),
  );
  const newer = (a, b) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
    return false;
  };
  const newest = versions.reduce((best, v) => (best === null || newer(v, best) ? v : best), null);
  return newest === null ? null : newest.join('.');
}

/**
 * What the addon needs from the system it lands on: the newest glibc symbol version, the newest
 * libstdc++ (GLIBCXX_) and C++ ABI (CXXABI_) versions, and the shared libraries it links.
 */
export function systemBaseline(addon) {
  const dynamicSymbols = run('objdump', ['-T', addon]);
  return {
    glibc: newestVersion(dynamicSymbols, 'GLIBC_'),
    glibcxx: newestVersion(dynamicSymbols, 'GLIBCXX_'),
    cxxabi: newestVersion(dynamicSymbols, 'CXXABI_'),
    needed: [...run('objdump', ['-p', addon]).matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]),
  };
}
