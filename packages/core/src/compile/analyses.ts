import type { Dialect } from '../adapter/dialect.js';
import type { RelationRef } from '../adapter/types.js';
import { cteName, injectCtes } from './ephemeral.js';
import type { ExecNode, ModelNode } from './manifest.js';
import { Relation } from './relation.js';
import type { CompileSession } from './resolve.js';
import { newScope } from './scope.js';

/**
 * Render the project's analyses (SQL under analysis-paths) into `compiledCode`, as `tform compile`
 * does: refs resolve to the models' relations (or the --defer relations), an ephemeral model is
 * inlined as a CTE holding its compiled SQL. Needs the models rendered first. Nothing runs.
 */
export function renderAnalyses(session: CompileSession, o: { dialect: Dialect; deferred?: Map<string, RelationRef> }): void {
  const { manifest, engine, context } = session;
  const analyses = manifest.analyses ?? {};
  if (Object.keys(analyses).length === 0) return;
  const byName = new Map<string, ExecNode>();
  for (const n of Object.values(manifest.nodes)) byName.set(n.name, n);
  for (const a of Object.values(analyses)) {
    const ctes: { name: string; sql: string }[] = [];
    const scope = newScope({
      mode: 'compile',
      file: a.path,
      raw: a.rawCode,
      context: { ...context, model: { name: a.name, path: a.path, unique_id: a.uniqueId } },
      resolveRef: (name) => {
        const t = byName.get(name)!;
        if (t.resourceType === 'model' && t.materialized === 'ephemeral') {
          const cte = cteName(t.name);
          if (!ctes.some((c) => c.name === cte)) ctes.push({ name: cte, sql: (t as ModelNode).compiledCode ?? '' });
          return new Relation({ schema: '', identifier: cte }, null, cte);
        }
        const d = o.deferred?.get(t.uniqueId);
        return new Relation(d ?? { database: t.database, schema: t.schema, identifier: t.alias }, o.dialect);
      },
      resolveSource: (s, t) => {
        const src = manifest.sources[`source.${manifest.metadata.projectName}.${s}.${t}`]!;
        return new Relation({ database: src.database, schema: src.schema, identifier: src.identifier }, o.dialect);
      },
    });
    a.compiledCode = injectCtes(engine.render(a.rawCode, a.path, scope), ctes);
  }
}
