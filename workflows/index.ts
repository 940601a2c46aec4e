export { drillWorkflow } from './drill.js';
export { drillReminderWorkflow, scheduledDrillWorkflow } from './scheduled.js';
export { healWorkflow } from './heal.js';
export { exerciseWorkflow } from './exercise.js';
