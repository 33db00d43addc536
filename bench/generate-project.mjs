#!/usr/bin/env node
// Deterministic generator of a synthetic tform project for benchmarks.
//
//   node bench/generate-project.mjs --models 10000 --out bench/.work/project --seed 1
//
// The same (models, seed) always gives byte-identical files: every random choice comes from a
// seeded PRNG (mulberry32), never Math.random, and nothing depends on the clock or the machine.
//
// Shape of the project:
//   - models/{bronze,silver,gold}/part_NN/*.sql — 30% bronze, 40% silver, 30% gold, at most 500
//     models per folder, each folder with one _schema.yml describing its models (2 column tests
//     per model: not_null and unique on `id`).
//   - the first models (bronze) read from a handful of declared sources; every other model refs
//     1–3 earlier models of its own or the previous layer, so the graph is a DAG.
//   - at least 20% of the models (25% by default) need the full template engine: {% set %},
//     {% for %}, {% if %}, var(), project macro calls, config() and refs computed in loops/macros.
//     The others are plain `select … from {{ ref('a') }} left join {{ ref('b') }} …` with literal refs.
//   - macros/*.sql with a handful of macros; a DuckDB profile whose database lives under target/
//     (compile does not connect to it).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PROJECT_NAME = 'bench_project';
export const MODELS_PER_FOLDER = 500;
export const TEMPLATED_SHARE = 0.25;
const MARKER = '.tform-bench-generated';
const LAYERS = [
  { name: 'bronze', prefix: 'brz', share: 0.3 },
  { name: 'silver', prefix: 'slv', share: 0.4 },
  { name: 'gold', prefix: 'gld', share: 0.3 },
];
const SOURCE_TABLES = ['events', 'users', 'orders', 'payments', 'sessions', 'devices'];
/** Every model (and every source table) exposes the same columns, so the generated SQL is coherent. */
const CATEGORIES = ['web', 'ios', 'android', 'console', 'partner'];
/** How far back a model looks for parents (in models of the eligible layers): keeps the DAG deep. */
const REF_WINDOW = 400;

