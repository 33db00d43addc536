export * from './intervals.js';
export * from './schema.js';
export * from './store.js';
export {
  DEFAULT_STATE_SCHEMA,
  stateTables,
  stateTypes,
  layoutLockStatement,
  type StateTables,
  type StateTypes,
} from './sql.js';
export * from './files.js';
export * from './runLog.js';
export * from './runHistory.js';
