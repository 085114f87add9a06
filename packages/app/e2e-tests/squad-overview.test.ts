import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as amqp from 'amqplib';
import { test, expect, Page } from '@playwright/test';
import { signInAsGuest } from './helpers';

/**
 * The Squads page and squad-nasa's overview on the example organisation.
 * Drift is checked against the example git repositories (scripts/e2e.sh);
 * dead letters are whatever this run's dead-letter test left (the page's
 * numbers must match the Dead Letter tab's).
 */
const GIT_DIR = process.env.E2E_EXAMPLE_GIT_DIR;

/** The signed-in guest's Backstage token, for asking the API directly. */
async function guestToken(page: Page) {
  const res = await page.request.get('/api/auth/guest/refresh');
  return (await res.json()).backstageIdentity.token as string;
}

test.describe('squad overview', () => {
  test.skip(!GIT_DIR, 'E2E_EXAMPLE_GIT_DIR is not set (run scripts/e2e.sh)');

  test('Squads lists every squad; squad-nasa shows its services, dead letters and drift', async ({
    page,
  }) => {
    await signInAsGuest(page, '/squads');
    const nasa = page.getByRole('row').filter({
      has: page.getByRole('link', { name: 'squad-nasa', exact: true }),
    });
    await expect(nasa).toBeVisible({ timeout: 30_000 });
    for (const squad of ['squad-gemini', 'squad-mercury', 'squad-aura']) {
      await expect(
        page.getByRole('link', { name: squad, exact: true }),
      ).toBeVisible();
    }
    await expect(
      page.getByRole('link', { name: 'lunar', exact: true }),
    ).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screenshots/squads-page.png' });

    await nasa.getByRole('link', { name: 'squad-nasa', exact: true }).click();
    await expect(page).toHaveURL(/group\/squad-nasa/);
    const card = page
      .locator('.MuiCard-root')
      .filter({ hasText: 'Squad overview' });
    await expect(card).toBeVisible({ timeout: 30_000 });

    // Its services, from the catalog: dead-letter is squad-nasa's.
    const table = card.getByRole('table');
    const deadLetterRow = table.getByRole('row').filter({
      has: page.getByRole('link', { name: 'dead-letter', exact: true }),
    });
    await expect(deadLetterRow).toBeVisible();

    // Drift in prod as git counts it.
    const behind = Number(
      execFileSync('git', ['rev-list', '--count', 'prod..master'], {
        cwd: path.join(GIT_DIR!, 'dead-letter'),
        encoding: 'utf8',
      }).trim(),
    );
    await expect(deadLetterRow).toContainText(`${behind} commit`);
    await expect(
      card.getByRole('list', { name: 'Services behind in prod' }),
    ).toContainText('dead-letter');

    // Dead letters in the configured environment, as the dead-letter API
    // counts them for the squad; said so when there is no broker.
    if (process.env.E2E_DEAD_LETTER_QUEUE) {
      const figure = card.getByLabel(/^Dead letters in e2e: \d+$/);
      await expect(figure).toBeVisible();
      const shown = Number((await figure.innerText()).replace(/,/g, ''));
      const overview = await page.request.get(
        '/api/dead-letter/dead-letters/squad-overview?environment=e2e',
        { headers: { Authorization: `Bearer ${await guestToken(page)}` } },
      );
      const squads: Array<{ squad: string; count: number }> =
        await overview.json();
      expect(shown).toBe(
        squads.find(s => s.squad === 'squad-nasa')?.count ?? 0,
      );
    } else {
      await expect(card).toContainText('no environment is configured');
    }
    await page.screenshot({
      path: 'test-results/screenshots/squad-overview.png',
      fullPage: true,
    });

    // Follow a service into its Releases tab.
    await card
      .getByRole('list', { name: 'Services behind in prod' })
      .getByRole('link', { name: 'dead-letter', exact: true })
      .click();
    await expect(page).toHaveURL(/component\/dead-letter\/releases$/);
  });
});

/**
 * The pulse of squad-nasa: a `released` event published to
 * release-manager's exchange (scripts/e2e.sh names it) reaches the pulse
 * through RabbitMQ and the backend's store, links to the service's
 * Releases tab and is marked on prod's lane of the pulse's time axis.
 * Open PRs says how to configure GitHub, which the sample setup does not
 * have.
 */
test.describe('squad pulse', () => {
  const EXCHANGE = process.env.E2E_RELEASE_EXCHANGE;
  test.skip(
    !EXCHANGE,
    'E2E_RELEASE_EXCHANGE is not set (scripts/e2e.sh sets it when RabbitMQ runs)',
  );
  const AMQP_URL =
    process.env.E2E_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

  test("a release event shows in squad-nasa's pulse and links to the release", async ({
    page,
  }) => {
    const run = Date.now().toString(36);
    const author = `E2E Tester ${run}`;
    const connection = await amqp.connect(AMQP_URL);
    // The backend declares the exchange and binds its queue in the
    // background after start-up: until then an event is refused or
    // dropped, so publish again while waiting (the same event twice is
    // stored once). A refused publish closes its channel: one per attempt.
    const publish = async () => {
      const ch = await connection.createConfirmChannel();
      ch.on('error', () => {});
      await ch.checkExchange(EXCHANGE!);
      ch.publish(
        EXCHANGE!,
        'release-manager.released',
        Buffer.from(
          JSON.stringify({
            name: 'dead-letter',
            namespace: 'prod',
            artifactId: `master-${run}-67e9d69164`,
            authorName: author,
            environment: 'prod',
            intentType: 'ReleaseArtifact',
          }),
        ),
        { type: 'released', correlationId: `e2e-${run}` },
      );
      await ch.waitForConfirms();
      await ch.close();
    };

    await signInAsGuest(page, '/catalog/default/group/squad-nasa');
    const pulse = page.locator('.MuiCard-root').filter({ hasText: 'Pulse' });
    const entry = pulse.getByRole('link', {
      name: `dead-letter was released to prod by ${author} (ReleaseArtifact)`,
    });
    try {
      await expect(async () => {
        await publish();
        await page.reload();
        await expect(entry).toBeVisible({ timeout: 5_000 });
      }).toPass({ timeout: 60_000, intervals: [2_000] });
    } finally {
      await connection.close();
    }
    // Shown once, however often it was published.
    await expect(entry).toHaveCount(1);
    // And on the pulse's time axis: a release marker in prod's lane, its
    // tooltip the entry's text.
    const marker = pulse
      .locator(
        'g[data-environment="prod"] [data-testid="pulse-release-marker"]',
      )
      .filter({
        has: page.locator('title', {
          hasText: `dead-letter was released to prod by ${author}`,
        }),
      });
    await expect(marker).toHaveCount(1);
    // Just now: at the right end of the 7-day axis (840 wide).
    expect(Number(await marker.getAttribute('data-x'))).toBeGreaterThan(830);

    // The card titled Open PRs (the services table has a column of that name).
    const prs = page.locator('.MuiCard-root').filter({
      has: page.locator('.MuiCardHeader-title', { hasText: /^Open PRs$/ }),
    });
    // The sample setup's GitHub integration has no token (GITHUB_TOKEN).
    await expect(prs).toContainText('Open pull requests need GitHub');
    await expect(prs).toContainText('has no token');
    await page.screenshot({
      path: 'test-results/screenshots/squad-pulse.png',
      fullPage: true,
    });

    await entry.click();
    await expect(page).toHaveURL(/component\/dead-letter\/releases$/);
  });
});
