#!/usr/bin/env node
/* eslint-disable no-console */
// Copies app-config.production.yaml into deploy/base/, where kustomize can
// put it into the portal's ConfigMap (kustomize reads no file outside its
// folder). The root file is the one to edit; packages/backend's deploy test
// fails when the copy differs. Usage: node scripts/sync-deploy-config.js
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
fs.copyFileSync(
  path.join(root, 'app-config.production.yaml'),
  path.join(root, 'deploy/base/app-config.production.yaml'),
);
console.log('wrote deploy/base/app-config.production.yaml');
