import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closest, TformError } from '../errors/index.js';
import type { AdapterFactory } from './types.js';

export type BuiltinAdapters = Record<string, () => Promise<AdapterFactory>>;

/** Package names a plug-in adapter for `type` may be published under, in lookup order. */
export function adapterPackageNames(type: string): string[] {
  return [`@tform/adapter-${type}`, `tform-adapter-${type}`];
}

function isFactory(v: unknown): v is AdapterFactory {
  return typeof v === 'object' && v !== null && typeof (v as AdapterFactory).create === 'function' && typeof (v as AdapterFactory).type === 'string';
}

/** Plug-in adapter packages installed in the project's node_modules. */
export function installedAdapterPackages(projectDir: string): string[] {
  const out: string[] = [];
  const nm = join(projectDir, 'node_modules');
  if (!existsSync(nm)) return out;
  for (const e of readdirSync(nm)) {
    if (e.startsWith('tform-adapter-')) out.push(e);
    if (e === '@tform' && existsSync(join(nm, '@tform'))) for (const s of readdirSync(join(nm, '@tform'))) if (s.startsWith('adapter-')) out.push(`@tform/${s}`);
  }
  return out.sort();
}

/**
 * Find the adapter for a profile's `type:` — built-ins first, then an npm package resolved from the
 * *project's* directory (not tform's own install), so a project can add an adapter with npm install.
 */
export async function resolveAdapterFactory(
  type: string,
  o: { projectDir: string; builtins: BuiltinAdapters; file?: string; line?: number },
): Promise<AdapterFactory> {
  const builtin = o.builtins[type];
  if (builtin) return builtin();
  const req = createRequire(join(o.projectDir, 'package.json'));
  for (const name of adapterPackageNames(type)) {
    let resolved: string;
    try {
      resolved = req.resolve(name);
    } catch {
      continue;
    }
    const mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    const candidates = [mod.default, mod.adapterFactory, (mod.default as Record<string, unknown> | undefined)?.adapterFactory, ...Object.values(mod)];
    const f = candidates.find(isFactory);
    if (!f) throw new TformError('ADAPTER_UNKNOWN', `package ${name} does not export an adapter factory`, { file: o.file, line: o.line, hint: 'export default { type, create(profile, ctx) }' });
    if (f.type !== type) throw new TformError('ADAPTER_UNKNOWN', `package ${name} provides adapter type '${f.type}', not '${type}'`, { file: o.file, line: o.line });
    return f;
  }
  const installed = installedAdapterPackages(o.projectDir);
  const near = closest(type, Object.keys(o.builtins));
  throw new TformError('ADAPTER_UNKNOWN', `no adapter for type '${type}'`, {
    file: o.file,
    line: o.line,
    hint: `${near ? `did you mean '${near}'? ` : ''}built-in: ${Object.keys(o.builtins).sort().join(', ')}${installed.length ? `; installed: ${installed.join(', ')}` : ''}; or npm install ${adapterPackageNames(type)[0]} in the project`,
  });
}
