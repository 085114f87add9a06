import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * End-to-end tests in Debian's Chromium (`CHROMIUM_PATH`, set by
 * scripts/e2e.sh); Playwright's own browser downloads are not used.
 * `scripts/e2e.sh` starts the built portal and sets PLAYWRIGHT_URL; without
 * it, the dev servers from `yarn start` are used (and started if needed).
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,

  webServer: process.env.PLAYWRIGHT_URL
    ? []
    : [
        {
          command: 'yarn start app',
          url: 'http://localhost:3000',
          reuseExistingServer: true,
          timeout: 180_000,
        },
        {
          command: 'yarn start backend',
          port: 7007,
          reuseExistingServer: true,
          timeout: 120_000,
        },
      ],

  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,

  reporter: [
    ['list'],
    [
      'json',
      {
        outputFile:
          process.env.E2E_RESULTS_FILE ?? 'test-results/e2e-results.json',
      },
    ],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],

  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: chromiumArgs,
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },

  outputDir: 'test-results/e2e-artifacts',

  projects: generateProjects().map(project => ({
    name: project.name,
    testDir: project.testDir,
  })),
});
