import { dirname, join, posix } from 'node:path';
import { writeFileAtomic } from '../artifacts/write.js';
import { redact } from '../log/secrets.js';

/** One failure in an error report. */
export interface ReportFailure {
  uniqueId: string;
  name: string;
  /** model, seed, test, source, hook or run. */
  kind: string;
  status: string;
  message: string;
  /** Where the node is defined (relative to the project dir), and the line when known. */
  file?: string;
  line?: number;
  /** The compiled SQL (relative to the project dir), and the line in it when known. */
  compiledPath?: string;
  compiledLine?: number;
}

/** What a failed run's report holds. */
export interface ErrorReport {
  runId: string;
  project: string;
  /** `tform build --select …`, secrets masked. */
  commandLine: string;
  target: string;
  /** The settable clock's time when the run finished (ISO-8601). */
  at: string;
  summary?: { pass: number; warn: number; error: number; skip: number; total: number };
  failures: ReportFailure[];
  /** Names of the nodes skipped because of the failures. */
  skipped?: string[];
}

/** `target/errors/<run_id>.md`, relative to the project dir. */
export function errorReportPath(targetPath: string, runId: string): string {
  return posix.join(targetPath.replace(/\\/g, '/'), 'errors', `${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}.md`);
}

/** Text for one table cell: one line, `|` and HTML escaped, at most `max` characters. */
function cell(text: string, max = 200): string {
  const one = text.replace(/\s*\n\s*/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

/** A fenced block that no run of backticks in `text` can close early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text.replace(/\s+$/, '')}\n${fence}`;
}

function where(f: ReportFailure): string {
  if (!f.file) return '';
  return f.line !== undefined ? `${f.file}:${f.line}` : f.file;
}

/**
 * The markdown of an error report: the run (id, command, target, time, counts), a table of the
 * failures (node, type, status, message, compiled SQL, linked relative to the report), the full
 * message of each, and the skipped nodes. `reportPath` is where it is written, for the links.
 */
export function errorReportMarkdown(r: ErrorReport, reportPath: string): string {
  const from = dirname(reportPath).replace(/\\/g, '/');
  const link = (p: string, line?: number) => `[${cell(line ? `${p}:${line}` : p, 300)}](${encodeURI(posix.relative(from, p.replace(/\\/g, '/')))})`;
  const out: string[] = [
    `# tform run ${r.runId} failed`,
    '',
    '| run | |',
    '|---|---|',
    `| run id | \`${cell(r.runId)}\` |`,
    `| project | ${cell(r.project)} |`,
    `| command | \`${cell(r.commandLine, 1000)}\` |`,
    `| target | ${cell(r.target)} |`,
    `| finished at | ${cell(r.at)} |`,
  ];
  if (r.summary) out.push(`| results | PASS=${r.summary.pass} WARN=${r.summary.warn} ERROR=${r.summary.error} SKIP=${r.summary.skip} TOTAL=${r.summary.total} |`);
  out.push('', `## Failures (${r.failures.length})`, '', '| node | type | status | message | defined in | compiled SQL |', '|---|---|---|---|---|---|');
  for (const f of r.failures) {
    out.push(`| ${cell(f.name)} | ${cell(f.kind)} | ${cell(f.status)} | ${cell(f.message)} | ${f.file ? cell(where(f), 300) : ''} | ${f.compiledPath ? link(f.compiledPath, f.compiledLine) : ''} |`);
  }
  out.push('', '## Messages');
  for (const f of r.failures) {
    out.push('', `### ${cell(f.name)}${f.file ? ` (${cell(where(f), 300)})` : ''}`, '', fenced(f.message || '(no message)'));
  }
  if (r.skipped?.length) {
    out.push('', `## Skipped (${r.skipped.length})`, '', r.skipped.map((s) => `\`${cell(s)}\``).join(', '));
  }
  return redact(out.join('\n') + '\n');
}

/** Write `target/errors/<run_id>.md`; returns its path relative to the project dir. */
export function writeErrorReport(root: string, targetPath: string, r: ErrorReport): string {
  const rel = errorReportPath(targetPath, r.runId);
  writeFileAtomic(join(root, rel), errorReportMarkdown(r, rel));
  return rel;
}
