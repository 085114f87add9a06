import { test, expect } from '@playwright/test';
import { expectDocsShown, signInAsGuest } from './helpers';

/**
 * The example repositories reach the catalog through their shuttle.yaml
 * (plugins/shuttle-catalog-processor), with owners, relations and docs.
 */

test('the catalog lists the example services with their squads', async ({
  page,
}) => {
  await signInAsGuest(
    page,
    '/catalog?filters[kind]=component&filters[user]=all',
  );
  const table = page.getByRole('table');
  const row = (name: string) =>
    table.getByRole('row').filter({ hasText: name });
  await expect(
    row('bankaccount').getByRole('link', { name: 'Squad Mercury' }),
  ).toBeVisible();
  await expect(
    row('card-clearing').getByRole('link', { name: 'Squad Gemini' }),
  ).toBeVisible();
  await expect(row('go-amqp')).toContainText('library');
  await page.screenshot({
    path: 'test-results/screenshots/shuttle-catalog.png',
  });
});

test('@quickstart a shuttle component shows its relations and TechDocs', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page, '/catalog/default/component/bankaccount');
  await expect(
    page.getByRole('heading', { name: 'bankaccount' }).first(),
  ).toBeVisible();

  // The graph: owner squad, database, broker, API and system.
  const graph = page.locator('svg#dependency-graph, svg[id*="graph"]').first();
  for (const node of [
    'Squad Mercury',
    'bankaccount-db',
    'rabbitmq',
    'bankaccount-http',
  ]) {
    await expect(graph.getByText(node, { exact: true })).toBeVisible();
  }
  await page.screenshot({
    path: 'test-results/screenshots/shuttle-component.png',
  });

  // Its docs come from the repository's mkdocs.yml.
  await page.goto('/docs/default/component/bankaccount');
  const content = await expectDocsShown(page, /bankaccount/i);
  await expect(content).toContainText(/account/i);
  await page.screenshot({
    path: 'test-results/screenshots/shuttle-techdocs.png',
  });
});

test('processing errors are listed on the Unprocessed Entities page', async ({
  page,
}) => {
  // The page exists and loads; the sample data has no broken shuttle.yaml.
  await signInAsGuest(page, '/catalog-unprocessed-entities');
  await expect(page.getByRole('tab', { name: /failed/i })).toBeVisible();
  await expect(page.getByRole('tab', { name: /pending/i })).toBeVisible();
});
