// Rewrites the README's `fastmlp train` options table from lib/cli/options.ts (test/72 checks it).
import { readFileSync, writeFileSync } from 'node:fs';
import { CLI_OPTIONS, markdownTable } from '../lib/cli/options.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const updated = readme.replace(
  /(<!-- cli-options:start -->\n)[\s\S]*?(\n<!-- cli-options:end -->)/,
  `$1${markdownTable(CLI_OPTIONS)}$2`,
);
writeFileSync(path, updated);
console.log('wrote README.md options table');
