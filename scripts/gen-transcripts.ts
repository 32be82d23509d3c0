#!/usr/bin/env node
// Seeded agent-transcript corpus: a folder shaped like the stores coding agents keep, for the
// transcript bench (issue 5: a 1 GB transcript folder scans at no less than half the workspace
// scan's MB/s, peak RSS under 300 MB).
//
//   node dist/scripts/gen-transcripts.js OUT [--mb 1024] [--seed 1] [--secret-every-kb 256]
//
// Writes, under OUT:
//   claude/projects/-home-dev-clients-<client>-<app>/<uuid>.jsonl      Claude Code sessions
//   claude/projects/-home-dev-clients-<client>-<app>/agent-<id>.jsonl  their sub-agent sidechains
//   codex/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl Codex rollouts
// (schemas: ../shared/formats.md 2.1 and 2.2), and beside OUT (so a scan of OUT never sees them)
// OUT.manifest.json, every planted occurrence as { path, line, kind, fingerprint, agent, encoding,
// site } and never a raw value, and OUT.raw.json, the raw values, for the bench's leak check. The
// manifest is written last: its presence means the folder beside it is complete.
//
// Sessions look like real coding work on a client project: the project's source files read and
// edited (Read results and Edit `originalFile` hold whole files), shell output (tests, git, tsc,
// logs, JSON responses), diffs, prose and thinking with base64 signatures; a few multi-MB lines
// (a bundle printed by `cat`) and a few truncated last lines (an agent killed mid-write).
//
// About every --secret-every-kb of output one fake secret (or an AWS id + secret pair) is planted
// on one line, in one of three encodings:
//   json                 plainly inside a JSON string (the value's characters appear as they are)
//   json-unicode-escape  inside a JSON string with `-` `_` `+` written \u00XX and `/` written `\/`
//                        (the value never appears as is in the file; only a JSON decoder sees it)
//   nested-json          inside a JSON string that is itself inside a JSON string: Codex
//                        function_call `arguments` and JSON-form function_call_output, so the quotes
//                        around it are double-escaped
// Each planted value occurs on exactly one line, and no filler is key-shaped, so a finding on any
// other line is a false positive. Output is streamed file by file; memory stays at a few tens of MB
// whatever --mb is. Same seed and size give byte-identical output.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint } from '../src/detect/redact.js';
import { seededRng } from '../src/rules/template.js';
import type { PlantedSecret } from './gen-bench-corpus.js';
import { catN, Pool, Rand, Text } from './transcripts/content.js';
import { drawValues, envLines, FAMILIES, FAMILY_NAMES, jsonEscaped, type Family } from './transcripts/secrets.js';

/** Bump when the output for a given seed and size changes, so cached corpora are regenerated. */
export const TRANSCRIPTS_GENERATOR = 3;

export type PlantEncoding = 'json' | 'json-unicode-escape' | 'nested-json';

export interface TranscriptSecret extends PlantedSecret {
  agent: 'claude-code' | 'codex';
  encoding: PlantEncoding;
  /** Where in the line's JSON the value sits, e.g. `toolUseResult.stdout`. */
  site: string;
}

export interface TranscriptManifest {
  generator: number;
  seed: number;
  mb: number;
  secretEveryKb: number;
  bytes: number;
  files: number;
  lines: number;
  hugeLines: number;
  truncatedFiles: number;
  secrets: TranscriptSecret[];
}

export interface TranscriptOptions {
  mb: number;
  seed: number;
  secretEveryKb?: number;
}

const MiB = 1024 * 1024;
const HUGE_EVERY = 48 * MiB;
const CLIENTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'soylent', 'tyrell', 'aperture', 'vandelay'];
const APPS = ['web', 'api', 'admin', 'etl', 'shop', 'crm-sync', 'landing', 'mobile-backend', 'billing', 'reports'];
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-sonnet-4-20250514', 'claude-haiku-4-5-20251001'];
const CLAUDE_VERSIONS = ['1.0.128', '2.0.14', '2.0.37', '2.0.55', '2.1.3'];
const CODEX_VERSIONS = ['0.39.0', '0.46.0', '0.58.0', '0.65.0'];

// ---------------------------------------------------------------- output

/** Totals over the whole corpus. */
class Sink {
  written = 0;
  files = 0;
  lines = 0;
  truncated = 0;
  private readonly dirs = new Set<string>();
  private readonly opened = new Set<string>();
  constructor(readonly root: string) {}
  open(rel: string): JsonlFile {
    // Reopening would truncate a file whose planted lines are already in the manifest.
    if (this.opened.has(rel)) throw new Error(`generator bug: ${rel} written twice (id collision)`);
    this.opened.add(rel);
    const abs = path.join(this.root, rel);
    const dir = path.dirname(abs);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    this.files++;
    return new JsonlFile(this, abs, rel);
  }
}

