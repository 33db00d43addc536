/**
 * Column lineage (packages/core/src/docs/lineage) over a table of SQL cases with exact upstream
 * lists. Cases valid in both dialects run through both front ends: DuckDB's own parser (a real
 * in-memory DuckDB's json_serialize_sql) and node-sql-parser in PostgreSQL mode. DuckDB-only
 * syntax (QUALIFY, EXCLUDE, REPLACE, GROUP BY ALL, …) runs through DuckDB alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import {
  columnLineage,
  type ColumnLineage,
  type LineageRelation,
  type LineageRequest,
  type LineageResult,
} from '../packages/core/src/docs/lineage/index.js';

/** The project's upstream relations: name → node id and columns (undefined: not known). */
const UPSTREAM: Record<string, LineageRelation> = {
  stg_orders: { node: 'model.shop.stg_orders', columns: ['order_id', 'customer_id', 'ordered_at', 'amount', 'status'] },
  stg_customers: { node: 'model.shop.stg_customers', columns: ['customer_id', 'Name', 'country'] },
  fx_rates: { node: 'seed.shop.fx_rates', columns: ['currency', 'rate'] },
  events: { node: 'source.shop.raw.events' },
  sessions: { node: 'source.shop.raw.sessions' },
};
const SHORT: Record<string, string> = {
  orders: 'model.shop.stg_orders',
  customers: 'model.shop.stg_customers',
  fx: 'seed.shop.fx_rates',
  events: 'source.shop.raw.events',
  sessions: 'source.shop.raw.sessions',
};

/** Relations by their last name part, in schema main (or raw for sources); anything else is outside the project. */
function resolveRelation(parts: string[]): LineageRelation | undefined {
  const name = parts.at(-1)!.toLowerCase();
  const rel = UPSTREAM[name];
  if (!rel) return undefined;
  const schema = parts.at(-2)?.toLowerCase();
  if (schema !== undefined && schema !== (rel.node.startsWith('source.') ? 'raw' : 'main')) return undefined;
  return rel;
}

/** Expected columns: `[name, ['orders.amount', …]]`, upstream written in the expected (sorted) order. */
type Expected = [name: string, upstream: string[]][];

function expected(cols: Expected): ColumnLineage[] {
  return cols.map(([name, ups]) => ({
    name,
    upstream: ups.map((u) => {
      const dot = u.indexOf('.');
      return { node: SHORT[u.slice(0, dot)]!, column: u.slice(dot + 1) };
    }),
  }));
}

interface Case {
  name: string;
  sql: string;
  columns: Expected;
  /** When PostgreSQL's answer differs (the order of `select *` over USING / NATURAL joins). */
  postgres?: Expected;
}

