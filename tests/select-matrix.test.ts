/**
 * The selector grammar over an in-process fixture project: every case is a selector (plus an
 * optional --exclude) and the exact set of node names it selects. Then state:, result:, named
 * selectors and every user error (exit 2, SELECTOR_INVALID, with a hint).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  annotateMacros,
  isTformError,
  parseSelectorsFile,
  readSelectionInputs,
  selectNodes,
  writeManifest,
  type OpenProject,
  type SelectableType,
  type SelectOptions,
  type TformError,
} from '@tform/core';
import { cleanupProjects, makeProject, profilesYml, projectYml } from './helpers/fixture.js';
import { open } from './helpers/inprocess.js';

afterAll(cleanupProjects);

// ---------------------------------------------------------------------------------------------
// Fixture: 13 models in bronze/silver/gold (+ gold/marts, and reporting/ configured into the gold
// layer), 2 seeds, 2 sources, tags, macros (one calling another), var reads, selectors.yml.
//
//   raw.orders -> brz_orders -> stg_orders -> orders_daily -> revenue_daily -> mart_finance
//                 brz_orders -> stg_payments ----------------^
//   fx_rates -> stg_fx -> orders_daily -> mart_sales -> kpi_export
//   crm.customers -> brz_customers -> stg_customers -> customers_daily -> mart_sales, mart_customers
//   countries -> stg_customers
// ---------------------------------------------------------------------------------------------

const PROJECT = projectYml(
  `vars:
  min_amount: 10
  region: eu
models:
  gold:
    +materialized: table
  reporting:
    +layer: gold
`,
  'shop',
);

const SELECTORS = `selectors:
  - name: gold_daily
    description: the daily gold models (CLI string form)
    definition: "tag:daily,layer:gold"
  - name: finance_parents
    definition:
      method: tag
      value: finance
      parents: true
      parents_depth: 1
  - name: silver_and_marts
    definition:
      union:
        - layer:silver
        - method: path
          value: models/gold/marts
        - exclude:
            - stg_fx
            - mart_customers
  - name: daily_gold_keyvalue
    definition:
      intersection:
        - tag: daily
        - method: layer
          value: gold
  - name: nested
    definition:
      union:
        - method: selector
          value: gold_daily
        - kpi_export
  - name: full_exclude
    definition:
      method: fqn
      value: silver
      children: true
      children_depth: 1
      exclude:
        - "stg_fx+"
`;

const FILES: Record<string, string> = {
  'tform_project.yml': PROJECT,
  'profiles.yml': profilesYml({ profile: 'shop' }),
  'selectors.yml': SELECTORS,
  'seeds/countries.csv': 'code,name\nfr,France\n',
  'seeds/fx_rates.csv': 'currency,rate\nEUR,1.1\n',
  'macros/money.sql':
    '{% macro cents_to_dollars(col) %}({{ col }} / 100.0){% endmacro %}\n\n' +
    '{% macro round_money(col) %}round({{ cents_to_dollars(col) }}, 2){% endmacro %}\n',
  'macros/region.sql': "{% macro fmt_region(col) %}upper({{ col }}){% endmacro %}\n",
  'models/sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: orders\n  - name: crm\n    tables:\n      - name: customers\n',
  'models/schema.yml': 'models:\n  - name: mart_customers\n    description: customers mart\n    config:\n      materialized: view\n',
  'models/bronze/brz_orders.sql': "{{ config(tags=['hourly']) }}\nselect * from {{ source('raw', 'orders') }}\n",
  'models/bronze/brz_customers.sql': "select * from {{ source('crm', 'customers') }}\n",
  'models/silver/stg_orders.sql': "select id, {{ cents_to_dollars('amount') }} as amount\nfrom {{ ref('brz_orders') }}\nwhere amount > {{ var('min_amount') }}\n",
  'models/silver/stg_customers.sql': "select c.*, k.name as country\nfrom {{ ref('brz_customers') }} c join {{ ref('countries') }} k on c.country = k.code\n",
  'models/silver/stg_payments.sql': "select id, {{ round_money('amount') }} as paid from {{ ref('brz_orders') }}\n",
  'models/silver/stg_fx.sql': "{{ config(materialized='ephemeral', tags=['daily']) }}\nselect * from {{ ref('fx_rates') }}\n",
  'models/gold/orders_daily.sql': "{{ config(tags=['daily']) }}\nselect * from {{ ref('stg_orders') }} join {{ ref('stg_fx') }} using (currency)\n",
  'models/gold/customers_daily.sql': "{{ config(tags=['daily']) }}\nselect * from {{ ref('stg_customers') }}\n",
  'models/gold/revenue_daily.sql': "select *, '{{ var('region') }}' as region\nfrom {{ ref('orders_daily') }} join {{ ref('stg_payments') }} using (id)\n",
  'models/gold/marts/mart_sales.sql': "{{ config(tags=['finance']) }}\nselect * from {{ ref('orders_daily') }}, {{ ref('customers_daily') }}\n",
  'models/gold/marts/mart_customers.sql': "select * from {{ ref('customers_daily') }}\n",
  'models/gold/marts/mart_finance.sql': "{{ config(tags=['finance', 'daily']) }}\nselect {{ fmt_region('region') }} as region from {{ ref('revenue_daily') }}\n",
  'models/reporting/kpi_export.sql': "select * from {{ ref('mart_sales') }}\n",
};

const BRONZE = ['brz_customers', 'brz_orders', 'countries', 'fx_rates'];
const SILVER = ['stg_customers', 'stg_fx', 'stg_orders', 'stg_payments'];
const GOLD = ['customers_daily', 'kpi_export', 'mart_customers', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily'];
const MARTS = ['mart_customers', 'mart_finance', 'mart_sales'];
const ALL = [...BRONZE, ...SILVER, ...GOLD].sort();

type Project = OpenProject & { logger: unknown };

/** Open a fixture dir in-process, with macro fingerprints recorded in its manifest. */
async function openFixture(dir: string): Promise<Project> {
  const p = await open(dir);
  annotateMacros(p.session.manifest, p.project.macros.map((m) => ({ path: m.path, source: m.raw })));
  return p;
}

