export interface Config {
  catalog?: {
    /**
     * The shuttle catalog module's own settings. The mapping's settings
     * under the same key (fileNames, lifecycle, plans, ...) are declared by
     * @internal/plugin-shuttle-node, which reads them.
     */
    shuttle?: {
      /**
       * How often the shared systems, domains and RabbitMQ resources are
       * rebuilt. Default: every 30 seconds, first after 10 seconds.
       */
      schedule?: {
        frequency:
          | { seconds?: number; minutes?: number; hours?: number }
          | string;
        timeout:
          | { seconds?: number; minutes?: number; hours?: number }
          | string;
        initialDelay?:
          | { seconds?: number; minutes?: number; hours?: number }
          | string;
      };
    };
  };
}
