import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import type { Plan, PlanStep, Statement } from '@tform/core';

/** UPDATE_GOLDEN=1 rewrites golden files instead of comparing against them. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** Replace every spelling of `dir` (as given and its realpath) with `placeholder`. */
export function normalisePaths(text: string, dir: string, placeholder = '<PROJECT_DIR>'): string {
  const spellings = new Set([dir, safeRealpath(dir)]);
  let out = text;
  for (const s of [...spellings].sort((a, b) => b.length - a.length)) out = out.split(s).join(placeholder);
  return out;
}

function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function section(title: string, list: Statement[]): string[] {
  if (list.length === 0) return [`-- ${title}: (none)`];
  return list.flatMap((s) => [`-- ${title}: ${s.label}`, `${s.sql};`]);
}

/** A plan step as golden text: every statement of every stage, in order, with its label. */
export function formatStep(s: PlanStep): string {
  return [
    `-- ${s.resourceType} ${s.name} (${s.materialized}) -> ${s.relationName}`,
    ...section('pre', s.pre),
    ...section('build', s.build),
    ...section('publish (one transaction)', s.publish),
    ...section('cleanup (on failure)', s.cleanup),
  ].join('\n');
}

export function formatPlan(plan: Plan): string {
  const parts: string[] = [];
  if (plan.onRunStart.length) parts.push(section('on-run-start', plan.onRunStart).join('\n'));
  for (const s of plan.steps) parts.push(formatStep(s));
  if (plan.onRunEnd.length) parts.push(section('on-run-end', plan.onRunEnd).join('\n'));
  return parts.join('\n\n') + '\n';
}

/**
 * Compare `actual` with the golden file `file` (absolute), or write it with UPDATE_GOLDEN=1.
 * Golden text must never contain a temp-dir path.
 */
export function expectGolden(file: string, actual: string): void {
  const tmp = os.tmpdir();
  expect(actual, 'golden text must not contain temp-dir paths').not.toContain(tmp);
  expect(actual).not.toContain(safeRealpath(tmp));
  if (UPDATE_GOLDEN) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
