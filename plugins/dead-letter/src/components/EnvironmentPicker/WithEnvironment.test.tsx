import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { storageApiRef } from '@backstage/frontend-plugin-api';
import {
  EnvironmentStatus,
  redeliveriesPagePath,
} from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { WithEnvironment } from './WithEnvironment';

const env = (name: string): EnvironmentStatus => ({
  name,
  queue: 'dead-letters',
  state: 'consuming',
  reason: null,
  stored: 0,
  logsUrlTemplate: null,
  retention: { days: 30, lastRunAt: null, lastPurged: null },
});

const api = {
  environments: async () => [env('dev'), env('prod')],
} as Partial<DeadLetterApi> as DeadLetterApi;

function Shown() {
  const location = useLocation();
  return (
    <WithEnvironment>
      {(selected, picker) => (
        <>
          <p>shown: {selected.name}</p>
          <p>query: {location.search || 'none'}</p>
          {picker}
        </>
      )}
    </WithEnvironment>
  );
}

async function render(path: string) {
  const storage = mockApis.storage({
    data: { 'dead-letter': { environment: 'dev' } },
  });
  await renderInTestApp(<Shown />, {
    initialRouteEntries: [path],
    apis: [
      [deadLetterApiRef, api],
      [storageApiRef, storage],
    ],
  });
  return storage.forBucket('dead-letter');
}

describe('WithEnvironment', () => {
  it('shows the remembered environment without a link', async () => {
    await render('/dead-letter/redeliveries');
    expect(await screen.findByText('shown: dev')).toBeInTheDocument();
  });

  it("shows the environment a notification's link names, and remembers it", async () => {
    const bucket = await render(redeliveriesPagePath('prod'));
    expect(await screen.findByText('shown: prod')).toBeInTheDocument();
    await waitFor(() =>
      expect(bucket.snapshot('environment').value).toBe('prod'),
    );

    // Choosing another one drops the link's parameter.
    fireEvent.mouseDown(screen.getByRole('button', { name: 'Environment' }));
    fireEvent.click(await screen.findByRole('option', { name: 'dev' }));
    expect(await screen.findByText('shown: dev')).toBeInTheDocument();
    expect(screen.getByText('query: none')).toBeInTheDocument();
    expect(bucket.snapshot('environment').value).toBe('dev');
  });

  it('ignores a link to an environment that is not configured', async () => {
    await render('/dead-letter/redeliveries?environment=nope');
    expect(await screen.findByText('shown: dev')).toBeInTheDocument();
  });
});
