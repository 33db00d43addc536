/**
 * callLine finds the line of a ref()/source()/config() call for error messages. It is a scan;
 * here it is checked against the plain regular-expression definition on random text.
 */
import { describe, expect, it } from 'vitest';
import { callLine } from '../packages/core/src/compile/scope.js';
import { mulberry32 } from '../bench/generate-project.mjs';

/** The definition: first `\bfn\s*\(` followed by the quoted args, else the first `\bfn\s*\(`, else line 1. */
function reference(raw: string, fn: string, args: string[]): number {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const argRe = args.map((a) => `\\s*['"]${esc(a)}['"]\\s*`).join(',');
  let idx = raw.search(new RegExp(`\\b${fn}\\s*\\(${argRe}`));
  if (idx < 0) idx = raw.search(new RegExp(`\\b${fn}\\s*\\(`));
  if (idx < 0) return 1;
  return raw.slice(0, idx).split('\n').length;
}

describe('callLine', () => {
  it('agrees with the regular-expression definition on 5000 random texts', () => {
    const rnd = mulberry32(99);
    const bits = ['ref', 'xref', 'refs', 'source', ' ', '\n', '\t', '(', ')', "'", '"', ',', 'a', 'b', 'raw', 'e', '{{ ', ' }}', "ref('a')", "ref( 'b' , 'a' )", "source('raw','e')", '_ref'];
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const queries: [string, string[]][] = [['ref', ['a']], ['ref', ['b', 'a']], ['source', ['raw', 'e']], ['config', []], ['ref', ['a(']]];
    for (let k = 0; k < 5000; k++) {
      let raw = '';
      for (let j = 0, n = 1 + Math.floor(rnd() * 20); j < n; j++) raw += pick(bits);
      for (const [fn, args] of queries) expect(callLine(raw, fn, args), JSON.stringify([raw, fn, args])).toBe(reference(raw, fn, args));
    }
  });
});