/** One JSONL file, written through a small buffer. */
class JsonlFile {
  lineNo = 0;
  bytes = 0;
  private readonly fd: number;
  private buf: string[] = [];
  private bufBytes = 0;
  constructor(private readonly sink: Sink, abs: string, readonly rel: string) {
    this.fd = fs.openSync(abs, 'w');
  }
  private push(s: string): void {
    const n = Buffer.byteLength(s);
    this.buf.push(s);
    this.bufBytes += n;
    this.bytes += n;
    this.sink.written += n;
    if (this.bufBytes >= 4 * MiB) this.flush();
  }
  /** Appends one line; returns its 1-based number. */
  write(line: string): number {
    this.push(line + '\n');
    this.sink.lines++;
    return ++this.lineNo;
  }
  /** A last line cut short, with no newline: the writer was killed mid-line. */
  writeCut(line: string, keep: number): void {
    this.push(line.slice(0, keep));
    this.sink.lines++;
    this.sink.truncated++;
    this.lineNo++;
  }
  private flush(): void {
    if (this.buf.length) fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.bufBytes = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

// ---------------------------------------------------------------- planting

interface Plant {
  familyName: string;
  family: Family;
  values: string[];
  /** What the line builders put where the values go: the values, or markers replaced after stringify. */
  tokens: string[];
  encoding: PlantEncoding;
}

const marker = (i: number): string => `@@outloop-plant-${i}@@`;

/**
 * The values as a person pastes them in a sentence. A lone prefixed key as is; a family with an
 * unprefixed part (the AWS secret) as NAME=value pairs, since only its name makes it recognisable.
 */
const prose = (p: Plant): string => (p.tokens.length === 1 ? (p.tokens[0] as string) : envLines(p.family, p.tokens).join(' '));

/** Every string leaf of a parsed line, descending into strings that hold JSON themselves. */
function leaves(x: unknown, out: string[]): string[] {
  if (typeof x === 'string') {
    out.push(x);
    const t = x.trimStart();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        leaves(JSON.parse(x), out);
      } catch {
        // Not JSON after all: the string itself is already in `out`.
      }
    }
  } else if (Array.isArray(x)) for (const v of x) leaves(v, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) leaves(v, out);
  return out;
}

// ---------------------------------------------------------------- projects

interface Project {
  client: string;
  app: string;
  cwd: string;
  /** Claude Code's folder name for the cwd: every non-alphanumeric character becomes `-`. */
  claudeDir: string;
  branch: string;
  files: Map<string, string[]> | null;
}

// ---------------------------------------------------------------- generator

class Generator {
  readonly r: Rand;
  readonly text: Text;
  readonly pool: Pool;
  readonly sink: Sink;
  readonly secrets: TranscriptSecret[] = [];
  readonly raw = new Set<string>();
  readonly target: number;
  readonly every: number;
  hugeLines = 0;
  private nextSecretAt: number;
  private nextHugeAt: number;
  readonly projects: Project[] = [];

  constructor(out: string, readonly opts: Required<TranscriptOptions>) {
    this.r = new Rand(seededRng(`outloop-transcripts-${opts.seed}`));
    this.text = new Text(this.r);
    this.pool = new Pool(this.r);
    this.sink = new Sink(out);
    this.target = opts.mb * MiB;
    this.every = opts.secretEveryKb * 1024;
    this.nextSecretAt = this.every * (0.5 + this.r.next());
    this.nextHugeAt = HUGE_EVERY * (0.3 + this.r.next());
    const seen = new Set<string>();
    while (this.projects.length < 16) {
      const client = this.r.choose(CLIENTS);
      const app = this.r.choose(APPS);
      if (seen.has(client + '/' + app)) continue;
      seen.add(client + '/' + app);
      const cwd = `/home/dev/clients/${client}/${app}`;
      this.projects.push({ client, app, cwd, claudeDir: cwd.replace(/[^A-Za-z0-9]/g, '-'), branch: this.r.choose(['main', 'main', 'develop', `feat/${this.text.noun()}-${this.text.thing().replace(/ /g, '-')}`]), files: null });
    }
  }

  done(): boolean {
    return this.sink.written >= this.target;
  }
  plantDue(): boolean {
    return this.sink.written >= this.nextSecretAt;
  }
  hugeDue(): boolean {
    return this.sink.written >= this.nextHugeAt;
  }
  hugeDone(): void {
    this.hugeLines++;
    this.nextHugeAt += HUGE_EVERY * (0.5 + this.r.next());
  }

  /** A project's files, generated on first use and kept (sessions read and edit the same files). */
  repo(p: Project): Map<string, string[]> {
    if (p.files) return p.files;
    const t = this.text;
    const files = new Map<string, string[]>();
    files.set('package.json', t.packageJson(`${p.client}-${p.app}`));
    files.set('README.md', t.markdown());
    files.set('.env.example', t.envExample());
    files.set('.github/workflows/ci.yml', t.yamlFile());
    for (let i = this.r.range(18, 45); i > 0; i--) {
      const ext = this.r.choose(['ts', 'ts', 'ts', 'tsx', 'ts', 'py', 'md']);
      const f = `${this.r.choose(['src', 'src/lib', 'src/routes', 'src/services', 'src/components', 'scripts', 'test'])}/${t.noun()}${this.r.choose(['', '-' + t.noun(), 'Service', 'Utils'])}${ext === 'tsx' ? '.tsx' : '.' + ext}`;
      files.set(f, t.sourceFile(ext === 'tsx' ? 'ts' : ext, f));
    }
    return (p.files = files);
  }

  /** Starts a plant: draws the family's values and the tokens line builders put in their place. */
  newPlant(encoding: PlantEncoding, familyName = this.r.choose(FAMILY_NAMES)): Plant {
    const family = FAMILIES[familyName] as Family;
    const values = drawValues(family, this.r);
    const tokens = encoding === 'json-unicode-escape' ? values.map((_, i) => marker(i)) : values;
    return { familyName, family, values, tokens, encoding };
  }

