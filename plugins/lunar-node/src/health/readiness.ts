import {
  LoggerService,
  RootHealthService,
  RootLifecycleService,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { retryOnConnectionLoss } from '../database/retryReads';

/** A named check the backend must pass to report ready. */
export interface ReadinessCheck {
  /** Shown in the readiness answer, e.g. `dead-letter database`. */
  name: string;
  /** Resolves when healthy; rejects (or takes too long) when not. */
  check: () => Promise<void>;
}

/** Where plugins register what the backend's readiness depends on. */
export interface ReadinessChecksService {
  add(check: ReadinessCheck): void;
  /** Runs every check at once; each gets `timeoutMs` (default 3000). */
  run(options?: {
    timeoutMs?: number;
  }): Promise<Array<{ name: string; ok: boolean }>>;
}

class DefaultReadinessChecks implements ReadinessChecksService {
  readonly #checks: ReadinessCheck[] = [];

  add(check: ReadinessCheck) {
    this.#checks.push(check);
  }

  async run(options: { timeoutMs?: number } = {}) {
    const timeoutMs = options.timeoutMs ?? 3000;
    return Promise.all(
      this.#checks.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error('timed out')),
                timeoutMs,
              );
            }),
          ]);
          return { name, ok: true };
        } catch {
          return { name, ok: false };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}

/**
 * The backend's readiness checks. Root scoped, so that the root health
 * service can run what plugins register.
 */
export const readinessChecksServiceRef =
  createServiceRef<ReadinessChecksService>({
    id: 'lunar.readiness-checks',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => new DefaultReadinessChecks(),
      }),
  });

/**
 * A readiness check that the plugin's database answers `select 1`
 * (retried once on a lost connection, as reads are).
 */
export function databaseReadinessCheck(
  name: string,
  getClient: () => Promise<{ raw(sql: string): PromiseLike<unknown> }>,
): ReadinessCheck {
  return {
    name,
    check: async () => {
      const db = await getClient();
      await retryOnConnectionLoss(async () => {
        await db.raw('select 1');
      });
    },
  };
}

/**
 * Backstage's readiness (not ready while starting and shutting down) plus
 * every registered {@link ReadinessCheck}: 503 while any fails, naming the
 * failed check and nothing about why (the reason is logged, once per
 * change).
 */
export class LunarRootHealthService implements RootHealthService {
  #state: 'init' | 'up' | 'down' = 'init';
  #failing = new Set<string>();

  constructor(
    private readonly options: {
      lifecycle: RootLifecycleService;
      checks: ReadinessChecksService;
      logger: LoggerService;
    },
  ) {
    options.lifecycle.addStartupHook(() => {
      this.#state = 'up';
    });
    options.lifecycle.addBeforeShutdownHook(() => {
      this.#state = 'down';
    });
  }

  async getLiveness() {
    return { status: 200, payload: { status: 'ok' } };
  }

  async getReadiness(): Promise<{ status: number; payload?: JsonObject }> {
    if (this.#state === 'init') {
      return {
        status: 503,
        payload: { status: 'error', message: 'Backend has not started yet' },
      };
    }
    if (this.#state === 'down') {
      return {
        status: 503,
        payload: { status: 'error', message: 'Backend is shutting down' },
      };
    }
    const results = await this.options.checks.run();
    const failed = results.filter(r => !r.ok).map(r => r.name);
    for (const name of failed) {
      if (!this.#failing.has(name)) {
        this.options.logger.warn(`Not ready: ${name} check fails`);
      }
    }
    for (const name of this.#failing) {
      if (!failed.includes(name)) {
        this.options.logger.info(`Ready again: ${name} check passes`);
      }
    }
    this.#failing = new Set(failed);
    if (failed.length) {
      return {
        status: 503,
        payload: {
          status: 'error',
          message: `Not ready: ${failed.join(', ')} unavailable`,
          failed,
        },
      };
    }
    return { status: 200, payload: { status: 'ok' } };
  }
}

/**
 * Replaces Backstage's root health service with
 * {@link LunarRootHealthService}: `backend.add(rootHealthServiceFactory)`.
 */
export const rootHealthServiceFactory = createServiceFactory({
  service: coreServices.rootHealth,
  deps: {
    lifecycle: coreServices.rootLifecycle,
    checks: readinessChecksServiceRef,
    logger: coreServices.rootLogger,
  },
  factory: ({ lifecycle, checks, logger }) =>
    new LunarRootHealthService({
      lifecycle,
      checks,
      logger: logger.child({ type: 'readiness' }),
    }),
});
