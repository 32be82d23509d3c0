import { EXIT, UsageError } from '../model/errors.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatText } from '../report/text.js';
import { scan, type ScanOptions } from '../scan.js';
import { VERSION } from './help.js';
import { parseArgs } from 'node:util';
import { emit, type Io } from './run.js';

export async function runScan(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'include-node-modules': { type: 'boolean' },
    rules: { type: 'string', multiple: true },
    'no-builtin-rules': { type: 'boolean' },
    workers: { type: 'string' },
    'no-color': { type: 'boolean' },
    },
  });
  const format = values.format as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  const options: ScanOptions = {
    include: values.include as string[] | undefined,
    exclude: values.exclude as string[] | undefined,
    includeNodeModules: Boolean(values['include-node-modules']),
    rulesDirs: values.rules as string[] | undefined,
    builtinRules: !values['no-builtin-rules'],
  };
  if (values.workers !== undefined) {
    const n = Number(values.workers);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers must be a whole number, not "${String(values.workers)}"`);
    options.workers = n;
  }
  if (positionals.includes('-')) {
    if (positionals.length > 1) throw new UsageError('"-" (standard input) cannot be combined with paths');
    options.stdin = await io.readStdin();
  } else {
    options.paths = positionals;
  }
  const result = await scan(options);
  const output = values.output as string | undefined;
  const color = !output && !values['no-color'] && Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
  const text = format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, VERSION) : formatText(result, { color });
  emit(text, output, io);
  if (output && format !== 'text') {
    const n = result.findings.length;
    io.stderr.write(`outloop: ${n} secret${n === 1 ? '' : 's'} found; ${format} report written to ${output}\n`);
  }
  return result.findings.length > 0 ? EXIT.findings : EXIT.clean;
}
