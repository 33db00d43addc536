import type { Adapter, AdapterFactory } from '@tform/core';

/**
 * Wraps an adapter factory so that every statement the adapter is given is appended to `log`
 * (transactions as 'begin', locks as 'lock'), to check what a command sends to the warehouse.
 */
export function recordingFactory(inner: AdapterFactory, log: string[]): AdapterFactory {
  return {
    type: inner.type,
    async create(profile, ctx) {
      const a = await inner.create(profile, ctx);
      const rec: Adapter = Object.create(a);
      rec.execute = (sql) => (log.push(sql), a.execute(sql));
      rec.query = (sql) => (log.push(sql), a.query(sql));
      rec.transaction = (fn) => (log.push('begin'), a.transaction(fn));
      rec.lock = (key, o) => (log.push('lock'), a.lock(key, o));
      return rec;
    },
  };
}