/** Valid in DuckDB and PostgreSQL alike. */
const BOTH: Case[] = [
  {
    name: 'column and table aliases',
    sql: 'select o.order_id as id, o.amount, status as state from stg_orders as o',
    columns: [['id', ['orders.order_id']], ['amount', ['orders.amount']], ['state', ['orders.status']]],
  },
  {
    name: 'unqualified columns resolve to the relation that has them; JOIN ON columns are not upstream',
    sql: 'select order_id, country from stg_orders o join stg_customers c on o.customer_id = c.customer_id',
    columns: [['order_id', ['orders.order_id']], ['country', ['customers.country']]],
  },
  {
    name: 'expressions and function calls read the union of their columns',
    sql: `select o.amount * f.rate as amount_usd, upper(o.status) || '-' || c.country as label, coalesce(o.amount, 0) + 1 as amt1
          from stg_orders o join fx_rates f on f.currency = 'EUR' join stg_customers c on c.customer_id = o.customer_id`,
    columns: [['amount_usd', ['orders.amount', 'fx.rate']], ['label', ['customers.country', 'orders.status']], ['amt1', ['orders.amount']]],
  },
  {
    name: 'CASE reads its conditions and results',
    sql: `select case when status = 'paid' then amount else 0 end as paid_amount, case status when 'x' then 1 end as is_x from stg_orders`,
    columns: [['paid_amount', ['orders.amount', 'orders.status']], ['is_x', ['orders.status']]],
  },
  {
    name: 'CAST and :: keep the operand',
    sql: 'select cast(amount as numeric) as amt, ordered_at::date as order_date from stg_orders',
    columns: [['amt', ['orders.amount']], ['order_date', ['orders.ordered_at']]],
  },
  {
    name: 'window functions: PARTITION BY and ORDER BY columns are inputs',
    sql: `select order_id,
            row_number() over (partition by customer_id order by ordered_at) as rn,
            sum(amount) over (partition by customer_id) as customer_total,
            lag(amount) over (order by ordered_at) as prev_amount
          from stg_orders`,
    columns: [
      ['order_id', ['orders.order_id']],
      ['rn', ['orders.customer_id', 'orders.ordered_at']],
      ['customer_total', ['orders.amount', 'orders.customer_id']],
      ['prev_amount', ['orders.amount', 'orders.ordered_at']],
    ],
  },
  {
    name: 'aggregates, count(*), literals; WHERE / GROUP BY / HAVING / ORDER BY / LIMIT add nothing',
    sql: `select customer_id, count(*) as n, count(distinct status) as statuses, sum(amount) as total, 1 as one, 'x' as tag
          from stg_orders where status = 'paid' and ordered_at > '2024-01-01'
          group by customer_id having sum(amount) > 10 order by total desc limit 5`,
    columns: [
      ['customer_id', ['orders.customer_id']],
      ['n', []],
      ['statuses', ['orders.status']],
      ['total', ['orders.amount']],
      ['one', []],
      ['tag', []],
    ],
  },
  {
    name: 'CTEs, one reading another, joined with USING',
    sql: `with paid as (select order_id, customer_id, amount from stg_orders where status = 'paid'),
               per_customer as (select customer_id, sum(amount) as revenue from paid group by customer_id)
          select c.name as customer, p.revenue, customer_id from per_customer p join stg_customers c using (customer_id)`,
    columns: [['customer', ['customers.Name']], ['revenue', ['orders.amount']], ['customer_id', ['customers.customer_id', 'orders.customer_id']]],
  },
  {
    name: 'subquery in FROM',
    sql: 'select t.customer_id, t.big from (select customer_id, amount > 100 as big from stg_orders) as t where t.big',
    columns: [['customer_id', ['orders.customer_id']], ['big', ['orders.amount']]],
  },
  {
    name: 'USING columns map to both sides',
    sql: 'select customer_id, country, amount from stg_orders join stg_customers using (customer_id)',
    columns: [['customer_id', ['customers.customer_id', 'orders.customer_id']], ['country', ['customers.country']], ['amount', ['orders.amount']]],
  },
  {
    name: 'UNION ALL: column i derives from column i of every branch',
    sql: `select order_id as id, amount from stg_orders
          union all select customer_id, 0 from stg_customers
          union all select 0, rate from fx_rates`,
    columns: [['id', ['customers.customer_id', 'orders.order_id']], ['amount', ['orders.amount', 'fx.rate']]],
  },
  {
    name: 'UNION (distinct) with ORDER BY',
    sql: 'select customer_id from stg_orders union select customer_id from stg_customers order by 1',
    columns: [['customer_id', ['customers.customer_id', 'orders.customer_id']]],
  },
  {
    name: 'EXCEPT: only the left branch feeds values',
    sql: 'select customer_id from stg_customers except select customer_id from stg_orders',
    columns: [['customer_id', ['customers.customer_id']]],
  },
  {
    name: 'select * expands the upstream columns as listed',
    sql: 'select * from stg_customers',
    columns: [['customer_id', ['customers.customer_id']], ['Name', ['customers.Name']], ['country', ['customers.country']]],
  },
  {
    name: 't.* next to other columns',
    sql: 'select f.*, o.amount from fx_rates f cross join stg_orders o',
    columns: [['currency', ['fx.currency']], ['rate', ['fx.rate']], ['amount', ['orders.amount']]],
  },
  {
    name: '* over a CTE expands its outputs',
    sql: 'with x as (select order_id, amount * 2 as doubled from stg_orders) select * from x',
    columns: [['order_id', ['orders.order_id']], ['doubled', ['orders.amount']]],
  },
  {
    name: 'select distinct',
    sql: 'select distinct status, customer_id from stg_orders',
    columns: [['status', ['orders.status']], ['customer_id', ['orders.customer_id']]],
  },
  {
    name: 'upstream with unknown columns: an unqualified column is that relation\'s column as written',
    sql: 'select event_id, e.payload as body from raw.events e',
    columns: [['event_id', ['events.event_id']], ['body', ['events.payload']]],
  },
  {
    name: 'several relations with unknown columns: an unqualified column is attributed to each',
    sql: 'select e.event_id, user_agent from raw.events e join raw.sessions s on e.session_id = s.session_id',
    columns: [['event_id', ['events.event_id']], ['user_agent', ['events.user_agent', 'sessions.user_agent']]],
  },
  {
    name: 'known columns win over unknown ones for unqualified names',
    sql: 'select country, payload from stg_customers c join raw.events e on e.customer_id = c.customer_id',
    columns: [['country', ['customers.country']], ['payload', ['events.payload']]],
  },
  {
    name: 'names compare case-insensitively; unaliased columns take the upstream spelling',
    sql: 'select CUSTOMER_ID, name, C.Country as "Land" from STG_CUSTOMERS c',
    columns: [['customer_id', ['customers.customer_id']], ['Name', ['customers.Name']], ['Land', ['customers.country']]],
  },
  {
    name: 'schema-qualified relations and columns',
    sql: 'select main.stg_orders.amount, stg_orders.status from main.stg_orders',
    columns: [['amount', ['orders.amount']], ['status', ['orders.status']]],
  },
  {
    name: 'relations outside the project contribute nothing',
    sql: 'select l.label, o.amount from other.lookup l join stg_orders o on o.status = l.code',
    columns: [['label', []], ['amount', ['orders.amount']]],
  },
  {
    name: 'scalar, IN and EXISTS subqueries in the select list',
    sql: `select c.customer_id,
            (select max(o.amount) from stg_orders o where o.customer_id = c.customer_id) as max_amount,
            c.country in (select currency from fx_rates) as priced,
            exists (select 1 from stg_orders o where o.customer_id = c.customer_id) as has_orders
          from stg_customers c`,
    columns: [
      ['customer_id', ['customers.customer_id']],
      ['max_amount', ['orders.amount']],
      ['priced', ['customers.country', 'fx.currency']],
      ['has_orders', []],
    ],
  },
  {
    name: 'left join to an aggregating FROM subquery',
    sql: `select o.order_id, x.n from stg_orders o
          left join (select customer_id, count(*) as n from stg_orders group by customer_id) x on x.customer_id = o.customer_id`,
    columns: [['order_id', ['orders.order_id']], ['n', []]],
  },
  {
    name: 'recursive CTE',
    sql: `with recursive chain(n, cid) as (
            select 1, customer_id from stg_customers
            union all
            select n + 1, o.customer_id from chain join stg_orders o on o.order_id = chain.cid where n < 3)
          select n, cid from chain`,
    columns: [['n', []], ['cid', ['customers.customer_id', 'orders.customer_id']]],
  },
  {
    name: 'star over a join with USING lists the USING column once',
    sql: 'select * from stg_customers join (select customer_id, sum(amount) as total from stg_orders group by 1) t using (customer_id)',
    columns: [
      ['customer_id', ['customers.customer_id', 'orders.customer_id']],
      ['Name', ['customers.Name']],
      ['country', ['customers.country']],
      ['total', ['orders.amount']],
    ],
  },
  {
    name: 'LATERAL subquery reading the relation to its left',
    sql: 'select o.order_id, l.cents from stg_orders o cross join lateral (select o.amount * 100 as cents) l',
    columns: [['order_id', ['orders.order_id']], ['cents', ['orders.amount']]],
  },
  {
    name: 'named WINDOW clause',
    sql: 'select sum(amount) over w as running, rank() over w as r from stg_orders window w as (partition by customer_id order by ordered_at)',
    columns: [['running', ['orders.amount', 'orders.customer_id', 'orders.ordered_at']], ['r', ['orders.customer_id', 'orders.ordered_at']]],
  },
  {
    name: 'NATURAL JOIN merges the shared columns (DuckDB keeps them in place, PostgreSQL puts them first)',
    sql: 'select * from stg_orders natural join stg_customers',
    columns: [
      ['order_id', ['orders.order_id']],
      ['customer_id', ['customers.customer_id', 'orders.customer_id']],
      ['ordered_at', ['orders.ordered_at']],
      ['amount', ['orders.amount']],
      ['status', ['orders.status']],
      ['Name', ['customers.Name']],
      ['country', ['customers.country']],
    ],
    postgres: [
      ['customer_id', ['customers.customer_id', 'orders.customer_id']],
      ['order_id', ['orders.order_id']],
      ['ordered_at', ['orders.ordered_at']],
      ['amount', ['orders.amount']],
      ['status', ['orders.status']],
      ['Name', ['customers.Name']],
      ['country', ['customers.country']],
    ],
  },
  {
    name: 'VALUES and a table function read no upstream',
    sql: `select v.code, v.label, g.n, o.amount from (values (1, 'a'), (2, 'b')) as v(code, label), generate_series(1, 3) as g(n), stg_orders o`,
    columns: [['code', []], ['label', []], ['n', []], ['amount', ['orders.amount']]],
  },
];

