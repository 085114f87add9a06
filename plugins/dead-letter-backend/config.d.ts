export interface Config {
  /** The dead-letter plugin (plugins/dead-letter-backend). */
  deadLetter?: {
    /** One consumer per environment. Default: none (the plugin only serves its API). */
    environments?: Array<{
      /** Environment name shown to people: dev, staging, prod, ... */
      name: string;
      /** The broker and dead-letter queue to consume. Either this or `sample`. */
      amqp?: {
        /**
         * Broker URL, e.g. amqp://user:pass@host:5672/vhost.
         * @visibility secret
         */
        url: string;
        /** The dead-letter queue to consume. Default: 'dead-letters'. */
        queue?: string;
        /** Declare the queue (durable, quorum) when it is missing. Default: true. */
        declareQueue?: boolean;
        /**
         * Unacknowledged deliveries in flight, 1 to 65535 (the consumer
         * pauses during a database outage by holding a full window).
         * Default: 1000.
         */
        prefetch?: number;
      };
      /**
       * Instead of a broker: read-only sample messages loaded from a JSON
       * file at start (see examples/dead-letters.sample.json), labelled as
       * sample data; redeliver and delete are refused. The quick start uses
       * it when no RabbitMQ is reachable.
       */
      sample?: {
        /** Path of the JSON file. */
        fixture: string;
      };
      /** Messages stored per transaction. Default: 500. */
      batchSize?: number;
      /** Longest wait in milliseconds for a batch to fill. Default: 50. */
      batchWaitMs?: number;
      /** Bodies above this many bytes are stored cut and flagged (and not redelivered). Default: 16 MiB. */
      maxBodyBytes?: number;
      /**
       * Link to the service's logs; placeholders {service}, {environment},
       * {time}, {from}, {to} (time -/+ 5 minutes) and {messageId}. Default: none.
       */
      logsUrlTemplate?: string;
      /**
       * Masking in this environment, added to `deadLetter.masking`
       * (the lists are joined). Default: only the plugin-wide rules.
       */
      masking?: {
        /** More JSON paths to mask in this environment's bodies. */
        jsonPaths?: string[];
        /** More header names to mask in this environment's messages. */
        headers?: string[];
      };
      /**
       * How long this environment's messages are kept, counted from their
       * first death. Default: `deadLetter.retention`.
       */
      retention?: {
        /** Whole days, at least 1. */
        days: number;
      };
      /**
       * The archive of this environment's deleted and redelivered messages.
       * Default: `deadLetter.archive`.
       */
      archive?: {
        /** Days an archived message stays restorable, at least 1 (never beyond `retention`). Default: `deadLetter.archive.retentionDays`. */
        retentionDays?: number;
      };
      /** Notifications about this environment's dead letters. */
      notifications?: {
        /**
         * Severity of its notifications (critical, high, normal, low).
         * Default: high for `prod` and names ending in `-prod`, else normal.
         */
        severity?: 'critical' | 'high' | 'normal' | 'low';
      };
      /**
       * On-call alerts on this environment's dead letters; each key
       * overrides `deadLetter.alerts`. Default: the plugin-wide settings.
       */
      alerts?: {
        /** Watch this environment at all. Default: the plugin-wide one. */
        enabled?: boolean;
        /** Minutes counted per window. Default: the plugin-wide one. */
        windowMinutes?: number;
        /** Messages in a window a spike must exceed. Default: the plugin-wide one. */
        floor?: number;
        /** Times its 7-day average per window a spike must be. Default: the plugin-wide one. */
        multiplier?: number;
      };
      /** Redelivery job rates in this environment. Default: `deadLetter.redelivery`. */
      redelivery?: {
        /** Messages per second of a job that asks for no rate. Default: the plugin-wide one. */
        defaultRate?: number;
        /** The highest rate (and ramp step) a job may ask for. Default: the plugin-wide one. */
        maxRate?: number;
        /** Share of re-failed messages that pauses a job (0: never). Default: the plugin-wide one. */
        autoPauseRatio?: number;
        /** Re-failed messages before a job may pause itself. Default: the plugin-wide one. */
        autoPauseMinimum?: number;
      };
    }>;
    /**
     * On-call alerts: a scheduled task per environment tells the owning
     * squad (Backstage notifications, one per incident) when a service's
     * dead letters spike or a new error group appears, and when it is over.
     * Per service, the component annotations
     * `lunar.app/dead-letter-alert-floor`, `-multiplier` and `-muted-until`
     * override the thresholds or mute it.
     */
    alerts?: {
      /** Watch the environments at all. Default: true. */
      enabled?: boolean;
      /** Seconds between two detection runs of an environment, at least 10. Default: 60. */
      intervalSeconds?: number;
      /**
       * A release of the service (release-status) that reached the
       * environment at most this many minutes before an incident's first
       * failure is named in its notification. Default: 60.
       */
      releaseWindowMinutes?: number;
      /** Minutes counted per window, at least 1. Default: 10. */
      windowMinutes?: number;
      /** Messages in a window a spike must exceed whatever the service's normal. Default: 50. */
      floor?: number;
      /**
       * Times the service's normal (its average per window over the 7 days
       * before) a spike must be, at least 1. Default: 5.
       */
      multiplier?: number;
    };
    /** Redelivery job rates in messages per second, for every environment. */
    redelivery?: {
      /** Messages per second of a job that asks for no rate. Default: 100. */
      defaultRate?: number;
      /** The highest rate (and ramp step) a job may ask for. Default: 1000. */
      maxRate?: number;
      /**
       * A running job pauses itself when its messages are dead-lettered
       * again: at least `autoPauseMinimum` of them, and at least this share
       * of those it published (0 to 1; 0: never). Default: 0.1.
       */
      autoPauseRatio?: number;
      /** Re-failed messages before a job may pause itself. Default: 20. */
      autoPauseMinimum?: number;
    };
    /**
     * Backstage notifications to the squads owning dead letters (for
     * example when a redelivery job pauses itself); each squad's group
     * members receive them.
     */
    notifications?: {
      /**
       * Group (entity ref; `platform` means group:default/platform) notified
       * instead when a message's squad is unknown: its service has no owner
       * in the catalog, or the squad has no group there. Default: none
       * (such messages notify nobody; a warning is logged).
       */
      fallbackGroup?: string;
    };
    /**
     * Who may read message content (body, headers, properties) besides the
     * members of the squad that owns the message's service, which the
     * portal's permission policy always allows. Default: nobody else.
     */
    readers?: {
      /** Groups (entity refs) that may read every message, masked. Default: none. */
      groups?: string[];
      /** Groups (entity refs) that may read every message unmasked. Default: none. */
      unmaskedGroups?: string[];
    };
    /**
     * Values replaced in what the API shows of a message, unless the caller
     * holds dead-letter.message.read-unmasked. Stored bytes and redelivery
     * are never changed.
     */
    masking?: {
      /**
       * JSON paths in JSON bodies: `$.cpr`, `$.account.iban`, `$..cardNumber`
       * (at any depth), `$.items[*].pan`, `$['odd name']`. Default: none.
       */
      jsonPaths?: string[];
      /** Header names, case-insensitive. Default: ['authorization']. */
      headers?: string[];
      /** What a masked value is replaced by. Default: '***'. */
      replacement?: string;
    };
    /**
     * How long messages are kept, counted from their first death; a
     * scheduled task purges older ones every hour. Default: { days: 30 }.
     */
    retention?: {
      /** Whole days, at least 1. */
      days: number;
    };
    /**
     * Deleted and redelivered messages are archived, restorable until they
     * expire; a scheduled task purges expired ones every hour.
     */
    archive?: {
      /** Days an archived message stays restorable, at least 1; never beyond the message `retention` after its first death. Default: 14. */
      retentionDays?: number;
    };
    /**
     * Regular expression applied to the first-death queue; its `service`
     * group is the service. Default: '(?:^|_)(?<service>[^_]+)$' (Lunar's
     * `..._<service>` suffix).
     */
    servicePattern?: string;
    /** Header carrying the handler's error text. Default: 'x-error'. */
    errorHeader?: string;
    /** Seconds a service's squad (catalog owner) is cached; unknown services at most 30. Default: 300. */
    squadCacheSeconds?: number;
    /**
     * Seconds a person's `dead-letter.message.read` and `read-unmasked`
     * decisions are reused before the permission backend is asked again,
     * 1 to 300. Default: 10.
     */
    readDecisionCacheSeconds?: number;
  };
}
