#!/usr/bin/env node
// Bundle the docs site's browser app: type-check src/site (its own tsconfig: DOM, no emit), then
// esbuild src/site/main.ts into ONE classic script (iife) dist/site/app.js and src/site/app.css
// into dist/site/app.css, both minified. Pages opened from file:// cannot load module scripts,
// hence the classic script.
//
// The selector code is bundled from @tform/core's compiled dist (so run `tsc -b` first, as the
// root build script does); its Node imports are replaced by the small shims in src/site/shims.
//
//   node packages/docs/scripts/bundle.mjs [--no-check] [--metafile]
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const PKG = dirname(dirname(fileURLToPath(import.meta.url)));
const SITE = join(PKG, 'src', 'site');
const OUT = join(PKG, 'dist', 'site');
const CORE_DIST = join(PKG, '..', 'core', 'dist') + sep;
const args = new Set(process.argv.slice(2));

const SHIMS = {
  'node:path': join(SITE, 'shims', 'path.ts'),
  path: join(SITE, 'shims', 'path.ts'),
  'node:crypto': join(SITE, 'shims', 'crypto.ts'),
  crypto: join(SITE, 'shims', 'crypto.ts'),
  'node:fs': join(SITE, 'shims', 'unavailable.ts'),
  'node:module': join(SITE, 'shims', 'unavailable.ts'),
};

/** Node built-ins → browser shims; core's compiled modules are side-effect free, so unused ones drop out. */
const shimPlugin = {
  name: 'tform-docs-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(path|crypto|fs|module)$/ }, (a) => (SHIMS[a.path] ? { path: SHIMS[a.path] } : undefined));
    build.onResolve({ filter: /^\.\.?\// }, async (a) => {
      if (a.pluginData?.shimmed || !join(a.resolveDir, a.path).startsWith(CORE_DIST)) return undefined;
      const r = await build.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: { shimmed: true } });
      return r.errors.length ? undefined : { ...r, sideEffects: false };
    });
  },
};

function typeCheck() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(SITE, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('docs site: type errors in packages/docs/src/site');
    process.exit(1);
  }
}

async function main() {
  try {
    statSync(join(CORE_DIST, 'select', 'select.js'));
  } catch {
    console.error('docs site: packages/core/dist is missing; run `npx tsc -b` first');
    process.exit(1);
  }
  if (!args.has('--no-check')) typeCheck();
  mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, minify: true, write: false, logLevel: 'warning', target: ['chrome111', 'firefox115', 'safari16.4'], legalComments: 'eof' };
  const js = await esbuild.build({
    ...common,
    entryPoints: [join(SITE, 'main.ts')],
    outfile: join(OUT, 'app.js'),
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [shimPlugin],
    metafile: true,
    tsconfig: join(SITE, 'tsconfig.json'),
    // core's YAML loader (for selectors.yml) is parsed but tree-shaken away; its import.meta is never reached.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const css = await esbuild.build({ ...common, entryPoints: [join(SITE, 'app.css')], outfile: join(OUT, 'app.css') });
  for (const f of [...js.outputFiles, ...css.outputFiles]) {
    const tmp = `${f.path}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
    console.log(`docs site: ${relative(process.cwd(), f.path)} ${(f.contents.length / 1024).toFixed(0)} KiB`);
  }
  if (args.has('--metafile')) writeFileSync(join(OUT, 'meta.json'), JSON.stringify(js.metafile));
}

await main();
