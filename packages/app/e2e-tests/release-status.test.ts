import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { formatDrift } from '@internal/plugin-release-status-common';
import { signInAsGuest } from './helpers';

/**
 * Release status on the example repositories, which scripts/e2e.sh turns
 * into real git repositories with environment tags (E2E_EXAMPLE_GIT_DIR).
 * The expected drift is read from those repositories with git itself.
 */
const GIT_DIR = process.env.E2E_EXAMPLE_GIT_DIR;

function git(repo: string, ...args: string[]) {
  return execFileSync('git', args, {
    cwd: path.join(GIT_DIR!, repo),
    encoding: 'utf8',
  }).trim();
}

/** What git says about `env` in `repo`: commits behind master and when. */
function expectedDrift(repo: string, env: string) {
  const dates = git(repo, 'log', '--reverse', '--format=%cI', `${env}..master`)
    .split('\n')
    .filter(Boolean);
  return formatDrift(
    {
      commitsBehind: dates.length,
      oldestUnreleasedAt: dates.length
        ? new Date(dates[0]).toISOString()
        : null,
    },
    'master',
  );
}

test.describe('release status', () => {
  test.skip(!GIT_DIR, 'E2E_EXAMPLE_GIT_DIR is not set (run scripts/e2e.sh)');

  test('a component shows its environments and drift as git counts it', async ({
    page,
  }) => {
    await signInAsGuest(
      page,
      '/catalog/default/component/card-clearing/releases',
    );
    for (const env of ['dev', 'staging', 'prod']) {
      const row = page.getByRole('row').filter({
        has: page.getByRole('cell', { name: env, exact: true }),
      });
      await expect(row).toContainText(expectedDrift('card-clearing', env));
      await expect(row).toContainText(
        git('card-clearing', 'rev-parse', '--short=7', env),
      );
    }
    // prod runs an older commit than dev and staging.
    await expect(
      page.getByText('In dev, staging, not yet in prod'),
    ).toBeVisible();
    // No release-manager locally: said, not hidden.
    await expect(
      page.getByText(/release-manager: not configured/),
    ).toBeVisible();
    await page.screenshot({
      path: 'test-results/screenshots/release-status-tab.png',
    });

    // The overview's Release drift card.
    await page.goto('/catalog/default/component/card-clearing');
    const card = page
      .locator('article, .MuiCard-root')
      .filter({ hasText: 'Release drift' });
    await expect(card.first()).toContainText(
      expectedDrift('card-clearing', 'prod'),
    );
  });

  test('the Releases page puts the worst prod drift first and filters by squad', async ({
    page,
  }) => {
    await signInAsGuest(page, '/releases');
    const services = [
      'card-clearing',
      'authentication',
      'dead-letter',
      'term-deposit',
    ];
    const behind = (s: string) =>
      Number(git(s, 'rev-list', '--count', 'prod..master'));
    const worst = [...services].sort((a, b) => behind(b) - behind(a))[0];
    const firstRow = page.getByRole('row').nth(1);
    await expect(firstRow).toContainText(worst, { timeout: 30_000 });
    await expect(firstRow).toContainText(expectedDrift(worst, 'prod'));
    await page.screenshot({
      path: 'test-results/screenshots/release-status-page.png',
    });

    // squad-nasa owns dead-letter (and not card-clearing).
    await page.getByText('All squads').click();
    await page.getByRole('option', { name: 'squad-nasa' }).click();
    await expect(
      page.getByRole('link', { name: 'dead-letter', exact: true }),
    ).toBeVisible();
    await expect(
      page.getByRole('link', { name: 'card-clearing', exact: true }),
    ).toHaveCount(0);
    await page.getByRole('link', { name: 'dead-letter', exact: true }).click();
    await expect(page).toHaveURL(/component\/dead-letter\/releases/);
    await expect(
      page
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'prod', exact: true }) }),
    ).toContainText(expectedDrift('dead-letter', 'prod'));
  });
});
