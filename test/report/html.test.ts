/**
 * The HTML report, rendered by a real headless Chromium (Debian's `chromium`): the assertions read
 * the DOM the browser built (`--dump-dom`), not the string we wrote, and a screenshot proves it paints.
 * The result comes from the real scan() over a temp agency with three clients.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fingerprint } from '../../src/detect/redact.js';
import type { Finding } from '../../src/model/finding.js';
import { formatHtml } from '../../src/report/html.js';
import { scan, type ScanResult } from '../../src/scan.js';
import { ANTHROPIC, fakeKey, tempDir, writeFiles } from '../helpers.js';

const CHROMIUM = process.env.OUTLOOP_CHROMIUM ?? '/usr/bin/chromium';

// Planted values, generated (never written out as key-shaped literals).
const acmeKey = ANTHROPIC('html:acme');
const globexKey = fakeKey('sk_live_{{alnum:24}}', 'html:globex');
const sharedKey = fakeKey('sk-proj-{{urlsafe:74}}T3BlbkFJ{{urlsafe:74}}', 'html:shared');
const evilKey = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'html:evil');
const looseKey = ANTHROPIC('html:loose');
const acmeAccount = fakeKey('acct_{{alnum:16}}', 'html:account');
const PLANTED = [acmeKey, globexKey, sharedKey, evilKey, looseKey];

/** A folder name and a file name that try to break out of text and of both kinds of attribute quotes. */
const EVIL_DIR = `initech/<script>document.title='pwned'</script>`;
const EVIL_FILE = `q"uote' <img src=x onerror="document.title='img'">.env`;
const EVIL_PATH = `${EVIL_DIR}/${EVIL_FILE}`;
const TITLE = 'Agency audit <test> & "report"';

function transcriptLine(record: Record<string, unknown>): string {
  return JSON.stringify(record) + '\n';
}

async function agency(): Promise<{ dir: string; result: ScanResult }> {
  const dir = tempDir('outloop-html-');
  const cwd = '/home/dev/clients/globex/api';
  writeFiles(dir, {
    'outloop.config.json': JSON.stringify({
      roots: ['/home/dev/clients'],
      tenants: {
        acme: { paths: ['acme/**'], keys: [{ name: 'anthropic', fingerprint: fingerprint(acmeKey) }], accounts: [acmeAccount] },
        globex: { paths: ['globex/**'], keys: [{ name: 'stripe', fingerprint: fingerprint(globexKey) }] },
        initech: { paths: ['initech/**'] },
      },
    }),
    // Each client's own keys, where they belong.
    'acme/web/.env': `ANTHROPIC_API_KEY=${acmeKey}\n`,
    'acme/billing/stripe.yaml': `account: ${acmeAccount}\n`,
    'globex/api/.env': `STRIPE_SECRET_KEY=${globexKey}\n`,
    // acme's key copied into globex twice (a note and an agent session run in globex/api) and into initech once.
    'globex/notes/handover.md': `# handover\nuse ANTHROPIC_API_KEY=${acmeKey} for now\n`,
    'sessions/globex-debug.jsonl':
      transcriptLine({ type: 'user', message: { role: 'user', content: 'deploy fails' }, uuid: 'u-1', sessionId: 'sess-globex-1', cwd }) +
      transcriptLine({ type: 'user', message: { role: 'user', content: `try this key ${acmeKey}` }, uuid: 'u-2', sessionId: 'sess-globex-1', cwd }),
    'initech/scratch/keys.txt': `anthropic: ${acmeKey}\n`,
    // globex's key in initech, and acme's Stripe account id in initech's configuration.
    'initech/billing/stripe.env': `STRIPE_SECRET_KEY=${globexKey}\n`,
    'initech/billing/config.yaml': `stripe:\n  account: ${acmeAccount}\n`,
    // One unbound key reused by two clients.
    'globex/tools/.env': `OPENAI_API_KEY=${sharedKey}\n`,
    'initech/tools/.env': `OPENAI_API_KEY=${sharedKey}\n`,
    // A hostile path, and a key in no client's place.
    [EVIL_PATH]: `GITHUB_TOKEN=${evilKey}\n`,
    'scratch/todo.txt': `ANTHROPIC_API_KEY=${looseKey}\n`,
  });
  return { dir, result: await scan({ paths: [dir], workers: 0 }) };
}

// ---------------------------------------------------------------------------------------------
// Chromium