/** Names (a source as source.table) of what `o` selects, sorted; checks the result is in topological order. */
function names(p: Project, o: Partial<SelectOptions> = {}): string[] {
  const m = p.session.manifest;
  const ids = selectNodes(m, p.graph, p.order, { resourceTypes: ['model', 'seed'], projectDir: p.project.root, ...o });
  expect(ids).toEqual(p.order.filter((id) => ids.includes(id)));
  return ids.map((id) => m.nodes[id]?.name ?? `${m.sources[id]!.sourceName}.${m.sources[id]!.name}`).sort();
}

/** The TformError `fn` throws. */
function thrown(fn: () => unknown): TformError {
  try {
    fn();
  } catch (e) {
    if (isTformError(e)) return e;
    throw e;
  }
  throw new Error('expected a TformError');
}

let dir: string;
let p: Project;
let inputs: ReturnType<typeof readSelectionInputs>;

beforeAll(async () => {
  dir = makeProject(FILES, 'tform-select-');
  p = await openFixture(dir);
  inputs = readSelectionInputs({ projectDir: dir, targetPath: p.project.config.targetPath });
});

interface Case {
  select?: string | string[];
  exclude?: string | string[];
  types?: SelectableType[];
  expect: string[];
}

const EVERY_TYPE: SelectableType[] = ['model', 'seed', 'source', 'test'];
const list = (v?: string | string[]) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

