#!/usr/bin/env node
// npm run demo: build the example project on the embedded DuckDB warehouse, then show gold rows.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const project = join(root, 'project');
const tform = join(root, 'packages/cli/bin/tform.js');

const build = spawnSync(process.execPath, [tform, 'build', '--project-dir', project, ...process.argv.slice(2)], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const db = await DuckDBInstance.create(join(project, 'target/game_analytics.duckdb'), { access_mode: 'READ_ONLY' });
const con = await db.connect();
const show = async (title, sql) => {
  const rows = (await con.runAndReadAll(sql)).getRowObjectsJS();
  console.log(`\n${title}`);
  console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'bigint' ? Number(v) : v]))));
};
await show('gold.daily_kpis — DAU and revenue per day', 'select * from main_gold.daily_kpis order by event_date');
await show('gold.user_panel — top 5 players by revenue', 'select user_id, install_date, last_active_date, active_days, total_matches, total_revenue_usd from main_gold.user_panel order by total_revenue_usd desc, user_id limit 5');
con.closeSync();
db.closeSync();

// The docs site of what was just built: lineage, column lineage, test results, the KPI chart.
const docs = spawnSync(process.execPath, [tform, 'docs', 'generate', '--project-dir', project], { stdio: 'inherit' });
if (docs.status !== 0) process.exit(docs.status ?? 1);
console.log(`\nWarehouse: ${join('project', 'target/game_analytics.duckdb')}; compiled SQL in project/target/compiled, artifacts in project/target/*.json`);
console.log('Docs site: open project/target/docs/index.html, or run `npx tform docs serve --project-dir project`');
