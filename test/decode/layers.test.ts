// The decoding layers on hostile input, through a whole scan: every sign of every layer repeated
// over a megabyte must neither hang the scan nor hide a real key planted after it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../../src/detect/redact.js';
import { scan } from '../../src/scan.js';
import { ANTHROPIC, tempDir } from '../helpers.js';

const MB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length));

const HOSTILE: Record<string, string> = {
  'json-signs.json': fill('"\\u002d\\/'),
  'json-unterminated.jsonl': '{"a":"' + fill('\\"\\\\'),
  'nested-json.jsonl': fill('{"arguments":"{\\"c\\":\\"\\\\n'),
  'base64-signs.yaml': 'kind: Secret\ndata:\n  k: ' + fill('QUFB') + '\n' + fill('eyJ'),
  'percent.log': fill('%2D%5F%3'),
  'terminal.log': fill('\x1b[') + fill('\r\b') + fill('\x1b]8;;'),
  'zsh_history': fill('\x83'),
  'fish_history': '- cmd: ' + fill('\\'),
  'rec.cast': '{"version": 2, "width": 80, "height": 24}\n' + fill('[0.1, "o", "\\u001b["]\n'),
};

describe('decoding layers on hostile input', () => {
  const dir = tempDir('outloop-hostile-');
  const keys: Record<string, string> = {};
  for (const [name, body] of Object.entries(HOSTILE)) {
    keys[name] = ANTHROPIC(`hostile:${name}`);
    fs.writeFileSync(path.join(dir, name), `${body}\nKEY=${keys[name]}\n`);
  }

  it('finish, and still find the key after the hostile part', async () => {
    const result = await scan({ paths: [dir], workers: 0 });
    for (const [name, key] of Object.entries(keys)) {
      assert.ok(
        result.findings.some((f) => f.path === name && f.fingerprint === fingerprint(key)),
        `${name}: ${result.findings.filter((f) => f.path === name).map((f) => f.ruleId).join(',') || 'nothing'}`,
      );
    }
  });
});
