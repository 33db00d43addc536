/**
 * The generate-time side of the docs site: the layered graph layout, data.js (DocsData unchanged
 * plus the layout, safe to embed), writeSite's files, and that the benchmark's synthetic
 * generator (plain JavaScript) matches the test helper's.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, dataScript, layeredLayout, readDataScript, writeSite } from '@tform/docs';
import type { DocsData } from '@tform/core';
import { GAMING, gamingDocs, syntheticDocs } from './helpers/docsData.js';
// @ts-expect-error plain JavaScript module without types

const OUT = join(import.meta.dirname, '.tmp', 'docs-site-layout');

const edge = (parents: string[], id: string) => parents.map((p) => [p, id] as const);

describe('layeredLayout', () => {
  it('places every drawn node, and only those', () => {
    const data = gamingDocs();
    const layout = layeredLayout(data.nodes);
    expect(Object.keys(layout.positions).sort()).toEqual(GAMING.drawn);
    expect(layout.depths).toBe(5); // source, seed → brz_events → stg_events, stg_users → daily_user_panel → gold and the analysis
  });

  it('puts parents left of their children', () => {
    const data = syntheticDocs({ models: 800, seed: 3 });
    const { positions } = layeredLayout(data.nodes);
    for (const n of data.nodes) {
      if (n.resourceType === 'test') continue;
      for (const [p, c] of edge(n.parents, n.uniqueId)) expect(positions[p]![0]).toBeLessThan(positions[c]![0]);
    }
  });

  it('is deterministic and independent of the input order', () => {
    const data = syntheticDocs({ models: 600, seed: 7 });
    const a = layeredLayout(data.nodes);
    const b = layeredLayout(data.nodes);
    const shuffled = [...data.nodes].reverse();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(b).toEqual(a);
    expect(layeredLayout(shuffled)).toEqual(a);
  });

  it('gives every node its own position', () => {
    const { positions } = layeredLayout(syntheticDocs({ models: 2000 }).nodes);
    const seen = new Set(Object.values(positions).map(([x, y]) => `${x},${y}`));
    expect(seen.size).toBe(2000);
  });

  it('tolerates cycles, self loops and unknown parents', () => {
    const n = (uniqueId: string, parents: string[]) => ({ uniqueId, resourceType: 'model', show: true, parents });
    const layout = layeredLayout([n('a', ['c']), n('b', ['a', 'b']), n('c', ['b']), n('d', ['c', 'missing']), n('e', [])]);
    expect(Object.keys(layout.positions).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(layout.positions.d![0]).toBeGreaterThan(layout.positions.c![0]);
  });

  it('lays out 5,000 models quickly', () => {
    const data = syntheticDocs({ models: 5000 });
    const t0 = performance.now();
    const layout = layeredLayout(data.nodes);
    const ms = performance.now() - t0;
    expect(Object.keys(layout.positions)).toHaveLength(5000);
    expect(ms).toBeLessThan(1000);
  });
});

describe('writeSite and data.js', () => {
  it('writes the four files and carries DocsData unchanged beside the layout', () => {
    rmSync(OUT, { recursive: true, force: true });
    const data = gamingDocs();
    const copy = structuredClone(data);
    const written = writeSite(OUT, data);
    expect(data).toEqual(copy); // the input is not modified
    expect(written.files.map((f) => f.slice(OUT.length + 1))).toEqual(['data.js', 'app.css', 'app.js', 'index.html']);
    expect(written.bytes).toBe(written.files.reduce((a, f) => a + statSync(f).size, 0));
    expect(readdirSync(OUT).sort()).toEqual(['app.css', 'app.js', 'data.js', 'index.html']);
    const sandbox = { window: {} as { __TFORM_DOCS_GZ__?: string } };
    runInNewContext(readFileSync(join(OUT, 'data.js'), 'utf8'), sandbox);
    expect(typeof sandbox.window.__TFORM_DOCS_GZ__).toBe('string');
    const { layout, ...docs } = readDataScript(readFileSync(join(OUT, 'data.js'), 'utf8'));
    expect(docs).toEqual(JSON.parse(JSON.stringify(data)));
    expect(layout).toEqual(layeredLayout(data.nodes));
    const html = readFileSync(join(OUT, 'index.html'), 'utf8');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`);
    expect(html).toContain('<script src="data.js" defer></script>\n<script src="app.js" defer></script>');
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline scripts
    // app.js is one classic script (no import/export statements).
    const js = readFileSync(join(OUT, 'app.js'), 'utf8');
    expect(js).not.toMatch(/^\s*(import|export)\s/m);
    expect(js.length).toBeLessThan(1_200_000);
  });

  it('escapes what could end the script or break older parsers', () => {
    const data: DocsData = gamingDocs();
    data.project.name = 'x</script><script>alert(1)</script>';
    data.nodes[0]!.description = 'a </script> b <!-- c \u2028 d \u2029 e';
    const js = dataScript({ ...data, layout: layeredLayout(data.nodes) });
    expect(js.startsWith('window.__TFORM_DOCS_GZ__ = "')).toBe(true);
    expect(js).not.toContain('<');
    expect(js).not.toMatch(/[\u2028\u2029]/);
    expect(readDataScript(js).nodes[0]!.description).toBe('a </script> b <!-- c \u2028 d \u2029 e');
    rmSync(OUT, { recursive: true, force: true });
    writeSite(OUT, data);
    const html = readFileSync(join(OUT, 'index.html'), 'utf8');
    expect(html).toContain('<title>x&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62; · tform docs</title>');
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('replaces a previous site in place, leaving no temporary files', () => {
    writeSite(OUT, gamingDocs());
    writeSite(OUT, syntheticDocs({ models: 50 }));
    expect(readdirSync(OUT).sort()).toEqual(['app.css', 'app.js', 'data.js', 'index.html']);
    expect(JSON.stringify(readDataScript(readFileSync(join(OUT, 'data.js'), 'utf8')))).toContain('bench_docs');
    expect(existsSync(join(OUT, 'index.html'))).toBe(true);
  });
});

describe('synthetic DocsData', () => {
  it('is realistic: layers, 1–3 parents, columns with upstream columns, SQL, tests', () => {
    const data = syntheticDocs({ models: 1000 });
    const models = data.nodes.filter((n) => n.resourceType === 'model');
    expect(models).toHaveLength(1000);
    expect(new Set(models.map((m) => m.layer))).toEqual(new Set(['bronze', 'silver', 'gold']));
    for (const m of models) {
      if (m.layer !== 'bronze') expect(m.parents.length).toBeGreaterThanOrEqual(1);
      expect(m.parents.length).toBeLessThanOrEqual(3);
      expect(m.rawCode).toMatch(/^select/);
      for (const c of m.columns) for (const u of c.upstream ?? []) expect(m.parents).toContain(u.node);
    }
    expect(data.nodes.filter((n) => n.resourceType === 'test').length).toBe(500);
  });
});
