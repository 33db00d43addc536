export * from './types.js';
export * from './threshold.js';
export * from './config.js';
export * from './naming.js';
export * from './builtinArgs.js';
export * from './builtinSql.js';
export * from './freshness.js';
export * from './percentChange.js';
export * from './fuse.js';
export * from './generic.js';
export * from './declare.js';
export * from './singular.js';
export * from './render.js';
export * from './queries.js';
// Schema YAML reading, for callers building tests from YAML text (and tests of this module).
export { readSchemaFile, testPositions, type NodePatch, type SourceSpec, type SourceTableSpec, type ColumnSpec, type TestPositions } from '../project/schemaYaml.js';
