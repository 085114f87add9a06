import { LoggerService } from '@backstage/backend-plugin-api';
import { SquadResolver } from '../consumer/DeadLetterConsumer';
import { DeadLetterStore } from '../database/DeadLetterStore';

/**
 * Gives stored messages whose service had no owner when they arrived the
 * squad the catalog now names. Messages drained right after a start arrive
 * before the catalog has its entities, and a service may get an owner
 * later; without this they would stay "no owner" and no squad member could
 * act on them. Returns how many messages got a squad.
 */
export async function backfillSquads(options: {
  store: DeadLetterStore;
  resolveSquads: SquadResolver;
  logger: LoggerService;
}): Promise<number> {
  const { store, resolveSquads, logger } = options;
  const services = await store.servicesWithoutSquad(500);
  if (services.length === 0) return 0;
  const squads = await resolveSquads(services);
  let updated = 0;
  for (const [service, squad] of squads) {
    if (squad) updated += await store.setSquad(service, squad);
  }
  if (updated > 0) {
    logger.info(`Gave ${updated} dead letters the squad of their service`);
  }
  return updated;
}
