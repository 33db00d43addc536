import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { executeDocsGenerate, openProject, readProjectConfig, targetPathFromFlags, TformError } from '@tform/core';
import { isLoopbackHost, serveDocs, writeSite } from '@tform/docs';
import { common, loggerFor, type GlobalArgs } from '../globalOptions.js';
import { handle } from '../handle.js';

interface GenerateArgs extends GlobalArgs {
  'empty-catalog': boolean;
  threads?: number;
}

interface ServeArgs extends GlobalArgs {
  host: string;
  port: number;
}

const DOCS_DIR = 'docs';

const generate: CommandModule<GlobalArgs, GenerateArgs> = {
  command: 'generate',
  describe: 'Compile the project, read the catalog, trace column lineage and write the static site to target/docs',
  builder: (y) =>
    y
      .option('empty-catalog', { type: 'boolean', default: false, describe: 'Do not read the warehouse: no column types and no chart rows' })
      .option('threads', { type: 'number', describe: 'Connections used to read the catalog (default: profile threads, else 4)' }) as never,
  handler: async (a: ArgumentsCamelCase<GenerateArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      const t0 = Date.now();
      const p = await openProject(common(a, logger, 'docs generate'));
      try {
        const r = await executeDocsGenerate(p, { emptyCatalog: a['empty-catalog'] });
        const out = join(p.project.root, p.project.config.targetPath, DOCS_DIR);
        const site = writeSite(out, r.data);
        const { models, withLineage } = r.lineage;
        logger.info(`Column lineage for ${withLineage} of ${models} model${models === 1 ? '' : 's'} (${r.data.lineage.parser})`, 'docs_lineage', {
          models,
          withLineage,
          failures: r.lineage.failures,
        });
        for (const f of r.lineage.failures) logger.debug(`  no column lineage for ${f.uniqueId}: ${f.reason}`);
        if (r.catalog) logger.info(`Catalog: columns of ${Object.keys(r.catalog.nodes).length} relations, written to ${p.project.config.targetPath}/catalog.json`, 'docs_catalog', { relations: Object.keys(r.catalog.nodes).length });
        else logger.info(`Catalog: ${r.data.catalog.note ?? 'not read'}`, 'docs_catalog', { relations: 0 });
        if (r.charts.rendered + r.charts.failed > 0) logger.info(`Charts: ${r.charts.rendered} with rows, ${r.charts.failed} without`, 'docs_charts', r.charts);
        const rel = relative(process.cwd(), out) || '.';
        logger.info(`Wrote the docs site to ${rel} (${site.files.length} files, ${(site.bytes / 1024).toFixed(0)} KiB) in ${((Date.now() - t0) / 1000).toFixed(2)}s; open ${rel}/index.html or run tform docs serve`, 'docs_written', {
          dir: out,
          files: site.files.length,
          bytes: site.bytes,
        });
        return 0;
      } finally {
        await p.adapter?.close();
      }
    });
  },
};

const serve: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'Serve target/docs over HTTP (127.0.0.1 unless --host says otherwise)',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind; anything but a loopback address makes the site reachable from other machines' })
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0: any free port)' }) as never,
  handler: async (a: ArgumentsCamelCase<ServeArgs>) => {
    const logger = loggerFor(a);
    await handle(logger, async () => {
      if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new TformError('FLAG_INVALID', `--port must be a whole number from 0 to 65535, got ${a.port}`);
      const root = resolve(a['project-dir']);
      const targetPath = targetPathFromFlags(a['target-path'], process.env) ?? readProjectConfig(root).config.targetPath;
      const dir = resolve(root, targetPath, DOCS_DIR);
      if (!existsSync(join(dir, 'index.html'))) {
        throw new TformError('PROJECT_INVALID', `no docs site at ${relative(process.cwd(), dir) || dir}`, { hint: 'run tform docs generate first' });
      }
      if (!isLoopbackHost(a.host)) logger.warn(`Serving on ${a.host}: the docs site (with compiled SQL) is reachable from other machines`, 'docs_public_host', { host: a.host });
      const server = await serveDocs({ dir, host: a.host, port: a.port });
      logger.info(`Serving the docs site at ${server.url} (Ctrl+C to stop)`, 'docs_serving', { url: server.url });
      await new Promise<void>((done) => {
        const stop = () => void server.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    });
  },
};

export const docsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'docs <command>',
  describe: 'The documentation site: generate it, serve it',
  builder: (y: Argv<GlobalArgs>) => y.command(generate).command(serve).demandCommand(1, 'Pick one: tform docs generate | tform docs serve') as never,
  handler: () => {},
};
