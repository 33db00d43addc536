import nunjucks from 'nunjucks';
import { TformError, closest, isTformError } from '../errors/index.js';
import type { DocBlock } from '../project/docsBlocks.js';
import { descriptionAt, type ColumnSpec } from '../project/schemaYaml.js';

/**
 * Descriptions in schema YAML are templates with dbt's docs context: `{{ doc('name') }}` (a
 * `{% docs %}` block), `var()` and `env_var()`. They are rendered here with a small environment
 * of their own, separate from the model templating; text without `{{`/`{%` is returned as is.
 */
export class DescriptionRenderer {
  private readonly env: nunjucks.Environment;
  /** The error a global raised during the current render (nunjucks wraps what it throws). */
  private raised: TformError | undefined;

  constructor(
    private readonly docs: Map<string, DocBlock>,
    private readonly o: { projectName: string; vars: Record<string, unknown>; env?: NodeJS.ProcessEnv },
  ) {
    this.env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
    this.env.addGlobal('doc', (...args: unknown[]) => this.doc(args));
    this.env.addGlobal('var', (name: unknown, ...rest: unknown[]) => {
      const key = String(name);
      if (Object.prototype.hasOwnProperty.call(this.o.vars, key)) return this.o.vars[key];
      if (rest.length > 0) return rest[0];
      throw this.raise(new TformError('VAR_MISSING', `required var '${key}' is not set (used in a description)`, { hint: `set it under vars: in the project file, pass --vars, or give a default: var('${key}', '...')` }));
    });
    this.env.addGlobal('env_var', (name: unknown, ...rest: unknown[]) => {
      const key = String(name);
      const v = (this.o.env ?? process.env)[key];
      if (v !== undefined) return v;
      if (rest.length > 0) return rest[0];
      throw this.raise(new TformError('ENV_VAR_MISSING', `environment variable '${key}' is not set and env_var() has no default (used in a description)`));
    });
  }

  private raise(e: TformError): TformError {
    this.raised = e;
    return e;
  }

  private doc(args: unknown[]): string {
    if (args.length < 1 || args.length > 2) throw this.raise(new TformError('TEMPLATE_RENDER', `doc() takes a docs block name, or a package and a name; got ${args.length} arguments`));
    const [pkg, name] = args.length === 2 ? [String(args[0]), String(args[1])] : [undefined, String(args[0])];
    if (pkg !== undefined && pkg !== this.o.projectName) {
      throw this.raise(new TformError('DOC_UNKNOWN', `doc('${pkg}', '${name}'): package '${pkg}' is not part of this project`, { hint: `tform reads only this project's docs blocks: use doc('${name}')` }));
    }
    const block = this.docs.get(name);
    if (!block) {
      const near = closest(name, this.docs.keys());
      throw this.raise(
        new TformError('DOC_UNKNOWN', `doc('${name}') does not match any docs block`, {
          hint: near ? `did you mean doc('${near}')?` : this.docs.size ? 'define it with {% docs ' + name + ' %}…{% enddocs %} in a .md file under the docs paths' : 'no {% docs %} blocks were found: define one in a .md file beside the models (or under docs-paths)',
        }),
      );
    }
    return block.contents;
  }

  /** Render one description written at `at` (a schema YAML entry read by readSchemaFile). */
  render(text: string, entry?: object, fallback?: { file?: string; line?: number }): string {
    if (!text || (!text.includes('{{') && !text.includes('{%'))) return text;
    const pos = entry ? descriptionAt(entry) : undefined;
    const where = () => ({ file: pos?.file ?? fallback?.file, line: pos?.line() ?? fallback?.line });
    this.raised = undefined;
    try {
      return this.env.renderString(text, {});
    } catch (e) {
      const err = this.raised ?? (isTformError(e) ? e : undefined);
      this.raised = undefined;
      if (err) throw new TformError(err.code, err.message, { ...where(), hint: err.hint });
      const msg = (e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? String(e);
      throw new TformError('TEMPLATE_SYNTAX', `description cannot be rendered: ${msg}`, { ...where(), hint: "check the {{ }} and {% %} in the description; doc('name') inserts a docs block" });
    }
  }

  /** Columns with their descriptions rendered (new objects; the originals keep their positions). */
  columns(cols: ColumnSpec[]): ColumnSpec[] {
    return cols.map((c) => {
      const d = this.render(c.description, c);
      return d === c.description ? c : { ...c, description: d };
    });
  }
}
