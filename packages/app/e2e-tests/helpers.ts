import { expect, Page } from '@playwright/test';

/** Opens `path` and signs in as the guest, as a developer does locally. */
export async function signInAsGuest(page: Page, path = '/') {
  await page.goto(path);
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/**
 * Waits until the TechDocs reader shows a page whose first heading matches
 * `heading`. Playwright counts an element with opacity 0 as visible, and the
 * reader keeps its page at opacity 0 until every stylesheet has loaded, so
 * the opacity is checked too: a page stuck behind an unloadable stylesheet
 * fails here.
 */
export async function expectDocsShown(page: Page, heading: RegExp) {
  const content = page.locator('[data-testid="techdocs-native-shadowroot"]');
  // The first visit builds the docs with mkdocs.
  await expect(
    content.getByRole('heading', { name: heading }).first(),
  ).toBeVisible({ timeout: 120_000 });
  await expect(content.locator('html')).toHaveCSS('opacity', '1', {
    timeout: 15_000,
  });
  return content;
}