  /** Serializes a planted line, applies the escape encoding, checks it, writes it, records it. */
  writePlanted(file: JsonlFile, obj: unknown, plant: Plant, agent: TranscriptSecret['agent'], site: string): void {
    let line = JSON.stringify(obj);
    if (plant.encoding === 'json-unicode-escape') {
      plant.values.forEach((v, i) => {
        line = line.split(marker(i)).join(jsonEscaped(v));
      });
    }
    // The line must parse, hold every value in some (possibly nested) string, and for the escape
    // encoding never hold it as is.
    const all = leaves(JSON.parse(line), []);
    for (const v of plant.values) {
      if (!all.some((s) => s.includes(v))) throw new Error(`generator bug: planted value missing from ${file.rel} (${site})`);
      if (plant.encoding === 'json-unicode-escape' && line.includes(v)) throw new Error(`generator bug: escaped plant readable in ${file.rel} (${site}; ${plant.familyName} value ${plant.values.indexOf(v)} at ${line.indexOf(v)} of ${line.length})`);
    }
    const lineNo = file.write(line);
    plant.values.forEach((v, i) => {
      this.secrets.push({ path: file.rel, line: lineNo, kind: plant.family.kinds[i] as string, fingerprint: fingerprint(v), agent, encoding: plant.encoding, site });
      this.raw.add(v);
    });
    this.nextSecretAt = Math.max(this.nextSecretAt + this.every * (0.5 + this.r.next()), this.sink.written + this.every * 0.25);
  }

  isoAt(ms: number): string {
    return new Date(ms).toISOString();
  }

  run(): void {
    while (!this.done()) {
      const project = this.r.choose(this.projects);
      if (this.r.chance(0.68)) new ClaudeSession(this, project).run(this.r.logUniform(24 * 1024, 14 * MiB));
      else new CodexSession(this, project).run(this.r.logUniform(16 * 1024, 8 * MiB));
    }
  }
}

const startOf = (g: Generator): number => Date.UTC(2025, 5, 1) + g.r.int(520 * 24 * 3600) * 1000;

// ---------------------------------------------------------------- Claude Code

type Json = Record<string, unknown>;

interface ToolCall {
  name: string;
  input: Json;
  /** `message.content` of the tool_result block: a string or blocks. */
  result: string | Json[];
  toolUseResult: unknown;
  isError?: boolean;
}

class ClaudeSession {
  private readonly r: Rand;
  private readonly t: Text;
  private readonly file: JsonlFile;
  private readonly sessionId: string;
  private readonly version: string;
  private readonly model: string;
  private parent: string | null = null;
  private clock: number;
  private readonly sidechains: string[] = [];

  constructor(private readonly g: Generator, private readonly p: Project, private readonly agentId: string | null = null, sessionId?: string, start?: number) {
    this.r = g.r;
    this.t = g.text;
    this.sessionId = sessionId ?? this.r.uuid();
    this.version = this.r.choose(CLAUDE_VERSIONS);
    this.model = this.r.choose(MODELS);
    this.clock = start ?? startOf(g);
    const name = agentId ? `agent-${agentId}.jsonl` : `${this.sessionId}.jsonl`;
    this.file = g.sink.open(`claude/projects/${p.claudeDir}/${name}`);
  }

  private get cwd(): string {
    return this.p.cwd;
  }

  private envelope(type: 'user' | 'assistant' | 'system'): Json {
    const e: Json = { parentUuid: this.parent, isSidechain: this.agentId !== null, userType: 'external', cwd: this.cwd, sessionId: this.sessionId, version: this.version, gitBranch: this.p.branch };
    if (this.agentId) e.agentId = this.agentId;
    e.type = type;
    return e;
  }

  private seal(line: Json): Json {
    const uuid = this.r.uuid();
    line.uuid = uuid;
    this.clock += 200 + this.r.int(this.r.chance(0.1) ? 600_000 : 20_000);
    line.timestamp = this.g.isoAt(this.clock);
    this.parent = uuid;
    return line;
  }

  private userLine(content: unknown, toolUseResult?: unknown): Json {
    const line = this.seal({ ...this.envelope('user'), message: { role: 'user', content } });
    if (toolUseResult !== undefined) line.toolUseResult = toolUseResult;
    return line;
  }

  private assistantLine(block: Json, stop: string | null): Json {
    const r = this.r;
    const message = {
      id: 'msg_01' + r.pick('alnum', 22), type: 'message', role: 'assistant', model: this.model, content: [block],
      stop_reason: stop, stop_sequence: null,
      usage: {
        input_tokens: r.range(1, 12), cache_creation_input_tokens: r.range(0, 9000), cache_read_input_tokens: r.range(1000, 180000),
        cache_creation: { ephemeral_5m_input_tokens: r.range(0, 9000), ephemeral_1h_input_tokens: 0 }, output_tokens: r.range(1, 2400), service_tier: 'standard',
      },
    };
    const line = this.seal({ ...this.envelope('assistant'), message, requestId: 'req_011C' + r.pick('alnum', 20) });
    return line;
  }

  private emit(line: Json): void {
    this.file.write(JSON.stringify(line));
  }

  private thinkingBlock(text: string): Json {
    return { type: 'thinking', thinking: text, signature: this.g.pool.base64(4 * this.r.range(60, 300)) };
  }

  private toolUse(name: string, input: Json): { line: Json; id: string } {
    const id = 'toolu_01' + this.r.pick('alnum', 22);
    return { line: this.assistantLine({ type: 'tool_use', id, name, input }, 'tool_use'), id };
  }

  private toolResult(id: string, call: ToolCall): Json {
    const block: Json = { tool_use_id: id, type: 'tool_result', content: call.result };
    if (call.isError) block.is_error = true;
    return this.userLine([block], call.toolUseResult);
  }

  private emitCall(call: ToolCall): void {
    const { line, id } = this.toolUse(call.name, call.input);
    this.emit(line);
    this.emit(this.toolResult(id, call));
  }

