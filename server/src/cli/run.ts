/**
 * `check` and `exposure` over their inputs: each file analysed (on the main thread, with worker threads beside it
 * for `check` over many files) and handed to the reporter in input order, before later results are kept.
 */
import type { Severity } from '../model/finding';
import { FORMATS } from '../formats/registry';
import { errnoText, readTextFile } from '../io/read-file';
import { analyseFile, BesideTexts, ConfigCache } from './analyse-file';
import { checkInParallel, planWorkers, reported, type Checked } from './check-pool';
import { inputs, type Input } from './inputs';
import { stringOption, UsageError, type Values } from './options';
import type { FileReport, Reporter, Summary } from './report';

export interface RunOptions {
  min: Severity;
  /** Worker threads: undefined = chosen by the inputs, 1 = none. Only `check` can use them (its reports need no analysis). */
  jobs?: number;
}

/** Analyses every input, handing each result to the reporter in input order. */
export async function runAnalysis(paths: string[], values: Values, reporter: Reporter, options: RunOptions): Promise<Summary> {
  const config = stringOption(values, 'config');
  if (config !== undefined) {
    try {
      readTextFile(config);
    } catch (e) {
      throw new UsageError(`--config ${config}: ${errnoText(e)}`);
    }
  }
  const language = stringOption(values, 'language');
  if (language !== undefined && !FORMATS.some((f) => f.id === language)) {
    throw new UsageError(`--language must be ${FORMATS.map((f) => f.id).join(', ')}, not \`${language}\``);
  }
  const configs = new ConfigCache(config);
  const summary: Summary = { checked: 0, skipped: 0, errors: 0, findings: 0 };
  const { workers, inputs: all } = planWorkers(inputs(paths, language), options.jobs);
  const beside = new BesideTexts();
  const analyse = (input: Input & { kind: 'file' }) => analyseFile(input.path, input.format, configs, options.min, beside.read);
  // On threads, the main thread analyses too, keeping of each file only what the report prints, as workers send.
  const here = (input: Input & { kind: 'file' }): Checked => {
    const r = analyse(input);
    return 'error' in r ? r : { shown: reported(r.shown) };
  };
  const results = workers ? checkInParallel(all, workers, { config, min: options.min }, { here }) : serial(all, analyse);
  for await (const { input, result } of results) {
    if (input.kind === 'skipped') {
      summary.skipped++;
      reporter.skipped(input.path, input.reason);
    } else if (input.kind === 'error') {
      summary.errors++;
      reporter.file({ path: input.path, error: input.message }, []);
    } else if (!result || 'error' in result) {
      summary.errors++;
      reporter.file({ path: input.path, language: input.format.id, error: result?.error }, []);
    } else {
      // Reported here, in input order, whichever thread analysed the file.
      const problems = configs.newProblems(input.path);
      if (problems) summary.errors++;
      summary.checked++;
      summary.findings += result.shown.length;
      const report: FileReport = { path: input.path, language: input.format.id, ...(problems ? { error: `config: ${problems}` } : {}) };
      if ('analysis' in result) Object.assign(report, { analysis: result.analysis, settings: result.settings });
      reporter.file(report, result.shown);
    }
  }
  return summary;
}

function* serial<R>(all: Iterable<Input>, analyse: (input: Input & { kind: 'file' }) => R): Generator<{ input: Input; result?: R }> {
  for (const input of all) yield { input, result: input.kind === 'file' ? analyse(input) : undefined };
}
