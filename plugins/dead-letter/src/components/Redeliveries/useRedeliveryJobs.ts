import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { RedeliveryJob } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';

/** How often jobs are asked for while one is queued or running. */
export const LIVE_MS = 1_000;

const live = (job: RedeliveryJob) =>
  job.state === 'queued' || job.state === 'running';

/**
 * An environment's redelivery jobs, newest first, kept current while any of
 * them is queued or running (paused, cancelled and finished jobs do not
 * change by themselves).
 */
export function useRedeliveryJobs(environment: string) {
  const api = useApi(deadLetterApiRef);
  const [jobs, setJobs] = useState<RedeliveryJob[]>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api.redeliveries(environment).then(
      ({ items }) => {
        if (cancelled) return;
        setJobs(items);
        setError(undefined);
        if (items.some(live))
          timer = setTimeout(() => setTick(t => t + 1), LIVE_MS);
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
  }, [api, environment, tick]);

  /** Puts a job's new state in place at once (after pause, resume, cancel). */
  const update = useCallback((job: RedeliveryJob) => {
    setJobs(current => current?.map(j => (j.id === job.id ? job : j)));
    setTick(t => t + 1);
  }, []);

  return { jobs, error, update, refresh: () => setTick(t => t + 1) };
}
