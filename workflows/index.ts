export { drillWorkflow } from './drill.js';
