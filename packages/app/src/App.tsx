import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signIn';
import { scaffolderModule } from './modules/scaffolder';
import { shuttleModule } from './modules/shuttle';

/**
 * Lunar's portal. Plugins listed in package.json are discovered through
 * `app.packages: all`; the modules here carry Lunar's own look.
 */
export default createApp({
  features: [
    catalogPlugin,
    navModule,
    homeModule,
    signInModule,
    scaffolderModule,
    shuttleModule,
  ],
});
