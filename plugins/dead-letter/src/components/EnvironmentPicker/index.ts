export { EnvironmentPicker, EnvironmentState } from './EnvironmentPicker';
export { NoEnvironments } from './NoEnvironments';
export { WithEnvironment } from './WithEnvironment';