/** DuckDB syntax node-sql-parser does not read. */
const DUCKDB_ONLY: Case[] = [
  {
    name: 'QUALIFY adds nothing',
    sql: 'select customer_id, amount from stg_orders qualify row_number() over (partition by customer_id order by ordered_at desc) = 1',
    columns: [['customer_id', ['orders.customer_id']], ['amount', ['orders.amount']]],
  },
  {
    name: '* EXCLUDE',
    sql: 'select * exclude (status, ordered_at) from stg_orders',
    columns: [['order_id', ['orders.order_id']], ['customer_id', ['orders.customer_id']], ['amount', ['orders.amount']]],
  },
  {
    name: 't.* EXCLUDE … REPLACE reading another relation',
    sql: 'select o.* exclude (ordered_at) replace (o.amount * f.rate as amount) from stg_orders o join fx_rates f on true',
    columns: [
      ['order_id', ['orders.order_id']],
      ['customer_id', ['orders.customer_id']],
      ['amount', ['orders.amount', 'fx.rate']],
      ['status', ['orders.status']],
    ],
  },
  {
    name: '* RENAME',
    sql: 'select * rename (currency as ccy) from fx_rates',
    columns: [['ccy', ['fx.currency']], ['rate', ['fx.rate']]],
  },
  {
    name: 'GROUP BY ALL, and DuckDB names for unaliased expressions',
    sql: 'select customer_id, sum(amount), count(*), amount + 1 from stg_orders group by all',
    columns: [['customer_id', ['orders.customer_id']], ['sum(amount)', ['orders.amount']], ['count_star()', []], ['(amount + 1)', ['orders.amount']]],
  },
  {
    name: 'lambda parameters are not columns',
    sql: 'select list_transform([amount, order_id], x -> x * 2) as doubled from stg_orders',
    columns: [['doubled', ['orders.amount', 'orders.order_id']]],
  },
  {
    name: 'implicit lateral subquery and unnest',
    sql: 'select o.order_id, l.cents, u.k from stg_orders o, (select o.amount * 100 as cents) l, unnest([o.status]) as u(k)',
    columns: [['order_id', ['orders.order_id']], ['cents', ['orders.amount']], ['k', ['orders.status']]],
  },
  {
    name: 'UNION BY NAME',
    sql: 'select customer_id, amount from stg_orders union all by name select country, customer_id from stg_customers',
    columns: [['customer_id', ['customers.customer_id', 'orders.customer_id']], ['amount', ['orders.amount']], ['country', ['customers.country']]],
  },
  {
    name: 'SEMI JOIN exposes the left side only; FROM-first; positional reference',
    sql: 'from stg_customers c semi join stg_orders o using (customer_id) select *, #3',
    columns: [['customer_id', ['customers.customer_id']], ['Name', ['customers.Name']], ['country', ['customers.country']], ['country', ['customers.country']]],
  },
  {
    name: 'aggregate FILTER and ORDER BY feed the value',
    sql: `select string_agg(status, ',' order by ordered_at) as statuses, sum(amount) filter (where status = 'paid') as paid from stg_orders`,
    columns: [['statuses', ['orders.ordered_at', 'orders.status']], ['paid', ['orders.amount', 'orders.status']]],
  },
];

