import { test, expect } from '@playwright/test';
import { expectDocsShown, signInAsGuest } from './helpers';

/**
 * The stock portal as a developer sees it on a fresh start: guest sign-in,
 * Lunar's sidebar, catalog with filters and graph, TechDocs, API docs,
 * search, templates page, settings and the home page.
 */

test('guest sign-in shows Lunar sidebar and home page', async ({ page }) => {
  await signInAsGuest(page);
  await expect(page).toHaveTitle(/Lunar/);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(nav.getByRole('img', { name: 'Lunar' })).toBeVisible();
  // The logo is a "Home" link too; the menu item is the last one.
  for (const item of [
    'Home',
    'Catalog',
    'APIs',
    'Docs',
    'Create...',
    'Settings',
  ]) {
    await expect(
      nav.getByRole('link', { name: item, exact: true }).last(),
    ).toBeVisible();
  }
  await expect(nav.getByRole('button', { name: 'Search' })).toBeVisible();

  // Home: search bar, welcome, and what the guest's squad owns.
  await expect(page.getByText('Welcome to Lunar')).toBeVisible();
  await expect(page.getByPlaceholder('Search')).toBeVisible();
  const owned = page.getByRole('list', { name: 'Owned entities' });
  await expect(
    owned.getByRole('link', { name: 'Lunar developer portal' }),
  ).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/home.png' });
});

test('catalog lists the squads and offers the stock filters', async ({
  page,
}) => {
  await signInAsGuest(page, '/catalog?filters[kind]=group');
  const table = page.getByRole('table');
  for (const squad of ['NASA', 'Gemini', 'Mercury', 'Odyssey', 'Aura']) {
    await expect(
      table.getByRole('link', { name: `Squad ${squad}` }),
    ).toBeVisible();
  }
  // Kind, type, owner, lifecycle and tags pickers, and owned/starred.
  await page.goto('/catalog?filters[kind]=component');
  for (const label of ['Kind', 'Type', 'Owner', 'Lifecycle', 'Tags']) {
    await expect(page.getByText(label, { exact: true }).first()).toBeVisible();
  }
  await expect(page.getByText('Owned', { exact: true })).toBeVisible();
  await expect(page.getByText('Starred', { exact: true })).toBeVisible();

  // Owned: the guest belongs to squad-nasa, which owns the portal.
  await page.getByText('Owned', { exact: true }).click();
  await expect(
    page.getByRole('link', { name: 'Lunar developer portal' }),
  ).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/catalog.png' });
});

test('a squad page shows its members and catalog graph', async ({ page }) => {
  await signInAsGuest(page, '/catalog?filters[kind]=group');
  await page
    .getByRole('table')
    .getByRole('link', { name: 'Squad NASA' })
    .click();
  await expect(page).toHaveURL(/\/catalog\/default\/group\/squad-nasa/);
  await expect(
    page.getByRole('heading', { name: /Squad NASA|squad-nasa/ }).first(),
  ).toBeVisible();

  // The catalog graph card draws the group and its parent organisation.
  const graph = page.locator('svg#dependency-graph, svg[id*="graph"]').first();
  await expect(graph).toBeVisible();
  await expect(graph.getByText('Lunar', { exact: true })).toBeVisible();
  await expect(graph.getByText('Mette Hansen')).toBeVisible();
  await expect(graph.getByText('Lunar developer portal')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/squad-graph.png' });
});

test("@quickstart the portal's own TechDocs render and are searchable", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page, '/docs/default/component/lunar-developer-portal');
  await expectDocsShown(page, /developer portal/i);
  await page.screenshot({ path: 'test-results/screenshots/techdocs.png' });

  // The docs collator indexes the built site; search until the page appears.
  await expect(async () => {
    await page.goto('/search?query=architecture');
    await expect(
      page.getByRole('link', { name: /Architecture/ }).first(),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  await page.screenshot({ path: 'test-results/screenshots/search.png' });
});

test('search finds catalog entities', async ({ page }) => {
  await signInAsGuest(page);
  await expect(async () => {
    await page.goto('/search?query=squad-gemini');
    await expect(
      page.getByRole('link', { name: /squad-gemini|Squad Gemini/ }).first(),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000, intervals: [5_000] });
});

test('an OpenAPI entity renders its definition', async ({ page }) => {
  await signInAsGuest(page, '/api-docs');
  await page.getByRole('link', { name: 'release-manager-http' }).click();
  // The overview shows the definition; Swagger UI renders its operations.
  await expect(page.getByRole('tab', { name: 'OpenAPI' })).toBeVisible();
  await expect(
    page.getByText('/describe/release/{service}/{environment}').first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'test-results/screenshots/api-definition.png',
  });
});

test('the templates page and user settings open', async ({ page }) => {
  await signInAsGuest(page, '/create');
  await expect(page.getByRole('tab', { name: 'Templates' })).toBeVisible();
  await expect(
    page.getByRole('button', { name: /Register existing component/i }),
  ).toBeVisible();

  await page.goto('/settings');
  await expect(page.getByText('guest', { exact: false }).first()).toBeVisible();
  await expect(page.getByText('Theme').first()).toBeVisible();
});
