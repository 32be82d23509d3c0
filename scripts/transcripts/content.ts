// Text that coding-agent transcripts are made of: source files of a client project, shell output,
// diffs, prose and thinking. Everything is drawn from one seeded generator, so the same seed gives
// the same text. No value produced here is key-shaped: planted secrets come from ./secrets.ts only,
// and filler never puts a random value under a credential-named key (that would be an unplanted
// "secret" the bench would count as a false positive).
import { CLASSES, randomFrom, type Rng } from '../../src/rules/template.js';

/** Small helpers over one generator; every draw goes through `next`, in call order. */
export class Rand {
  constructor(readonly next: Rng) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  choose<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  pick(cls: keyof typeof CLASSES | string, n: number): string {
    return randomFrom(CLASSES[cls] ?? cls, n, this.next);
  }
  /** Log-uniform between lo and hi: many small values, a few large ones (session sizes). */
  logUniform(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))));
  }
  uuid(): string {
    return `${this.pick('hex', 8)}-${this.pick('hex', 4)}-4${this.pick('hex', 3)}-${this.choose(['8', '9', 'a', 'b'])}${this.pick('hex', 3)}-${this.pick('hex', 12)}`;
  }
}

/**
 * A long random base64 string drawn once; opaque blobs (thinking signatures, encrypted reasoning,
 * screenshots) are slices of it, which keeps a 1 GB run from drawing a billion random characters.
 */
export class Pool {
  private readonly b64: string;
  constructor(private readonly r: Rand, size = 1 << 20) {
    this.b64 = r.pick('b64', size);
  }
  base64(n: number): string {
    let out = '';
    while (out.length < n) {
      const take = Math.min(n - out.length, this.b64.length);
      const at = this.r.int(this.b64.length - take + 1);
      out += this.b64.slice(at, at + take);
    }
    return out;
  }
}

