import { RedeliveryJob } from '@internal/plugin-dead-letter-common';
import { jobOutcome } from './useActions';

const job = (overrides: Partial<RedeliveryJob>): RedeliveryJob => ({
  id: '9',
  environment: 'prod',
  state: 'running',
  createdBy: 'user:default/guest',
  createdAt: '2026-12-07T09:00:00Z',
  updatedAt: '2026-12-07T09:00:00Z',
  startedAt: null,
  finishedAt: null,
  selection: { ids: 10 },
  squads: ['squad-nasa'],
  services: ['dead-letter'],
  rate: 10,
  ramp: null,
  error: null,
  pausedReason: null,
  progress: {
    total: 10,
    published: 4,
    failed: 1,
    failedByReason: { unroutable: 1 },
    remaining: 5,
    duplicateWindow: 2,
    refailed: 3,
    currentRate: 9.5,
    etaSeconds: 1,
    previewed: null,
    arrivedAfterPreview: 0,
    goneSincePreview: 0,
  },
  ...overrides,
});

describe('jobOutcome', () => {
  it('says how far a live job got, and why it stopped when it did', () => {
    expect(jobOutcome(job({})).text).toBe(
      'Redelivery job 9 running: 4 of 10 redelivered, 1 failed at up to 10 messages per second. Follow it under Redeliveries.',
    );
    expect(jobOutcome(job({})).details).toEqual([
      '1 message failed: unroutable',
      '3 messages came back dead-lettered after redelivery',
      '2 messages may have been published twice (a replica stopped mid-publish); they carry the same redelivery id',
    ]);
    const autoPaused = jobOutcome(
      job({
        state: 'paused',
        pausedReason: '3 of the last 4 redelivered messages came back',
      }),
    );
    expect(autoPaused.severity).toBe('warning');
    expect(autoPaused.text).toBe(
      'Redelivery job 9 paused itself after 4 of 10: 3 of the last 4 redelivered messages came back. Resume or cancel it under Redeliveries.',
    );
    expect(jobOutcome(job({ state: 'cancelled' })).text).toBe(
      'Redelivery cancelled: 4 redelivered, 1 failed, 5 left as they were.',
    );
    expect(
      jobOutcome(job({ state: 'failed', error: 'broker gone' })).severity,
    ).toBe('error');
  });
});
