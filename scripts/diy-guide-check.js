#!/usr/bin/env node
/* eslint-disable no-console */
// Runs docs/diy-plugins.md: the guide's marked blocks are executed in order
// in a temporary copy of the repository, so the guide cannot drift from the
// code. A marker is an HTML comment on the line before a fenced block
// (invisible in TechDocs):
//
//   <!-- diy-check: run -->            the block is a bash script, run at the
//                                      copy's root (set -euo pipefail)
//   <!-- diy-check: file <path> -->    the block is the whole content of <path>
//   <!-- diy-check: patch -->          the block is a unified diff (git apply)
//   <!-- diy-check: excerpt <path> --> the block's lines appear in <path> in
//                                      this order; a `// ...` line skips lines
//
// Every `plugins/...`, `packages/...`, `scripts/...` or `docs/...` path the
// guide names in backticks must exist once the guide has run.
//
// The copy, in the ignored folder .diy-guide-check/ of the checkout, holds
// the repository's tracked and unignored files and a node_modules made of
// symbolic links into the real one, so nothing is installed: `yarn install`
// in the copy only updates its yarn.lock (`--mode=update-lockfile`, no
// network, so a dependency the lockfile does not have fails the check) and
// links the new workspaces. Being inside the checkout, the copy also sees
// the real node_modules as a parent folder's, so TypeScript names hoisted
// packages as it does in the checkout. The check fails if anything under
// the real node_modules changed, or if `git status` of the checkout did;
// the copy is removed at the end. It writes test-results/diy-guide.txt.
//
// Usage: node scripts/diy-guide-check.js [--keep]   (--keep leaves the copy)

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const guideRel = 'docs/diy-plugins.md';
const keep = process.argv.includes('--keep');

/** The marked blocks of the guide, in order. */
function parseGuide(text) {
  const lines = text.split('\n');
  const steps = [];
  const marker = /^<!--\s*diy-check:\s*(\w+)(?:\s+(\S+))?\s*-->\s*$/;
  for (let i = 0; i < lines.length; i++) {
    const m = marker.exec(lines[i]);
    if (!m) {
      if (/^<!--.*diy-check/.test(lines[i])) {
        throw new Error(`${guideRel}:${i + 1}: malformed marker`);
      }
      continue;
    }
    const [, kind, arg] = m;
    if (!['run', 'file', 'patch', 'excerpt'].includes(kind)) {
      throw new Error(`${guideRel}:${i + 1}: unknown marker kind '${kind}'`);
    }
    if ((kind === 'file' || kind === 'excerpt') !== Boolean(arg)) {
      throw new Error(`${guideRel}:${i + 1}: '${kind}' takes a path`);
    }
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    const fence = /^(`{3,})\S*\s*$/.exec(lines[j] ?? '');
    if (!fence) {
      throw new Error(
        `${guideRel}:${
          i + 1
        }: a diy-check marker must be followed by a fenced code block`,
      );
    }
    const body = [];
    let k = j + 1;
    for (; k < lines.length && lines[k].trim() !== fence[1]; k++) {
      body.push(lines[k]);
    }
    if (k >= lines.length) {
      throw new Error(`${guideRel}:${j + 1}: unclosed code block`);
    }
    steps.push({ kind, arg, body: body.join('\n'), line: j + 1 });
    i = k;
  }
  return steps;
}

/** Repository-relative paths the guide names in backticks. */
function namedPaths(text) {
  const found = new Set();
  const re =
    /`((?:plugins|packages|scripts|docs|templates|examples)\/[A-Za-z0-9_./-]+)`/g;
  for (const m of text.matchAll(re)) found.add(m[1].replace(/\/$/, ''));
  return [...found];
}

function run(cmd, args, options = {}, label = `${cmd} ${args.join(' ')}`) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${label} exited with ${result.status}`);
  }
}

/** Copies the tracked and unignored files of the checkout. */
function copyCheckout(dest) {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  )
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(root, file);
    const stat = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!stat) continue; // deleted in the working tree
    const to = path.join(dest, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, stat.mode);
    }
  }
  return files.length;
}

