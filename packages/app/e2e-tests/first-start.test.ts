import { test, expect, Page } from '@playwright/test';
import { signInAsGuest } from './helpers';

/**
 * The quick start as a new engineer meets it: `yarn start`
 * (scripts/quickstart.js) with the local RabbitMQ, so dead letters flow
 * into the `dev` environment, a local release-manager serves the example
 * repositories' releases, and its release events reach the squad pulse.
 * Run by scripts/quickstart-smoke.sh only (tag @firststart); the screenshots
 * are the tour's (docs/tour.md), so they show the screens as they are.
 */
const TOUR = 'docs/images/tour';

async function tourShot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: `${TOUR}/${name}.png`, fullPage });
}

test.describe('@firststart the first yarn start', () => {
  test('the Dead Letter page shows messages of three squads within a minute, and a redelivery to a fixed service is consumed', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const consoleErrors: string[] = [];
    page.on('pageerror', e => consoleErrors.push(e.message));

    await signInAsGuest(page, '/dead-letter');
    const squadRows = page.getByRole('row').filter({
      has: page.getByRole('link', { name: /^squad-/ }),
    });
    await expect(async () => {
      await page.reload();
      await expect(squadRows.first()).toBeVisible({ timeout: 5_000 });
      expect(await squadRows.count()).toBeGreaterThanOrEqual(3);
    }).toPass({ timeout: 60_000, intervals: [3_000] });
    await tourShot(page, 'dead-letters');

    // dead-letter (squad-nasa, the guest's squad) has its bug fixed in the
    // quick start's traffic: what is redelivered to it is consumed.
    await page.goto('/catalog/default/component/dead-letter/dead-letter');
    const select = page.getByRole('checkbox', { name: /^Select message / });
    await expect(select.first()).toBeVisible({ timeout: 60_000 });
    const label = await select.first().getAttribute('aria-label');
    const messageId = label!.replace('Select message ', '');
    await select.first().check();
    await page.getByRole('button', { name: 'Redeliver', exact: true }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Redeliver' })
      .click();
    await expect(page.getByText('1 redelivered.')).toBeVisible();
    await tourShot(page, 'dead-letter-redelivered');
    // Consumed, not dead-lettered again: it does not come back.
    await page.waitForTimeout(5_000);
    await page.reload();
    await expect(select.first()).toBeVisible({ timeout: 30_000 });
    await expect(
      page.getByRole('link', { name: `Details of message ${messageId}` }),
    ).toHaveCount(0);
    expect(consoleErrors).toEqual([]);
  });

  test('Releases shows artifacts and release times from the local release-manager', async ({
    page,
  }) => {
    await signInAsGuest(
      page,
      '/catalog/default/component/card-clearing/releases',
    );
    await expect(
      page.getByRole('columnheader', { name: 'Artifact' }),
    ).toBeVisible({ timeout: 60_000 });
    await expect(
      page.getByRole('columnheader', { name: 'Released' }),
    ).toBeVisible();
    const prod = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'prod', exact: true }) });
    // release-manager's artifact, who released it when, and how (intent).
    await expect(prod).toContainText(/master-[0-9a-f]{10}-/);
    await expect(prod).toContainText('Promote from staging');
    const released = prod.getByRole('cell').nth(4);
    await expect(released).toContainText(/\d{1,2}:\d{2}/);
    await tourShot(page, 'releases');
    await page.goto('/releases');
    await expect(page.getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });
    await tourShot(page, 'releases-page');
  });

  test("a squad's pulse shows release events published through RabbitMQ", async ({
    page,
  }) => {
    await signInAsGuest(page, '/catalog/default/group/squad-nasa');
    const pulse = page.locator('.MuiCard-root').filter({ hasText: 'Pulse' });
    await expect(async () => {
      await page.reload();
      // An entry of the list (the time axis above it has the same text as
      // its markers' hidden SVG titles).
      await expect(
        pulse
          .getByRole('link', { name: /was released to (dev|staging|prod)/ })
          .first(),
      ).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 60_000, intervals: [3_000] });
    // The whole page: the overview, the pulse and open PRs.
    await tourShot(page, 'squad', true);
  });

  test('the catalog, a service, its API and the templates', async ({
    page,
  }) => {
    await signInAsGuest(
      page,
      '/catalog?filters%5Bkind%5D=component&filters%5Buser%5D=all',
    );
    await expect(
      page.getByRole('link', { name: 'card-clearing', exact: true }),
    ).toBeVisible({ timeout: 60_000 });
    await tourShot(page, 'catalog');
    await page.goto('/catalog/default/component/card-clearing');
    await expect(page.getByText('Release drift').first()).toBeVisible({
      timeout: 30_000,
    });
    await tourShot(page, 'service');
    await page.goto('/api-docs');
    await expect(
      page.getByRole('link', { name: /Dead Letter API/ }).first(),
    ).toBeVisible({
      timeout: 30_000,
    });
    await tourShot(page, 'apis');
    await page.goto('/create');
    await expect(page.getByText(/Go service/i).first()).toBeVisible({
      timeout: 30_000,
    });
    await tourShot(page, 'templates');
  });

  test("an on-call alert reaches the guest's squad in Notifications, links to the messages it is about, and the chart marks releases", async ({
    page,
  }) => {
    test.setTimeout(300_000);
    // Detection runs every minute (the first 45 s after start): the quick
    // start's traffic brings error groups the services had not had before.
    await signInAsGuest(page, '/notifications');
    const alert = page
      .getByRole('link', {
        name: /^[a-z][a-z0-9-]* in dev: (new error|[\d,]+ dead letters in)/,
      })
      .first();
    await expect(async () => {
      await page.reload();
      await expect(alert).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 240_000, intervals: [5_000] });
    const service = (await alert.innerText()).split(' in dev')[0];
    await alert.click();
    // The service's dead letters in dev, from the incident's first message.
    await expect(page).toHaveURL(
      new RegExp(
        `/catalog/default/component/${service}/dead-letter\\?environment=dev&from=`,
      ),
    );
    await expect(
      page.getByRole('checkbox', { name: /^Select message / }).first(),
    ).toBeVisible({ timeout: 30_000 });

    // The environment's chart marks each release to dev on its time axis:
    // customer-web reached dev 20 minutes before the quick start began.
    await page.goto('/dead-letter');
    const marker = page.locator(
      '[data-testid="release-marker"][data-service="customer-web"]',
    );
    await expect(marker).toHaveCount(1, { timeout: 30_000 });
    await expect(marker.locator('title')).toHaveText(
      /^customer-web \S+ released to dev at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
  });
});
