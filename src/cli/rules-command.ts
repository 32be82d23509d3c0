import path from 'node:path';
import { EXIT, UsageError } from '../model/errors.js';
import { Detector } from '../detect/engine.js';
import { runRuleExamples } from '../rules/examples.js';
import { loadRules } from '../scan.js';
import { parseArgs } from 'node:util';
import { emit, type Io } from './run.js';

export async function runRules(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
    rules: { type: 'string', multiple: true },
    'no-builtin-rules': { type: 'boolean' },
    format: { type: 'string', default: 'text' },
    keywords: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    },
  });
  const rulesDirs = values.rules as string[] | undefined;
  const sub = positionals[0];
  if (sub !== undefined && sub !== 'test' && sub !== 'list') throw new UsageError(`unknown "rules" subcommand "${sub}" (list or test)`);
  const ruleSet = await loadRules({ rulesDirs, builtinRules: !values['no-builtin-rules'] });

  if (sub === 'test') {
    // With --rules, test the team's own rules (the built-ins still take part, as in a real scan).
    const fromDirs = (file: string) => rulesDirs!.some((d) => file.startsWith(path.join(d, path.sep)) || file.startsWith(d + '/'));
    const report = runRuleExamples(ruleSet, rulesDirs?.length ? (r) => fromDirs(r.file) : undefined);
    for (const f of report.failures) io.stdout.write(`✖ ${f.ruleId} ${f.example} (${f.file}): ${f.problem}\n`);
    const passed = report.examples - report.failures.length;
    io.stdout.write(`${report.rules} rules, ${report.examples} examples: ${passed} passed, ${report.failures.length} failed\n`);
    return report.failures.length ? EXIT.findings : EXIT.clean;
  }

  if (values.keywords) {
    emit(new Detector(ruleSet).keywords.join('\n') + '\n', values.output as string | undefined, io);
    return EXIT.clean;
  }
  if (values.format === 'json') {
    const list = ruleSet.rules.map((r) => ({
      id: r.id,
      service: r.service,
      severity: r.severity,
      confidence: r.confidence,
      description: r.description,
      keywords: r.keywords,
      ...(r.paths ? { paths: r.paths } : {}),
      ...(r.checksum ? { checksum: r.checksum } : {}),
      ...(r.revokeUrl ? { revokeUrl: r.revokeUrl } : {}),
      file: r.file,
    }));
    emit(JSON.stringify(list, null, 2) + '\n', values.output as string | undefined, io);
    return EXIT.clean;
  }
  const width = Math.max(...ruleSet.rules.map((r) => r.id.length), 4);
  const lines = ruleSet.rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.service}: ${r.description}`);
  emit(lines.join('\n') + `\n${ruleSet.rules.length} rules\n`, values.output as string | undefined, io);
  return EXIT.clean;
}