const MATRIX: Case[] = [
  // names, folders, layers
  { select: 'stg_orders', expect: ['stg_orders'] },
  { select: 'silver', expect: SILVER },
  { select: 'marts', expect: MARTS },
  { select: 'gold.marts', expect: MARTS },
  { select: 'reporting', expect: ['kpi_export'] },
  { select: 'gold', expect: GOLD },
  { select: 'gold+', expect: GOLD },
  { select: 'bronze', expect: BRONZE },
  { select: 'shop', expect: ALL },
  { select: 'orders', expect: [] }, // only a source's table name: bare names never select sources
  { select: 'layer:gold', expect: GOLD },
  { select: 'layer:bronze', expect: BRONZE },
  { select: 'layer:s*', expect: SILVER },
  // graph operators and depths
  { select: '+stg_orders', expect: ['brz_orders', 'stg_orders'] },
  { select: 'stg_orders+', expect: ['kpi_export', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily', 'stg_orders'] },
  { select: 'stg_orders+1', expect: ['orders_daily', 'stg_orders'] },
  { select: '2+revenue_daily', expect: ['brz_orders', 'orders_daily', 'revenue_daily', 'stg_fx', 'stg_orders', 'stg_payments'] },
  { select: '1+revenue_daily+1', expect: ['mart_finance', 'orders_daily', 'revenue_daily', 'stg_payments'] },
  { select: '+stg_customers+', expect: ['brz_customers', 'countries', 'customers_daily', 'kpi_export', 'mart_customers', 'mart_sales', 'stg_customers'] },
  { select: '@stg_fx', expect: ALL.filter((n) => n !== 'mart_customers') },
  { select: '@mart_customers', expect: ['brz_customers', 'countries', 'customers_daily', 'mart_customers', 'stg_customers'] },
  { select: 'silver+1', expect: [...SILVER, 'customers_daily', 'orders_daily', 'revenue_daily'].sort() },
  // wildcards
  { select: 'stg_*', expect: SILVER },
  { select: '*_daily', expect: ['customers_daily', 'orders_daily', 'revenue_daily'] },
  { select: 'stg_?x', expect: ['stg_fx'] },
  { select: 'mart_[cs]*', expect: ['mart_customers', 'mart_sales'] },
  // set operations
  { select: 'tag:daily', expect: ['customers_daily', 'mart_finance', 'orders_daily', 'stg_fx'] },
  { select: 'tag:daily,layer:gold', expect: ['customers_daily', 'mart_finance', 'orders_daily'] },
  { select: 'tag:finance tag:hourly', expect: ['brz_orders', 'mart_finance', 'mart_sales'] },
  { select: ['tag:finance', 'stg_orders'], expect: ['mart_finance', 'mart_sales', 'stg_orders'] },
  { select: 'stg_*,tag:daily', expect: ['stg_fx'] },
  { select: '+mart_sales,silver', expect: ['stg_customers', 'stg_fx', 'stg_orders'] },
  { select: 'tag:daily', exclude: 'layer:gold', expect: ['stg_fx'] },
  { exclude: 'gold silver', expect: BRONZE },
  { select: '@stg_fx', exclude: ['mart_* kpi_export', 'bronze'], expect: ['customers_daily', 'orders_daily', 'revenue_daily', 'stg_customers', 'stg_fx', 'stg_orders', 'stg_payments'] },
  { select: 'gold+', exclude: 'tag:finance+', expect: ['customers_daily', 'mart_customers', 'orders_daily', 'revenue_daily'] },
  // path, file, fqn, package
  { select: 'path:models/silver', expect: SILVER },
  { select: 'path:models/silver/', expect: SILVER },
  { select: 'models/bronze', expect: ['brz_customers', 'brz_orders'] },
  { select: 'path:models/gold/marts/mart_sales.sql', expect: ['mart_sales'] },
  { select: 'path:models/*/stg_o*', expect: ['stg_orders'] },
  { select: 'path:models/**/mart_*.sql', expect: MARTS },
  { select: 'path:models/g*', expect: GOLD.filter((n) => n !== 'kpi_export') },
  { select: 'path:models/schema.yml', expect: ['mart_customers'] },
  { select: 'path:seeds', expect: ['countries', 'fx_rates'] },
  { select: 'file:mart_sales.sql', expect: ['mart_sales'] },
  { select: 'stg_fx.sql', expect: ['stg_fx'] },
  { select: 'fqn:shop.gold.marts.*', expect: MARTS },
  { select: 'fqn:silver.stg_orders', expect: ['stg_orders'] },
  { select: 'fqn:*', expect: ALL },
  { select: 'package:shop,resource_type:seed', expect: ['countries', 'fx_rates'] },
  // config
  { select: 'config.materialized:table', expect: ['customers_daily', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily'] },
  { select: 'config.materialized:ephemeral', expect: ['stg_fx'] },
  { select: 'config.materialized:view,layer:gold', expect: ['kpi_export', 'mart_customers'] },
  { select: 'config.materialized:incremental', expect: [] },
  { select: 'config.tags:finance', expect: ['mart_finance', 'mart_sales'] },
  { select: 'config.layer:gold', expect: ['kpi_export'] },
  // sources and resource types
  { select: 'source:raw', types: EVERY_TYPE, expect: ['raw.orders'] },
  { select: 'source:raw+', types: EVERY_TYPE, expect: ['brz_orders', 'kpi_export', 'mart_finance', 'mart_sales', 'orders_daily', 'raw.orders', 'revenue_daily', 'stg_orders', 'stg_payments'] },
  { select: 'source:raw+1', expect: ['brz_orders'] },
  { select: 'source:crm.customers+', expect: ['brz_customers', 'customers_daily', 'kpi_export', 'mart_customers', 'mart_sales', 'stg_customers'] },
  { select: 'source:shop.crm.*', types: ['source'], expect: ['crm.customers'] },
  { select: 'source:*', types: ['source'], expect: ['crm.customers', 'raw.orders'] },
  { select: '+brz_orders', types: EVERY_TYPE, expect: ['brz_orders', 'raw.orders'] },
  { select: 'resource_type:seed', expect: ['countries', 'fx_rates'] },
  { select: 'resource_type:source', types: EVERY_TYPE, expect: ['crm.customers', 'raw.orders'] },
  { select: 'resource_type:seed+1', types: ['model'], expect: ['stg_customers', 'stg_fx'] },
  { select: 'resource_type:test', types: EVERY_TYPE, expect: [] },
  { select: 'test_type:generic test_type:singular', types: EVERY_TYPE, expect: [] },
  { select: 'gold', types: ['seed'], expect: [] },
  // named selectors through --select
  { select: 'selector:gold_daily', expect: ['customers_daily', 'mart_finance', 'orders_daily'] },
  { select: 'selector:gold_daily+', expect: ['customers_daily', 'kpi_export', 'mart_customers', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily'] },
  { select: 'selector:nested', exclude: 'tag:finance', expect: ['customers_daily', 'kpi_export', 'orders_daily'] },
];

describe('selector matrix', () => {
  it(`has at least 40 cases (${MATRIX.length})`, () => expect(MATRIX.length).toBeGreaterThanOrEqual(40));

  it.each(MATRIX.map((c) => [`${list(c.select)?.join(' | ') ?? '(all)'}${c.exclude ? ` --exclude ${list(c.exclude)!.join(' | ')}` : ''}${c.types ? ` [${c.types.join(',')}]` : ''}`, c] as const))(
    '%s',
    (_label, c) => {
      expect(names(p, { select: list(c.select), exclude: list(c.exclude), resourceTypes: c.types ?? ['model', 'seed'], ...inputs })).toEqual([...c.expect].sort());
    },
  );

  it('selects everything without --select, and nothing is not an error', () => {
    expect(names(p)).toEqual(ALL);
    expect(names(p, { select: ['  '] })).toEqual(ALL);
    expect(names(p, { select: ['no_such_model'] })).toEqual([]);
  });
});

describe('named selectors (--selector)', () => {
  const cases: [string, string[]][] = [
    ['gold_daily', ['customers_daily', 'mart_finance', 'orders_daily']],
    ['finance_parents', ['customers_daily', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily']],
    ['silver_and_marts', ['mart_finance', 'mart_sales', 'stg_customers', 'stg_orders', 'stg_payments']],
    ['daily_gold_keyvalue', ['customers_daily', 'mart_finance', 'orders_daily']],
    ['nested', ['customers_daily', 'kpi_export', 'mart_finance', 'orders_daily']],
    ['full_exclude', ['customers_daily', 'stg_customers', 'stg_orders', 'stg_payments']],
  ];
  it.each(cases)('--selector %s', (name, expected) => {
    expect(names(p, { selector: name, ...inputs })).toEqual(expected);
  });

  it('--selector adds to --select, and --exclude applies to both', () => {
    expect(names(p, { selector: 'gold_daily', select: ['stg_fx'], exclude: ['mart_finance'], ...inputs })).toEqual(['customers_daily', 'orders_daily', 'stg_fx']);
  });

  it('the default selector applies only when nothing is selected or excluded', () => {
    const selectors = parseSelectorsFile(`selectors:\n  - name: nightly\n    default: true\n    definition: {tag: hourly}\n`);
    expect(selectors.defaultName).toBe('nightly');
    expect(names(p, { selectors })).toEqual(['brz_orders']);
    expect(names(p, { selectors, select: ['stg_fx'] })).toEqual(['stg_fx']);
    expect(names(p, { selectors, exclude: ['gold'] })).toEqual([...BRONZE, ...SILVER].sort());
  });
});

describe('tests follow the nodes they test (indirect selection)', () => {
  it('selects a generic test with its model, and test_type: picks tests', () => {
    const m = structuredClone(p.session.manifest) as unknown as { nodes: Record<string, unknown>; tests: Record<string, unknown> };
    const test = (id: string, testType: string, on: string[]) => ({
      uniqueId: id, resourceType: 'test', name: id.split('.').pop(), testType, path: 'models/schema.yml', fqn: ['shop', id], tags: [], dependsOn: { nodes: on, macros: [] }, attachedNode: on[0],
    });
    m.nodes['test.shop.unique_stg_orders_id'] = test('test.shop.unique_stg_orders_id', 'generic', ['model.shop.stg_orders']);
    // One test in the graph's order, one outside it (in manifest.tests): both are selectable.
    m.tests = { 'test.shop.sales_match': test('test.shop.sales_match', 'singular', ['model.shop.mart_sales', 'model.shop.orders_daily']) };
    const order = [...p.order, 'test.shop.unique_stg_orders_id'];
    const sel = (o: Partial<SelectOptions>) => selectNodes(m as never, p.graph, order, { resourceTypes: ['test'], ...o });
    expect(sel({ select: ['stg_orders'] })).toEqual(['test.shop.unique_stg_orders_id']);
    expect(sel({ select: ['mart_sales'] })).toEqual(['test.shop.sales_match']);
    expect(sel({ select: ['mart_sales'], indirectSelection: 'cautious' })).toEqual([]);
    expect(sel({ select: ['mart_sales', 'orders_daily'], indirectSelection: 'cautious' })).toEqual(['test.shop.sales_match']);
    expect(sel({ select: ['test_type:singular'] })).toEqual(['test.shop.sales_match']);
    expect(sel({ select: ['resource_type:test'], exclude: ['orders_daily'] })).toEqual(['test.shop.unique_stg_orders_id']);
    expect(sel({ select: ['stg_orders'], indirectSelection: 'empty' })).toEqual([]);
    expect(sel({ select: ['tag:finance'], resourceTypes: ['model', 'test'] })).toEqual(['model.shop.mart_sales', 'model.shop.mart_finance', 'test.shop.sales_match']);
  });
});

describe('state: against an earlier manifest (--state)', () => {
  let stateDir: string;

  beforeAll(() => {
    stateDir = makeProject({}, 'tform-state-');
    writeManifest(stateDir, '.', p.session.manifest);
    writeFileSync(join(stateDir, 'run_results.json'), JSON.stringify({ results: [{ uniqueId: 'model.shop.stg_fx', status: 'error' }] }));
  });

  /** What `select` picks in a copy of the fixture with `changes` applied, against the state. */
  async function against(changes: Record<string, string>, select: string[], exclude?: string[]): Promise<string[]> {
    const d = makeProject({ ...FILES, ...changes }, 'tform-select-');
    const q = await openFixture(d);
    return names(q, { select, exclude, ...readSelectionInputs({ projectDir: d, targetPath: 'target', stateDir }) });
  }

  it('nothing is modified or new when nothing changed', async () => {
    expect(await against({}, ['state:modified', 'state:new'])).toEqual([]);
    expect(await against({}, ['state:unmodified'])).toEqual(ALL);
  });

  it("editing a model's SQL modifies its body", async () => {
    const edit = { 'models/silver/stg_fx.sql': FILES['models/silver/stg_fx.sql']!.replace('select *', 'select currency, rate') };
    expect(await against(edit, ['state:modified'])).toEqual(['stg_fx']);
    expect(await against(edit, ['state:modified.body'])).toEqual(['stg_fx']);
    expect(await against(edit, ['state:modified.configs state:modified.macros state:modified.vars'])).toEqual([]);
    expect(await against(edit, ['state:modified+1'])).toEqual(['orders_daily', 'stg_fx']);
    expect(await against(edit, ['state:modified+'], ['tag:finance+'])).toEqual(['orders_daily', 'revenue_daily', 'stg_fx']);
  });

  it('editing a macro only one model calls modifies that model only', async () => {
    const edit = { 'macros/region.sql': "{% macro fmt_region(col) %}lower({{ col }}){% endmacro %}\n" };
    expect(await against(edit, ['state:modified'])).toEqual(['mart_finance']);
    expect(await against(edit, ['state:modified.macros'])).toEqual(['mart_finance']);
    expect(await against(edit, ['state:modified.body'])).toEqual([]);
  });

  it('editing a macro reaches the models calling it through another macro', async () => {
    const edit = { 'macros/money.sql': FILES['macros/money.sql']!.replace('/ 100.0', '/ 100') };
    expect(await against(edit, ['state:modified'])).toEqual(['stg_orders', 'stg_payments']);
  });

  it('changing a var value modifies only the model reading it', async () => {
    const edit = { 'tform_project.yml': PROJECT.replace('region: eu', 'region: us') };
    expect(await against(edit, ['state:modified'])).toEqual(['revenue_daily']);
    expect(await against(edit, ['state:modified.vars'])).toEqual(['revenue_daily']);
  });

  it("changing a model's config in schema YAML modifies its configs", async () => {
    const edit = { 'models/schema.yml': FILES['models/schema.yml']!.replace('materialized: view', 'materialized: table') };
    expect(await against(edit, ['state:modified'])).toEqual(['mart_customers']);
    expect(await against(edit, ['state:modified.configs'])).toEqual(['mart_customers']);
    expect(await against(edit, ['state:modified.body'])).toEqual([]);
  });

  it('a schema change is a relation change; a new tag is a config change', async () => {
    const edit = { 'models/gold/customers_daily.sql': FILES['models/gold/customers_daily.sql']!.replace("tags=['daily']", "tags=['daily'], schema='reports'") };
    expect(await against(edit, ['state:modified.relation'])).toEqual(['customers_daily']);
    const tagged = { 'tform_project.yml': PROJECT.replace('+layer: gold', '+layer: gold\n    +tags: [export]') };
    expect(await against(tagged, ['state:modified.configs'])).toEqual(['kpi_export']);
  });

  it('state:new is what the earlier manifest lacks; modified includes new (as dbt)', async () => {
    const add = { 'models/gold/churn_daily.sql': "select * from {{ ref('customers_daily') }}\n" };
    expect(await against(add, ['state:new'])).toEqual(['churn_daily']);
    expect(await against(add, ['state:modified'])).toEqual(['churn_daily']);
    expect(await against(add, ['state:old'], ['gold'])).toEqual([...BRONZE, ...SILVER].sort());
  });

  it('result: reads run_results.json from --state when given', async () => {
    expect(await against({}, ['result:error+1'])).toEqual(['orders_daily', 'stg_fx']);
  });
});

describe('result: against the last run_results.json', () => {
  const RUN_RESULTS = JSON.stringify({
    metadata: { runResultsVersion: 1 },
    results: [
      { uniqueId: 'seed.shop.countries', status: 'success' },
      { uniqueId: 'model.shop.stg_orders', status: 'error' },
      { uniqueId: 'model.shop.orders_daily', status: 'skipped' },
      { uniqueId: 'model.shop.revenue_daily', status: 'skipped' },
      { unique_id: 'model.shop.stg_customers', status: 'success' },
    ],
  });
  let q: Project;
  let withResults: ReturnType<typeof readSelectionInputs>;

  beforeAll(async () => {
    const d = makeProject({ ...FILES, 'tform_project.yml': `${PROJECT}target-path: out\n`, 'out/run_results.json': RUN_RESULTS }, 'tform-select-');
    q = await openFixture(d);
    withResults = readSelectionInputs({ projectDir: d, targetPath: q.project.config.targetPath });
  });

  it.each([
    ['result:error', ['stg_orders']],
    ['result:skipped', ['orders_daily', 'revenue_daily']],
    ['result:success', ['countries', 'stg_customers']],
    ['result:fail', []],
    ['result:error+ result:skipped', ['kpi_export', 'mart_finance', 'mart_sales', 'orders_daily', 'revenue_daily', 'stg_orders']],
  ] as [string, string[]][])('%s', (sel, expected) => {
    expect(names(q, { select: [sel], ...withResults })).toEqual(expected);
  });
});

describe('selector errors: SELECTOR_INVALID, exit 2, with a hint', () => {
  const SYNTAX: [string, RegExp, RegExp][] = [
    ['tags:daily', /unknown selector method 'tags' in 'tags:daily'/, /did you mean 'tag:'\?/],
    ['confg.materialized:table', /unknown selector method 'confg.materialized'/, /did you mean 'config.materialized:'\?/],
    ['pth:models', /unknown selector method 'pth'/, /did you mean 'path:'\?.*methods: tag, path/],
    ['config:table', /selector method 'config' needs a key/, /config\.materialized:table/],
    ['tag:', /selector 'tag:' has no value after 'tag:'/, /tag:daily/],
    ['++stg_orders', /malformed selector '\+\+stg_orders'/, /graph operators/],
    ['stg_orders++', /malformed selector 'stg_orders\+\+'/, /graph operators/],
    ['0+stg_orders', /bad depth 0/, /whole number from 1/],
    ['stg_orders+0', /bad depth 0/, /whole number from 1/],
    ['stg_orders+x', /bad depth or misplaced '\+'/, /optional whole-number depth/],
    ['1.5+stg_orders', /bad depth or misplaced '\+'/, /optional whole-number depth/],
    ['@stg_fx+', /'@' cannot be combined with '\+'/, /already adds the children/],
    ['+@stg_fx', /'@' must come first/, /graph operators/],
    ['tag:daily,', /dangling comma in selector 'tag:daily,'/, /a comma intersects/],
    [',tag:daily', /dangling comma/, /a comma intersects/],
    ['tag:daily,,layer:gold', /dangling comma/, /a comma intersects/],
    ['+', /selector '\+' names nothing/, /e\.g\. stg_orders/],
    [':daily', /no method before ':'/, /e\.g\./],
    ['resource_type:modle', /unknown resource_type 'modle'/, /did you mean 'resource_type:model'\?/],
    ['test_type:unit', /unknown test_type 'unit'/, /generic, singular/],
    ['state:modifed', /unknown state 'modifed'/, /did you mean 'state:modified'\?/],
    ['state:modified.bodies', /unknown state 'modified.bodies'/, /did you mean 'state:modified.body'\?/],
    ['result:failed', /unknown result 'failed'/, /did you mean 'result:fail'\?/],
    ['source:a.b.c.d', /too many parts/, /package\.source\.table/],
    ['selector:gold_daly', /unknown selector 'gold_daly'/, /did you mean 'gold_daily'\?/],
  ];

  it.each(SYNTAX)('%s', (sel, message, hint) => {
    for (const o of [{ select: [sel] }, { exclude: [sel] }, { select: [`stg_fx ${sel}`] }]) {
      const e = thrown(() => names(p, { ...o, ...inputs }));
      expect(e.code).toBe('SELECTOR_INVALID');
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(message);
      expect(e.hint ?? '').toMatch(hint);
    }
  });

  it('state: without --state asks for it', () => {
    const e = thrown(() => names(p, { select: ['state:modified+'], ...inputs }));
    expect([e.code, e.exitCode]).toEqual(['SELECTOR_INVALID', 2]);
    expect(e.message).toBe("'state:modified+' needs --state");
    expect(e.hint).toMatch(/pass --state <dir> with the manifest\.json/);
  });

  it('state: with a --state dir that has no manifest.json', () => {
    const empty = makeProject({}, 'tform-state-');
    const e = thrown(() => names(p, { select: ['state:new'], ...readSelectionInputs({ projectDir: dir, stateDir: empty }) }));
    expect(e.code).toBe('SELECTOR_INVALID');
    expect(e.message).toMatch(/'state:new' compares with --state .*, which has no manifest\.json/);
    expect(e.hint).toMatch(/point --state at a target\/ folder/);
  });

  it('a state manifest that is not JSON', () => {
    const bad = makeProject({ 'manifest.json': '{ nope' }, 'tform-state-');
    const e = thrown(() => readSelectionInputs({ projectDir: dir, stateDir: bad }));
    expect(e.code).toBe('SELECTOR_INVALID');
    expect(e.message).toMatch(/cannot read state manifest/);
  });

  it('result: without run_results.json', () => {
    const e = thrown(() => names(p, { select: ['result:error'], ...inputs }));
    expect(e.code).toBe('SELECTOR_INVALID');
    expect(e.message).toMatch(/'result:error' needs the run_results\.json of an earlier run; there is none at .*target\/run_results\.json/);
    expect(e.hint).toMatch(/run tform run or build first, or pass --state/);
  });

  it('an unknown --selector names the closest one', () => {
    const e = thrown(() => names(p, { selector: 'finance_parent', ...inputs }));
    expect([e.code, e.exitCode]).toEqual(['SELECTOR_INVALID', 2]);
    expect(e.message).toBe("unknown selector 'finance_parent'");
    expect(e.hint).toMatch(/did you mean 'finance_parents'\? selectors in selectors\.yml: gold_daily, finance_parents/);
  });

  it('--selector without a selectors.yml', () => {
    const e = thrown(() => names(p, { selector: 'nightly' }));
    expect(e.code).toBe('SELECTOR_INVALID');
    expect(e.hint).toMatch(/define it in selectors\.yml at the project root/);
  });

  const FILE_ERRORS: [string, string, number, RegExp, RegExp | undefined][] = [
    ['a bad method', 'selectors:\n  - name: a\n    definition:\n      method: tgs\n      value: x\n', 4, /unknown selector method 'tgs'/, /did you mean 'tag:'\?/],
    ['a bad CLI string', 'selectors:\n  - name: a\n    definition: "tag:daily,"\n', 3, /dangling comma/, /a comma intersects/],
    ['a bad depth', 'selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      parents_depth: 0\n', 6, /bad depth 0/, undefined],
    ['an unknown key', 'selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      parent: true\n', 6, /unknown key 'parent'/, /did you mean 'parents'\?/],
    ['an unknown reference', 'selectors:\n  - name: a\n    definition: "selector:bb"\n  - name: b\n    definition: x\n', 3, /selector 'a' refers to unknown selector 'bb'/, /did you mean 'b'\?/],
    ['a cycle', 'selectors:\n  - name: a\n    definition: "selector:b"\n  - name: b\n    definition:\n      union: ["selector:a", x]\n', 2, /cycle: a -> b -> a/, undefined],
    ['a duplicate name', 'selectors:\n  - name: a\n    definition: x\n  - name: a\n    definition: y\n', 4, /selector 'a' is defined twice/, /unique/],
    ['an empty union', 'selectors:\n  - name: a\n    definition:\n      union: []\n', 4, /'union' needs a non-empty list/, undefined],
    ['only excludes', 'selectors:\n  - name: a\n    definition:\n      union:\n        - exclude: [x]\n', 4, /at least one item besides 'exclude'/, undefined],
    ['no selectors list', 'selector:\n  - name: a\n', 1, /must have a 'selectors:' list/, /selectors:/],
  ];

  it.each(FILE_ERRORS)('selectors.yml with %s names the file and line', (_what, text, line, message, hint) => {
    const e = thrown(() => parseSelectorsFile(text));
    expect([e.code, e.exitCode, e.file, e.line]).toEqual(['SELECTOR_INVALID', 2, 'selectors.yml', line]);
    expect(e.message).toMatch(message);
    if (hint) expect(e.hint).toMatch(hint);
  });

  it('a broken selectors.yml in the project fails readSelectionInputs', () => {
    const d = makeProject({ 'selectors.yml': 'selectors:\n  - name: a\n    definition: {tags: x}\n' }, 'tform-select-');
    const e = thrown(() => readSelectionInputs({ projectDir: d }));
    expect([e.code, e.file, e.line]).toEqual(['SELECTOR_INVALID', 'selectors.yml', 3]);
    expect(e.hint).toMatch(/did you mean 'tag:'\?/);
  });
});