let conn: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});

afterAll(() => {
  conn?.disconnectSync();
  instance?.closeSync();
});

/** DuckDB's parse tree of `sql`: what `select json_serialize_sql($sql)` returns. */
async function duckdbAst(sql: string): Promise<unknown> {
  const reader = await conn.runAndReadAll('select json_serialize_sql($1::varchar)', [sql], [VARCHAR]);
  return JSON.parse(String(reader.getRows()[0]![0]));
}

async function viaDuckDB(sql: string, extra: Partial<LineageRequest> = {}): Promise<LineageResult> {
  return columnLineage({ sql, dialect: 'duckdb', duckdbAst: await duckdbAst(sql), resolveRelation, ...extra });
}

function viaPostgres(sql: string): LineageResult {
  return columnLineage({ sql, dialect: 'postgres', resolveRelation });
}

describe('column lineage, both parsers', () => {
  for (const c of BOTH) {
    it(`duckdb: ${c.name}`, async () => {
      expect(await viaDuckDB(c.sql)).toEqual({ ok: true, columns: expected(c.columns) });
    });
    it(`postgres: ${c.name}`, () => {
      expect(viaPostgres(c.sql)).toEqual({ ok: true, columns: expected(c.postgres ?? c.columns) });
    });
  }
});

describe('column lineage, DuckDB syntax', () => {
  for (const c of DUCKDB_ONLY) {
    it(c.name, async () => {
      expect(await viaDuckDB(c.sql)).toEqual({ ok: true, columns: expected(c.columns) });
    });
  }
});

