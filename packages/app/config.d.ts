export interface Config {
  lunar?: {
    signIn?: {
      /**
       * Sign-in providers offered on the sign-in page, in order: `guest`
       * and/or `github`. Default: guest.
       * @visibility frontend
       */
      providers?: string[];
    };
  };
}
