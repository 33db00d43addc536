/**
 * DocsData for the docs site tests and the benchmark:
 *
 * - gamingDocs(): a small hand-made gaming project (bronze/silver/gold, a source, a seed, an
 *   analysis, a hidden model, tests with results, column lineage, charts, and a description
 *   carrying script injection attempts), with the facts tests assert (GAMING).
 * - syntheticDocs(): a generated project of N models (layers, 1–3 parents, columns with
 *   upstream columns, SQL text, tests). bench/docs-site.mjs holds the same generator in plain
 *   JavaScript (it must not import TypeScript); tests/docs-site-layout.test.ts checks both give
 *   the same data.
 */
import type { DocsColumn, DocsData, DocsNode } from '@tform/core';
import { mulberry32 } from '../../bench/generate-project.mjs';

const P = 'game';

type NodeInit = Partial<DocsNode> & Pick<DocsNode, 'uniqueId' | 'resourceType' | 'name'>;

function node(n: NodeInit): DocsNode {
  return {
    packageName: P,
    path: '',
    fqn: [P, n.name],
    tags: [],
    config: {},
    dependsOn: { nodes: n.parents ?? [], macros: [] },
    description: '',
    columns: [],
    parents: [],
    children: [],
    tests: [],
    show: true,
    ...n,
  };
}

function col(name: string, description: string, upstream?: [string, string][], extra: Partial<DocsColumn> = {}): DocsColumn {
  return { name, description, tests: [], upstream: upstream?.map(([node, column]) => ({ node, column })), ...extra };
}

const id = {
  source: 'source.game.raw.events',
  seed: 'seed.game.countries',
  brz: 'model.game.brz_events',
  stg: 'model.game.stg_events',
  users: 'model.game.stg_users',
  panel: 'model.game.daily_user_panel',
  kpis: 'model.game.daily_kpis',
  lifetime: 'model.game.user_panel',
  byCountry: 'model.game.revenue_by_country',
  hidden: 'model.game.tmp_scratch',
  analysis: 'analysis.game.retention_curve',
  tNotNull: 'test.game.not_null_stg_events_user_id',
  tUnique: 'test.game.unique_stg_events_event_id',
  tAccepted: 'test.game.accepted_values_stg_events_kind',
  tRel: 'test.game.relationships_daily_user_panel_user_id',
  tKpi: 'test.game.expression_daily_kpis_revenue_usd',
};

/** Ids and expected facts of gamingDocs(), for assertions. */
export const GAMING = {
  id,
  /** stg_events' lineage neighbourhood at depth 1 (itself, its parent, its child), sorted. */
  stgEventsNeighbourhood: [id.panel, id.brz, id.stg].sort(),
  /** daily_kpis.arpdau derives from these upstream columns. */
  arpdauUpstream: [`${id.panel}.revenue_usd`, `${id.panel}.user_id`].sort(),
  /** Nodes the graph draws: all but tests and the hidden model. */
  drawn: [id.source, id.seed, id.brz, id.stg, id.users, id.panel, id.kpis, id.lifetime, id.byCountry, id.analysis].sort(),
  /** `stg_events+` among drawn nodes. */
  stgEventsPlus: [id.stg, id.panel, id.kpis, id.lifetime, id.byCountry, id.analysis].sort(),
  /** `layer:gold` among drawn nodes. */
  gold: [id.panel, id.kpis, id.lifetime, id.byCountry].sort(),
  /** The text of the malicious description. */
  xss: '<script>window.__pwned=1</script>',
};

