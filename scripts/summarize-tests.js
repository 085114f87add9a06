#!/usr/bin/env node
/* eslint-disable no-console */
// Adds up the test results that scripts/test.sh collected and prints one
// closing line: "tests: N passed, N failed, N skipped".
const fs = require('fs');
const path = require('path');

const dir = path.resolve(__dirname, '..', 'test-results');
const readJson = file => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch {
    return undefined;
  }
};

const readText = file => {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
};

let passed = 0;
let failed = 0;
let skipped = 0;

const jest = readJson('jest-results.json');
if (jest) {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  skipped += jest.numPendingTests + (jest.numTodoTests ?? 0);
} else {
  console.log('jest: no results (the unit+integration step did not run)');
  failed += 1;
}

for (const [file, step] of [
  ['e2e-results.json', 'e2e'],
  ['e2e-quickstart-results.json', 'quickstart'],
]) {
  const e2e = readJson(file);
  if (e2e?.stats) {
    passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
    failed += e2e.stats.unexpected;
    skipped += e2e.stats.skipped;
  } else {
    console.log(`${step}: no results (the ${step} step did not run)`);
    failed += 1;
  }
}

// The production smoke checks and the two-replica test.
for (const name of ['prod-smoke.txt', 'replicas.txt']) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) continue;
  const m = /(\d+) passed, (\d+) failed/.exec(fs.readFileSync(file, 'utf8'));
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
}

// The plugin guide, docs/diy-plugins.md, run by scripts/diy-guide-check.js.
const guide = readText('diy-guide.txt');
const g = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(guide ?? '');
if (g) {
  passed += Number(g[1]);
  failed += Number(g[2]);
  skipped += Number(g[3] ?? 0);
} else {
  console.log('diy-guide: no results (the diy-guide step did not run)');
  failed += 1;
}

const failedSteps = Number(process.argv[2] ?? 0);
if (failedSteps > 0 && failed === 0) failed = failedSteps;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
