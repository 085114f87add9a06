import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { signInAsGuest } from './helpers';

/**
 * Software templates end to end: Create... -> Go service -> fill the form ->
 * Create -> follow "Open in catalog" to the new component. Locally the
 * template publishes to a bare git repository under
 * lunarScaffolder.localGitDirectory and registers its shuttle.yaml, so the
 * component comes from the shuttle processor like every other repository.
 *
 * Measured: milliseconds from pressing Create to the component's page
 * showing it, written to test-results/template-timing.json (goal: < 60 s).
 */
test('create a Go service from a template and open it in the catalog', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // Unique per run: the folder of published repositories outlives a run.
  const name = `e2e-svc-${Date.now().toString(36)}`;

  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Create...' })
    .click();

  // The template card, then its Choose button.
  const card = page
    .locator('article, [class*="MuiCard-root"]')
    .filter({ hasText: 'Go service' })
    .filter({ hasNot: page.getByText('Go library', { exact: true }) })
    .first();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: /choose/i }).click();

  // Page 1: Service.
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page
    .getByRole('textbox', { name: /^Description/ })
    .fill('Created by the end-to-end test');
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.click();
  await owner.fill('NASA');
  await page
    .getByRole('option', { name: /squad-nasa|Squad NASA/i })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();

  // Page 2: Deployment (namespace empty = dev, staging, prod).
  await expect(
    page.getByRole('textbox', { name: /Kubernetes namespace/ }),
  ).toBeVisible();
  const staging = page.getByRole('checkbox', { name: 'staging' });
  await staging.check();
  await page.getByRole('button', { name: 'Next' }).click();

  // Page 3: Features.
  await page.getByRole('checkbox', { name: /Database/ }).check();
  await page.getByRole('checkbox', { name: /RabbitMQ/ }).check();
  await page.getByRole('button', { name: 'Review' }).click();

  await expect(page.getByText(name).first()).toBeVisible();
  const createdAt = Date.now();
  await page.getByRole('button', { name: 'Create' }).click();

  // The run page: every step done, then the output link.
  const open = page
    .getByRole('link', { name: /Open in catalog/i })
    .or(page.getByRole('button', { name: /Open in catalog/i }));
  await expect(open.first()).toBeVisible({ timeout: 120_000 });
  const taskDoneAt = Date.now();
  await page.screenshot({
    path: 'test-results/screenshots/template-run.png',
  });
  await open.first().click();

  // The component page, from the new repository's shuttle.yaml.
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}`),
  );
  await expect(
    page.getByRole('heading', { name, exact: false }).first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/squad-nasa|Squad NASA/i).first()).toBeVisible();
  const visibleAt = Date.now();
  await page.screenshot({
    path: 'test-results/screenshots/template-component.png',
  });

  // The squad's pulse says the service was added to the catalog.
  await page.goto('/catalog/default/group/squad-nasa');
  const added = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Pulse' })
    .getByRole('link', { name: `${name} was added to the catalog` });
  await expect(async () => {
    await page.reload();
    await expect(added).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await added.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}$`),
  );

  const timing = {
    template: 'go-service',
    name,
    createToTaskDoneMs: taskDoneAt - createdAt,
    createToEntityVisibleMs: visibleAt - createdAt,
    goalMs: 60_000,
    measuredAt: new Date(createdAt).toISOString(),
  };
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync(
    path.join('test-results', 'template-timing.json'),
    `${JSON.stringify(timing, null, 2)}\n`,
  );
  expect(timing.createToEntityVisibleMs).toBeLessThan(60_000);
});
