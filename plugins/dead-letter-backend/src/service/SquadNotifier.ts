import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { squadGroupRef } from '@internal/plugin-lunar-common';
import { NotificationSettings } from '../config';

/** A notification about messages owned by squads. */
export interface SquadNotification {
  /**
   * The squads owning the messages (short or group names: `nasa`,
   * `squad-nasa`); null for messages whose service has no owner.
   */
  squads: Array<string | null>;
  /** The environment of the messages (it decides the severity). */
  environment: string;
  /** What happened, in words a person can act on. */
  title: string;
  description: string;
  /** Where to act, relative to the app (e.g. `/dead-letter/redeliveries?...`). */
  link: string;
  /** One notification per scope and recipient: a later send updates it. */
  scope: string;
  /** What kind of notification it is (people can mute a topic). */
  topic: string;
}

/** Who a notification goes to. */
export interface SquadRecipients {
  /** Group refs of the squads the catalog knows. */
  groups: string[];
  /** Squads (as given) without a group in the catalog, and `null` for messages without one. */
  unknown: Array<string | null>;
  /** The fallback group, when some squads were unknown and one is configured. */
  fallback: string | null;
}

/**
 * Tells the squads that own dead letters about them, through Backstage
 * notifications: each squad's catalog group (its members, resolved by the
 * notifications backend), and the configured fallback group for messages
 * whose squad is unknown. Sending never throws: a failure is logged and
 * reported as not sent, so whatever triggered it goes on.
 */
export class SquadNotifier {
  constructor(
    private readonly deps: {
      notifications: NotificationService;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      settings: NotificationSettings;
    },
  ) {}

  /**
   * The squads' groups the catalog has, and the fallback for the rest. When
   * the catalog cannot be asked, every named squad's group is used as is.
   */
  async recipients(squads: Array<string | null>): Promise<SquadRecipients> {
    const named = [...new Set(squads.filter((s): s is string => !!s))];
    const refs = named.map(squadGroupRef);
    const unknown: Array<string | null> = squads.includes(null) ? [null] : [];
    let known = refs;
    try {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        { entityRefs: refs, fields: ['kind', 'metadata.name'] },
        { credentials: await this.deps.auth.getOwnServiceCredentials() },
      );
      known = refs.filter((_, i) => items[i]);
      named.forEach((squad, i) => {
        if (!items[i]) unknown.push(squad);
      });
    } catch (e) {
      this.deps.logger.warn(
        `could not look up the groups of squads ${named.join(', ')}: ${e}`,
      );
    }
    const fallback =
      unknown.length > 0 ? this.deps.settings.fallbackGroup : null;
    return {
      groups: [...new Set(known)],
      unknown,
      fallback: fallback && !known.includes(fallback) ? fallback : null,
    };
  }

  /**
   * Sends the notification to the squads' members, with the environment's
   * severity; true when the notifications backend took it.
   */
  async send(notification: SquadNotification): Promise<boolean> {
    const { logger, settings } = this.deps;
    try {
      const to = await this.recipients(notification.squads);
      const entityRef = [...to.groups, ...(to.fallback ? [to.fallback] : [])];
      if (entityRef.length === 0) {
        logger.warn(
          `nobody to notify of "${notification.title}": no squad is known${
            settings.fallbackGroup
              ? ''
              : ' and deadLetter.notifications.fallbackGroup is not set'
          }`,
        );
        return false;
      }
      let description = notification.description;
      if (to.fallback) {
        const unknown = to.unknown.map(s => s ?? 'messages without an owner');
        description += `\n\nSent to ${
          to.fallback
        } (deadLetter.notifications.fallbackGroup) because the catalog has no squad for: ${unknown.join(
          ', ',
        )}.`;
      }
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: notification.title,
          description,
          link: notification.link,
          severity: settings.severity(notification.environment),
          topic: notification.topic,
          scope: notification.scope,
        },
      });
      logger.info(
        `notified ${entityRef.join(', ')} of "${notification.title}"`,
      );
      return true;
    } catch (e) {
      logger.warn(`could not notify of "${notification.title}": ${e}`);
      return false;
    }
  }
}
