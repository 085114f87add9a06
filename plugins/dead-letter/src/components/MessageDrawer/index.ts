export { MessageDrawer, renderBody } from './MessageDrawer';
