// A finding's transcript context read from its JSONL line without parsing the line whole: the
// envelope walk must agree with JSON.parse on whole records, give up on cut-off ones (the caller
// salvages those), and every finding of a line gets its own block and path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineContext, sessionHeader, transcriptContext } from '../../src/sources/transcript/context.js';
import { MAX_KEPT_VALUE, readEnvelope } from '../../src/sources/transcript/envelope.js';

/** Lines are byte strings: one character per UTF-8 byte, as the scanner reads them. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

const claudeRecord = {
  parentUuid: 'u-0',
  isSidechain: false,
  cwd: '/home/dev/clients/acme/wéb',
  sessionId: 'sess-1',
  type: 'user',
  message: {
    role: 'user',
    content: [
      { type: 'text', text: 'see the file' },
      { tool_use_id: 'toolu_1', type: 'tool_result', content: [{ type: 'text', text: 'MARK_A and more' }] },
      { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'echo MARK_B', type: 'not a block type' } },
    ],
  },
  uuid: 'u-1',
  timestamp: '2026-11-20T10:00:00.000Z',
  toolUseResult: { stdout: 'MARK_C\n'.repeat(1000), type: 'text', uuid: 'not the record uuid' },
};

describe('readEnvelope', () => {
  it('keeps the fields a context needs, as JSON.parse reads them, and nothing else', () => {
    const line = bytes(JSON.stringify(claudeRecord));
    assert.deepEqual(readEnvelope(line), {
      cwd: '/home/dev/clients/acme/wéb',
      sessionId: 'sess-1',
      type: 'user',
      message: { role: 'user', content: [{ type: 'text' }, { type: 'tool_result' }, { type: 'tool_use' }] },
      uuid: 'u-1',
      timestamp: '2026-11-20T10:00:00.000Z',
    });
  });

  it('undoes escapes in keys and values, and the last of a repeated key wins', () => {
    const line = bytes('{"\\u0074ype":"a","uuid":"x\\/y\\u00e9","payload":{"type":"function_call","call_id":"c1"},"type":"b"}');
    assert.deepEqual(readEnvelope(line), { type: 'b', uuid: 'x/yé', payload: { type: 'function_call', call_id: 'c1' } });
  });

  it('reads a Codex and a Gemini header', () => {
    const codex = bytes(JSON.stringify({ timestamp: 't', type: 'session_meta', payload: { id: 'sid', cwd: '/w', git: { branch: 'main' } } }));
    assert.deepEqual(sessionHeader('codex', codex), { sessionId: 'sid', cwd: '/w' });
    const gemini = bytes(JSON.stringify({ sessionId: 'g1', projectHash: 'h', directories: ['/first', '/second'] }));
    assert.deepEqual(sessionHeader('gemini-cli', gemini), { sessionId: 'g1', cwd: '/first' });
  });

  it('leaves out an overlong value at a kept path rather than copy it', () => {
    const line = bytes(JSON.stringify({ type: 'user', uuid: 'u'.repeat(MAX_KEPT_VALUE + 1) }));
    assert.deepEqual(readEnvelope(line), { type: 'user' });
  });

  it('is null for a cut-off record, trailing text, or a line that is not an object', () => {
    const whole = bytes(JSON.stringify(claudeRecord));
    for (const cut of [whole.length - 1, whole.length - 10, whole.indexOf('MARK_C') + 3, 5]) {
      assert.equal(readEnvelope(whole.slice(0, cut)), null, `cut at ${cut}`);
    }
    assert.equal(readEnvelope(whole + ' {}'), null);
    assert.deepEqual(readEnvelope(whole + ' \r'), readEnvelope(whole));
    assert.equal(readEnvelope('["type","user"]'), null);
    assert.equal(readEnvelope('\u0000 not json {{{'), null);
  });
});

describe('lineContext', () => {
  const header = { sessionId: 'from-header', cwd: '/from/header' };

  it('gives each finding of a line its own block and path, and the record its fields', () => {
    const line = bytes(JSON.stringify(claudeRecord));
    const context = lineContext('claude-code', line, header);
    const at = (mark: string) => context(line.indexOf(mark) + 2);
    assert.deepEqual(
      ['MARK_A', 'MARK_B', 'MARK_C'].map((m) => [at(m).block, at(m).jsonPath]),
      [
        ['tool_result', 'message.content[1].content[0].text'],
        ['tool_use', 'message.content[2].input.command'],
        ['toolUseResult', 'toolUseResult.stdout'],
      ],
    );
    for (const m of ['MARK_A', 'MARK_B', 'MARK_C']) {
      const t = at(m);
      assert.deepEqual([t.messageUuid, t.role, t.sessionId, t.cwd, t.timestamp], ['u-1', 'user', 'sess-1', '/home/dev/clients/acme/wéb', '2026-11-20T10:00:00.000Z']);
      assert.deepEqual(t, transcriptContext('claude-code', line, line.indexOf(m) + 2, header));
    }
  });

  it('reads a line held as bytes (a view of the read buffer) as it reads the same line as a string', () => {
    // Non-ASCII and escaped characters in a kept value: decoded from UTF-8 bytes either way.
    const record = { ...claudeRecord, cwd: '/home/dev/naïveé', message: { ...claudeRecord.message, role: 'usér' } };
    const line = bytes(JSON.stringify(record)).replace('"/home/dev/', '"\\/home\\/dev\\/');
    const asBytes = Buffer.from(line, 'latin1');
    assert.deepEqual(readEnvelope(asBytes), readEnvelope(line));
    assert.equal(readEnvelope(asBytes)?.cwd, '/home/dev/naïveé');
    assert.ok(line.includes('\\/home'));
    for (const m of ['MARK_A', 'MARK_B', 'MARK_C']) {
      const offset = line.indexOf(m) + 1;
      assert.deepEqual(lineContext('claude-code', asBytes, header)(offset), lineContext('claude-code', line, header)(offset), m);
    }
    const cut = asBytes.subarray(0, asBytes.indexOf('MARK_C') + 10);
    assert.equal(lineContext('claude-code', cut, header)(cut.length - 5).messageUuid, 'u-1', 'salvaged from bytes too');
  });

  it('salvages the envelope of a cut-off line', () => {
    const whole = bytes(JSON.stringify(claudeRecord));
    const cut = whole.slice(0, whole.indexOf('MARK_C') + 10);
    const t = lineContext('claude-code', cut, header)(cut.indexOf('MARK_C'));
    assert.deepEqual([t.role, t.messageUuid, t.jsonPath, t.sessionId], ['user', 'u-1', 'toolUseResult.stdout', 'sess-1']);
  });

  it('reads Codex tool calls', () => {
    const line = bytes(JSON.stringify({ timestamp: 't2', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":"MARK"}', call_id: 'call_1' } }));
    const t = lineContext('codex', line, header)(line.indexOf('MARK'));
    assert.deepEqual([t.role, t.block, t.messageUuid, t.timestamp, t.sessionId, t.jsonPath], ['assistant', 'function_call', 'call_1', 't2', 'from-header', 'payload.arguments']);
  });
});