const VERBS = ['get', 'create', 'update', 'delete', 'fetch', 'load', 'save', 'parse', 'validate', 'handle', 'render', 'build', 'sync', 'send', 'process', 'normalize', 'resolve', 'list', 'find', 'apply', 'format', 'export', 'import', 'refresh', 'schedule'];
const NOUNS = ['user', 'account', 'invoice', 'customer', 'order', 'payment', 'request', 'response', 'handler', 'config', 'client', 'session', 'cache', 'queue', 'job', 'webhook', 'report', 'schema', 'migration', 'route', 'product', 'cart', 'subscription', 'lead', 'contact', 'campaign', 'event', 'message', 'template', 'asset', 'booking', 'shipment', 'refund', 'coupon', 'audit', 'tenant', 'project', 'task', 'comment', 'upload'];
const SUFFIXES = ['Service', 'Controller', 'Client', 'Store', 'Props', 'Options', 'Result', 'Input', 'Repository', 'Mapper', 'Schema', 'Config'];
const ADJ = ['pending', 'active', 'stale', 'cached', 'remote', 'local', 'nested', 'optional', 'retried', 'paginated', 'partial', 'legacy', 'new', 'async', 'typed', 'failing', 'flaky', 'slow', 'empty', 'duplicate'];
const THINGS = ['endpoint', 'migration', 'test', 'component', 'hook', 'query', 'cron job', 'webhook handler', 'form', 'table', 'CSV export', 'retry logic', 'error message', 'pagination', 'type definitions', 'Dockerfile', 'CI workflow', 'README', 'seed script', 'rate limiter'];
const PKGS = ['express', 'zod', 'prisma', 'react', 'next', 'axios', 'dayjs', 'lodash', 'pino', 'vitest', 'stripe', '@anthropic-ai/sdk', 'openai', 'pg', 'redis', 'bullmq', 'fastify', 'dotenv', 'commander', 'yaml'];
const PYPKGS = ['requests', 'pandas', 'fastapi', 'pydantic', 'sqlalchemy', 'httpx', 'boto3', 'celery', 'pytest', 'click'];

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export class Text {
  constructor(readonly r: Rand) {}

  noun(): string {
    return this.r.choose(NOUNS);
  }
  ident(): string {
    return this.r.choose(VERBS) + cap(this.noun());
  }
  typeName(): string {
    return cap(this.noun()) + this.r.choose(SUFFIXES);
  }
  thing(): string {
    return this.r.choose(THINGS);
  }
  words(n: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.r.chance(0.3) ? this.r.choose(ADJ) : this.noun());
    return out.join(' ');
  }
  sha(n = 40): string {
    return this.r.pick('hex', n);
  }

  /** One sentence of the kind assistants and people write about code. */
  sentence(): string {
    const r = this.r;
    const n = this.noun();
    const p = `\`${this.path()}\``;
    switch (r.int(12)) {
      case 0: return `I'll ${r.choose(VERBS)} the ${n} ${this.thing()} so that ${r.choose(ADJ)} ${this.noun()}s are ${r.choose(['skipped', 'retried', 'logged', 'rejected', 'cached'])}.`;
      case 1: return `The ${n} ${this.thing()} in ${p} ${r.choose(['calls', 'reads', 'expects', 'returns', 'mutates'])} the ${this.noun()} before the ${this.noun()} is ${r.choose(['saved', 'validated', 'sent', 'loaded'])}.`;
      case 2: return `Let me check how \`${this.ident()}\` is used before changing its signature.`;
      case 3: return `All ${r.range(3, 180)} tests pass now, including the ${r.choose(ADJ)} ${n} cases.`;
      case 4: return `The error comes from ${p}: \`${this.ident()}\` returns \`undefined\` when the ${n} has no ${this.noun()}.`;
      case 5: return `Next I'll add a test for the ${r.choose(ADJ)} ${n} path and run the suite again.`;
      case 6: return `This keeps the ${n} ${this.thing()} backwards compatible with the ${r.choose(ADJ)} ${this.noun()} format.`;
      case 7: return `I moved \`${this.ident()}\` into ${p} and updated ${r.range(2, 9)} call sites.`;
      case 8: return `Note that the ${this.noun()} API paginates with a cursor, so we need to loop until \`hasMore\` is false.`;
      case 9: return `The ${r.choose(ADJ)} ${n} rows come from the ${this.noun()} import on ${r.range(1, 28)} ${r.choose(['March', 'April', 'May', 'June', 'October'])}.`;
      case 10: return `I'd rather not touch ${p} yet, since the ${this.noun()} ${this.thing()} depends on it.`;
      default: return `Updated the ${n} ${this.thing()} to use \`${r.choose(PKGS)}\` instead of the hand-written ${this.noun()} parser.`;
    }
  }
  paragraph(n: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.sentence());
    return out.join(' ');
  }

  /** Assistant prose: paragraphs, a bullet list, sometimes a fenced snippet. */
  assistantText(): string {
    const r = this.r;
    const parts = [this.paragraph(r.range(1, 3))];
    if (r.chance(0.4)) {
      const items: string[] = [];
      for (let i = r.range(2, 6); i > 0; i--) items.push(`- ${this.sentence()}`);
      parts.push(items.join('\n'));
    }
    if (r.chance(0.3)) parts.push('```ts\n' + this.codeLines('ts', r.range(3, 12)).join('\n') + '\n```');
    if (r.chance(0.5)) parts.push(this.paragraph(r.range(1, 2)));
    return parts.join('\n\n');
  }

  thinking(): string {
    const r = this.r;
    const parts: string[] = [];
    for (let i = r.range(1, 4); i > 0; i--) parts.push(this.paragraph(r.range(2, 5)));
    return parts.join('\n\n');
  }

  userPrompt(): string {
    const r = this.r;
    const n = this.noun();
    const asks = [
      `can you ${r.choose(VERBS)} the ${n} ${this.thing()}? ${this.sentence()}`,
      `the ${n} ${this.thing()} is ${r.choose(['broken', 'slow', 'flaky', 'returning 500s'])} on staging, please look`,
      `add a ${this.thing()} for ${r.choose(ADJ)} ${n}s and make sure the tests pass`,
      `${this.sentence()} can you fix it`,
      `run the tests and fix whatever fails`,
      `refactor ${this.path()} so ${this.ident()} is easier to test`,
    ];
    let text = r.choose(asks);
    if (r.chance(0.2)) text += '\n\n```\n' + this.stackTrace() + '\n```';
    return text;
  }

  path(): string {
    const r = this.r;
    const dir = r.choose(['src', 'src/lib', 'src/routes', 'src/services', 'src/components', 'app', 'scripts', 'test']);
    return `${dir}/${this.noun()}${r.choose(['', '-' + this.noun(), 'Utils', 'Service'])}.${r.choose(['ts', 'ts', 'tsx', 'py', 'ts'])}`;
  }

  stackTrace(): string {
    const r = this.r;
    const lines = [`${r.choose(['TypeError', 'Error', 'ZodError', 'PrismaClientKnownRequestError'])}: ${r.choose(['Cannot read properties of undefined', 'Request failed with status code 422', 'Invalid input', 'connect ECONNREFUSED 127.0.0.1:5432'])} (reading '${this.noun()}')`];
    for (let i = r.range(3, 9); i > 0; i--) lines.push(`    at ${this.ident()} (/home/dev/clients/app/${this.path().replace(/\.py$/, '.ts')}:${r.range(1, 400)}:${r.range(1, 60)})`);
    return lines.join('\n');
  }

  // ---------------- source code ----------------

  codeLine(lang: 'ts' | 'py'): string {
    const r = this.r;
    const v = this.ident();
    if (lang === 'py') {
      switch (r.int(8)) {
        case 0: return `    ${v} = ${this.noun()}_repo.${r.choose(VERBS)}_${this.noun()}(${this.noun()}_id, limit=${r.range(1, 500)})`;
        case 1: return `    if not ${this.noun()}:\n        raise ValueError(f"${this.noun()} {${this.noun()}_id} not found")`;
        case 2: return `    # ${this.sentence()}`;
        case 3: return `    logger.info("${r.choose(VERBS)} %s", ${this.noun()}.id)`;
        case 4: return `    for item in ${this.noun()}s:\n        results.append(${r.choose(VERBS)}_${this.noun()}(item))`;
        case 5: return `    return {"id": ${this.noun()}.id, "status": "${r.choose(ADJ)}", "count": len(${this.noun()}s)}`;
        case 6: return `    url = f"{BASE_URL}/${this.noun()}s/{${this.noun()}_id}"`;
        default: return `    resp = httpx.get(url, timeout=${r.range(5, 60)})`;
      }
    }
    switch (r.int(11)) {
      case 0: return `  const ${v} = await ${this.noun()}Repo.${this.ident()}(${this.noun()}Id, { limit: ${r.range(1, 500)} });`;
      case 1: return `  if (!${v}) throw new NotFoundError(\`${this.noun()} \${id} not found\`);`;
      case 2: return `  // ${this.sentence()}`;
      case 3: return `  logger.info({ ${this.noun()}Id, ${this.noun()}Count: ${v}.length }, '${r.choose(VERBS)} ${this.noun()}');`;
      case 4: return `  for (const item of ${v}.items) results.push(await ${this.ident()}(item));`;
      case 5: return `  return { ...${v}, status: '${r.choose(ADJ)}', updatedAt: new Date().toISOString() };`;
      case 6: return `  const url = \`\${config.baseUrl}/${this.noun()}s/\${${this.noun()}Id}\`;`;
      case 7: return `  const res = await fetch(url, { headers: { Authorization: \`Bearer \${process.env.${this.noun().toUpperCase()}_API_KEY}\` } });`;
      case 8: return `  const ${v}Schema = z.object({ id: z.string().uuid(), ${this.noun()}: z.string().min(1), count: z.number().int() });`;
      case 9: return `  await queue.add('${this.noun()}:${r.choose(VERBS)}', { ${this.noun()}Id }, { attempts: ${r.range(1, 8)}, backoff: ${r.range(100, 5000)} });`;
      default: return `  ${this.noun()}s.sort((a, b) => a.${this.noun()}At.localeCompare(b.${this.noun()}At));`;
    }
  }
  codeLines(lang: 'ts' | 'py', n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.codeLine(lang));
    return out;
  }

  tsFile(): string[] {
    const r = this.r;
    const lines: string[] = [];
    for (let i = r.range(2, 7); i > 0; i--) lines.push(`import { ${this.ident()}, ${this.typeName()} } from '${r.chance(0.5) ? r.choose(PKGS) : './' + this.noun()}';`);
    lines.push('');
    for (let f = r.range(2, 9); f > 0; f--) {
      if (r.chance(0.3)) {
        lines.push(`export interface ${this.typeName()} {`);
        for (let i = r.range(2, 8); i > 0; i--) lines.push(`  ${this.noun()}${r.choose(['', 'Id', 'At', 'Count', 'Name'])}${r.chance(0.3) ? '?' : ''}: ${r.choose(['string', 'number', 'boolean', 'Date', this.typeName(), 'string[]'])};`);
        lines.push('}', '');
      }
      lines.push(`/** ${this.sentence()} */`);
      lines.push(`export async function ${this.ident()}(${this.noun()}Id: string, opts: ${this.typeName()} = {}): Promise<${this.typeName()}> {`);
      lines.push(...this.codeLines('ts', r.range(3, 16)));
      lines.push('}', '');
    }
    return lines;
  }

  pyFile(): string[] {
    const r = this.r;
    const lines: string[] = [];
    for (let i = r.range(2, 6); i > 0; i--) lines.push(r.chance(0.5) ? `import ${r.choose(PYPKGS)}` : `from .${this.noun()} import ${cap(this.noun())}, ${this.noun()}_repo`);
    lines.push('', `BASE_URL = "https://api.${this.noun()}.example.com/v${r.range(1, 3)}"`, '');
    for (let f = r.range(2, 8); f > 0; f--) {
      lines.push('', `def ${r.choose(VERBS)}_${this.noun()}(${this.noun()}_id: str, limit: int = ${r.range(10, 100)}) -> dict:`);
      lines.push(`    """${this.sentence()}"""`);
      lines.push(...this.codeLines('py', r.range(3, 14)));
    }
    return lines;
  }

  packageJson(name: string): string[] {
    const r = this.r;
    const deps = new Set<string>();
    for (let i = r.range(4, 12); i > 0; i--) deps.add(r.choose(PKGS));
    const pj = {
      name, version: `${r.range(0, 3)}.${r.range(0, 20)}.${r.range(0, 9)}`, private: true, type: 'module',
      scripts: { dev: 'tsx watch src/index.ts', build: 'tsc -p .', test: 'vitest run', lint: 'eslint .' },
      dependencies: Object.fromEntries([...deps].map((d) => [d, `^${r.range(1, 9)}.${r.range(0, 30)}.${r.range(0, 9)}`])),
    };
    return JSON.stringify(pj, null, 2).split('\n');
  }

  markdown(): string[] {
    const r = this.r;
    const lines = [`# ${cap(this.noun())} ${this.thing()}`, '', this.paragraph(r.range(2, 4)), ''];
    for (let s = r.range(1, 4); s > 0; s--) {
      lines.push(`## ${cap(this.words(2))}`, '', this.paragraph(r.range(1, 3)), '');
      if (r.chance(0.5)) lines.push('```sh', `npm run ${r.choose(['dev', 'test', 'build', 'seed', 'migrate'])}`, '```', '');
    }
    return lines;
  }

  envExample(): string[] {
    const r = this.r;
    const lines = ['# copy to .env and fill in'];
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ANTHROPIC_API_KEY', 'STRIPE_SECRET_KEY', 'OPENAI_API_KEY', 'SLACK_BOT_TOKEN', 'PORT', 'LOG_LEVEL']) {
      if (r.chance(0.7)) lines.push(`${name}=${name === 'REDIS_URL' ? 'redis://localhost:6379' : name.endsWith('URL') ? 'postgres://localhost:5432/dev' : name === 'PORT' ? '3000' : name === 'LOG_LEVEL' ? 'info' : 'your-key-here'}`);
    }
    return lines;
  }

  yamlFile(): string[] {
    const r = this.r;
    return [
      'name: ci', 'on:', '  push:', '    branches: [main]', '  pull_request:', 'jobs:', '  test:', '    runs-on: ubuntu-latest', '    steps:',
      '      - uses: actions/checkout@v4', '      - uses: actions/setup-node@v4', `        with: { node-version: ${r.choose([18, 20, 22])} }`,
      '      - run: npm ci', '      - run: npm test', '        env:', `          ${this.noun().toUpperCase()}_API_KEY: \${{ secrets.${this.noun().toUpperCase()}_API_KEY }}`,
    ];
  }

  /** A project's file of a kind chosen by its extension. */
  sourceFile(ext: string, name: string): string[] {
    switch (ext) {
      case 'py': return this.pyFile();
      case 'json': return this.packageJson(name);
      case 'md': return this.markdown();
      case 'yml': return this.yamlFile();
      case 'example': return this.envExample();
      default: return this.tsFile();
    }
  }

  /** One very long minified line (a bundle), about `bytes` long. */
  minified(bytes: number): string {
    const parts: string[] = [];
    let n = 0;
    while (n < bytes) {
      const c = this.codeLine('ts').trim();
      parts.push(c);
      n += c.length + 1;
    }
    return parts.join(';');
  }

  // ---------------- shell output ----------------

  ansi(s: string, color: number): string {
    return `\x1b[${color}m${s}\x1b[39m`;
  }

  gitStatus(files: string[]): string {
    const r = this.r;
    const mod = files.slice(0, r.range(1, Math.min(6, files.length))).map((f) => `\tmodified:   ${f}`);
    return `On branch ${r.choose(['main', 'develop', 'feat/' + this.noun()])}\nYour branch is up to date with 'origin/main'.\n\nChanges not staged for commit:\n  (use "git add <file>..." to update what will be committed)\n${mod.join('\n')}\n\nno changes added to commit (use "git add" and/or "git commit -a")\n`;
  }

  gitLog(): string {
    const out: string[] = [];
    for (let i = this.r.range(5, 20); i > 0; i--) out.push(`${this.sha(7)} ${cap(this.r.choose(VERBS))} ${this.noun()} ${this.thing()}`);
    return out.join('\n') + '\n';
  }

  testRun(): string {
    const r = this.r;
    const out: string[] = [];
    let pass = 0;
    let fail = 0;
    const color = r.chance(0.5);
    for (let s = r.range(2, 8); s > 0; s--) {
      out.push(`▶ ${this.noun()} ${this.thing()}`);
      for (let t = r.range(2, 10); t > 0; t--) {
        const ok = r.chance(0.93);
        if (ok) pass++; else fail++;
        const mark = ok ? '✔' : '✖';
        out.push(`  ${color ? this.ansi(mark, ok ? 32 : 31) : mark} ${r.choose(VERBS)}s ${r.choose(ADJ)} ${this.noun()}s (${(r.next() * 40).toFixed(6)}ms)`);
        if (!ok) out.push(`    AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n    ${r.range(0, 99)} !== ${r.range(0, 99)}\n`);
      }
    }
    out.push(`ℹ tests ${pass + fail}`, `ℹ suites ${r.range(2, 8)}`, `ℹ pass ${pass}`, `ℹ fail ${fail}`, `ℹ cancelled 0`, `ℹ skipped 0`, `ℹ duration_ms ${(r.next() * 9000).toFixed(5)}`);
    return out.join('\n') + '\n';
  }

  tscErrors(): string {
    const r = this.r;
    const out: string[] = [];
    for (let i = r.range(1, 8); i > 0; i--) out.push(`${this.path()}(${r.range(1, 300)},${r.range(1, 40)}): error TS${r.choose([2322, 2339, 2345, 7006, 2531, 18048])}: ${r.choose([`Property '${this.noun()}' does not exist on type '${this.typeName()}'.`, `Type 'string | undefined' is not assignable to type 'string'.`, `Argument of type 'number' is not assignable to parameter of type '${this.typeName()}'.`, `Object is possibly 'null'.`])}`);
    return out.join('\n') + `\n\nFound ${out.length} errors.\n`;
  }

  lsLong(files: string[]): string {
    const r = this.r;
    const out = [`total ${r.range(8, 400)}`];
    for (const f of files.slice(0, r.range(4, 20))) out.push(`-rw-r--r-- 1 dev dev ${String(r.range(80, 90000)).padStart(6)} ${r.choose(['Mar', 'Apr', 'May', 'Nov'])} ${String(r.range(1, 28)).padStart(2)} ${String(r.range(0, 23)).padStart(2, '0')}:${String(r.range(0, 59)).padStart(2, '0')} ${f}`);
    return out.join('\n') + '\n';
  }

  grepHits(files: Map<string, string[]>): string {
    const r = this.r;
    const out: string[] = [];
    const names = [...files.keys()];
    for (let i = r.range(2, 25); i > 0; i--) {
      const f = r.choose(names);
      const lines = files.get(f) ?? [];
      const n = r.int(Math.max(1, lines.length));
      out.push(`${f}:${n + 1}:${lines[n] ?? ''}`);
    }
    return out.join('\n') + '\n';
  }

  serviceLogs(): string {
    const r = this.r;
    const out: string[] = [];
    const svc = r.choose(['api', 'worker', 'web']);
    for (let i = r.range(10, 60); i > 0; i--) {
      const level = r.choose(['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG']);
      out.push(`${svc}-1  | {"level":"${level.toLowerCase()}","time":${1700000000000 + r.int(1e10)},"pid":${r.range(1, 99)},"reqId":"req-${r.pick('lowernum', 6)}","msg":"${r.choose(VERBS)} ${this.noun()}","${this.noun()}Id":"${r.uuid()}","durationMs":${r.range(1, 3000)}}`);
    }
    return out.join('\n') + '\n';
  }

  jsonResponse(): string {
    const r = this.r;
    const items = [];
    for (let i = r.range(1, 12); i > 0; i--) items.push({ id: r.uuid(), [this.noun()]: this.words(2), status: r.choose(ADJ), amount: r.range(100, 99999), createdAt: `2026-0${r.range(1, 9)}-1${r.range(0, 9)}T10:${r.range(10, 59)}:00Z` });
    return JSON.stringify({ data: items, hasMore: r.chance(0.4), nextCursor: r.chance(0.5) ? r.pick('alnum', 16) : null }, null, 2) + '\n';
  }

  npmInstall(): string {
    const r = this.r;
    return `\nadded ${r.range(1, 900)} packages, and audited ${r.range(200, 1200)} packages in ${r.range(1, 40)}s\n\n${r.range(10, 200)} packages are looking for funding\n  run \`npm fund\` for details\n\nfound 0 vulnerabilities\n`;
  }

  pytest(): string {
    const r = this.r;
    const dots = r.pick('.', r.range(10, 200));
    return `============================= test session starts ==============================\nplatform linux -- Python 3.12.${r.range(0, 9)}, pytest-8.${r.range(0, 3)}.0\ncollected ${dots.length} items\n\ntests/test_${this.noun()}.py ${dots}\n\n============================== ${dots.length} passed in ${(r.next() * 20).toFixed(2)}s ===============================\n`;
  }

  /** A unified diff of a few changed lines of `lines` (the file as it was). */
  diff(file: string, lines: string[], changed: { at: number; removed: string[]; added: string[] }): string {
    const ctxBefore = lines.slice(Math.max(0, changed.at - 3), changed.at);
    const ctxAfter = lines.slice(changed.at + changed.removed.length, changed.at + changed.removed.length + 3);
    const oldStart = Math.max(0, changed.at - 3) + 1;
    const oldLen = ctxBefore.length + changed.removed.length + ctxAfter.length;
    const newLen = ctxBefore.length + changed.added.length + ctxAfter.length;
    return [
      `diff --git a/${file} b/${file}`, `index ${this.sha(7)}..${this.sha(7)} 100644`, `--- a/${file}`, `+++ b/${file}`,
      `@@ -${oldStart},${oldLen} +${oldStart},${newLen} @@`,
      ...ctxBefore.map((l) => ' ' + l), ...changed.removed.map((l) => '-' + l), ...changed.added.map((l) => '+' + l), ...ctxAfter.map((l) => ' ' + l),
    ].join('\n') + '\n';
  }
}

/** `cat -n` as Claude Code's Read tool shows a file: a right-aligned number, an arrow, the line. */
export function catN(lines: string[], start = 1): string {
  return lines.map((l, i) => `${String(i + start).padStart(6)}→${l}`).join('\n');
}