  // ---- ordinary tool calls ----

  private bash(command: string, stdout: string, isError = false): ToolCall {
    const result = isError ? `Error: ${stdout}` : stdout.length > 30000 ? stdout.slice(0, 30000) + `\n\n... [${stdout.length - 30000} characters truncated] ...` : stdout;
    return {
      name: 'Bash', input: { command, description: `${this.t.noun()} ${this.t.thing()}` }, result,
      toolUseResult: isError ? `Error: ${stdout}` : { stdout, stderr: '', interrupted: false, isImage: false }, isError,
    };
  }

  private read(filePath: string, lines: string[]): ToolCall {
    const content = lines.join('\n');
    return {
      name: 'Read', input: { file_path: `${this.cwd}/${filePath}` }, result: catN(lines),
      toolUseResult: { type: 'text', file: { filePath: `${this.cwd}/${filePath}`, content, numLines: lines.length, startLine: 1, totalLines: lines.length } },
    };
  }

  /** An Edit of a repo file (kept edited for later reads), or of `lines` when given (a one-off file). */
  private edit(filePath: string, lines: string[], keepOut = -1): ToolCall {
    const r = this.r;
    const t = this.t;
    let at = r.int(Math.max(1, lines.length - 3));
    if (keepOut >= 0 && Math.abs(at - keepOut) < 8) at = Math.min(lines.length - 1, keepOut + 8);
    const removed = lines.slice(at, at + r.range(1, 3));
    const added = t.codeLines(filePath.endsWith('.py') ? 'py' : 'ts', r.range(1, 6));
    const originalFile = lines.join('\n');
    const updated = [...lines.slice(0, at), ...added, ...lines.slice(at + removed.length)];
    const snippetFrom = Math.max(0, at - 4);
    const snippet = catN(updated.slice(snippetFrom, at + added.length + 4), snippetFrom + 1);
    const ctxFrom = Math.max(0, at - 3);
    const patch = [{
      oldStart: ctxFrom + 1, oldLines: removed.length + (at - ctxFrom), newStart: ctxFrom + 1, newLines: added.length + (at - ctxFrom),
      lines: [...lines.slice(ctxFrom, at).map((l) => ' ' + l), ...removed.map((l) => '-' + l), ...added.map((l) => '+' + l)],
    }];
    const abs = `${this.cwd}/${filePath}`;
    const files = this.g.repo(this.p);
    if (keepOut < 0 && files.has(filePath)) files.set(filePath, updated.length > 700 ? updated.slice(0, 400) : updated);
    return {
      name: 'Edit', input: { file_path: abs, old_string: removed.join('\n'), new_string: added.join('\n') },
      result: `The file ${abs} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet}`,
      toolUseResult: { filePath: abs, oldString: removed.join('\n'), newString: added.join('\n'), originalFile, structuredPatch: patch, userModified: false, replaceAll: false },
    };
  }

