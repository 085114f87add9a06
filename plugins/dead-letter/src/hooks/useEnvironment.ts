import { useEffect, useMemo, useState } from 'react';
import { storageApiRef, useApi } from '@backstage/frontend-plugin-api';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';

const KEY = 'environment';
/** The query parameter a link selects an environment with (redeliveriesPagePath in -common). */
const PARAM = 'environment';

/**
 * The configured environments with their consumer states, and the selected
 * one: the one a link names (`?environment=`, e.g. from a notification),
 * else the one remembered per user (user settings storage), else the first.
 * A linked environment is remembered too, so the page's other tabs show it;
 * choosing another one drops the link's parameter.
 */
export function useEnvironment() {
  const api = useApi(deadLetterApiRef);
  const storage = useApi(storageApiRef);
  // One bucket for the component's life, so the subscription below is made
  // once rather than on every render.
  const bucket = useMemo(() => storage.forBucket('dead-letter'), [storage]);
  const [stored, setStored] = useState<string | undefined>(
    () => bucket.snapshot<string>(KEY).value,
  );
  useEffect(() => {
    const sub = bucket
      .observe$<string>(KEY)
      .subscribe(snapshot => setStored(snapshot.value));
    return () => sub.unsubscribe();
  }, [bucket]);

  const [params, setParams] = useSearchParams();
  const linked = params.get(PARAM);

  const envs = useAsyncRetry(() => api.environments(), [api]);
  const environments = envs.value;
  const linkedEnv = environments?.find(e => e.name === linked);
  useEffect(() => {
    if (linkedEnv && linkedEnv.name !== stored) bucket.set(KEY, linkedEnv.name);
  }, [bucket, linkedEnv, stored]);
  const selected = useMemo<EnvironmentStatus | undefined>(
    () =>
      linkedEnv ??
      environments?.find(e => e.name === stored) ??
      environments?.[0],
    [environments, linkedEnv, stored],
  );

  return {
    loading: envs.loading,
    error: envs.error,
    retry: envs.retry,
    environments,
    selected,
    select: (name: string) => {
      setStored(name);
      bucket.set(KEY, name);
      if (params.has(PARAM)) {
        setParams(
          p => {
            p.delete(PARAM);
            return p;
          },
          { replace: true },
        );
      }
    },
  };
}
