import type { TargetProfile } from '../adapter/types.js';
import { TformError } from '../errors/index.js';
import { newScope } from './scope.js';
import type { TemplateEngine } from './templating.js';

export interface NamingNode {
  name: string;
  path: string;
  resourceType: 'model' | 'seed';
  fqn: string[];
  config: Record<string, unknown>;
}

function noRef(): never {
  throw new TformError('TEMPLATE_RENDER', 'ref() and source() cannot be used while naming relations');
}

/**
 * Relation naming as dbt users expect. The project may override either rule with a macro named
 * `generate_schema_name(custom_schema_name, node)` or `generate_alias_name(custom_alias_name, node)`.
 */
export class Naming {
  constructor(
    private readonly engine: TemplateEngine,
    private readonly target: TargetProfile,
    private readonly context: Record<string, unknown>,
  ) {}

  private viaMacro(macro: string, custom: unknown, node: NamingNode): string {
    const scope = newScope({
      mode: 'compile',
      file: this.engine.macros.get(macro)!.path,
      raw: '',
      resolveRef: noRef,
      resolveSource: noRef,
      context: { ...this.context, model: node },
    });
    const out = this.engine.callMacro(macro, [custom ?? null, { ...node, resource_type: node.resourceType, original_file_path: node.path }], scope).trim();
    if (!out) {
      throw new TformError('CONFIG_INVALID', `macro ${macro} returned an empty name for ${node.name}`, { file: this.engine.macros.get(macro)!.path });
    }
    return out;
  }

  schema(node: NamingNode): string {
    const custom = node.config.schema;
    if (this.engine.hasMacro('generate_schema_name')) return this.viaMacro('generate_schema_name', custom, node);
    if (custom === undefined || custom === null || custom === '') return this.target.schema;
    return `${this.target.schema}_${String(custom).trim()}`;
  }

  alias(node: NamingNode): string {
    const custom = node.config.alias;
    if (this.engine.hasMacro('generate_alias_name')) return this.viaMacro('generate_alias_name', custom, node);
    if (custom === undefined || custom === null || custom === '') return node.name;
    return String(custom).trim();
  }

  database(node: NamingNode): string | undefined {
    const custom = node.config.database;
    if (this.engine.hasMacro('generate_database_name')) return this.viaMacro('generate_database_name', custom, node);
    if (custom === undefined || custom === null || custom === '') return this.target.database;
    return String(custom).trim();
  }
}