  private ordinaryCall(): ToolCall {
    const r = this.r;
    const t = this.t;
    const files = this.g.repo(this.p);
    const names = [...files.keys()];
    const x = r.int(100);
    if (x < 34) {
      const cmd = r.int(10);
      switch (cmd) {
        case 0: return this.bash('git status', t.gitStatus(names));
        case 1: return this.bash('git log --oneline -n 20', t.gitLog());
        case 2: return this.bash('npm test 2>&1 | tail -80', t.testRun());
        case 3: return this.bash('npx tsc --noEmit', t.tscErrors(), r.chance(0.5));
        case 4: return this.bash(`ls -la ${r.choose(['src', 'src/lib', '.', 'scripts'])}`, t.lsLong(names));
        case 5: return this.bash('docker compose logs --tail 60 api', t.serviceLogs());
        case 6: return this.bash(`curl -s localhost:3000/api/${t.noun()}s | jq .`, t.jsonResponse());
        case 7: return this.bash('npm install', t.npmInstall());
        case 8: {
          const f = r.choose(names);
          const lines = files.get(f) ?? [];
          const at = r.int(Math.max(1, lines.length - 2));
          return this.bash(`git diff ${f}`, t.diff(f, lines, { at, removed: lines.slice(at, at + 2), added: t.codeLines('ts', r.range(1, 4)) }));
        }
        default: return this.bash('pytest -q', t.pytest());
      }
    }
    if (x < 60) {
      const f = r.choose(names);
      if (r.chance(0.03)) {
        // A screenshot: base64 image blocks, which a scanner should not regex as text.
        const data = this.g.pool.base64(4 * r.range(8000, 60000));
        return {
          name: 'Read', input: { file_path: `${this.cwd}/screenshots/${t.noun()}.png` }, result: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }],
          toolUseResult: { type: 'image', file: { base64: data, type: 'image/png', originalSize: data.length * 0.75 } },
        };
      }
      return this.read(f, files.get(f) ?? []);
    }
    if (x < 76) {
      const f = r.choose(names.filter((n) => !n.endsWith('.json') && !n.startsWith('.')));
      return this.edit(f, files.get(f) ?? []);
    }
    if (x < 84) {
      const hits = t.grepHits(files);
      const pattern = t.ident();
      return { name: 'Grep', input: { pattern, path: this.cwd, output_mode: 'content', '-n': true }, result: hits, toolUseResult: { mode: 'content', numFiles: 0, filenames: [], content: hits, numLines: hits.split('\n').length } };
    }
    if (x < 89) {
      const f = `src/${t.noun()}${r.choose(['Service', 'Utils', ''])}.ts`;
      const content = t.tsFile().join('\n');
      return { name: 'Write', input: { file_path: `${this.cwd}/${f}`, content }, result: `File created successfully at: ${this.cwd}/${f}`, toolUseResult: { type: 'create', filePath: `${this.cwd}/${f}`, content, structuredPatch: [] } };
    }
    if (x < 94) {
      const todos = Array.from({ length: r.range(2, 7) }, () => {
        const s = `${t.sentence()}`;
        return { content: s, status: r.choose(['pending', 'in_progress', 'completed']), activeForm: s };
      });
      return { name: 'TodoWrite', input: { todos }, result: 'Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable', toolUseResult: { oldTodos: [], newTodos: todos } };
    }
    if (x < 97) {
      const matches = names.filter(() => r.chance(0.3)).map((n) => `${this.cwd}/${n}`);
      return { name: 'Glob', input: { pattern: '**/*.ts' }, result: matches.join('\n') || 'No files found', toolUseResult: { filenames: matches, durationMs: r.range(2, 90), numFiles: matches.length, truncated: false } };
    }
    return this.task(t.assistantText());
  }

  /** A sub-agent call: block-array result; its sidechain file is written after the session. */
  private task(report: string): ToolCall {
    const r = this.r;
    const agentId = r.pick('hex', 8);
    if (this.agentId === null && r.chance(0.5)) this.sidechains.push(agentId);
    const prompt = `${this.t.sentence()} Report back with file paths and line numbers.`;
    const content = [{ type: 'text', text: report }];
    return {
      name: 'Task', input: { description: `${this.t.noun()} ${this.t.thing()}`, prompt, subagent_type: r.choose(['general-purpose', 'Explore']) }, result: content,
      toolUseResult: { status: 'completed', prompt, agentId, content, totalDurationMs: r.range(3000, 300000), totalTokens: r.range(1000, 90000), totalToolUseCount: r.range(1, 40) },
    };
  }

  /** `cat dist/...js`: one line of several MB; sometimes a planted value sits deep inside it. */
  private hugeCall(plant: Plant | null): { call: ToolCall; site: string } {
    const r = this.r;
    let stdout = this.t.minified(r.range(2 * MiB, 6 * MiB));
    if (plant) {
      const at = 40000 + r.int(stdout.length - 40000);
      const cut = stdout.indexOf(';', at);
      const pos = cut < 0 ? stdout.length : cut + 1;
      stdout = stdout.slice(0, pos) + plant.family.config(plant.tokens).trim() + ';' + stdout.slice(pos);
    }
    return { call: this.bash(`cat dist/assets/index-${r.pick('alnum', 8)}.js`, stdout), site: 'toolUseResult.stdout (multi-MB line)' };
  }

  // ---- planted steps ----

  private planted(): void {
    const r = this.r;
    const t = this.t;
    const plant = this.g.newPlant(r.chance(0.35) ? 'json-unicode-escape' : 'json');
    const tok = plant.tokens;
    const env = envLines(plant.family, tok);
    const envFile = (): string[] => {
      const lines = ['NODE_ENV=development', `PORT=${r.range(3000, 9000)}`, 'DATABASE_URL=postgres://localhost:5432/dev', `LOG_LEVEL=${r.choose(['info', 'debug'])}`];
      lines.splice(r.int(lines.length + 1), 0, ...env);
      return lines;
    };
    const write = (line: Json, site: string): void => this.g.writePlanted(this.file, line, plant, 'claude-code', site);
    const x = r.int(100);
    if (x < 12) {
      const text = r.chance(0.5) ? `${t.sentence()} use this for staging:\n${env.join('\n')}` : `here's the ${plant.family.env[0]?.toLowerCase().replace(/_/g, ' ')}: ${prose(plant)} — put it in .env.local and ${t.userPrompt()}`;
      write(this.userLine(r.chance(0.7) ? text : [{ type: 'text', text }]), 'message.content (user prompt)');
    } else if (x < 28) {
      const { line, id } = this.toolUse('Bash', { command: plant.family.command(r, tok), description: `${t.noun()} check` });
      write(line, 'message.content[0].input.command (tool_use)');
      this.emit(this.toolResult(id, this.bash('', t.jsonResponse())));
    } else if (x < 46) {
      const out = envFile().join('\n') + '\n';
      const call = this.bash(r.choose(['cat .env', 'cat .env.local', 'printenv | sort', 'grep -rn KEY .env*']), out);
      const { line, id } = this.toolUse('Bash', call.input);
      this.emit(line);
      write(this.toolResult(id, call), 'message.content[0].content + toolUseResult.stdout (tool_result)');
    } else if (x < 62) {
      const call = this.read(r.choose(['.env', '.env.local', '.env.production']), envFile());
      const { line, id } = this.toolUse('Read', call.input);
      this.emit(line);
      write(this.toolResult(id, call), 'message.content[0].content + toolUseResult.file.content (Read)');
    } else if (x < 72) {
      const lines = [`import Anthropic from '@anthropic-ai/sdk';`, `import Stripe from 'stripe';`, '', 'export const clients = {', plant.family.config(tok), '};', '', ...t.tsFile()];
      const call = this.edit('src/config.ts', lines, 4);
      const { line, id } = this.toolUse('Edit', call.input);
      this.emit(line);
      write(this.toolResult(id, call), 'toolUseResult.originalFile (Edit)');
    } else if (x < 80) {
      write(this.assistantLine(this.thinkingBlock(`${t.paragraph(2)} The .env has ${env.join(' and ')}, so the ${t.noun()} call should authenticate. ${t.paragraph(1)}`), null), 'message.content[0].thinking');
    } else if (x < 88) {
      const call = this.task(`${t.paragraph(2)}\n\nFound the credentials in \`${this.cwd}/.env.local\`:\n\`\`\`\n${env.join('\n')}\n\`\`\`\n${t.paragraph(1)}`);
      const { line, id } = this.toolUse('Task', call.input);
      this.emit(line);
      write(this.toolResult(id, call), 'message.content[0].content[0].text + toolUseResult.content (Task blocks)');
    } else if (x < 95) {
      write(this.assistantLine({ type: 'text', text: `${t.paragraph(1)} I added \`${env.join('` and `')}\` to \`.env.local\`. ${t.paragraph(1)}` }, null), 'message.content[0].text (assistant)');
    } else {
      const content = envFile().join('\n') + '\n';
      const { line, id } = this.toolUse('Write', { file_path: `${this.cwd}/.env.local`, content });
      write(line, 'message.content[0].input.content (Write)');
      this.emit(this.toolResult(id, { name: 'Write', input: {}, result: `File created successfully at: ${this.cwd}/.env.local`, toolUseResult: { type: 'create', filePath: `${this.cwd}/.env.local`, content: '(see input)', structuredPatch: [] } }));
    }
  }

  // ---- the session ----

  private step(budget: number): boolean {
    return this.file.bytes < budget && !this.g.done();
  }

  run(budget: number): void {
    const r = this.r;
    const t = this.t;
    if (this.agentId === null && r.chance(0.3)) {
      this.file.write(JSON.stringify({ type: 'summary', summary: `${t.noun()} ${t.thing()} ${r.choose(['fix', 'refactor', 'setup', 'migration'])}`, leafUuid: r.uuid() }));
    }
    while (this.step(budget)) {
      if (this.g.plantDue()) this.planted();
      this.emit(this.userLine(this.agentId ? `${t.sentence()} Report back with file paths.` : t.userPrompt()));
      if (r.chance(0.6)) this.emit(this.assistantLine(this.thinkingBlock(t.thinking()), null));
      this.emit(this.assistantLine({ type: 'text', text: t.paragraph(r.range(1, 2)) }, null));
      for (let i = r.range(1, 9); i > 0 && this.step(budget); i--) {
        if (this.g.plantDue()) {
          this.planted();
          continue;
        }
        if (this.g.hugeDue() && this.agentId === null) {
          const plant = r.chance(0.5) ? this.g.newPlant(r.chance(0.35) ? 'json-unicode-escape' : 'json') : null;
          const { call, site } = this.hugeCall(plant);
          const { line, id } = this.toolUse('Bash', call.input);
          this.emit(line);
          const result = this.toolResult(id, call);
          if (plant) this.g.writePlanted(this.file, result, plant, 'claude-code', site);
          else this.emit(result);
          this.g.hugeDone();
          continue;
        }
        this.emitCall(this.ordinaryCall());
      }
      this.emit(this.assistantLine({ type: 'text', text: t.assistantText() }, 'end_turn'));
      if (r.chance(0.15)) this.file.write(JSON.stringify({ type: 'file-history-snapshot', messageId: r.uuid(), snapshot: { messageId: r.uuid(), trackedFileBackups: {}, timestamp: this.g.isoAt(this.clock) }, isSnapshotUpdate: false }));
    }
    if (r.chance(0.05)) {
      // Killed mid-write: the last line stops partway, with no newline.
      const last = JSON.stringify(this.assistantLine({ type: 'text', text: t.assistantText() }, null));
      this.file.writeCut(last, 20 + r.int(last.length - 21));
    }
    this.file.close();
    for (const id of this.sidechains) {
      if (this.g.done()) break;
      new ClaudeSession(this.g, this.p, id, this.sessionId, this.clock).run(r.logUniform(16 * 1024, 400 * 1024));
    }
  }
}

