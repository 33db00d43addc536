// `npm run bench -- --vs dataform`: Dataform's CLI compiling the same generated shape as the
// compile benchmark, side by side with `tform compile`, in the same run.
//
// The Dataform project is written from the same plan as bench/generate-project.mjs (same models,
// folders, refs, sources and templated share): plain models as SQLX with `${ref("x")}`, templated
// ones as SQLX `${}` JavaScript expressions (loops, vars, functions from includes/, refs computed in
// loops and in an include), the two column tests as assertions (nonNull and uniqueKey on id).
// @dataform/cli and @dataform/core are installed from npm, pinned, into bench/.work/dataform-cli
// (once; reused by later runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { planProject } from './generate-project.mjs';

/** The newest releases on npm when this was written: the CLI and core are versioned separately. */
export const DATAFORM_CLI_VERSION = '3.0.69';
export const DATAFORM_CORE_VERSION = '3.0.62';

const COLS = ['id', 'user_id', 'event_date', 'category', 'amount', 'quantity'];
const CATEGORIES = ['web', 'ios', 'android', 'console', 'partner'];
const q = (s) => JSON.stringify(s);

function joins(m) {
  const aliases = ['a', 'b', 'c'];
  let sql = `from \${ref(${q(m.refs[0])})} as a\n`;
  for (let k = 1; k < m.refs.length; k++) sql += `left join \${ref(${q(m.refs[k])})} as ${aliases[k]} on ${aliases[k]}.id = a.id\n`;
  return sql;
}

function body(m) {
  if (m.sources.length) {
    return `select cast(id as int64) as id, cast(user_id as int64) as user_id, cast(event_ts as date) as event_date,\n  lower(category) as category, cast(amount as numeric) as amount, cast(quantity as int64) as quantity\nfrom \${ref(${q(m.sources[0])})}\n`;
  }
  const extraCols = (col) => m.refs.slice(1).map((_, k) => ` + coalesce(${['b', 'c'][k]}.${col}, 0)`).join('');
  const list = `[${m.refs.map(q).join(', ')}]`;
  switch (m.variant) {
    case 'set_for': {
      const extraJs = m.refs.slice(1).map((_, k) => ` + " + coalesce(${['b', 'c'][k]}." + c + ", 0)"`).join('');
      return `-- ${m.name}: columns built in JavaScript.\nselect\n\${["id", "user_id", "event_date", "category"].map((k) => "    a." + k + ",").join("\\n")}\n\${["amount", "quantity"].map((c) => "    a." + c${extraJs} + " as " + c).join(",\\n")}\n${joins(m)}`;
    }
    case 'var_if':
      return `-- ${m.name}: filters driven by project vars.\nselect a.id, a.user_id, a.event_date, a.category,\n    a.amount * \${dataform.projectConfig.vars.amount_scale} as amount, a.quantity\n${joins(m)}where 1 = 1\n\${Number(dataform.projectConfig.vars.lookback_days) > 0 ? "  and a.event_date >= date_sub(current_date(), interval " + dataform.projectConfig.vars.lookback_days + " day)" : ""}\n\${dataform.projectConfig.vars.include_test_rows !== "true" ? "  and a.category <> 'test'" : "  and a.category <> '${CATEGORIES[m.seedBits % CATEGORIES.length]}'"}\n`;
    case 'macros': {
      const other = m.refs.length > 1 ? 'b.amount' : 'a.quantity';
      return `-- ${m.name}: uses functions from includes/.\nselect a.id, a.user_id,\n    \${macros.day_of("a.event_date")} as event_date,\n    \${macros.normalize_category("a.category")} as category,\n    \${macros.cents_to_dollars("a.amount * 100")} + \${macros.safe_divide("a.amount", ${q(other)})} as amount,\n    a.quantity\n${joins(m)}where \${macros.is_recent("a.event_date")}\n`;
    }
    case 'config_loop_refs':
      return `-- ${m.name}: refs computed in a loop, union of parents.\n\${${list}.map((p) => "select ${COLS.join(', ')} from " + ref(p)).join("\\nunion all\\n")}\n`;
    case 'macro_refs':
      return `-- ${m.name}: an include calls ref() for it.\nwith unioned as (\n\${macros.union_models(${list}, ref)}\n)\nselect \${macros.column_list()} from unioned\n`;
    default:
      return `-- ${m.name}: plain model (literal refs only).\nselect a.id, a.user_id, a.event_date, a.category, a.amount${extraCols('amount')} as amount, a.quantity\n${joins(m)}${m.seedBits % 3 === 0 ? `where a.category <> '${CATEGORIES[m.seedBits % CATEGORIES.length]}'\n` : ''}`;
  }
}

