#!/usr/bin/env node
/*
 * Turns the example repositories (examples/repos/*) into real git
 * repositories with a short history and release-manager's environment tags
 * (prod behind staging behind dev behind master), so the release-status
 * plugin computes real drift locally. Commit dates are relative to now, so
 * "7 commits (13 days) behind master" stays true whenever the portal starts.
 *
 * Usage: node scripts/example-git-repos.js [target folder]
 * (default .local/example-git; the folder is rebuilt on every run)
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'examples', 'repos');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const AUTHORS = [
  ['Ada Holm', 'ada.holm@lunar.example'],
  ['Bo Lindqvist', 'bo.lindqvist@lunar.example'],
  ['Cecilie Dam', 'cecilie.dam@lunar.example'],
  ['Dennis Krogh', 'dennis.krogh@lunar.example'],
];

/**
 * Per repository: commit ages after the first (which holds the example's
 * files), oldest first, and the commit index each environment is tagged at.
 */
const HISTORIES = {
  // 7 commits (13 days) behind in prod; 1 commit (1 hour) behind in dev.
  'card-clearing': {
    ages: [20 * DAY, 13 * DAY, 9 * DAY, 6 * DAY, 3 * DAY, DAY, 5 * HOUR, HOUR],
    tags: { prod: 0, staging: 3, dev: 6 },
  },
  // Up to date everywhere.
  bankaccount: {
    ages: [10 * DAY, 4 * DAY, 2 * DAY],
    tags: { prod: 2, staging: 2, dev: 2 },
  },
  // In dev, not yet in staging or prod.
  'term-deposit': {
    ages: [30 * DAY, 25 * DAY, 2 * DAY],
    tags: { prod: 1, staging: 1, dev: 2 },
  },
  // Far behind in prod: 6 commits (35 days).
  authentication: {
    ages: [
      40 * DAY,
      35 * DAY,
      34 * DAY,
      20 * DAY,
      15 * DAY,
      12 * DAY,
      2 * HOUR,
    ],
    tags: { prod: 0, staging: 4, dev: 6 },
  },
  // 3 commits (8 days) behind in prod.
  'dead-letter': {
    ages: [15 * DAY, 8 * DAY, 8 * DAY - HOUR, 7 * DAY, 3 * HOUR],
    tags: { prod: 1, staging: 3, dev: 4 },
  },
  // New: only in dev so far.
  'credit-scoring': { ages: [3 * DAY, DAY], tags: { dev: 1 } },
  // 1 commit (30 minutes) behind in prod.
  'customer-web': {
    ages: [5 * DAY, 4 * DAY, 30 * MINUTE],
    tags: { prod: 1, staging: 2, dev: 2 },
  },
  'rabbitmq-cluster': {
    ages: [60 * DAY, 50 * DAY],
    tags: { prod: 1, staging: 1, dev: 1 },
  },
  // Libraries and documentation are not released to environments.
  'go-amqp': { ages: [90 * DAY, 14 * DAY, 6 * DAY], tags: {} },
  'engineering-handbook': { ages: [45 * DAY, 2 * DAY], tags: {} },
};

const MESSAGES = [
  'Handle duplicate records idempotently',
  'Bump Go and the shuttle plan',
  'Add metrics for consumer lag',
  'Fix retry of transient database errors',
  'Document the runbook for on-call',
  'Reject messages with unknown versions',
  'Tighten timeouts on outgoing calls',
  'Log correlation ids on every request',
];

function git(cwd, args, date, author) {
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: author[0],
      GIT_AUTHOR_EMAIL: author[1],
      GIT_COMMITTER_NAME: author[0],
      GIT_COMMITTER_EMAIL: author[1],
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      // Never read the developer's own git configuration (signing, hooks).
      GIT_CONFIG_GLOBAL: os.devNull,
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
}

/**
 * Makes `dir` a git repository on master: a first commit with the files of
 * `source` (a folder; none: a README), then one CHANGELOG commit per further
 * age, each environment tagged at its index. Ages are ms before `now`.
 */
function buildRepository(dir, history, now, source) {
  const name = path.basename(dir);
  if (source) {
    fs.cpSync(source, dir, { recursive: true });
  } else {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'README.md'), `# ${name}\n`);
  }
  const at = age => new Date(now - age).toISOString();
  git(dir, ['init', '-q', '-b', 'master'], at(0), AUTHORS[0]);
  git(dir, ['add', '-A'], at(0), AUTHORS[0]);
  history.ages.forEach((age, i) => {
    const author = AUTHORS[(i + name.length) % AUTHORS.length];
    const message = MESSAGES[(i + name.length) % MESSAGES.length];
    if (i > 0) {
      fs.appendFileSync(path.join(dir, 'CHANGELOG.md'), `- ${message}\n`);
      git(dir, ['add', 'CHANGELOG.md'], at(age), author);
    }
    git(
      dir,
      ['commit', '-q', '-m', i === 0 ? `Create ${name}` : message],
      at(age),
      author,
    );
    for (const [env, index] of Object.entries(history.tags)) {
      if (index === i) git(dir, ['tag', env], at(age), author);
    }
  });
}

/** Rebuilds `target` (default .local/example-git) from examples/repos. */
function buildExampleRepositories(
  target = path.join(ROOT, '.local', 'example-git'),
) {
  const TARGET = path.resolve(target);
  fs.mkdirSync(path.dirname(TARGET), { recursive: true });
  const now = Date.now();
  const staging = fs.mkdtempSync(
    path.join(path.dirname(TARGET), '.example-git-'),
  );
  for (const name of fs.readdirSync(SOURCE)) {
    const history = HISTORIES[name];
    if (!history) {
      throw new Error(`examples/repos/${name} has no history in ${__filename}`);
    }
    buildRepository(
      path.join(staging, name),
      history,
      now,
      path.join(SOURCE, name),
    );
  }
  // Swap the whole folder at once: a running portal never sees half a repo.
  fs.rmSync(TARGET, { recursive: true, force: true });
  fs.renameSync(staging, TARGET);
  console.log(
    `Example git repositories with environment tags: ${
      path.relative(ROOT, TARGET) || TARGET
    }`,
  );
}

module.exports = { buildRepository, buildExampleRepositories };

if (require.main === module) {
  buildExampleRepositories(process.argv[2]);
}