// ---------------------------------------------------------------- Codex

class CodexSession {
  private readonly r: Rand;
  private readonly t: Text;
  private readonly file: JsonlFile;
  private readonly id: string;
  private clock: number;

  constructor(private readonly g: Generator, private readonly p: Project) {
    this.r = g.r;
    this.t = g.text;
    this.id = this.r.uuid();
    this.clock = startOf(g);
    const d = new Date(this.clock).toISOString();
    const [date, time] = [d.slice(0, 10), d.slice(11, 19).replace(/:/g, '-')];
    this.file = g.sink.open(`codex/sessions/${date.replace(/-/g, '/')}/rollout-${date}T${time}-${this.id}.jsonl`);
  }

  private line(type: string, payload: Json): Json {
    this.clock += 100 + this.r.int(this.r.chance(0.1) ? 300_000 : 15_000);
    return { timestamp: this.g.isoAt(this.clock), type, payload };
  }
  private emit(line: Json): void {
    this.file.write(JSON.stringify(line));
  }
  private message(role: 'user' | 'assistant', text: string): Json {
    return this.line('response_item', { type: 'message', role, content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] });
  }
  private callId(): string {
    return 'call_' + this.r.pick('alnum', 24);
  }
  private shellCall(cmd: string, callId: string): Json {
    const args = this.r.chance(0.6)
      ? { command: ['bash', '-lc', cmd], workdir: this.p.cwd, timeout_ms: 120000 }
      : { command: cmd, workdir: this.p.cwd };
    return this.line('response_item', { type: 'function_call', name: Array.isArray(args.command) ? 'shell' : 'shell_command', arguments: JSON.stringify(args), call_id: callId });
  }
  /** Codex writes tool output either as a JSON string {output, metadata} or as plain text. */
  private output(callId: string, out: string, jsonForm: boolean): Json {
    const r = this.r;
    const capped = out.length > 16000 ? out.slice(0, 8000) + `\n[... omitted ${out.length - 16000} characters ...]\n` + out.slice(-8000) : out;
    const exit = r.chance(0.9) ? 0 : 1;
    const secs = Number((r.next() * 8).toFixed(1));
    const output = jsonForm
      ? JSON.stringify({ output: capped, metadata: { exit_code: exit, duration_seconds: secs } })
      : `Exit code: ${exit}\nWall time: ${secs} seconds\nOutput:\n${capped}`;
    return this.line('response_item', { type: 'function_call_output', call_id: callId, output });
  }

  private ordinaryCommand(): { cmd: string; out: string } {
    const r = this.r;
    const t = this.t;
    const files = this.g.repo(this.p);
    const names = [...files.keys()];
    switch (r.int(9)) {
      case 0: return { cmd: 'git status --short', out: t.gitStatus(names) };
      case 1: return { cmd: 'npm test', out: t.testRun() };
      case 2: return { cmd: `rg -n "${t.ident()}" src`, out: t.grepHits(files) };
      case 3: {
        const f = r.choose(names);
        const lines = files.get(f) ?? [];
        return { cmd: `sed -n '1,${Math.max(lines.length, 200)}p' ${f}`, out: lines.join('\n') + '\n' };
      }
      case 4: return { cmd: 'npx tsc --noEmit', out: t.tscErrors() };
      case 5: return { cmd: 'git log --oneline -n 15', out: t.gitLog() };
      case 6: return { cmd: `curl -s localhost:8080/api/${t.noun()}s`, out: t.jsonResponse() };
      case 7: {
        const f = r.choose(names);
        const lines = files.get(f) ?? [];
        return { cmd: `nl -ba ${f} | head -n 120`, out: catN(lines.slice(0, 120)).replace(/→/g, '\t') + '\n' };
      }
      default: return { cmd: 'ls -la', out: t.lsLong(names) };
    }
  }

  private applyPatch(body: string[], file: string, callId: string): Json {
    const patch = ['*** Begin Patch', `*** Update File: ${file}`, '@@', ...body, '*** End Patch'].join('\n');
    return this.line('response_item', { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['apply_patch', patch], workdir: this.p.cwd }), call_id: callId });
  }

  private planted(): void {
    const r = this.r;
    const t = this.t;
    const x = r.int(100);
    const write = (line: Json, plant: Plant, site: string): void => this.g.writePlanted(this.file, line, plant, 'codex', site);
    if (x < 30) {
      const plant = this.g.newPlant('nested-json');
      const id = this.callId();
      write(this.shellCall(plant.family.command(r, plant.tokens), id), plant, 'payload.arguments (function_call)');
      this.emit(this.output(id, t.jsonResponse(), r.chance(0.5)));
    } else if (x < 40) {
      const plant = this.g.newPlant('nested-json');
      const id = this.callId();
      write(this.applyPatch(['-' + t.codeLine('ts'), ...envLines(plant.family, plant.tokens).map((l) => '+' + l)], '.env.local', id), plant, 'payload.arguments (apply_patch)');
      this.emit(this.output(id, 'Success. Updated the following files:\nM .env.local\n', false));
    } else if (x < 70) {
      const jsonForm = r.chance(0.4);
      const plant = this.g.newPlant(jsonForm ? 'nested-json' : r.chance(0.35) ? 'json-unicode-escape' : 'json');
      const id = this.callId();
      this.emit(this.shellCall(r.choose(['cat .env', 'env | sort', 'cat .env.local']), id));
      const out = ['NODE_ENV=development', ...envLines(plant.family, plant.tokens), `PORT=${r.range(3000, 9000)}`].join('\n') + '\n';
      write(this.output(id, out, jsonForm), plant, 'payload.output (function_call_output)');
    } else if (x < 85) {
      const plant = this.g.newPlant(r.chance(0.35) ? 'json-unicode-escape' : 'json');
      write(this.message('user', `${t.sentence()} the key is ${prose(plant)}, add it to the ${t.noun()} config`), plant, 'payload.content[0].text (user message)');
    } else {
      const plant = this.g.newPlant(r.chance(0.35) ? 'json-unicode-escape' : 'json');
      write(this.message('assistant', `${t.paragraph(1)} I set \`${envLines(plant.family, plant.tokens).join('` and `')}\` in \`.env.local\`. ${t.paragraph(1)}`), plant, 'payload.content[0].text (assistant message)');
    }
  }

  private step(budget: number): boolean {
    return this.file.bytes < budget && !this.g.done();
  }

  run(budget: number): void {
    const r = this.r;
    const t = this.t;
    const p = this.p;
    const git: Json = { commit_hash: t.sha(40), branch: p.branch, repository_url: `git@github.com:${p.client}-agency/${p.app}.git` };
    const meta: Json = { id: this.id, timestamp: this.g.isoAt(this.clock), cwd: p.cwd, originator: 'codex_cli_rs', cli_version: r.choose(CODEX_VERSIONS), instructions: null, source: 'cli', model_provider: 'openai', git };
    if (this.g.plantDue() && r.chance(0.3)) {
      // `git remote get-url origin` verbatim: a token embedded in the remote URL.
      const plant = this.g.newPlant('json', 'github');
      git.repository_url = `https://x-access-token:${plant.tokens[0]}@github.com/${p.client}-agency/${p.app}.git`;
      this.g.writePlanted(this.file, this.line('session_meta', meta), plant, 'codex', 'payload.git.repository_url (session_meta)');
    } else this.emit(this.line('session_meta', meta));
    this.emit(this.message('user', `<environment_context>\n  <cwd>${p.cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>bash</shell>\n</environment_context>`));
    while (this.step(budget)) {
      this.emit(this.line('turn_context', { cwd: p.cwd, approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write', network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false }, model: r.choose(['gpt-5-codex', 'gpt-5', 'gpt-5.1-codex']), effort: r.choose(['medium', 'high']), summary: 'auto' }));
      if (this.g.plantDue()) this.planted();
      const prompt = t.userPrompt();
      this.emit(this.message('user', prompt));
      this.emit(this.line('event_msg', { type: 'user_message', message: prompt, images: [] }));
      for (let i = r.range(1, 10); i > 0 && this.step(budget); i--) {
        if (this.g.plantDue()) {
          this.planted();
          continue;
        }
        if (r.chance(0.5)) {
          const summary = t.paragraph(r.range(1, 2));
          this.emit(this.line('response_item', { type: 'reasoning', summary: [{ type: 'summary_text', text: `**${t.words(3)}**\n\n${summary}` }], content: null, encrypted_content: 'gAAAAA' + this.g.pool.base64(4 * r.range(200, 900)) }));
          this.emit(this.line('event_msg', { type: 'agent_reasoning', text: summary }));
        }
        const id = this.callId();
        if (r.chance(0.15)) {
          const files = this.g.repo(p);
          const ts = [...files.keys()].filter((n) => n.endsWith('.ts'));
          const f = r.choose(ts.length ? ts : [...files.keys()]);
          const lines = files.get(f) ?? [];
          const at = r.int(Math.max(1, lines.length - 2));
          this.emit(this.applyPatch([...lines.slice(Math.max(0, at - 2), at).map((l) => ' ' + l), '-' + (lines[at] ?? ''), ...t.codeLines('ts', r.range(1, 5)).map((l) => '+' + l)], f, id));
          this.emit(this.output(id, `Success. Updated the following files:\nM ${f}\n`, false));
        } else {
          const { cmd, out } = this.ordinaryCommand();
          this.emit(this.shellCall(cmd, id));
          this.emit(this.output(id, out, r.chance(0.5)));
        }
      }
      this.emit(this.line('event_msg', { type: 'token_count', info: { total_token_usage: { input_tokens: r.range(1000, 900000), cached_input_tokens: r.range(0, 800000), output_tokens: r.range(100, 40000), reasoning_output_tokens: r.range(0, 20000), total_tokens: r.range(1000, 990000) }, model_context_window: 272000 }, rate_limits: { primary: { used_percent: r.range(0, 100), window_minutes: 300 } } }));
      const answer = t.assistantText();
      this.emit(this.message('assistant', answer));
      this.emit(this.line('event_msg', { type: 'agent_message', message: answer }));
    }
    if (r.chance(0.05)) {
      const last = JSON.stringify(this.line('event_msg', { type: 'agent_reasoning', text: t.paragraph(3) }));
      this.file.writeCut(last, 20 + r.int(last.length - 21));
    }
    this.file.close();
  }
}

// ---------------------------------------------------------------- entry points

/** Writes the corpus at `out` plus `out.manifest.json` and `out.raw.json`; returns the manifest. */
export function generateTranscripts(out: string, opts: TranscriptOptions): TranscriptManifest {
  const full: Required<TranscriptOptions> = { mb: opts.mb, seed: opts.seed, secretEveryKb: opts.secretEveryKb ?? 256 };
  // The manifest first, so an interrupted run never leaves a complete-looking corpus.
  fs.rmSync(out + '.manifest.json', { force: true });
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const g = new Generator(out, full);
  g.run();
  const manifest: TranscriptManifest = {
    generator: TRANSCRIPTS_GENERATOR, seed: full.seed, mb: full.mb, secretEveryKb: full.secretEveryKb,
    bytes: g.sink.written, files: g.sink.files, lines: g.sink.lines, hugeLines: g.hugeLines, truncatedFiles: g.sink.truncated,
    secrets: g.secrets,
  };
  fs.writeFileSync(out + '.raw.json', JSON.stringify([...g.raw]) + '\n');
  fs.writeFileSync(out + '.manifest.json', JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

function parseArgs(args: string[]): { out: string; opts: TranscriptOptions } {
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(`--${name}`);
    const n = i === -1 ? dflt : Number(args[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number`);
    return n;
  };
  const outArg = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  return {
    out: path.resolve(outArg ?? 'transcripts-corpus'),
    opts: { mb: opt('mb', 1024), seed: opt('seed', 1), secretEveryKb: opt('secret-every-kb', 256) },
  };
}

function main(): void {
  const { out, opts } = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const m = generateTranscripts(out, opts);
  const by = (k: keyof TranscriptSecret): string => Object.entries(m.secrets.reduce<Record<string, number>>((a, s) => ((a[String(s[k])] = (a[String(s[k])] ?? 0) + 1), a), {})).map(([k2, n]) => `${k2} ${n}`).join(', ');
  console.log(`transcripts at ${out}: ${(m.bytes / MiB).toFixed(1)} MiB in ${m.files} files, ${m.lines} lines (${m.hugeLines} multi-MB, ${m.truncatedFiles} truncated last lines), ${m.secrets.length} planted secrets in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`  by encoding: ${by('encoding')}`);
  console.log(`  by agent: ${by('agent')}`);
  console.log(`  by kind: ${by('kind')}`);
}

// Run as a CLI only when executed directly, so the bench can import generateTranscripts.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