function chromium(args: string[], dir: string): { stdout: string; stderr: string } {
  if (!fs.existsSync(CHROMIUM)) {
    assert.fail(`Chromium is required for the HTML report test and is missing at ${CHROMIUM}: install it (as root: apt-get update && apt-get install -y chromium), or set OUTLOOP_CHROMIUM to its path`);
  }
  const profile = fs.mkdtempSync(path.join(dir, 'chromium-profile-'));
  const r = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, ...args],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, HOME: profile } },
  );
  assert.equal(r.error, undefined, `chromium did not run: ${r.error?.message}`);
  assert.equal(r.status, 0, `chromium exited with ${r.status} (${r.signal ?? 'no signal'}):\n${r.stderr.slice(-3000)}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function renderDom(htmlFile: string, dir: string): string {
  const dom = chromium(['--dump-dom', pathToFileURL(htmlFile).href], dir).stdout;
  assert.match(dom, /<html[\s>]/, 'chromium dumped no DOM');
  return dom;
}

// ---------------------------------------------------------------------------------------------
// Reading the serialised DOM: a tag tokenizer that respects quoted attribute values (a value may hold `>`).

interface Tag {
  name: string;
  attrs: Map<string, string>;
  /** Offset of the tag's end in the DOM text. */
  end: number;
}

const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' })[e]!);
}

function tags(dom: string): Tag[] {
  const out: Tag[] = [];
  for (const m of dom.matchAll(TAG)) {
    const attrs = new Map<string, string>();
    for (const a of (m[2] ?? '').matchAll(ATTR)) attrs.set(a[1]!.toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? ''));
    out.push({ name: m[1]!.toLowerCase(), attrs, end: m.index! + m[0].length });
  }
  return out;
}

function classes(t: Tag): string[] {
  return (t.attrs.get('class') ?? '').split(/\s+/).filter(Boolean);
}

/** The text right after a tag, up to the next tag. */
function textAfter(dom: string, t: Tag): string {
  return decode(dom.slice(t.end, dom.indexOf('<', t.end)));
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** The compressed pixel data of a PNG (inflating it proves the file is whole). */
function idatChunks(png: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 8; off + 8 <= png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString('latin1', off + 4, off + 8) === 'IDAT') out.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  return out;
}

function rowKey(p: string, line: number | string, fp: string): string {
  return `${p}\u0000${line}\u0000${fp}`;
}

// ---------------------------------------------------------------------------------------------

describe('HTML report in a real headless Chromium', () => {
  let dir: string;
  let result: ScanResult;
  let html: string;
  let dom: string;
  let all: Tag[];

  before(async () => {
    ({ dir, result } = await agency());
    html = formatHtml(result, { title: TITLE, generatedAt: '2025-01-02T03:04:05Z', diff: { since: '2024-12-01', new: 3, fixed: 1, open: 7 } });
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html);
    dom = renderDom(file, dir);
    all = tags(dom);
  });

  // The temp agency and Chromium's profiles (several MB each).
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scans the agency as the report expects (the fixture is what it claims)', () => {
    const f = result.findings;
    assert.deepEqual(result.tenants, ['acme', 'globex', 'initech']);
    const wrong = f.filter((x) => x.wrongClient).map((x) => `${x.owner}->${x.tenant}`).sort();
    assert.deepEqual(wrong, ['acme->globex', 'acme->globex', 'acme->initech', 'globex->initech']);
    const foreign = f.filter((x) => x.ruleId === 'foreign-account');
    assert.deepEqual(foreign.map((x) => `${x.owner}->${x.tenant}`), ['acme->initech']);
    const shared = f.filter((x) => x.sharedWith);
    assert.equal(shared.length, 2);
    for (const x of shared) assert.deepEqual(x.sharedWith, ['globex', 'initech']);
    assert.ok(f.some((x) => x.path === EVIL_PATH && x.tenant === 'initech'), 'the hostile path is scanned and belongs to initech');
    assert.ok(f.some((x) => x.source === 'transcript' && x.tenant === 'globex' && x.wrongClient), 'the session run in globex/api holds a wrong-client copy');
    assert.ok(f.some((x) => x.tenant === null), 'one finding in no client place');
  });

  it('never puts a planted secret in the page', () => {
    for (const secret of PLANTED) {
      assert.ok(!html.includes(secret), 'raw secret in the HTML');
      assert.ok(!dom.includes(secret), 'raw secret in the rendered DOM');
      // Nor a long piece of one (more than a redacted hint would show).
      const middle = secret.slice(Math.floor(secret.length / 3), Math.floor(secret.length / 3) + 12);
      assert.ok(!html.includes(middle), 'a piece of a secret in the HTML');
    }
  });

  it('escapes hostile paths and titles: nothing they hold becomes markup or runs', () => {
    const title = all.find((t) => t.name === 'title');
    assert.ok(title);
    assert.equal(textAfter(dom, title), TITLE, 'the page title is what we set, unchanged by any script');
    assert.equal(all.filter((t) => t.name === 'script').length, 0, 'no script element');
    assert.equal(all.filter((t) => t.name === 'img').length, 0, 'no img element');
    for (const t of all) {
      for (const name of t.attrs.keys()) assert.ok(!name.startsWith('on'), `event handler attribute ${name} on <${t.name}>`);
    }
    const h1 = all.find((t) => t.name === 'h1')!;
    assert.equal(textAfter(dom, h1), TITLE);
    const evilRows = all.filter((t) => t.name === 'tr' && t.attrs.get('data-path') === EVIL_PATH);
    assert.equal(evilRows.length, 1, 'the hostile path is one row, its attribute intact');
    const code = all.find((t, i) => t.name === 'code' && i > all.indexOf(evilRows[0]!));
    assert.equal(textAfter(dom, code!), `${EVIL_PATH}:1:14`, 'the hostile path shown as text, whole');
    assert.ok(html.includes('&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;'));
  });

  it('fetches nothing: no external reference and a CSP that forbids it', () => {
    for (const t of all) {
      for (const a of ['src', 'href', 'srcset', 'action', 'poster', 'data']) assert.ok(!t.attrs.has(a), `<${t.name} ${a}=...>`);
      if (t.name === 'link') assert.fail('a <link> element');
    }
    assert.doesNotMatch(html, /@import|url\(\s*['"]?(https?:|\/\/)/i);
    const csp = all.find((t) => t.name === 'meta' && t.attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy');
    assert.match(csp?.attrs.get('content') ?? '', /default-src 'none'/);
  });

  it('shows the totals and the diff in the header', () => {
    const total = (id: string) => {
      const t = all.find((x) => x.attrs.get('data-total') === id);
      assert.ok(t, `tile ${id}`);
      return textAfter(dom, all[all.indexOf(t) + 1]!);
    };
    assert.equal(total('findings'), String(result.findings.length));
    assert.equal(total('wrong-client'), '4');
    assert.equal(total('foreign-account'), '1');
    assert.equal(total('shared'), '1');
    assert.equal(total('tenants'), '3');
    const diff = all.find((t) => t.attrs.get('id') === 'diff')!;
    assert.deepEqual([diff.attrs.get('data-new'), diff.attrs.get('data-fixed'), diff.attrs.get('data-open')], ['3', '1', '7']);
    assert.ok(dom.includes('2025-01-02T03:04:05Z'));
  });

  it('fills the tenants-by-services matrix, highlighting wrong-client cells', () => {
    const cells = all.filter((t) => t.name === 'td' && classes(t).includes('cell'));
    const services = [...new Set(result.findings.map((f) => f.service))];
    const rows = ['acme', 'globex', 'initech', '(no client)'];
    assert.equal(cells.length, rows.length * services.length, 'one cell per client and service');
    for (const tenant of rows) {
      for (const service of services) {
        const here = result.findings.filter((f) => (f.tenant ?? '(no client)') === tenant && f.service === service);
        const cell = cells.find((c) => c.attrs.get('data-tenant') === tenant && c.attrs.get('data-service') === service);
        assert.ok(cell, `cell ${tenant} × ${service}`);
        const wrong = here.filter((f) => f.wrongClient).length;
        assert.equal(cell.attrs.get('data-count'), String(here.length), `${tenant} × ${service}`);
        assert.equal(cell.attrs.get('data-wrong'), String(wrong), `${tenant} × ${service} wrong`);
        assert.equal(classes(cell).includes('wrong'), wrong > 0, `${tenant} × ${service} highlighted iff wrong-client`);
        if (here.length) assert.equal(textAfter(dom, all[all.indexOf(cell) + 1]!), String(here.length), 'the count is shown');
      }
    }
    const anthropicGlobex = cells.find((c) => c.attrs.get('data-tenant') === 'globex' && c.attrs.get('data-service') === 'Anthropic')!;
    assert.equal(anthropicGlobex.attrs.get('data-wrong'), '2');
    const foreign = cells.filter((c) => classes(c).includes('foreign'));
    assert.deepEqual(foreign.map((c) => c.attrs.get('data-tenant')), ['initech']);
  });

  it('draws one arrow per owner→tenant pair, with its count, foreign accounts apart', () => {
    const svg = all.filter((t) => t.name === 'svg');
    assert.equal(svg.length, 1);
    const arrows = all.filter((t) => t.name === 'g' && classes(t).includes('arrow'));
    const drawn = arrows.map((g) => {
      const i = all.indexOf(g);
      const pathEl = all.slice(i + 1).find((t) => t.name === 'path')!;
      const text = all.slice(i + 1).find((t) => t.name === 'text')!;
      assert.match(pathEl.attrs.get('d') ?? '', /^M[\d.-]+ [\d.-]+ Q/, 'a drawn curve');
      assert.match(pathEl.attrs.get('marker-end') ?? '', /^url\(#head-/, 'with an arrowhead');
      return `${g.attrs.get('data-kind')} ${g.attrs.get('data-from')}->${g.attrs.get('data-to')} ${textAfter(dom, text)}`;
    });
    assert.deepEqual(drawn.sort(), ['foreign-account acme->initech 1', 'wrong-client acme->globex 2', 'wrong-client acme->initech 1', 'wrong-client globex->initech 1']);
    const kinds = new Set(arrows.map((g) => classes(g).join(' ')));
    assert.deepEqual([...kinds].sort(), ['arrow foreign-account', 'arrow wrong-client'], 'two styles of arrow');
    const nodes = all.filter((t) => t.name === 'g' && classes(t).includes('node')).map((g) => g.attrs.get('data-tenant'));
    assert.deepEqual(nodes, ['acme', 'globex', 'initech']);
  });

  it('lists every finding once, grouped by client, wrong-client first', () => {
    const rows = all.filter((t) => t.name === 'tr' && classes(t).includes('finding'));
    assert.equal(rows.length, result.findings.length);
    const expected = countBy(result.findings, (f: Finding) => rowKey(f.path, f.line, f.fingerprint.slice(0, 19)));
    const got = countBy(rows, (r) => rowKey(r.attrs.get('data-path')!, r.attrs.get('data-line')!, r.attrs.get('data-fingerprint')!));
    assert.deepEqual(got, expected);
    const groups = all.filter((t) => t.name === 'section' && classes(t).includes('tenant-group')).map((g) => g.attrs.get('data-tenant'));
    assert.deepEqual(groups, ['globex', 'initech', 'acme', '(no client)'], 'clients holding copies first, no client last');
    // Inside each group the wrong-client rows come first, and every row belongs to its group.
    const sections = all.filter((t) => t.name === 'section' && classes(t).includes('tenant-group'));
    sections.forEach((s, i) => {
      const endAt = sections[i + 1]?.end ?? Infinity;
      const mine = rows.filter((r) => r.end > s.end && r.end < endAt);
      const name = s.attrs.get('data-tenant');
      for (const r of mine) assert.equal(r.attrs.get('data-tenant') || '(no client)', name);
      const flags = mine.map((r) => r.attrs.has('data-wrong-client'));
      assert.deepEqual(flags, [...flags].sort((a, b) => Number(b) - Number(a)), `${name}: wrong-client rows first`);
    });
    // The transcript row names its agent and session; the shared key says who shares it.
    const transcript = rows.find((r) => r.attrs.get('data-path') === 'sessions/globex-debug.jsonl')!;
    const rowText = dom.slice(transcript.end, dom.indexOf('</tr>', transcript.end));
    assert.match(rowText, /transcript · claude-code · session <code[^>]*>sess-globex-1<\/code>/);
    assert.ok(rows.filter((r) => r.attrs.get('data-shared-with') === 'globex,initech').length === 2);
  });

  it('paints a non-trivial screenshot', () => {
    const png = path.join(dir, 'report.png');
    chromium(['--hide-scrollbars', '--window-size=1280,1800', `--screenshot=${png}`, pathToFileURL(path.join(dir, 'report.html')).href], dir);
    assert.ok(fs.existsSync(png), 'no screenshot written');
    const bytes = fs.readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    assert.equal(bytes.readUInt32BE(16), 1280, 'width');
    assert.equal(bytes.readUInt32BE(20), 1800, 'height');
    assert.ok(bytes.length > 30_000, `a screenshot of ${bytes.length} bytes is too plain to be the report`);
    zlib.inflateSync(Buffer.concat(idatChunks(bytes)));
    // A blank page of the same size, for scale: the report must weigh far more than nothing.
    const blankHtml = path.join(dir, 'blank.html');
    fs.writeFileSync(blankHtml, '<!DOCTYPE html><title>blank</title>');
    const blank = path.join(dir, 'blank.png');
    chromium(['--hide-scrollbars', '--window-size=1280,1800', `--screenshot=${blank}`, pathToFileURL(blankHtml).href], dir);
    const blankSize = fs.statSync(blank).size;
    assert.ok(bytes.length > 5 * blankSize, `the report's screenshot (${bytes.length} bytes) is hardly more than a blank page's (${blankSize})`);
  });
});

describe('HTML report with no tenants configured', () => {
  it('shows just the findings, rendered in Chromium', async () => {
    const dir = tempDir('outloop-html-plain-');
    writeFiles(dir, { 'app/.env': `ANTHROPIC_API_KEY=${acmeKey}\n`, 'app/deploy.sh': `export STRIPE_KEY=${globexKey}\n` });
    const result = await scan({ paths: [dir], workers: 0 });
    assert.equal(result.tenants, undefined);
    assert.equal(result.findings.length, 2);
    const html = formatHtml(result, {});
    for (const secret of PLANTED) assert.ok(!html.includes(secret));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html);
    const dom = renderDom(file, dir);
    const all = tags(dom);
    assert.equal(textAfter(dom, all.find((t) => t.name === 'title')!), 'outloop report');
    assert.ok(!all.some((t) => t.attrs.get('id') === 'matrix' || t.attrs.get('id') === 'copies' || t.name === 'svg'), 'no matrix, no drawing');
    assert.ok(!all.some((t) => t.attrs.get('data-total') === 'wrong-client'));
    const rows = all.filter((t) => t.name === 'tr' && classes(t).includes('finding'));
    assert.deepEqual(rows.map((r) => r.attrs.get('data-path')).sort(), ['app/.env', 'app/deploy.sh']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the broker's refused attempts, escaped, with its counts", async () => {
    const dir = tempDir('outloop-html-broker-');
    writeFiles(dir, { 'README.md': 'nothing here\n' });
    const result = await scan({ paths: [dir], workers: 0 });
    const refused = (workspace: string, why: string) => ({
      time: '2026-11-20T10:00:00.000Z',
      alias: 'outloop://acme/stripe',
      variables: ['STRIPE_SECRET_KEY'],
      workspace: path.join(dir, workspace),
      workspaceTenant: 'globex',
      command: 'node',
      outcome: 'denied' as const,
      why,
      pid: 1,
    });
    const broker = {
      file: path.join(dir, 'broker.jsonl'),
      since: '2026-11-01T00:00:00.000Z',
      resolved: 4,
      missing: 1,
      withheld: 0,
      // A log line is data: a hand-edited one must not become markup.
      denied: [refused('globex/web', 'client "acme"\'s key in client "globex"\'s workspace'), refused('globex/<b>x</b>', '<img src=x onerror=alert(1)>')],
      granted: [{ alias: 'outloop://acme/uptime', workspace: path.join(dir, 'globex/monitoring'), why: 'the <i>uptime</i> check', times: 3, last: '2026-11-21T10:00:00.000Z' }],
      unreadableLines: 0,
    };
    const html = formatHtml({ ...result, broker }, {});
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html);
    const dom = renderDom(file, dir);
    const all = tags(dom);
    assert.ok(!all.some((t) => t.name === 'img' || t.name === 'b' && textAfter(dom, t) === 'x'), 'nothing from the log became markup');
    const summary = all.find((t) => t.attrs.get('data-broker') !== undefined)!;
    assert.equal(summary.attrs.get('data-broker'), '2');
    assert.match(textAfter(dom, summary), /^4 keys resolved, $/);
    const rows = all.filter((t) => t.name === 'tr' && classes(t).includes('refused'));
    assert.equal(rows.length, 2);
    const grants = all.filter((t) => t.name === 'tr' && classes(t).includes('granted'));
    assert.equal(grants.length, 1);
    assert.ok(!all.some((t) => t.name === 'i'), 'a grant reason is text');
    assert.ok(dom.includes('the &lt;i&gt;uptime&lt;/i&gt; check'));
    assert.ok(dom.includes('globex/&lt;b&gt;x&lt;/b&gt;') && dom.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.doesNotMatch(formatHtml(result, {}), /id="broker"/, 'a plain scan has no broker section');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says so when there is nothing to report', async () => {
    const dir = tempDir('outloop-html-empty-');
    writeFiles(dir, { 'README.md': 'nothing here\n' });
    const html = formatHtml(await scan({ paths: [dir], workers: 0 }));
    assert.match(html, /No secrets found/);
    assert.doesNotMatch(html, /<svg/);
  });
});
