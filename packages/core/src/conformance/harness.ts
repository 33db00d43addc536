import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jsyaml from 'js-yaml';
import type { Adapter, AdapterFactory, Row } from '../adapter/types.js';
import { MemoryLogger } from '../log/logger.js';
import { executeBuild, executeTest, type BuildCommand, type ExecuteResult } from '../workflow/commands.js';
import { openProject, type OpenProject } from '../workflow/open.js';
import type { BackfillFlags } from '../plan/batches.js';

/** The test functions of whatever runner hosts the suite (vitest, jest, node:test). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  afterAll(fn: () => Promise<void>): void;
}

/** What an adapter brings to the suite. */
export interface ConformanceTarget {
  factory: AdapterFactory;
  /**
   * A target profile (the `outputs:` entry: type, schema and connection keys) that no other case
   * uses, e.g. a fresh schema or database file. `cleanup` removes what the case created.
   */
  target(caseName: string): Promise<{ profile: Record<string, unknown>; cleanup?: () => Promise<void> }>;
  /** Cases to leave out, with the reason printed (e.g. a stand-in that cannot evaluate SQL). */
  skip?: Record<string, string>;
}

/** One case's project on disk, built through the real workflow with the adapter under test. */
export class CaseProject {
  readonly dir: string;
  readonly logger = new MemoryLogger();
  private opened: OpenProject[] = [];

  constructor(private readonly t: ConformanceTarget, private readonly profile: Record<string, unknown>, files: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), 'tform-conformance-'));
    const outputs = { dev: profile };
    this.write({
      'tform_project.yml': 'name: conformance\nprofile: conformance\n',
      'profiles.yml': jsyaml.dump({ conformance: { target: 'dev', outputs } }),
      ...files,
    });
  }

  write(files: Record<string, string>): void {
    for (const [rel, text] of Object.entries(files)) {
      const f = join(this.dir, rel);
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, text);
    }
  }

  remove(rel: string): void {
    rmSync(join(this.dir, rel), { force: true });
  }

  async open(opts: { vars?: Record<string, unknown>; now?: string } = {}): Promise<OpenProject> {
    const p = await openProject({
      projectDir: this.dir,
      logger: this.logger,
      builtins: { [this.t.factory.type]: async () => this.t.factory },
      vars: opts.vars,
      now: opts.now,
      env: { ...process.env, TFORM_PROFILES_DIR: '' },
      command: 'conformance',
    });
    this.opened.push(p);
    return p;
  }

  /** Run a command end to end; the adapter is closed afterwards. */
  async run(command: BuildCommand = 'build', opts: { select?: string[]; vars?: Record<string, unknown>; threads?: number; now?: string; backfill?: BackfillFlags; fullRefresh?: boolean } = {}): Promise<ExecuteResult> {
    const p = await this.open({ vars: opts.vars, now: opts.now });
    try {
      if (opts.threads) p.threads = opts.threads;
      return await executeBuild(p, { command, select: opts.select, backfill: opts.backfill, fullRefresh: opts.fullRefresh });
    } finally {
      await p.adapter?.close();
    }
  }

  /** `tform test` end to end. */
  async test(now?: string): Promise<ExecuteResult> {
    const p = await this.open({ now });
    try {
      return await executeTest(p, {});
    } finally {
      await p.adapter?.close();
    }
  }

  /** Query the warehouse with a fresh adapter of the same target. */
  async query<T extends Row = Row>(sql: string | ((a: Adapter) => string)): Promise<T[]> {
    const a = await this.t.factory.create({ name: 'dev', ...(this.profile as { type: string; schema: string }) }, { projectDir: this.dir, threads: 1 });
    try {
      return await a.query<T>(typeof sql === 'string' ? sql : sql(a));
    } finally {
      await a.close();
    }
  }

  async adapter(): Promise<Adapter> {
    return this.t.factory.create({ name: 'dev', ...(this.profile as { type: string; schema: string }) }, { projectDir: this.dir, threads: 2 });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Numbers come back as number, bigint or numeric text depending on the driver: compare as numbers. */
export function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}
