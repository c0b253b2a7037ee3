/**
 * Output of `check` and `exposure`, written file by file as each is analysed so memory stays bounded however
 * many files a run covers. Text, JSON and SARIF share one shape: per-file results, skipped entries, a summary.
 */
import type { Finding, Severity } from '../model/finding';
import { matrixJson, serviceMatrix } from '../analysis/matrix';
import { sarifFrame, sarifResult } from '../features/sarif';
import type { FileAnalysis } from '../pipeline';
import * as path from 'node:path';
import { resolveSettings, type ResolvedSettings } from '../analysis/settings';
import { exposureTree, renderRows, workspaceRows } from '../features/workspace-exposure';
import { combine } from '../workspace';
import type { HostLayout } from '../workspace/hosts';

export interface FileReport {
  path: string;
  language?: string;
  /** Why the file (or a config file it depends on) could not be used fully. */
  error?: string;
  analysis?: FileAnalysis;
  /** The settings the file was analysed with (its nearest .portcullis.json). */
  settings?: ResolvedSettings;
}

export interface Summary {
  checked: number;
  skipped: number;
  errors: number;
  /** Findings at or above the minimum severity. */
  findings: number;
}

export interface Reporter {
  file(r: FileReport, shown: Finding[]): void;
  skipped(path: string, reason: string): void;
  end(s: Summary): void;
}

type Write = (s: string) => void;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function summaryLine(s: Summary, tail: string): string {
  const parts = [`${plural(s.checked, 'file')} checked`];
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.errors) parts.push(plural(s.errors, 'error'));
  return `${parts.join(', ')}${tail}`;
}

export function checkReporter(
  format: 'text' | 'json' | 'sarif',
  min: Severity,
  verbose: boolean,
  write: Write,
  version: string,
  cwd: string,
): Reporter {
  if (format === 'sarif') {
    const frame = sarifFrame(version, cwd);
    const failures: { path: string; message: string }[] = [];
    let first = true;
    write(frame.head);
    return {
      file(r, shown) {
        if (r.error) failures.push({ path: r.path, message: r.error });
        for (const f of shown) {
          write(`${first ? '' : ','}\n${indent(JSON.stringify(sarifResult(r.path, f, cwd), null, 2), 8)}`);
          first = false;
        }
      },
      skipped: () => undefined,
      end: () => write(`${first ? '' : '\n      '}${frame.tail(failures)}\n`),
    };
  }
  if (format === 'json')
    return jsonReporter(write, (r, shown) => ({
      path: r.path,
      language: r.language ?? null,
      ...(r.error ? { error: r.error } : {}),
      findings: shown.map((f) => ({ code: f.code, severity: f.severity, message: f.message, range: f.range })),
    }));
  return {
    file(r, shown) {
      if (r.error) write(`${r.path}: error: ${r.error}\n`);
      for (const f of shown)
        write(`${r.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}\n`);
    },
    skipped(p, reason) {
      if (verbose) write(`${p}: skipped: ${reason}\n`);
    },
    end(s) {
      const hint = s.skipped && !verbose ? ' (--verbose lists the skipped files)' : '';
      write(`${summaryLine(s, `, ${plural(s.findings, 'finding')} at or above ${min}${hint}`)}\n`);
    },
  };
}

/**
 * What every file exposes to whom, worst first across files and formats, with the findings that combine files
 * of one host (PC301). Unlike `check` it needs every file before it can rank, so it keeps the analyses.
 */
export function exposureReporter(format: 'text' | 'json', verbose: boolean, write: Write, layout: HostLayout): Reporter {
  const files: FileReport[] = [];
  const skipped: { path: string; reason: string }[] = [];
  return {
    file: (r) => void files.push(r),
    skipped(p, reason) {
      skipped.push({ path: p, reason });
      if (verbose && format === 'text') write(`${p}: skipped: ${reason}\n`);
    },
    end(s) {
      const defaults = resolveSettings({});
      const ws = combine(
        files.map((r) => ({
          path: r.path,
          analysis: r.analysis,
          settings: r.settings,
          ...(r.error && !r.analysis ? { error: r.error } : {}),
        })),
        layout,
        defaults,
      );
      const rows = workspaceRows(ws, defaults);
      const tree = exposureTree(ws, defaults);
      if (format === 'json') {
        const entries = files.map((r) => ({
          path: r.path,
          language: r.language ?? null,
          ...(r.error ? { error: r.error } : {}),
          chains: r.analysis ? matrixJson(serviceMatrix(r.analysis.exposure)) : [],
        }));
        const findings = tree.findings.map((f) => ({
          path: f.path,
          code: f.code,
          severity: f.severity,
          message: f.message,
          range: f.range,
        }));
        write(
          JSON.stringify(
            { files: entries, exposures: rows, findings, hosts: tree.hosts, skipped, summary: s },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      for (const r of files) if (r.error) write(`${r.path}: error: ${r.error}\n`);
      write(renderRows(rows, tree, (p) => path.relative(process.cwd(), p) || p));
      if (s.skipped || s.errors) write(`${summaryLine(s, s.skipped && !verbose ? ' (--verbose lists the skipped files)' : '')}\n`);
    },
  };
}

/** `{ "files": [...], "skipped": [...], "summary": {...} }`, with the files written as they come. */
function jsonReporter(write: Write, entry: (r: FileReport, shown: Finding[]) => unknown): Reporter {
  const skipped: { path: string; reason: string }[] = [];
  let first = true;
  write('{\n  "files": [');
  return {
    file(r, shown) {
      write(`${first ? '' : ','}\n${indent(JSON.stringify(entry(r, shown), null, 2), 4)}`);
      first = false;
    },
    skipped: (path, reason) => void skipped.push({ path, reason }),
    end(s) {
      write(`${first ? '' : '\n  '}],\n  "skipped": ${indent(JSON.stringify(skipped, null, 2), 2).trimStart()},\n`);
      write(`  "summary": ${JSON.stringify(s)}\n}\n`);
    },
  };
}

/**
 * Every line of `text` indented by n spaces. JSON.stringify escapes \n inside strings, so each \n ends a line; a
 * multiline regular expression would also break lines at U+2028 and U+2029, which JSON leaves raw in strings (and costs
 * 3× JSON.stringify itself on 7 MB of findings).
 */
function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return pad + text.replaceAll('\n', '\n' + pad);
}