/**
 * Mirrors a real node_modules folder with symbolic links: packages point
 * at the real ones (absolute links), the links Yarn made for workspaces
 * are relative and so point at the copy's own workspaces. Scope folders
 * and .bin are real folders, the .cache folder is a new empty one and
 * Yarn's state file is a copy, so tools that write there write in the copy.
 */
function linkNodeModules(realDir, copyDir) {
  fs.mkdirSync(copyDir, { recursive: true });
  for (const entry of fs.readdirSync(realDir, { withFileTypes: true })) {
    const from = path.join(realDir, entry.name);
    const to = path.join(copyDir, entry.name);
    if (entry.name === '.cache') {
      fs.mkdirSync(to);
    } else if (entry.name === '.yarn-state.yml') {
      // Yarn looks packages up here; the copy gets its own.
      fs.copyFileSync(from, to);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else if (
      entry.isDirectory() &&
      (entry.name.startsWith('@') || entry.name === '.bin')
    ) {
      linkNodeModules(from, to);
    } else {
      fs.symlinkSync(from, to);
    }
  }
}

/** The workspaces of the copy: package name -> folder. */
function workspaces(dir) {
  const { workspaces: globs } = JSON.parse(
    fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
  );
  const found = new Map();
  for (const glob of globs) {
    if (!glob.endsWith('/*')) throw new Error(`unsupported workspace ${glob}`);
    const parent = path.join(dir, glob.slice(0, -2));
    for (const name of fs.readdirSync(parent)) {
      const pkg = path.join(parent, name, 'package.json');
      if (fs.existsSync(pkg)) {
        found.set(
          JSON.parse(fs.readFileSync(pkg, 'utf8')).name,
          path.dirname(pkg),
        );
      }
    }
  }
  return found;
}

/**
 * Links every workspace of the copy into its node_modules and records it
 * in Yarn's node_modules state, as an install does.
 */
function linkWorkspaces(dir) {
  const stateFile = path.join(dir, 'node_modules', '.yarn-state.yml');
  let state = fs.readFileSync(stateFile, 'utf8');
  for (const [name, wsDir] of workspaces(dir)) {
    const locator = `"${name}@workspace:${path.relative(dir, wsDir)}":`;
    if (!state.includes(`\n${locator}\n`)) {
      state += `\n${locator}\n  locations:\n    - "node_modules/${name}"\n`;
    }
    const link = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    const target = path.relative(path.dirname(link), wsDir);
    const existing = fs.lstatSync(link, { throwIfNoEntry: false });
    if (existing) {
      if (existing.isSymbolicLink() && fs.readlinkSync(link) === target) {
        continue;
      }
      throw new Error(`${name} is both a workspace and an installed package`);
    }
    fs.symlinkSync(target, link);
  }
  fs.writeFileSync(stateFile, state);
}

/**
 * `yarn install` inside the copy: updates yarn.lock without the network and
 * links the workspaces; never links packages into node_modules.
 */
function shimInstall(args) {
  const copy = process.env.DIY_CHECK_COPY;
  if (args.some(a => a.startsWith('--mode'))) {
    throw new Error(`yarn install ${args.join(' ')}: not supported here`);
  }
  console.log(
    '(diy-guide-check: yarn install only updates yarn.lock and links the workspaces)',
  );
  const lockfile = path.join(copy, 'yarn.lock');
  const before = fs.readFileSync(lockfile, 'utf8');
  const result = spawnSync(
    process.env.DIY_CHECK_REAL_YARN,
    ['install', '--mode=update-lockfile'],
    {
      cwd: copy,
      encoding: 'utf8',
      env: {
        ...process.env,
        YARN_ENABLE_NETWORK: '0',
        YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
      },
    },
  );
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    throw new Error(
      'yarn install failed: does the guide use a package or version the repository does not have?',
    );
  }
  const entries = text =>
    new Set(
      text.split('\n').filter(l => /^"?[^\s#]/.test(l) && l.endsWith(':')),
    );
  const old = entries(before);
  const added = [...entries(fs.readFileSync(lockfile, 'utf8'))].filter(
    e => !old.has(e),
  );
  console.log(`yarn.lock: ${added.length} new entries: ${added.join(' ')}`);
  linkWorkspaces(copy);
}

/**
 * Starts the copy's `yarn tsc` from the checkout's last one, when there is
 * one: the same build info with the paths into node_modules made relative
 * to the copy. TypeScript still checks every file that differs from what
 * the info records (it compares content hashes), so this only saves time.
 */
function seedTypescriptBuildInfo(copy) {
  const file = path.join('dist-types', 'tsconfig.tsbuildinfo');
  let info;
  try {
    info = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  } catch {
    return;
  }
  if (!Array.isArray(info.fileNames)) return;
  const up = path.relative(path.join(copy, 'dist-types'), root);
  info.fileNames = info.fileNames.map(name =>
    name.startsWith('../node_modules/')
      ? `${up}/${name.slice('../'.length)}`
      : name,
  );
  fs.mkdirSync(path.join(copy, 'dist-types'));
  fs.writeFileSync(path.join(copy, file), JSON.stringify(info));
}

/** Checks that the excerpt's lines appear in order in the file. */
function checkExcerpt(file, body) {
  const norm = s => s.trim();
  const fileLines = fs.readFileSync(file, 'utf8').split('\n').map(norm);
  const want = body.split('\n').map(norm);
  let at = 0;
  let gap = true; // the first line may be anywhere
  for (const line of want) {
    if (line === '// ...') {
      gap = true;
      continue;
    }
    if (line === '') continue;
    let found = -1;
    if (gap) {
      found = fileLines.indexOf(line, at);
    } else {
      while (at < fileLines.length && fileLines[at] === '') at++;
      if (fileLines[at] === line) found = at;
    }
    if (found < 0) return `'${line}' not found in order`;
    at = found + 1;
    gap = false;
  }
  return undefined;
}

/** Files under node_modules of the real checkout changed since `stamp`. */
function touchedNodeModules(stamp) {
  const out = spawnSync(
    'find',
    [
      path.join(root, 'node_modules'),
      path.join(root, 'packages'),
      path.join(root, 'plugins'),
      '-path',
      '*/node_modules/.cache',
      '-prune',
      '-o',
      '-path',
      '*/node_modules*',
      '-newer',
      stamp,
      '-print',
      '-quit',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`find failed: ${out.stderr}`);
  return out.stdout.trim();
}

function gitStatus(dir) {
  return execFileSync('git', ['status', '--porcelain'], {
    cwd: dir,
  }).toString();
}

function main() {
  const text = fs.readFileSync(path.join(root, guideRel), 'utf8');
  const steps = parseGuide(text);
  if (!steps.some(s => s.kind === 'run')) {
    throw new Error(`${guideRel} has no diy-check blocks`);
  }
  const started = Date.now();
  const parent = path.join(root, '.diy-guide-check');
  fs.mkdirSync(parent, { recursive: true });
  const base = fs.mkdtempSync(path.join(parent, 'run-'));
  const copy = path.join(base, 'repo');
  const bin = path.join(base, 'bin');
  const stamp = path.join(parent, `${path.basename(base)}.stamp`);
  fs.writeFileSync(stamp, '');
  const statusBefore = gitStatus(root);
  let passed = 0;
  let failed = 0;
  const cleanup = () => {
    if (keep) return;
    fs.rmSync(base, { recursive: true, force: true });
    if (!fs.readdirSync(parent).length) fs.rmdirSync(parent);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      fs.rmSync(stamp, { force: true });
      cleanup();
      process.exit(1);
    });
  }

  try {
    const n = copyCheckout(copy);
    const copied = Date.now();
    const git = (...args) =>
      run('git', args, { cwd: copy, stdio: ['ignore', 'ignore', 'inherit'] });
    git('init', '-q');
    git('add', '-A');
    git(
      '-c',
      'user.name=diy-guide-check',
      '-c',
      'user.email=diy-guide-check@localhost',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'checkout',
    );
    linkNodeModules(
      path.join(root, 'node_modules'),
      path.join(copy, 'node_modules'),
    );
    seedTypescriptBuildInfo(copy);
    for (const wsDir of workspaces(copy).values()) {
      const real = path.join(root, path.relative(copy, wsDir), 'node_modules');
      if (fs.existsSync(real)) {
        linkNodeModules(real, path.join(wsDir, 'node_modules'));
      }
    }
    const realYarn = execFileSync('bash', ['-c', 'command -v yarn'])
      .toString()
      .trim();
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'yarn'),
      `#!/bin/sh\nif [ "$1" = install ]; then shift; exec node "${__filename}" --yarn-install "$@"; fi\nexec "${realYarn}" "$@"\n`,
      { mode: 0o755 },
    );
    console.log(
      `diy-guide-check: ${
        steps.length
      } blocks of ${guideRel}; ${n} files copied in ${
        copied - started
      } ms, committed and node_modules linked in ${Date.now() - copied} ms`,
    );

    const env = {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      DIY_CHECK_COPY: copy,
      DIY_CHECK_REAL_YARN: realYarn,
      // Packages linked from the real node_modules resolve from there; this
      // lets them find the copy's new workspaces too, as
      // resolvePackagePath('@internal/plugin-<id>-backend', 'migrations') does.
      NODE_PATH: path.join(copy, 'node_modules'),
    };
    for (const step of steps) {
      const where = `${guideRel}:${step.line} (${step.kind}${
        step.arg ? ` ${step.arg}` : ''
      })`;
      const t0 = Date.now();
      if (step.kind === 'file') console.log(`--- ${where}`);
      else console.log(`\n==> ${where}`);
      try {
        if (step.kind === 'run') {
          console.log(step.body.replace(/^/gm, '  $ '));
          run(
            'bash',
            ['-euo', 'pipefail', '-c', step.body],
            { cwd: copy, env },
            'the commands',
          );
        } else if (step.kind === 'file') {
          const file = path.join(copy, step.arg);
          if (!file.startsWith(copy + path.sep)) {
            throw new Error('the path is outside the repository');
          }
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, `${step.body}\n`);
        } else if (step.kind === 'patch') {
          run('git', ['apply', '-'], {
            cwd: copy,
            input: `${step.body}\n`,
            stdio: ['pipe', 'inherit', 'inherit'],
          });
        } else {
          const problem = checkExcerpt(path.join(copy, step.arg), step.body);
          if (problem) throw new Error(`excerpt of ${step.arg}: ${problem}`);
        }
        passed++;
        if (step.kind !== 'file') {
          console.log(`<== ${where}: ok in ${Date.now() - t0} ms`);
        }
      } catch (e) {
        failed++;
        const left = steps.length - steps.indexOf(step) - 1;
        throw new Error(
          `${where}: ${e.message}${
            left ? ` (${left} later blocks not run)` : ''
          }`,
        );
      }
    }

    const missing = namedPaths(text).filter(
      p => !fs.existsSync(path.join(copy, p)),
    );
    if (missing.length) {
      failed++;
      throw new Error(
        `${guideRel} names paths that do not exist: ${missing.join(', ')}`,
      );
    }
    passed++;
  } finally {
    // Whatever happened in the copy, the real checkout must be untouched.
    let touched;
    try {
      touched = touchedNodeModules(stamp);
    } catch (e) {
      touched = e.message;
    }
    fs.rmSync(stamp, { force: true });
    cleanup();
    const statusAfter = gitStatus(root);
    const results = path.join(root, 'test-results');
    if (touched) {
      failed++;
      console.error(
        `diy-guide-check: the real node_modules changed: ${touched}`,
      );
    }
    if (statusAfter !== statusBefore) {
      failed++;
      console.error(`diy-guide-check: the checkout changed:\n${statusAfter}`);
    }
    const summary = `diy-guide: ${passed} passed, ${failed} failed`;
    console.log(
      `\n${summary} in ${Math.round((Date.now() - started) / 1000)} s${
        keep ? ` (copy kept in ${copy})` : ''
      }`,
    );
    if (fs.existsSync(results)) {
      fs.writeFileSync(path.join(results, 'diy-guide.txt'), `${summary}\n`);
    }
    if (failed) process.exitCode = 1;
  }
}

if (process.argv[2] === '--yarn-install') {
  try {
    shimInstall(process.argv.slice(3));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
} else {
  try {
    main();
  } catch (e) {
    console.error(`\ndiy-guide-check FAILED: ${e.message}`);
    process.exitCode = 1;
  }
}
