import { TformError } from '../errors/index.js';
import type { ExecNode } from '../compile/manifest.js';

/**
 * Fail with every edge of a cycle, each at the file:line of the ref() that makes it.
 * Iterative DFS with colours; the first back edge found closes the reported cycle.
 */
export function checkAcyclic(nodes: Record<string, ExecNode>): void {
  const WHITE = 0, GREY = 1, BLACK = 2;
  const colour = new Map<string, number>();
  for (const id of Object.keys(nodes)) colour.set(id, WHITE);
  const parentsOf = (id: string) => (nodes[id]?.dependsOn.nodes ?? []).filter((p) => p in nodes);
  for (const start of Object.keys(nodes).sort()) {
    if (colour.get(start) !== WHITE) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    colour.set(start, GREY);
    path.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ps = parentsOf(top.id);
      if (top.next >= ps.length) {
        colour.set(top.id, BLACK);
        stack.pop();
        path.pop();
        continue;
      }
      const p = ps[top.next++]!;
      const c = colour.get(p);
      if (c === GREY) throw cycleError(nodes, [...path.slice(path.indexOf(p)), p]);
      if (c === WHITE) {
        colour.set(p, GREY);
        stack.push({ id: p, next: 0 });
        path.push(p);
      }
    }
  }
}

function cycleError(nodes: Record<string, ExecNode>, cycle: string[]): TformError {
  // cycle[i] depends on cycle[i+1]: the ref lives in cycle[i]'s file.
  const details: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const child = nodes[cycle[i]!]!;
    const parent = nodes[cycle[i + 1]!]!;
    const line = child.resourceType === 'model' ? child.refs.find((r) => r.name === parent.name)?.line : undefined;
    details.push(`${child.path}${line ? `:${line}` : ''}  ${child.name} refs ${parent.name}`);
  }
  const first = nodes[cycle[0]!]!;
  const firstLine = first.resourceType === 'model' ? first.refs.find((r) => r.name === nodes[cycle[1]!]!.name)?.line : undefined;
  return new TformError('CYCLE', `dependency cycle: ${cycle.map((id) => nodes[id]!.name).join(' -> ')}`, {
    file: first.path,
    line: firstLine,
    details,
    hint: 'remove one of these refs; models must form a DAG',
  });
}