/** The hand-made gaming project. */
export function gamingDocs(): DocsData {
  const kpiRows = Array.from({ length: 14 }, (_, i) => ({
    event_date: `2024-03-${String(i + 1).padStart(2, '0')}`,
    dau: 1000 + i * 37 + (i % 3) * 50,
    revenue_usd: Math.round((420 + i * 12.5 + (i % 4) * 30) * 100) / 100,
  }));
  const countryRows = ['DE', 'FR', 'US'].flatMap((c, ci) =>
    ['2024-03-01', '2024-03-02', '2024-03-03'].map((d, di) => ({ event_date: d, country_name: c, revenue_usd: 100 + ci * 40 + di * 15 })),
  );
  const nodes: DocsNode[] = [
    node({
      uniqueId: id.source, resourceType: 'source', name: 'events', sourceName: 'raw', path: 'models/sources.yml', fqn: [P, 'raw', 'events'], layer: 'bronze',
      description: 'Raw client events as the game servers dump them.', relationName: '"main"."raw"."events"', schema: 'raw',
      columns: [col('event_id', 'Event id.', undefined, { type: 'VARCHAR' }), col('user_id', 'Player.', undefined, { type: 'BIGINT' }), col('event_ts', 'When.', undefined, { type: 'TIMESTAMP' }), col('kind', 'Event kind.', undefined, { type: 'VARCHAR' }), col('amount', 'Purchase amount, cents.', undefined, { type: 'INTEGER' })],
      children: [id.brz],
    }),
    node({
      uniqueId: id.seed, resourceType: 'seed', name: 'countries', path: 'seeds/countries.csv', layer: 'bronze', description: 'Country codes and names.',
      relationName: '"main"."main"."countries"', columns: [col('country_code', 'ISO code.', [], { type: 'VARCHAR' }), col('country_name', 'Name.', [], { type: 'VARCHAR' })],
      children: [id.users], result: { status: 'success', executionTime: 0.01 },
    }),
    node({
      uniqueId: id.brz, resourceType: 'model', name: 'brz_events', path: 'models/bronze/brz_events.sql', fqn: [P, 'bronze', 'brz_events'], layer: 'bronze', materialized: 'view',
      config: { materialized: 'view', event_time: 'event_ts' }, description: 'Events with an event time, straight from the source.',
      rawCode: "{{ config(materialized='view', event_time='event_ts') }}\nselect * from {{ source('raw', 'events') }}\n", compiledCode: 'select * from "main"."raw"."events"\n',
      dependsOn: { nodes: [id.source], macros: [] }, parents: [id.source], children: [id.stg, id.users], relationName: '"main"."main"."brz_events"',
      columns: [col('event_id', '', [[id.source, 'event_id']]), col('user_id', '', [[id.source, 'user_id']]), col('event_ts', '', [[id.source, 'event_ts']]), col('kind', '', [[id.source, 'kind']]), col('amount', '', [[id.source, 'amount']])],
      result: { status: 'success', executionTime: 0.02 },
    }),
    node({
      uniqueId: id.stg, resourceType: 'model', name: 'stg_events', path: 'models/silver/stg_events.sql', patchPath: 'models/silver/schema.yml', fqn: [P, 'silver', 'stg_events'], layer: 'silver', materialized: 'incremental', tags: ['daily'],
      config: { materialized: 'incremental', incremental_strategy: 'microbatch', batch_size: 'day' },
      description: `Typed, deduplicated events.\n\n**Bold** and a [link](https://example.com/docs).\n\n${GAMING.xss}\n\n<img src=x onerror="window.__pwned=2">\n\n[click me](javascript:window.__pwned=3)\n`,
      rawCode: "select event_id, user_id, cast(event_ts as date) as event_date, kind, amount / 100.0 as revenue_usd\nfrom {{ ref('brz_events') }}\n",
      compiledCode: 'select event_id, user_id, cast(event_ts as date) as event_date, kind, amount / 100.0 as revenue_usd\nfrom "main"."main"."brz_events"\n',
      dependsOn: { nodes: [id.brz], macros: [] }, parents: [id.brz], children: [id.panel], tests: [id.tNotNull, id.tUnique, id.tAccepted], relationName: '"main"."main"."stg_events"',
      columns: [
        col('event_id', 'Unique event id.', [[id.brz, 'event_id']], { type: 'VARCHAR', tests: [id.tUnique] }),
        col('user_id', 'The player.', [[id.brz, 'user_id']], { type: 'BIGINT', declaredType: 'bigint', tests: [id.tNotNull] }),
        col('event_date', 'Day of the event (UTC).', [[id.brz, 'event_ts']], { type: 'DATE' }),
        col('kind', 'session, match or purchase.', [[id.brz, 'kind']], { type: 'VARCHAR', tests: [id.tAccepted] }),
        col('revenue_usd', 'Purchase revenue in USD.', [[id.brz, 'amount']], { type: 'DOUBLE' }),
      ],
      result: { status: 'success', executionTime: 0.12, completedAt: '2024-03-15T08:00:00Z' },
    }),
    node({
      uniqueId: id.users, resourceType: 'model', name: 'stg_users', path: 'models/silver/stg_users.sql', fqn: [P, 'silver', 'stg_users'], layer: 'silver', materialized: 'table',
      description: 'One row per player with their country.', dependsOn: { nodes: [id.brz, id.seed], macros: [] }, parents: [id.brz, id.seed], children: [id.panel],
      columns: [col('user_id', '', [[id.brz, 'user_id']]), col('country_name', 'Country of first session.', [[id.seed, 'country_name']]), col('first_seen', '', [[id.brz, 'event_ts']])],
      result: { status: 'success' },
    }),
    node({
      uniqueId: id.panel, resourceType: 'model', name: 'daily_user_panel', path: 'models/gold/daily_user_panel.sql', fqn: [P, 'gold', 'daily_user_panel'], layer: 'gold', materialized: 'panel',
      config: { materialized: 'panel', entity: 'user_id', event_time: 'event_date' }, description: 'One row per player per day.',
      dependsOn: { nodes: [id.stg, id.users], macros: [] }, parents: [id.stg, id.users], children: [id.kpis, id.lifetime, id.byCountry, id.analysis], tests: [id.tRel],
      columns: [
        col('user_id', '', [[id.stg, 'user_id']], { tests: [id.tRel] }),
        col('event_date', '', [[id.stg, 'event_date']]),
        col('sessions', 'Sessions that day.', [[id.stg, 'kind']]),
        col('revenue_usd', '', [[id.stg, 'revenue_usd']]),
        col('country_name', '', [[id.users, 'country_name']]),
      ],
      result: { status: 'success' },
    }),
    node({
      uniqueId: id.kpis, resourceType: 'model', name: 'daily_kpis', path: 'models/gold/daily_kpis.sql', fqn: [P, 'gold', 'daily_kpis'], layer: 'gold', materialized: 'table',
      description: 'Daily active users and revenue.', dependsOn: { nodes: [id.panel], macros: [] }, parents: [id.panel], tests: [id.tKpi],
      columns: [
        col('event_date', '', [[id.panel, 'event_date']]),
        col('dau', 'Daily active users.', [[id.panel, 'user_id']]),
        col('revenue_usd', '', [[id.panel, 'revenue_usd']], { tests: [id.tKpi] }),
        col('arpdau', 'Average revenue per daily active user.', [[id.panel, 'user_id'], [id.panel, 'revenue_usd']]),
        col('computed_at', 'Build time.', []),
      ],
      chart: { type: 'line', x: 'event_date', y: ['dau', 'revenue_usd'], title: 'DAU and revenue', rows: kpiRows },
      result: { status: 'success' },
    }),
    node({
      uniqueId: id.lifetime, resourceType: 'model', name: 'user_panel', path: 'models/gold/user_panel.sql', fqn: [P, 'gold', 'user_panel'], layer: 'gold', materialized: 'panel',
      description: 'Lifetime panel folded from the daily panel.', dependsOn: { nodes: [id.panel], macros: [] }, parents: [id.panel],
      lineageNote: 'a panel_of model has no SQL to trace', columns: [col('user_id', ''), col('install_date', ''), col('total_revenue_usd', '')],
      chart: { type: 'bar', x: 'install_date', y: ['users'], rows: [], error: 'relation "main"."user_panel" does not exist yet (run tform build)' },
    }),
    node({
      uniqueId: id.byCountry, resourceType: 'model', name: 'revenue_by_country', path: 'models/gold/revenue_by_country.sql', fqn: [P, 'gold', 'revenue_by_country'], layer: 'gold', color: '#c2185b',
      description: 'Revenue per country per day.', dependsOn: { nodes: [id.panel], macros: [] }, parents: [id.panel],
      columns: [col('event_date', '', [[id.panel, 'event_date']]), col('country_name', '', [[id.panel, 'country_name']]), col('revenue_usd', '', [[id.panel, 'revenue_usd']])],
      chart: { type: 'bar', x: 'event_date', y: ['revenue_usd'], series: 'country_name', title: 'Revenue by country', rows: countryRows },
    }),
    node({ uniqueId: id.hidden, resourceType: 'model', name: 'tmp_scratch', path: 'models/silver/tmp_scratch.sql', layer: 'silver', show: false, description: 'Scratch work.', dependsOn: { nodes: [id.brz], macros: [] }, parents: [id.brz] }),
    node({ uniqueId: id.analysis, resourceType: 'analysis', name: 'retention_curve', path: 'analyses/retention_curve.sql', description: 'Day-N retention.', dependsOn: { nodes: [id.panel], macros: [] }, parents: [id.panel], rawCode: "select 1 from {{ ref('daily_user_panel') }}" }),
    test(id.tNotNull, 'not_null', id.stg, 'user_id', 'error', { status: 'pass', failures: 0 }),
    test(id.tUnique, 'unique', id.stg, 'event_id', 'error', { status: 'fail', failures: 3, message: 'Got 3 results, configured to fail if != 0' }),
    test(id.tAccepted, 'accepted_values', id.stg, 'kind', 'warn', { status: 'warn', failures: 1 }),
    test(id.tRel, 'relationships', id.panel, 'user_id', 'error', { status: 'pass', failures: 0 }, [id.users]),
    test(id.tKpi, 'expression', id.kpis, 'revenue_usd', 'error', { status: 'pass', failures: 0 }),
  ];
  nodes.sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : 1));
  return {
    version: 1,
    generatedAt: '2024-03-15T09:00:00Z',
    tformVersion: '0.1.0',
    project: {
      name: 'game_analytics',
      adapterType: 'duckdb',
      targetName: 'dev',
      overview: '# Game analytics\n\nRaw client events → typed events (**silver**) → player panels and KPIs (**gold**).\n\n<script>window.__pwned=4</script>\n',
    },
    nodes,
    catalog: { available: true, generatedAt: '2024-03-15T09:00:00Z' },
    runResults: { generatedAt: '2024-03-15T08:00:00Z', command: 'build', invocationId: 'abc' },
    lineage: { models: 6, withLineage: 5, parser: 'node-sql-parser 5.4.0' },
  };
}

