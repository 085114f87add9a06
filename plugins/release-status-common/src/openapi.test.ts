import path from 'node:path';
import { describeOpenApiDocument } from '@internal/plugin-lunar-test-utils';

describeOpenApiDocument({
  dir: path.resolve(__dirname, '..'),
  entityName: 'release-status-http',
});
