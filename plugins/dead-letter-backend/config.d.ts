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
        /** Unacknowledged deliveries in flight. Default: 1000. */
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
    }>;
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
  };
}