describe('other dialects', () => {
  it('bigquery: backquoted project.dataset.table and * EXCEPT', () => {
    const seen: string[][] = [];
    const r = columnLineage({
      sql: 'select * except (status, ordered_at) from `proj.main.stg_orders`',
      dialect: 'bigquery',
      resolveRelation: (parts) => (seen.push(parts), resolveRelation(parts)),
    });
    expect(seen).toEqual([['proj', 'main', 'stg_orders']]);
    expect(r).toEqual({ ok: true, columns: expected([['order_id', ['orders.order_id']], ['customer_id', ['orders.customer_id']], ['amount', ['orders.amount']]]) });
  });

  it('an unknown dialect is read as PostgreSQL', () => {
    const r = columnLineage({ sql: 'select amount::int as a from main.stg_orders', dialect: 'snowflake', resolveRelation });
    expect(r).toEqual({ ok: true, columns: expected([['a', ['orders.amount']]]) });
  });
});

describe('failures are reported, never thrown', () => {
  it('DuckDB syntax error: DuckDB\'s message', async () => {
    expect(await viaDuckDB('selec amount from stg_orders')).toEqual({ ok: false, reason: 'could not parse the SQL (DuckDB): syntax error at or near "selec"' });
  });

  it('PostgreSQL syntax error: where the parser stopped', () => {
    expect(viaPostgres('select amount from stg_orders where')).toEqual({ ok: false, reason: 'could not parse the SQL (postgresql) at line 1, column 36 at the end' });
    expect(viaPostgres('select amount frm stg_orders')).toEqual({ ok: false, reason: 'could not parse the SQL (postgresql) at line 1, column 19 near "s"' });
  });

  it('* over an upstream whose columns are unknown', async () => {
    const reason = 'cannot expand * over raw.events (source.shop.raw.events): its columns are not known';
    expect(await viaDuckDB('select * from raw.events')).toEqual({ ok: false, reason });
    expect(viaPostgres('select * from raw.events')).toEqual({ ok: false, reason });
    expect(await viaDuckDB('select e.* from raw.events e')).toEqual({ ok: false, reason });
  });

  it('* over a table function whose columns are unknown', async () => {
    expect(await viaDuckDB(`select * from read_csv('x.csv')`)).toEqual({ ok: false, reason: 'cannot expand * over read_csv(…): its columns are not known' });
  });

  it('no DuckDB tree, or a tree that is not one', () => {
    const req = { sql: 'select 1', dialect: 'duckdb', resolveRelation };
    expect(columnLineage(req)).toEqual({ ok: false, reason: 'no DuckDB parse tree (json_serialize_sql) was given' });
    expect(columnLineage({ ...req, duckdbAst: 42 })).toEqual({ ok: false, reason: 'no DuckDB parse tree' });
  });

  it('a statement other than SELECT', async () => {
    expect(await viaDuckDB('create table x as select 1')).toEqual({ ok: false, reason: 'could not parse the SQL (DuckDB): Only SELECT statements can be serialized to json!' });
    expect(viaPostgres('delete from stg_orders')).toEqual({ ok: false, reason: 'only SELECT statements have column lineage, found delete' });
  });

  it('several statements', async () => {
    expect(await viaDuckDB('select 1; select 2')).toEqual({ ok: false, reason: 'expected one SELECT statement, found 2' });
    expect(viaPostgres('select 1; select 2')).toEqual({ ok: false, reason: 'expected one SELECT statement, found 2' });
  });

  it('unsupported DuckDB constructs name the node type', async () => {
    expect(await viaDuckDB(`select * from stg_orders pivot (sum(amount) for status in ('paid'))`)).toEqual({ ok: false, reason: 'unsupported DuckDB FROM item PIVOT' });
    expect(await viaDuckDB(`select columns('a.*') from stg_orders`)).toEqual({ ok: false, reason: 'COLUMNS(…) and * with a pattern are not supported' });
  });

  it('unknown node types in the DuckDB tree are named, not guessed at', async () => {
    const tree = (await duckdbAst('select amount + 1 as a from stg_orders')) as {
      statements: { node: { type: string; select_list: { class: string; type: string }[] } }[];
    };
    const badExpr = structuredClone(tree);
    badExpr.statements[0]!.node.select_list[0]!.class = 'HYPOTHETICAL';
    badExpr.statements[0]!.node.select_list[0]!.type = 'HYPOTHETICAL_EXPR';
    expect(columnLineage({ sql: '', dialect: 'duckdb', duckdbAst: badExpr, resolveRelation })).toEqual({
      ok: false,
      reason: 'unsupported DuckDB expression HYPOTHETICAL/HYPOTHETICAL_EXPR',
    });
    const badNode = structuredClone(tree);
    badNode.statements[0]!.node.type = 'FUTURE_NODE';
    expect(columnLineage({ sql: '', dialect: 'duckdb', duckdbAst: badNode, resolveRelation })).toEqual({ ok: false, reason: 'unsupported DuckDB query node FUTURE_NODE' });
  });

  it('set operation branches of different widths', async () => {
    const sql = 'select order_id, amount from stg_orders union all select customer_id from stg_customers';
    expect(await viaDuckDB(sql)).toEqual({ ok: false, reason: 'set operation branches have 2 and 1 columns' });
    expect(viaPostgres(sql)).toEqual({ ok: false, reason: 'set operation branches have 2 and 1 columns' });
  });

  it('an exception from resolveRelation', async () => {
    const resolveRelation = () => {
      throw new Error('catalog unavailable');
    };
    expect(await viaDuckDB('select amount from stg_orders', { resolveRelation })).toEqual({ ok: false, reason: 'lineage failed: catalog unavailable' });
    expect(columnLineage({ sql: 'select amount from stg_orders', dialect: 'postgres', resolveRelation })).toEqual({
      ok: false,
      reason: 'lineage failed: catalog unavailable',
    });
  });
});