function sqlx(m) {
  const type = m.variant === 'config_loop_refs' || m.layer === 'gold' ? 'table' : 'view';
  const part = m.folder.split('/')[1];
  const tags = [m.layer, part, ...(m.variant === 'config_loop_refs' ? ['looped'] : [])];
  const parents = m.sources.length ? `source raw.${m.sources[0]}` : m.refs.join(', ');
  return `config {
  type: ${q(type)},
  schema: ${q(m.layer)},
  tags: ${JSON.stringify(tags)},
  description: ${q(`Synthetic ${m.layer} model ${m.name} built from ${parents}.`)},
  columns: {
    id: "Row key, carried from the first parent.",
    user_id: "The user the row belongs to.",
    amount: "Amount in dollars."
  },
  assertions: { nonNull: ["id"], uniqueKey: ["id"] }
}

${body(m)}`;
}

const INCLUDES = `// Helpers shared by the models (the counterpart of the tform project's macros).
const COLS = ${JSON.stringify(COLS)};
const KNOWN = ${JSON.stringify(CATEGORIES)};
function cents_to_dollars(expr, scale = 2) { return "round(cast(" + expr + " as numeric) / 100, " + scale + ")"; }
function safe_divide(num, den) { return "case when " + den + " is null or " + den + " = 0 then null else " + num + " / " + den + " end"; }
function day_of(expr) { return "cast(" + expr + " as date)"; }
function is_recent(expr, days) { const d = days !== undefined ? days : dataform.projectConfig.vars.lookback_days; return expr + " >= date_sub(current_date(), interval " + d + " day)"; }
function normalize_category(expr) { return "case" + KNOWN.map((k) => "\\n    when lower(" + expr + ") = '" + k + "' then '" + k + "'").join("") + "\\n    else 'other'\\nend"; }
function column_list(prefix = "") { return COLS.map((c) => prefix + c).join(", "); }
function union_models(names, ref) { return names.map((n) => "select " + column_list() + " from " + ref(n)).join("\\nunion all\\n"); }
module.exports = { cents_to_dollars, safe_divide, day_of, is_recent, normalize_category, column_list, union_models };
`;

/** Write the Dataform project for `models`/`seed` into `out`; `coreModules` is node_modules holding @dataform/core. */
export function generateDataformProject({ out, models, seed, coreModules }) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'definitions'), { recursive: true });
  mkdirSync(join(out, 'includes'));
  const plan = planProject({ models, seed });
  writeFileSync(
    join(out, 'workflow_settings.yaml'),
    'defaultProject: bench-project\ndefaultLocation: US\ndefaultDataset: main\ndefaultAssertionDataset: assertions\nvars:\n  lookback_days: "30"\n  amount_scale: "1"\n  include_test_rows: "false"\n',
  );
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'bench-dataform', private: true, dependencies: { '@dataform/core': DATAFORM_CORE_VERSION } }, null, 2) + '\n');
  // a copy, not a link: Dataform's sandbox only loads modules from inside the project folder
  mkdirSync(join(out, 'node_modules', '@dataform'), { recursive: true });
  cpSync(join(coreModules, '@dataform', 'core'), join(out, 'node_modules', '@dataform', 'core'), { recursive: true });
  writeFileSync(join(out, 'includes', 'macros.js'), INCLUDES);
  const sources = [...new Set(plan.flatMap((m) => m.sources))];
  writeFileSync(join(out, 'definitions', 'sources.js'), `${JSON.stringify(sources)}.forEach((t) => declare({ schema: "main_raw", name: t }));\n`);
  for (const m of plan) {
    const dir = join(out, 'definitions', m.folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${m.name}.sqlx`), sqlx(m));
  }
  return { models: plan.length, templated: plan.filter((m) => m.variant !== 'plain').length };
}

/** Install the pinned Dataform CLI and core into `dir` (skipped when already there); returns the CLI entry. */
export function installDataform(dir, log) {
  const cli = join(dir, 'node_modules', '@dataform', 'cli', 'bundle.js');
  if (!existsSync(cli) || !existsSync(join(dir, 'node_modules', '@dataform', 'core'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-dataform-cli', private: true }, null, 2) + '\n');
    log(`installing @dataform/cli@${DATAFORM_CLI_VERSION} and @dataform/core@${DATAFORM_CORE_VERSION} into ${dir} …`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `@dataform/cli@${DATAFORM_CLI_VERSION}`, `@dataform/core@${DATAFORM_CORE_VERSION}`], { cwd: dir, stdio: 'inherit' });
  }
  if (!existsSync(cli)) throw new Error(`no Dataform CLI at ${cli} after npm install`);
  return cli;
}

/** One `dataform compile --json` of `project`: wall time, and how many actions it compiled. */
export function dataformCompile(cli, project, timeoutS) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'compile', project, '--json', `--timeout=${timeoutS}s`], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: timeoutS * 1000 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`dataform compile exited with ${r.status ?? r.signal}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  const graph = JSON.parse(r.stdout);
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length) throw new Error(`dataform compile reported ${errors.length} compilation errors, e.g. ${JSON.stringify(errors[0]).slice(0, 500)}`);
  return { wallMs, tables: graph.tables?.length ?? 0, assertions: graph.assertions?.length ?? 0 };
}
