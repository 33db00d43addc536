import { describe, expect, it } from 'vitest';
import { tmpRelation, type RelationRef } from '@tform/core';
import { DuckDBDialect } from '@tform/adapters/duckdb';

const d = new DuckDBDialect();
const orders: RelationRef = { schema: 'analytics', identifier: 'orders' };

describe('DuckDBDialect', () => {
  it('is named duckdb', () => {
    expect(d.name).toBe('duckdb');
  });

  describe('quoting', () => {
    it.each([
      ['orders', '"orders"'],
      ['my table', '"my table"'],
      ['say "hi"', '"say ""hi"""'],
      ['MixedCase', '"MixedCase"'],
      ['ünïcødé_表', '"ünïcødé_表"'],
      ['', '""'],
    ])('quoteIdent(%j)', (name, quoted) => {
      expect(d.quoteIdent(name)).toBe(quoted);
    });

    it('relation is "schema"."name", with the database only when given', () => {
      expect(d.relation(orders)).toBe('"analytics"."orders"');
      expect(d.relation({ database: 'Ware House', schema: 'My Schema', identifier: 'a"b' })).toBe(
        '"Ware House"."My Schema"."a""b"',
      );
    });

    it('stringLiteral doubles single quotes and leaves backslashes alone', () => {
      expect(d.stringLiteral("it's")).toBe("'it''s'");
      expect(d.stringLiteral('C:\\data\\x.csv')).toBe("'C:\\data\\x.csv'");
    });
  });

  it('createSchema', () => {
    expect(d.createSchema('analytics')).toBe('create schema if not exists "analytics"');
    expect(d.createSchema('s', 'db')).toBe('create schema if not exists "db"."s"');
  });

  it('createTableAs', () => {
    expect(d.createTableAs(tmpRelation(orders), 'select 1 as id')).toBe(
      'create table "analytics"."orders__tform_tmp" as (\nselect 1 as id\n)',
    );
  });

  it('createViewAs', () => {
    expect(d.createViewAs({ schema: 'My Schema', identifier: 'Über "View"' }, 'select 1 -- trailing comment')).toBe(
      'create view "My Schema"."Über ""View""" as (\nselect 1 -- trailing comment\n)',
    );
  });

  it('dropRelation and rename', () => {
    expect(d.dropRelation(orders, 'view')).toBe('drop view if exists "analytics"."orders"');
    expect(d.rename(tmpRelation(orders), 'orders', 'table')).toBe(
      'alter table "analytics"."orders__tform_tmp" rename to "orders"',
    );
  });

  describe('publish', () => {
    const tmp = tmpRelation(orders);

    it('first build: rename only', () => {
      expect(d.publish(tmp, orders, 'table', undefined)).toEqual([
        'alter table "analytics"."orders__tform_tmp" rename to "orders"',
      ]);
    });

    it('table over table', () => {
      expect(d.publish(tmp, orders, 'table', 'table')).toEqual([
        'drop table if exists "analytics"."orders"',
        'alter table "analytics"."orders__tform_tmp" rename to "orders"',
      ]);
    });

    it('view over view', () => {
      expect(d.publish(tmp, orders, 'view', 'view')).toEqual([
        'drop view if exists "analytics"."orders"',
        'alter view "analytics"."orders__tform_tmp" rename to "orders"',
      ]);
    });

    it('change of kind drops the old kind and renames the new one', () => {
      expect(d.publish(tmp, orders, 'table', 'view')).toEqual([
        'drop view if exists "analytics"."orders"',
        'alter table "analytics"."orders__tform_tmp" rename to "orders"',
      ]);
      expect(d.publish(tmp, orders, 'view', 'table')).toEqual([
        'drop table if exists "analytics"."orders"',
        'alter view "analytics"."orders__tform_tmp" rename to "orders"',
      ]);
    });

    it('quotes awkward names', () => {
      const target: RelationRef = { schema: 'Sales Ü', identifier: 'Q1 "final"' };
      expect(d.publish(tmpRelation(target), target, 'table', 'table')).toEqual([
        'drop table if exists "Sales Ü"."Q1 ""final"""',
        'alter table "Sales Ü"."Q1 ""final""__tform_tmp" rename to "Q1 ""final"""',
      ]);
    });
  });

  describe('selectFromCsv', () => {
    it('auto-detects every type when none is fixed', () => {
      expect(d.selectFromCsv({ path: '/data/seeds/countries.csv', columnTypes: {}, delimiter: ',' })).toBe(
        "select * from read_csv('/data/seeds/countries.csv', header = true, delim = ',')",
      );
    });

    it('fixes configured types, quoting paths, names and delimiters as literals', () => {
      expect(
        d.selectFromCsv({
          path: "/data/o'brien/seed.csv",
          columnTypes: { id: 'BIGINT', 'Zip Code': 'VARCHAR', "it's": 'DECIMAL(10,2)' },
          delimiter: ';',
        }),
      ).toBe(
        "select * from read_csv('/data/o''brien/seed.csv', header = true, delim = ';', " +
          "types = {'id': 'BIGINT', 'Zip Code': 'VARCHAR', 'it''s': 'DECIMAL(10,2)'})",
      );
    });

    it('passes a tab delimiter through as a literal tab', () => {
      expect(d.selectFromCsv({ path: '/s.tsv', columnTypes: {}, delimiter: '\t' })).toBe(
        "select * from read_csv('/s.tsv', header = true, delim = '\t')",
      );
    });
  });

  it('dateTrunc', () => {
    expect(d.dateTrunc('month', '"ordered_at"')).toBe(`date_trunc('month', "ordered_at")`);
    expect(d.dateTrunc('week', 'o.created')).toBe(`date_trunc('week', o.created)`);
  });
});
