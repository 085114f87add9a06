import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RELEASE_MANAGER_EVENTS_TOPIC } from '@internal/plugin-lunar-common';
import { component } from '../__testUtils__/catalog';
import { ReleaseEventTrigger } from './ReleaseEventTrigger';
import { ReleaseStatusRefresher } from './ReleaseStatusRefresher';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function setup(delayMs = 50) {
  const catalog = catalogServiceMock({
    entities: [
      component('payments', 'squad-nasa'),
      // Two components of one release-manager service.
      component('payments-worker', 'squad-nasa'),
      component('payments-lib', 'squad-nasa', 'payments-lib', 'library'),
    ].map(e => ({
      ...e,
      metadata: {
        ...e.metadata,
        annotations: {
          ...e.metadata.annotations,
          'lunar.app/release-manager-service': 'payments',
        },
      },
    })),
  });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const refreshInBackground = jest.fn();
  const trigger = new ReleaseEventTrigger({
    refresher: { refreshInBackground } as unknown as ReleaseStatusRefresher,
    catalog,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    delayMs,
  });
  const event = (eventPayload: unknown) =>
    trigger.onEvent({ topic: RELEASE_MANAGER_EVENTS_TOPIC, eventPayload });
  const refreshed = () =>
    refreshInBackground.mock.calls.map(
      ([e, opts]) => `${e.metadata.name} ${JSON.stringify(opts)}`,
    );
  return { trigger, event, getEntities, refreshed };
}

async function settle(trigger: ReleaseEventTrigger) {
  while (trigger.pending) await sleep(10);
}

describe('ReleaseEventTrigger', () => {
  it("recomputes the service's releasable components once per burst, after the delay", async () => {
    const { trigger, event, getEntities, refreshed } = setup();
    await event({ type: 'released', service: 'payments', environment: 'dev' });
    await event({ type: 'releaseSucceeded', service: 'payments' });
    expect(refreshed()).toEqual([]);
    await settle(trigger);
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(refreshed()).toEqual([
      'payments {"force":true}',
      'payments-worker {"force":true}',
    ]);

    // A later event is a new burst.
    await event({ type: 'newArtifact', service: 'payments' });
    await settle(trigger);
    expect(getEntities).toHaveBeenCalledTimes(2);
    expect(refreshed()).toHaveLength(4);
  });

  it('ignores payloads without a type and service, and services no component names', async () => {
    const { trigger, event, getEntities, refreshed } = setup();
    await event({ service: 'payments' });
    await event('released');
    expect(trigger.pending).toBe(0);
    await event({ type: 'releaseFailed', service: 'unknown' });
    await settle(trigger);
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(refreshed()).toEqual([]);
  });

  it('drops waiting refreshes when stopped', async () => {
    const { trigger, event, getEntities } = setup(20);
    await event({ type: 'released', service: 'payments' });
    await trigger.stop();
    await sleep(60);
    await event({ type: 'released', service: 'payments' });
    await sleep(60);
    expect(getEntities).not.toHaveBeenCalled();
  });
});
