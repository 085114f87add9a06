import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// jsdom renders of MUI tables take seconds when CI runs this suite beside
// other heavy work on two cores; a test waits for what it asserts instead of
// failing on the default 1 s / 5 s budgets. A real hang still fails.
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);
