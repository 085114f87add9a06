import { test, expect, Page } from '@playwright/test';

/**
 * The example repositories reach the catalog through their shuttle.yaml
 * (plugins/shuttle-catalog-processor), with owners, relations and docs.
 */

async function signInAsGuest(page: Page, path: string) {
  await page.goto(path);
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

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

test('a shuttle component shows its relations and TechDocs', async ({
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
  const content = page.locator('[data-testid="techdocs-native-shadowroot"]');
  await expect(content.getByRole('heading').first()).toBeVisible({
    timeout: 120_000,
  });
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
