import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  RedeliveryJob,
  redeliverySignalChannel,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';

/**
 * How often jobs are asked for while one is queued or running and no
 * signal is pushed (without signals; with them, as a safety net).
 */
export const LIVE_MS = 1_000;
const SAFETY_NET_MS = 10_000;

const live = (job: RedeliveryJob) =>
  job.state === 'queued' || job.state === 'running';

/**
 * An environment's redelivery jobs, newest first, kept current: each job's
 * updates are pushed by the backend through Backstage signals (channel
 * `dead-letter:redeliveries:<environment>`); where signals are not
 * available, the list is asked for every second while any job is queued or
 * running (paused, cancelled and finished jobs do not change by themselves).
 */
export function useRedeliveryJobs(environment: string) {
  const api = useApi(deadLetterApiRef);
  const [jobs, setJobs] = useState<RedeliveryJob[]>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  const { lastSignal, isSignalsAvailable } = useSignal(
    redeliverySignalChannel(environment),
  );

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api.redeliveries(environment).then(
      ({ items }) => {
        if (cancelled) return;
        setJobs(items);
        setError(undefined);
        if (items.some(live))
          timer = setTimeout(
            () => setTick(t => t + 1),
            isSignalsAvailable ? SAFETY_NET_MS : LIVE_MS,
          );
      },
      e => {
        if (cancelled) return;
        setError(e);
        // Asked again a little later: the page stays useful meanwhile.
        timer = setTimeout(() => setTick(t => t + 1), LIVE_MS * 5);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, environment, tick, isSignalsAvailable]);

  /** Puts a job's new state in place (pushed, or after pause/resume/cancel). */
  const update = useCallback((job: RedeliveryJob) => {
    setJobs(current => {
      if (!current) return current;
      return current.some(j => j.id === job.id)
        ? current.map(j => (j.id === job.id ? job : j))
        : [job, ...current];
    });
  }, []);

  useEffect(() => {
    // The backend pushes a RedeliveryJob (see RedeliveryService).
    const job = lastSignal as unknown as RedeliveryJob | null;
    if (job && job.environment === environment) update(job);
  }, [lastSignal, environment, update]);

  return { jobs, error, update, refresh: () => setTick(t => t + 1) };
}
