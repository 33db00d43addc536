export * from './commandLine.js';
export * from './errorReport.js';
export * from './finish.js';
export * from './loadRun.js';
export * from './crontab.js';