/** mulberry32: small, fast, good enough for synthetic data; seeded, so fully deterministic. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRng(seed) {
  const next = mulberry32((Number(seed) * 2654435761) ^ 0x9e3779b9);
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (list) => list[Math.floor(next() * list.length)],
  };
  return rng;
}

const pad = (n, w) => String(n).padStart(w, '0');

/** Plan the models: name, layer, folder, parents, template variant. Pure data, no I/O. */
export function planProject({ models = 10_000, seed = 1 } = {}) {
  if (!Number.isInteger(models) || models < 10) throw new Error(`--models must be an integer ≥ 10, got ${models}`);
  const rng = makeRng(seed);
  const width = Math.max(5, String(models).length);

  // Layer sizes: shares of N, the remainder going to silver.
  const sizes = LAYERS.map((l) => Math.floor(models * l.share));
  sizes[1] += models - sizes.reduce((a, b) => a + b, 0);

  const plan = [];
  let i = 0;
  LAYERS.forEach((layer, li) => {
    for (let k = 0; k < sizes[li]; k++, i++) {
      const part = Math.floor(k / MODELS_PER_FOLDER) + 1;
      plan.push({
        index: i,
        layerIndex: li,
        layer: layer.name,
        folder: `${layer.name}/part_${pad(part, 2)}`,
        name: `${layer.prefix}_${pad(i, width)}`,
        refs: [],
        sources: [],
        variant: 'plain',
      });
    }
  });

  // The first models read from sources; there are as many of them as source tables (at least 2).
  const sourced = Math.min(SOURCE_TABLES.length, sizes[0]);
  for (let k = 0; k < sourced; k++) plan[k].sources = [SOURCE_TABLES[k]];

  // Everyone else refs 1–3 distinct earlier models of the same or the previous layer.
  const firstOfLayer = [0, sizes[0], sizes[0] + sizes[1]];
  for (const m of plan.slice(sourced)) {
    const lo = firstOfLayer[Math.max(0, m.layerIndex - 1)];
    const hi = m.index - 1;
    const from = Math.max(lo, hi - REF_WINDOW + 1);
    const want = Math.min(rng.int(1, 3), hi - from + 1);
    const chosen = new Set();
    while (chosen.size < want) chosen.add(rng.int(from, hi));
    m.refs = [...chosen].map((j) => plan[j].name);
  }

  // Exactly ceil(TEMPLATED_SHARE · N) models, chosen by a seeded shuffle, need the full template path.
  const candidates = plan.slice(sourced).map((m) => m.index);
  for (let k = candidates.length - 1; k > 0; k--) {
    const j = rng.int(0, k);
    [candidates[k], candidates[j]] = [candidates[j], candidates[k]];
  }
  const variants = ['set_for', 'var_if', 'macros', 'config_loop_refs', 'macro_refs'];
  const templated = candidates.slice(0, Math.ceil(models * TEMPLATED_SHARE)).sort((a, b) => a - b);
  templated.forEach((idx, k) => {
    plan[idx].variant = variants[k % variants.length];
  });
  for (const m of plan) m.seedBits = rng.int(0, 1_000_000);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Model SQL

const COLS = ['id', 'user_id', 'event_date', 'category', 'amount', 'quantity'];

function sourceSql(m) {
  return `-- ${m.name}: bronze model over a raw source table.
select
    cast(id as bigint) as id,
    cast(user_id as bigint) as user_id,
    cast(event_ts as date) as event_date,
    lower(category) as category,
    cast(amount as decimal(18, 2)) as amount,
    cast(quantity as integer) as quantity
from {{ source('raw', '${m.sources[0]}') }}
`;
}

function joins(m) {
  const aliases = ['a', 'b', 'c'];
  let sql = `from {{ ref('${m.refs[0]}') }} as a\n`;
  for (let k = 1; k < m.refs.length; k++) sql += `left join {{ ref('${m.refs[k]}') }} as ${aliases[k]} on ${aliases[k]}.id = a.id\n`;
  return sql;
}

function plainSql(m) {
  const extra = m.refs.slice(1).map((_, k) => ` + coalesce(${['b', 'c'][k]}.amount, 0)`).join('');
  const filter = m.seedBits % 3 === 0 ? `where a.category <> '${CATEGORIES[m.seedBits % CATEGORIES.length]}'\n` : '';
  return `-- ${m.name}: plain model (literal refs only).
select
    a.id,
    a.user_id,
    a.event_date,
    a.category,
    a.amount${extra} as amount,
    a.quantity
${joins(m)}${filter}`;
}

function setForSql(m) {
  const extra = m.refs.slice(1).map((_, k) => ` + coalesce(${['b', 'c'][k]}.{{ c }}, 0)`).join('');
  return `-- ${m.name}: columns built with set and for tags.
{% set keys = ['id', 'user_id', 'event_date', 'category'] %}
{% set measures = ['amount', 'quantity'] %}
select
{%- for k in keys %}
    a.{{ k }},
{%- endfor %}
{%- for c in measures %}
    a.{{ c }}${extra} as {{ c }}{{ ',' if not loop.last }}
{%- endfor %}
${joins(m)}`;
}

function varIfSql(m) {
  const cat = CATEGORIES[m.seedBits % CATEGORIES.length];
  return `-- ${m.name}: filters driven by project vars.
select
    a.id,
    a.user_id,
    a.event_date,
    a.category,
    a.amount * {{ var('amount_scale', 1) }} as amount,
    a.quantity
${joins(m)}where 1 = 1
{% if var('lookback_days', 0) > 0 %}
  and a.event_date >= current_date - interval {{ var('lookback_days') }} day
{% endif %}
{% if not var('include_test_rows', false) %}
  and a.category <> 'test'
{% else %}
  and a.category <> '${cat}'
{% endif %}
`;
}

function macrosSql(m) {
  const other = m.refs.length > 1 ? 'b.amount' : 'a.quantity';
  return `-- ${m.name}: uses project macros.
select
    a.id,
    a.user_id,
    {{ day_of('a.event_date') }} as event_date,
    {{ normalize_category('a.category') }} as category,
    {{ cents_to_dollars('a.amount * 100') }} + {{ safe_divide('a.amount', '${other}') }} as amount,
    a.quantity
${joins(m)}where {{ is_recent('a.event_date') }}
`;
}

function configLoopRefsSql(m) {
  const list = m.refs.map((r) => `'${r}'`).join(', ');
  return `{{ config(tags=['looped'], materialized='table') }}
-- ${m.name}: refs computed in a loop (not literal), union of parents.
{% set parents = [${list}] %}
{% for p in parents %}
select ${COLS.join(', ')} from {{ ref(p) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
`;
}

function macroRefsSql(m) {
  const list = m.refs.map((r) => `'${r}'`).join(', ');
  return `-- ${m.name}: a macro calls ref() for it.
with unioned as (
{{ union_models([${list}]) }}
)
select {{ column_list() }} from unioned
`;
}

function modelSql(m) {
  if (m.sources.length) return sourceSql(m);
  switch (m.variant) {
    case 'set_for': return setForSql(m);
    case 'var_if': return varIfSql(m);
    case 'macros': return macrosSql(m);
    case 'config_loop_refs': return configLoopRefsSql(m);
    case 'macro_refs': return macroRefsSql(m);
    default: return plainSql(m);
  }
}

// ---------------------------------------------------------------------------------------------
// Other files

const MACROS = {
  'money.sql': `{# Money helpers. #}
{% macro cents_to_dollars(expr, scale=2) -%}
round(cast({{ expr }} as decimal(18, 4)) / 100, {{ scale }})
{%- endmacro %}

{% macro safe_divide(num, den) -%}
case when {{ den }} is null or {{ den }} = 0 then null else {{ num }} / {{ den }} end
{%- endmacro %}
`,
  'dates.sql': `{# Date helpers. #}
{% macro day_of(expr) -%}
cast({{ expr }} as date)
{%- endmacro %}

{% macro is_recent(expr, days=none) -%}
{%- set d = days if days is not none else var('lookback_days', 30) -%}
{{ expr }} >= current_date - interval {{ d }} day
{%- endmacro %}
`,
  'categories.sql': `{# Map free-text categories onto the known list. #}
{% macro normalize_category(expr) -%}
{%- set known = ${JSON.stringify(CATEGORIES).replace(/"/g, "'")} -%}
case
{%- for k in known %}
    when lower({{ expr }}) = '{{ k }}' then '{{ k }}'
{%- endfor %}
    else 'other'
end
{%- endmacro %}
`,
  'union.sql': `{# The shared column list, and a union of models that calls ref() on the model's behalf. #}
{% macro column_list(prefix='') -%}
{%- for c in ${JSON.stringify(COLS).replace(/"/g, "'")} -%}
{{ prefix }}{{ c }}{{ ', ' if not loop.last }}
{%- endfor -%}
{%- endmacro %}

{% macro union_models(names) -%}
{%- for n in names %}
select {{ column_list() }} from {{ ref(n) }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- endmacro %}
`,
};

function projectYaml(plan) {
  const folders = [...new Set(plan.map((m) => m.folder))];
  const layerCfg = {
    bronze: ['+materialized: view', '+schema: bronze', '+tags: [bronze]'],
    silver: ['+materialized: view', '+schema: silver', '+tags: [silver]'],
    gold: ['+materialized: table', '+schema: gold', '+tags: [gold]'],
  };
  let out = `# Synthetic project written by bench/generate-project.mjs (do not edit: it is regenerated).
name: ${PROJECT_NAME}
profile: ${PROJECT_NAME}
version: '1.0'

model-paths: [models]
macro-paths: [macros]
seed-paths: [seeds]
target-path: target

vars:
  lookback_days: 30
  amount_scale: 1
  include_test_rows: false

models:
`;
  for (const layer of LAYERS) {
    out += `  ${layer.name}:\n`;
    for (const line of layerCfg[layer.name]) out += `    ${line}\n`;
    for (const f of folders.filter((x) => x.startsWith(layer.name + '/'))) {
      const part = f.split('/')[1];
      out += `    ${part}:\n      +tags: [${part}]\n`;
    }
  }
  return out;
}

function profilesYaml() {
  return `${PROJECT_NAME}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: target/${PROJECT_NAME}.duckdb
      schema: main
      threads: 4
`;
}

function sourcesYaml() {
  let out = `version: 2

sources:
  - name: raw
    description: Raw tables as loaded by the ingestion jobs.
    schema: "{{ target.schema }}_raw"
    tables:
`;
  for (const t of SOURCE_TABLES) {
    out += `      - name: ${t}
        description: Raw ${t}, one row per ${t.replace(/s$/, '')} record.
        columns:
          - name: id
            tests: [not_null]
`;
  }
  return out;
}

function schemaYaml(models) {
  let out = 'version: 2\n\nmodels:\n';
  for (const m of models) {
    const parents = m.sources.length ? `source raw.${m.sources[0]}` : m.refs.join(', ');
    out += `  - name: ${m.name}
    description: Synthetic ${m.layer} model ${m.name} built from ${parents}.
    columns:
      - name: id
        description: Row key, carried from the first parent.
        tests:
          - not_null
          - unique
      - name: user_id
        description: The user the row belongs to.
      - name: amount
        description: Amount in dollars.
`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function prepareOut(out) {
  if (existsSync(out)) {
    const entries = readdirSync(out);
    if (entries.length && !entries.includes(MARKER)) {
      throw new Error(`${out} is not empty and was not written by this generator; refusing to overwrite it`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

/**
 * Write the project into `out` (emptied first if the generator wrote it before). Returns a summary.
 */
export function generateProject({ out, models = 10_000, seed = 1 } = {}) {
  if (!out) throw new Error('generateProject: `out` is required');
  out = resolve(out);
  const plan = planProject({ models, seed });
  prepareOut(out);
  writeFileSync(join(out, MARKER), `models=${models} seed=${seed}\n`);
  writeFileSync(join(out, 'tform_project.yml'), projectYaml(plan));
  writeFileSync(join(out, 'profiles.yml'), profilesYaml());
  mkdirSync(join(out, 'macros'));
  for (const [f, text] of Object.entries(MACROS)) writeFileSync(join(out, 'macros', f), text);
  mkdirSync(join(out, 'models'));
  writeFileSync(join(out, 'models', '_sources.yml'), sourcesYaml());

  const byFolder = new Map();
  for (const m of plan) {
    if (!byFolder.has(m.folder)) byFolder.set(m.folder, []);
    byFolder.get(m.folder).push(m);
  }
  let files = 0;
  for (const [folder, list] of byFolder) {
    const dir = join(out, 'models', folder);
    mkdirSync(dir, { recursive: true });
    for (const m of list) {
      writeFileSync(join(dir, `${m.name}.sql`), modelSql(m));
      files++;
    }
    writeFileSync(join(dir, '_schema.yml'), schemaYaml(list));
  }

  const templated = plan.filter((m) => m.variant !== 'plain').length;
  const variants = {};
  for (const m of plan) variants[m.variant] = (variants[m.variant] ?? 0) + 1;
  return {
    out,
    models: files,
    seed,
    templated,
    templatedShare: templated / files,
    variants,
    folders: byFolder.size,
    schemaFiles: byFolder.size,
    sources: SOURCE_TABLES.length,
    macroFiles: Object.keys(MACROS).length,
    edges: plan.reduce((a, m) => a + m.refs.length + m.sources.length, 0),
  };
}

function parseCli(argv) {
  const o = { models: 10_000, seed: 1, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--models') o.models = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--out') o.out = val();
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const o = parseCli(process.argv.slice(2));
    if (o.help || !o.out) {
      process.stdout.write('usage: node bench/generate-project.mjs --out <dir> [--models 10000] [--seed 1]\n');
      process.exit(o.help ? 0 : 2);
    }
    const s = generateProject(o);
    process.stdout.write(
      `wrote ${s.models} models (${s.templated} templated, ${(s.templatedShare * 100).toFixed(1)}%) in ${s.folders} folders, ` +
        `${s.edges} edges, ${s.sources} sources, ${s.macroFiles} macro files to ${s.out}\n`,
    );
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
}
