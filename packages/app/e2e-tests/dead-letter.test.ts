import { test, expect, Page } from '@playwright/test';
import * as amqp from 'amqplib';
import { signInAsGuest } from './helpers';

/**
 * Dead letters end to end: messages fail in a real RabbitMQ work queue,
 * RabbitMQ dead-letters them, the portal (on PostgreSQL) stores them, and a
 * squad member redelivers and deletes them in the UI. The work queue ends in
 * `_dead-letter`, a service of squad-nasa, which the guest is a member of.
 * scripts/e2e.sh configures the `e2e` environment on E2E_DEAD_LETTER_QUEUE.
 */
const AMQP_URL =
  process.env.E2E_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const DLQ = process.env.E2E_DEAD_LETTER_QUEUE;
const EXCHANGE = 'e2e.lunar.events';
const DLX = 'e2e.lunar.dead-letter';
const WORK = 'e2e-k8s-events_dead-letter';
const ROUTING_KEY = 'platform.audit.EventV1';

test.describe('dead letters', () => {
  test.skip(!DLQ, 'E2E_DEAD_LETTER_QUEUE is not set (run scripts/e2e.sh)');

  let connection: amqp.ChannelModel;
  let ch: amqp.Channel;
  const run = Date.now().toString(36);

  test.beforeAll(async () => {
    connection = await amqp.connect(AMQP_URL);
    ch = await connection.createChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
    await ch.assertExchange(DLX, 'fanout', { durable: false });
    await ch.bindQueue(DLQ!, DLX, '');
    await ch.deleteQueue(WORK);
    await ch.assertQueue(WORK, {
      durable: false,
      arguments: { 'x-dead-letter-exchange': DLX },
    });
    await ch.bindQueue(WORK, EXCHANGE, ROUTING_KEY);
  });
  test.afterAll(async () => {
    await ch?.deleteQueue(WORK).catch(() => {});
    await connection?.close().catch(() => {});
  });

  /** A squad's row in the Squads overview (it links to the squad). */
  function squadRow(page: Page, squad: string) {
    return page.getByRole('row').filter({
      has: page.getByRole('link', { name: squad, exact: true }),
    });
  }

  async function count(page: Page, name: string) {
    const row = page.getByRole('row').filter({ hasText: name });
    return Number(
      (await row.getByRole('cell').nth(1).innerText()).replace(/,/g, ''),
    );
  }

  test('fail, see, inspect, redeliver and delete messages', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    // The built portal logs nothing to the console on these screens.
    const consoleErrors: string[] = [];
    page.on('console', m => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', e => consoleErrors.push(e.message));

    // A "service" that rejects everything: RabbitMQ dead-letters each one.
    const { consumerTag } = await ch.consume(WORK, msg => {
      if (msg) ch.nack(msg, false, false);
    });
    for (let i = 0; i < 5; i++) {
      ch.publish(
        EXCHANGE,
        ROUTING_KEY,
        Buffer.from(JSON.stringify({ run, i })),
        {
          messageId: `e2e-${run}-${i}`,
          correlationId: `corr-${run}-${i}`,
          contentType: 'application/json',
          headers: { 'x-error': `ctx handler: e2e failure ${run}` },
        },
      );
    }

    await signInAsGuest(page, '/dead-letter');
    await expect(async () => {
      await page.reload();
      const row = squadRow(page, 'squad-nasa');
      await expect(row).toContainText('5', { timeout: 2_000 });
    }).toPass({ timeout: 60_000, intervals: [2_000] });
    await ch.cancel(consumerTag);
    // Error groups across the environment name the service and its count.
    const group = page
      .getByRole('row')
      .filter({ hasText: `ctx handler: e2e failure ${run}` });
    await expect(group).toContainText('dead-letter');
    await expect(group.getByRole('cell').nth(3)).toHaveText('5');
    await page.screenshot({
      path: 'test-results/screenshots/dead-letter-page.png',
      fullPage: true,
    });

    // The squad's tab lists its service; the service's tab its messages.
    await page.getByRole('link', { name: 'squad-nasa' }).click();
    await expect(
      page.getByRole('link', { name: 'dead-letter', exact: true }),
    ).toBeVisible();
    expect(await count(page, 'dead-letter')).toBe(5);
    await page.screenshot({
      path: 'test-results/screenshots/dead-letter-squad.png',
    });
    await page.getByRole('link', { name: 'dead-letter', exact: true }).click();
    const table = page.getByRole('table', { name: 'Dead-lettered messages' });
    await expect(table.getByRole('row')).toHaveCount(6);
    await expect(page.getByText(/1[-–]5 of 5/)).toBeVisible();
    await page.screenshot({
      path: 'test-results/screenshots/dead-letter-messages.png',
    });

    // Inspect one: headers with x-death written by RabbitMQ, pretty body.
    await page
      .getByRole('link', { name: `Details of message e2e-${run}-4` })
      .click();
    const details = page.getByRole('region', { name: 'Message details' });
    await expect(details).toContainText('x-death');
    await expect(details).toContainText(`"run": "${run}"`);
    await page.screenshot({
      path: 'test-results/screenshots/dead-letter-detail.png',
    });
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();

    // Redeliver two, by keyboard only: they arrive on their original queue.
    for (const i of [0, 1]) {
      await page
        .getByRole('checkbox', { name: `Select message e2e-${run}-${i}` })
        .focus();
      await page.keyboard.press('Space');
    }
    await expect(page.getByText('2 row(s) selected')).toBeVisible();
    await page.getByRole('button', { name: 'Redeliver', exact: true }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog');
    await expect(confirm).toContainText(
      'You are about to publish 2 messages back',
    );
    // The environment's default rate, from the backend's preview.
    await expect(confirm.getByLabel('Rate (messages per second)')).toHaveValue(
      /^\d+$/,
    );
    await expect(confirm.getByLabel('Redelivery preview')).toContainText(
      '2 messages of squad-nasa',
    );
    // Focus moved into the dialog: Tab goes through the rate, the slow
    // start and the buttons, not the page.
    await page.keyboard.press('Tab');
    await expect(
      confirm.getByLabel('Rate (messages per second)'),
    ).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(
      confirm.getByRole('checkbox', { name: /Start slowly/ }),
    ).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(
      confirm.getByRole('button', { name: 'Redeliver' }),
    ).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByText('2 redelivered.')).toBeVisible();
    await expect(page.getByText(/1[-–]3 of 3/)).toBeVisible();
    const arrived: string[] = [];
    await expect(async () => {
      const msg = await ch.get(WORK, { noAck: true });
      if (msg) arrived.push(String(msg.properties.messageId));
      expect(arrived.sort()).toEqual([`e2e-${run}-0`, `e2e-${run}-1`]);
    }).toPass({ timeout: 20_000 });

    // Delete one after confirming.
    await page
      .getByRole('checkbox', { name: `Select message e2e-${run}-2` })
      .check();
    // Escape cancels a deletion; nothing is deleted.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();
    await expect(page.getByText(/1[-–]3 of 3/)).toBeVisible();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(
      'You are about to delete 1 message. Deleted messages go to the archive',
    );
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByText('1 deleted.')).toBeVisible();
    await expect(page.getByText(/1[-–]2 of 2/)).toBeVisible();

    // The overview's count dropped with them.
    await page.goto('/dead-letter');
    await expect(squadRow(page, 'squad-nasa')).toContainText('2');

    // Deleting is archiving: the deleted and the redelivered messages are
    // in the archive, with why and who; the deleted one is restored.
    await page.getByRole('tab', { name: 'Archive' }).click();
    await expect(page).toHaveURL(/\/dead-letter\/archive$/);
    const archive = page.getByRole('table', { name: 'Archived messages' });
    const archivedRow = (i: number) =>
      archive.getByRole('row').filter({ hasText: `e2e-${run}-${i}` });
    await expect(archivedRow(2)).toContainText('deleted');
    await expect(archivedRow(2)).toContainText('guest');
    await expect(archivedRow(0)).toContainText('redelivered');
    await page
      .getByRole('checkbox', { name: `Select archived message e2e-${run}-2` })
      .check();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    const restoreDialog = page.getByRole('dialog');
    await expect(restoreDialog).toContainText(
      'You are about to restore 1 message to the dead letters of e2e',
    );
    await restoreDialog.getByRole('button', { name: 'Restore' }).click();
    await expect(page.getByText('1 restored.')).toBeVisible();
    await expect(archivedRow(2)).toHaveCount(0);
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect(squadRow(page, 'squad-nasa')).toContainText('3');
    expect(consoleErrors).toEqual([]);
  });

  test('a redelivery job at a chosen rate: progress moves live, pause holds it, cancel stops it', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const consoleErrors: string[] = [];
    page.on('console', m => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', e => consoleErrors.push(e.message));
    const error = `ctx handler: e2e job ${run}`;
    const total = 60;
    const { consumerTag } = await ch.consume(WORK, msg => {
      if (msg) ch.nack(msg, false, false);
    });
    for (let i = 0; i < total; i++) {
      ch.publish(EXCHANGE, ROUTING_KEY, Buffer.from(`{"i":${i}}`), {
        messageId: `job-${run}-${i}`,
        headers: { 'x-error': error },
      });
    }
    await signInAsGuest(
      page,
      '/catalog/default/component/dead-letter/dead-letter',
    );
    const redeliverAll = page.getByRole('button', {
      name: `Redeliver all ${total}`,
    });
    await expect(async () => {
      await page.reload();
      await expect(page.getByText(/messages? match/)).toBeVisible();
      await page.getByLabel('Error contains').fill(`e2e job ${run}`);
      await expect(redeliverAll).toBeEnabled({ timeout: 5_000 });
    }).toPass({ timeout: 60_000, intervals: [2_000] });
    await ch.cancel(consumerTag);
    await ch.purgeQueue(WORK);

    // 60 messages at 4 per second: about 15 s, time to watch and steer.
    await redeliverAll.click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Redelivery preview')).toContainText(
      `${total} messages of squad-nasa`,
    );
    await dialog.getByLabel('Rate (messages per second)').fill('4');
    await expect(dialog.getByLabel('Redelivery preview')).toContainText(
      'at up to 4 per second',
    );
    await dialog.getByRole('button', { name: 'Redeliver' }).click();
    const started = page.getByText(/Redelivery job (\d+) (queued|running)/);
    await expect(started).toBeVisible();
    const jobId = /job (\d+)/.exec((await started.textContent())!)![1];

    // The service's Redeliveries tab: the job, moving without a reload.
    await page.getByRole('tab', { name: 'Redeliveries' }).click();
    const progress = page.getByLabel(
      new RegExp(`^Job ${jobId}: \\d+ of ${total} handled`),
    );
    const handled = async () =>
      Number(
        /: (\d+) of/.exec((await progress.getAttribute('aria-label'))!)![1],
      );
    await expect(progress).toBeVisible();
    await expect.poll(handled, { timeout: 30_000 }).toBeGreaterThan(4);
    const seen = await handled();
    await expect.poll(handled, { timeout: 30_000 }).toBeGreaterThan(seen);
    await page.screenshot({
      path: 'test-results/screenshots/dead-letter-redeliveries.png',
    });

    // Pause: publishing holds at zero (a publish already under way ends
    // within a second), until resumed.
    const paused = page.getByLabel(`State of job ${jobId}: paused`);
    await page.getByRole('button', { name: `Pause job ${jobId}` }).click();
    await expect(paused).toBeVisible();
    const reopen = async () => {
      await page.reload();
      await page.getByRole('tab', { name: 'Redeliveries' }).click();
      await expect(paused).toBeVisible();
    };
    await page.waitForTimeout(1_500);
    await reopen();
    const held = await handled();
    await page.waitForTimeout(3_000);
    await reopen();
    expect(await handled()).toBe(held);
    expect(held).toBeLessThan(total);

    // Cancel: what was confirmed stays published, the rest stays here.
    await page.getByRole('button', { name: `Cancel job ${jobId}` }).click();
    await expect(
      page.getByLabel(`State of job ${jobId}: cancelled`),
    ).toBeVisible();
    const published = await handled();
    expect(published).toBe(held);
    // Exactly what the job published arrived on the work queue.
    await expect
      .poll(async () => (await ch.checkQueue(WORK)).messageCount, {
        timeout: 10_000,
      })
      .toBe(published);
    await ch.purgeQueue(WORK);
    await page.getByRole('tab', { name: 'Messages' }).click();
    await expect(page.getByText(/messages? match/)).toBeVisible();
    await page.getByLabel('Error contains').fill(`e2e job ${run}`);
    await expect(
      page.getByRole('button', { name: `Redeliver all ${total - published}` }),
    ).toBeVisible();
    expect(consoleErrors).toEqual([]);
  });

  test('sample data, as the quick start shows it without a broker, is labelled and read-only', async ({
    page,
  }) => {
    const consoleErrors: string[] = [];
    page.on('console', m => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', e => consoleErrors.push(e.message));
    const pick = async (env: string) => {
      await page.locator('[aria-haspopup="listbox"]').first().click();
      await page.getByRole('option', { name: env }).click();
    };
    await signInAsGuest(page, '/dead-letter');
    try {
      await pick('sample (sample data)');
      await expect(
        page.getByText('Sample data: sample is not connected to RabbitMQ'),
      ).toBeVisible();
      // The sample file's squads, resolved through the catalog (the squad
      // backfill completes what was stored before the catalog was ready).
      await expect(async () => {
        await page.reload();
        await expect(squadRow(page, 'squad-gemini')).toBeVisible({
          timeout: 3_000,
        });
      }).toPass({ timeout: 120_000, intervals: [3_000] });
      // A service's messages: shown, with redeliver and delete turned off.
      await page.goto('/catalog/default/component/dead-letter/dead-letter');
      await expect(
        page.getByRole('link', { name: /^Details of message sample-/ }).first(),
      ).toBeVisible();
      for (const name of [/^Redeliver all/, /^Delete all/]) {
        await expect(page.getByRole('button', { name })).toBeDisabled();
      }
      expect(consoleErrors).toEqual([]);
    } finally {
      // The choice is remembered per user: leave the e2e environment chosen.
      await page.goto('/dead-letter');
      await pick('e2e');
    }
  });
});