function test(uniqueId: string, testName: string, on: string, column: string, severity: string, result: DocsNode['result'], also: string[] = []): DocsNode {
  const name = uniqueId.split('.').pop()!;
  return node({
    uniqueId, resourceType: 'test', name, testName, testType: 'generic', attachedNode: on, columnName: column, severity, result,
    path: `models/schema.yml`, dependsOn: { nodes: [on, ...also], macros: [] }, config: { severity },
    description: '', compiledCode: `select ${column} from ${on} where ${column} is null`,
  });
}

// ---------------------------------------------------------------------------------------------
// Synthetic projects

const DOMAINS = ['events', 'users', 'purchases', 'sessions', 'matches', 'items', 'ads', 'quests'];
const METRICS = ['revenue_usd', 'sessions', 'matches', 'coins', 'items', 'ad_views', 'quest_steps', 'playtime_s'];

/** Options of syntheticDocs. */
export interface SyntheticOptions {
  models?: number;
  seed?: number;
}

/**
 * N models: the first 15% bronze (no parents: they read raw tables), then 50% silver, then gold.
 * Silver and gold models have 1–3 parents among the earlier models of their layer or the one
 * below; every model has 4–8 columns whose upstream columns come from its parents; every other
 * model has a not_null test with a result.
 */
export function syntheticDocs(o: SyntheticOptions = {}): DocsData {
  const total = o.models ?? 5000;
  const rnd = mulberry32(o.seed ?? 1);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const bronzeEnd = Math.max(1, Math.round(total * 0.15));
  const silverEnd = Math.max(bronzeEnd, Math.round(total * 0.65));
  const layerOf = (i: number) => (i < bronzeEnd ? 'bronze' : i < silverEnd ? 'silver' : 'gold');
  const prefix: Record<string, string> = { bronze: 'brz', silver: 'stg', gold: 'fct' };
  const models: DocsNode[] = [];
  const tests: DocsNode[] = [];
  for (let i = 0; i < total; i++) {
    const layer = layerOf(i);
    const domain = DOMAINS[i % DOMAINS.length]!;
    const name = `${prefix[layer]}_${domain}_${String(i).padStart(5, '0')}`;
    const uniqueId = `model.bench.${name}`;
    let parents: number[] = [];
    if (layer !== 'bronze') {
      const lo = layer === 'silver' ? 0 : bronzeEnd;
      const want = 1 + Math.floor(rnd() * 3);
      const set = new Set<number>();
      for (let k = 0; k < want * 3 && set.size < want; k++) {
        // Mostly recent models (a realistic, fairly deep DAG), sometimes any earlier one.
        const span = rnd() < 0.7 ? Math.min(i - lo, 200) : i - lo;
        set.add(i - 1 - Math.floor(rnd() * span));
      }
      parents = [...set].filter((p) => p >= lo && p < i).sort((a, b) => a - b);
    }
    const parentNodes = parents.map((p) => models[p]!);
    const ncols = 4 + Math.floor(rnd() * 5);
    const columns: DocsColumn[] = [];
    for (let c = 0; c < ncols; c++) {
      const cname = c === 0 ? 'user_id' : c === 1 ? 'event_date' : `${METRICS[(i + c) % METRICS.length]}_${c}`;
      let upstream: DocsColumn['upstream'];
      if (layer === 'bronze') upstream = [];
      else {
        const src = parentNodes.length ? pick(parentNodes) : undefined;
        const up = src ? src.columns.find((x) => x.name === cname) ?? pick(src.columns) : undefined;
        upstream = up && src ? [{ node: src.uniqueId, column: up.name }] : [];
        if (src && c > 1 && rnd() < 0.3) {
          const other = pick(parentNodes);
          const oc = pick(other.columns);
          if (!(other.uniqueId === src.uniqueId && oc.name === up!.name)) upstream.push({ node: other.uniqueId, column: oc.name });
        }
      }
      columns.push({ name: cname, description: c === 0 ? 'The player.' : `${cname.replace(/_/g, ' ')} per player and day.`, type: c === 0 ? 'BIGINT' : c === 1 ? 'DATE' : 'DOUBLE', tests: [], upstream });
    }
    const from = parentNodes.length ? parentNodes.map((p, k) => `{{ ref('${p.name}') }} as p${k}`).join('\n  join ') : `raw.${domain}_${i}`;
    const select = columns.map((c) => `  ${c.upstream?.[0] ? `p0.${c.upstream[0].column}` : c.name} as ${c.name}`).join(',\n');
    const rawCode = `select\n${select}\nfrom ${from}${parentNodes.length > 1 ? '\n  using (user_id, event_date)' : ''}\nwhere event_date >= '2024-01-01'\n`;
    const compiledCode = rawCode.replace(/\{\{ ref\('([^']+)'\) \}\}/g, '"main"."main"."$1"');
    const n = node({
      uniqueId, resourceType: 'model', name, packageName: 'bench', path: `models/${layer}/${domain}/${name}.sql`, fqn: ['bench', layer, domain, name], layer,
      tags: i % 5 === 0 ? ['daily'] : [], materialized: layer === 'bronze' ? 'view' : 'table', config: { materialized: layer === 'bronze' ? 'view' : 'table' },
      description: `The ${domain} ${layer} model number ${i}: one row per player and day.`, relationName: `"main"."main"."${name}"`,
      rawCode, compiledCode, columns, dependsOn: { nodes: parentNodes.map((p) => p.uniqueId), macros: [] }, parents: parentNodes.map((p) => p.uniqueId),
      result: { status: 'success', executionTime: Math.round(rnd() * 1000) / 1000 },
    });
    for (const p of parentNodes) p.children.push(uniqueId);
    if (i % 2 === 0) {
      const tid = `test.bench.not_null_${name}_user_id`;
      const fail = rnd() < 0.05;
      tests.push(node({
        uniqueId: tid, resourceType: 'test', name: `not_null_${name}_user_id`, packageName: 'bench', testName: 'not_null', testType: 'generic', attachedNode: uniqueId, columnName: 'user_id',
        severity: 'error', path: `models/${layer}/${domain}/schema.yml`, dependsOn: { nodes: [uniqueId], macros: [] }, config: { severity: 'error' },
        result: { status: fail ? 'fail' : 'pass', failures: fail ? 1 + Math.floor(rnd() * 9) : 0 },
      }));
      n.tests.push(tid);
      columns[0]!.tests.push(tid);
    }
    models.push(n);
  }
  const nodes = [...models, ...tests].sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : 1));
  return {
    version: 1,
    generatedAt: '2024-03-15T09:00:00Z',
    tformVersion: '0.1.0',
    project: { name: 'bench_docs', adapterType: 'duckdb', targetName: 'dev', overview: `# Synthetic project\n\n${total} models in three layers.` },
    nodes,
    catalog: { available: true },
    lineage: { models: total, withLineage: total, parser: 'synthetic' },
  };
}
