export { shuttleModule } from './shuttleModule';
