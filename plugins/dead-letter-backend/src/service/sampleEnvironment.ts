import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LoggerService } from '@backstage/backend-plugin-api';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
import { z } from 'zod';
import { EnvironmentConfig } from '../config';
import { decodeDeadLetter } from '../consumer/decode';
import { DeadLetterStore } from '../database/DeadLetterStore';
import { SquadResolver } from '../consumer/DeadLetterConsumer';

/** What a sample file holds (examples/dead-letters.sample.json). */
const sampleFileSchema = z.object({
  messages: z.array(
    z.object({
      /** Minutes before start the message was dead-lettered. */
      minutesAgo: z.number().nonnegative(),
      queue: z.string().min(1),
      exchange: z.string(),
      routingKey: z.string(),
      error: z.string().optional(),
      messageId: z.string().optional(),
      body: z.unknown(),
    }),
  ),
});

/**
 * A read-only environment of sample messages loaded from a file, for a
 * first look at the Dead Letter page without a broker. Each message goes
 * through the consumer's own decoding, as RabbitMQ would have delivered it
 * (x-death and all), so the screens show what real ones would look like.
 */
export class SampleEnvironment {
  private stored = 0;

  private constructor(
    private readonly env: EnvironmentConfig & { sample: { fixture: string } },
    private readonly messages: z.infer<typeof sampleFileSchema>['messages'],
    private readonly deps: {
      store: DeadLetterStore;
      resolveSquads: SquadResolver;
      errorHeader: string;
      servicePattern: RegExp;
      logger: LoggerService;
    },
  ) {}

  /** Reads and checks the file; throws naming it when it cannot. */
  static async read(
    env: EnvironmentConfig & { sample: { fixture: string } },
    deps: SampleEnvironment['deps'],
  ): Promise<SampleEnvironment> {
    const file = env.sample.fixture;
    try {
      const parsed = sampleFileSchema.parse(
        JSON.parse(await readFile(file, 'utf8')),
      );
      return new SampleEnvironment(env, parsed.messages, deps);
    } catch (e) {
      throw new Error(
        `deadLetter.environments: '${
          env.name
        }': cannot read sample file ${basename(file)}: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Replaces the environment's stored messages with the file's, dated
   * relative to `now`, with their squads from the catalog when it answers
   * (else the scheduled squad backfill adds them).
   */
  async load(now = new Date()): Promise<void> {
    const { env, deps } = this;
    const rows = this.messages.map(m => {
      const time = new Date(now.getTime() - m.minutesAgo * 60_000);
      return decodeDeadLetter(
        {
          content: Buffer.from(
            typeof m.body === 'string' ? m.body : JSON.stringify(m.body),
          ),
          fields: {
            redelivered: false,
            exchange: `${env.name}.dead-letter`,
            routingKey: m.routingKey,
          },
          properties: {
            messageId: m.messageId,
            contentType: 'application/json',
            timestamp: Math.floor(time.getTime() / 1000) - 5,
            headers: {
              ...(m.error ? { [deps.errorHeader]: m.error } : {}),
              'x-first-death-queue': m.queue,
              'x-first-death-exchange': m.exchange,
              'x-first-death-reason': 'rejected',
              'x-death': [
                {
                  count: 1,
                  reason: 'rejected',
                  queue: m.queue,
                  exchange: m.exchange,
                  'routing-keys': [m.routingKey],
                  time,
                },
              ],
            },
          },
        },
        {
          environment: env.name,
          errorHeader: deps.errorHeader,
          servicePattern: deps.servicePattern,
          maxBodyBytes: env.maxBodyBytes,
          now,
        },
      );
    });
    const services = [
      ...new Set(rows.flatMap(r => (r.service ? [r.service] : []))),
    ];
    try {
      const squads = await deps.resolveSquads(services);
      for (const row of rows) {
        row.squad = (row.service && squads.get(row.service)) ?? null;
      }
    } catch (e) {
      // The scheduled squad backfill fills them in once the catalog answers.
      deps.logger.info(
        `sample environment ${env.name}: squads not resolved yet (${
          (e as Error).message
        })`,
      );
    }
    await deps.store.discard(env.name, { filter: {} });
    this.stored = await deps.store.insertBatch(rows);
    deps.logger.info(
      `sample environment ${env.name}: ${
        this.stored
      } sample messages from ${basename(env.sample.fixture)} (read-only)`,
    );
  }

  status(): Omit<EnvironmentStatus, 'retention'> {
    return {
      name: this.env.name,
      queue: basename(this.env.sample.fixture),
      state: 'sample',
      reason:
        'Sample messages from a file, shown because no RabbitMQ is connected: redeliver and delete are off.',
      stored: this.stored,
      logsUrlTemplate: this.env.logsUrlTemplate,
    };
  }
}
