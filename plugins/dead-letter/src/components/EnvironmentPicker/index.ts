export { EnvironmentPicker, EnvironmentState } from './EnvironmentPicker';
