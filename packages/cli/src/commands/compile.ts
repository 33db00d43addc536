import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { executeCompile, openProject } from '@tform/core';
import { common, loggerFor, selection, withSelection, type GlobalArgs, type SelectionArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface CompileArgs extends GlobalArgs, SelectionArgs {
  introspect: boolean;
  threads?: number;
}

export const compileCommand: CommandModule<GlobalArgs, CompileArgs> = {
  command: 'compile',
  describe: 'Render every model to target/compiled and write target/manifest.json',
  builder: (y) =>
    withSelection(y)
      .option('introspect', {
        type: 'boolean',
        default: false,
        describe: 'Read the warehouse (read-only) so is_incremental() and existing relations are known',
      })
      .option('threads', { type: 'number', describe: 'Connections used while introspecting (default: profile threads, else 4)' }) as never,
  handler: async (a: ArgumentsCamelCase<CompileArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const t0 = Date.now();
      const p = await openProject(common(a, logger, 'compile'));
      try {
        const { manifest, selected } = await executeCompile(p, { ...selection(a), introspect: a.introspect });
        const nodes = selected.map((id) => manifest.nodes[id]!).filter((n) => n.resourceType === 'model');
        const models = nodes.length;
        // how many went through the static fast path (ref/source/config with literals only)
        const staticModels = nodes.filter((n) => n.resourceType === 'model' && p.session.engine.staticPieces(n.rawCode) !== undefined).length;
        logger.info(`Compiled ${models} model${models === 1 ? '' : 's'} in ${((Date.now() - t0) / 1000).toFixed(2)}s; wrote ${p.project.config.targetPath}/compiled and ${p.project.config.targetPath}/manifest.json`, 'compiled', {
          models,
          staticModels,
          ...(p.session.cache ? { cache: { ...p.session.cache.stats } } : {}),
        });
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};
