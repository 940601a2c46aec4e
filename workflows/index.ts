export { drillWorkflow } from './drill.js';
export { scheduledDrillWorkflow } from './scheduled.js';
