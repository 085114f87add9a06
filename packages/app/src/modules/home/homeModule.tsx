import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const welcome = `
Lunar's developer portal answers five questions:
**What do we have? Who owns it? What talks to what? What can I do with it? How do I do it?**

New here? [Take the tour](/docs/default/component/lunar-developer-portal/tour/): every screen, in the order you will need them.

- [Catalog](/catalog): every service, library and squad, built from each repository's \`shuttle.yaml\`.
- [Squads](/squads) and [Releases](/releases): who owns what, and what runs where, how far behind master.
- [Dead Letter](/dead-letter): messages RabbitMQ dead-lettered, per squad and service, to inspect, redeliver or delete.
- [APIs](/api-docs): OpenAPI specifications of our services.
- [Docs](/docs): documentation next to the code (TechDocs), including [the portal's own](/docs/default/component/lunar-developer-portal).
- [Create...](/create): start a new service or library from a template.
`;

const welcomeWidget = HomePageWidgetBlueprint.make({
  name: 'welcome',
  params: {
    name: 'LunarWelcome',
    title: 'Welcome to Lunar',
    description: 'What the portal is for and where to start',
    components: async () => ({
      Content: () => <MarkdownContent content={welcome} />,
    }),
  },
});

const ownedEntitiesWidget = HomePageWidgetBlueprint.make({
  name: 'owned-entities',
  params: {
    name: 'LunarOwnedEntities',
    title: 'Owned by you and your squad',
    description: 'Entities owned by you or your groups',
    components: () =>
      import('./OwnedEntities').then(m => ({ Content: m.OwnedEntities })),
  },
});

/** Lunar's widgets for the home page; the layout is set in app-config.yaml. */
export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget, ownedEntitiesWidget],
});
