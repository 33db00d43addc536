import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { openProject, selectFor } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface LsArgs extends GlobalArgs, SelectionArgs {
  'resource-type'?: string[];
  output: 'name' | 'path' | 'selector' | 'json';
}

export const lsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: ['ls', 'list'],
  describe: 'List the selected resources',
  builder: (y) =>
    withSelection(y)
      .option('resource-type', { type: 'string', array: true, choices: ['model', 'seed', 'source', 'test'], describe: 'Only these resource types' })
      .option('output', { choices: ['name', 'path', 'selector', 'json'] as const, default: 'selector' as const }) as never,
  handler: async (a: ArgumentsCamelCase<LsArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const p = await openProject(common(a, logger, 'ls'));
      const m = p.session.manifest;
      const types = (a['resource-type'] ?? ['model', 'seed']) as ('model' | 'seed' | 'source' | 'test')[];
      const ids = selectFor(p, selection(a), types);
      const lines: string[] = [];
      for (const id of ids) {
        const s = m.sources[id];
        if (s) {
          lines.push(a.output === 'json' ? JSON.stringify({ unique_id: s.uniqueId, name: s.name, resource_type: 'source', relation: s.relationName }) : a.output === 'path' ? s.path : `source:${s.fqn.join('.')}`);
          continue;
        }
        const t = m.tests[id];
        if (t) {
          lines.push(a.output === 'json' ? JSON.stringify({ unique_id: t.uniqueId, name: t.name, resource_type: 'test', test_type: t.testType, attached_node: t.attachedNode ?? null }) : a.output === 'path' ? t.path : a.output === 'name' ? t.name : `test:${t.name}`);
          continue;
        }
        const n = m.nodes[id]!;
        if (a.output === 'json') lines.push(JSON.stringify({ unique_id: id, name: n.name, resource_type: n.resourceType, path: n.path, materialized: n.materialized, layer: n.layer ?? null, tags: n.tags, relation: n.relationName }));
        else lines.push(a.output === 'name' ? n.name : a.output === 'path' ? n.path : n.fqn.join('.'));
      }
      if (lines.length) logger.print(lines.join('\n'));
      else logger.warn('No nodes selected');
      await p.adapter?.close();
      return 0;
    });
  },
};
