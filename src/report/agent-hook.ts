/**
 * What an agent hook says when it stops a prompt or a tool call. A prompt's message is for the
 * person who typed it (the agent shows a blocked prompt's reason to the user only); a tool call's
 * is for the agent (it reads the reason and tries again), so it says what to write instead of the
 * key. Keys appear redacted, with their fingerprints, as in every other report.
 */
import type { Finding } from '../model/finding.js';
import { mapStrings, type AgentHookEvent } from '../sources/agent-hook.js';
import { spliceBytes } from '../splice.js';

export function promptBlockedMessage(event: AgentHookEvent, findings: Finding[]): string {
  const lines = [`outloop: this prompt was not sent: it holds ${count(findings)}.`, ...findings.map(describe), ''];
  // Gemini CLI drops a blocked prompt from the session; Claude Code has been seen writing it to the
  // transcript all the same, and Codex's hooks follow Claude Code's.
  if (event.transcriptPath && event.agent !== 'gemini-cli') {
    lines.push(
      `The agent may still write a blocked prompt into the session's transcript (${event.transcriptPath}):`,
      'when the session is over, `outloop rewrite --transcripts` takes the key out of it.',
    );
  }
  lines.push(
    'To let the agent use a key without seeing it, keep it in the vault: `outloop bind TENANT NAME` (the key',
    'on stdin), then refer to it as outloop://TENANT/NAME; `outloop exec` gives it to a command at run time.',
  );
  const bound = aliases(findings);
  if (bound.length) lines.push(`Already bound: ${bound.join(', ')}.`);
  lines.push(allowHint(findings));
  return lines.join('\n') + '\n';
}

export function toolBlockedMessage(event: AgentHookEvent, findings: Finding[]): string {
  const where = findings.every((f) => f.transcript) ? `its input` : `${findings[0]!.path}`;
  const lines = [`outloop blocked this ${event.tool ?? 'tool'} call: it would put ${count(findings)} in ${where}.`, ...findings.map(describe), ''];
  const bound = aliases(findings);
  if (bound.length) {
    lines.push(`Write the alias instead of the key (${bound.join(', ')}): \`outloop exec\` puts the real key into a command's environment at run time.`);
  }
  if (findings.some((f) => !f.owner)) {
    lines.push('Do not write a raw key into files, commands or messages: read it from an environment variable at run time, and ask the user to bind it with `outloop bind` so it can be referred to by its outloop:// alias.');
  }
  if (findings.some((f) => f.wrongClient)) lines.push("A key of one client must not be used in another client's workspace: ask the user which key this client should use.");
  return lines.join('\n') + '\n';
}

/** For the agent: the file holds keys it has no need to see; the user can take them out first. */
export function readBlockedMessage(event: AgentHookEvent, findings: Finding[]): string {
  const file = findings[0]!.path;
  return [
    `outloop blocked this ${event.tool ?? 'read'} call: ${file} holds ${count(findings)}, and reading it would put ${findings.length === 1 ? 'it' : 'them'} into this session.`,
    ...findings.map(describe),
    '',
    `Do not read it another way (cat, grep, a script). Ask the user to run \`outloop rewrite ${file}\`: each key goes to the vault and the file keeps its outloop:// alias, and is then safe to read; commands get the keys through \`outloop exec\`.`,
  ].join('\n') + '\n';
}

/**
 * A tool's result with every key replaced by its redacted hint: what the model gets instead of the
 * result (Gemini CLI's AfterTool takes a blocking hook's stderr as the replacement), then a line
 * saying so.
 */
export function maskedOutput(event: AgentHookEvent, findings: Finding[]): string {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    const at = f.transcript?.jsonPath ?? '';
    byPath.set(at, [...(byPath.get(at) ?? []), f]);
  }
  const masked = mapStrings(event.output, event.outputPath ?? '', (text, jsonPath) => {
    const here = (byPath.get(jsonPath) ?? []).sort((a, b) => a.span.start - b.span.start);
    if (!here.length) return text;
    const masks: Array<{ start: number; end: number; bytes: Buffer }> = [];
    for (const f of here) {
      if (masks.length && f.span.start < masks[masks.length - 1]!.end) continue; // one key seen twice (raw and decoded): masked once
      masks.push({ start: f.span.start, end: f.span.end, bytes: Buffer.from(`[outloop: ${f.redacted} ${f.fingerprint.slice(0, 19)}…]`, 'utf8') });
    }
    return spliceBytes(Buffer.from(text, 'utf8'), masks).toString('utf8');
  });
  const body = typeof masked === 'string' ? masked : JSON.stringify(masked, null, 2);
  return `${body}\n\n[outloop masked ${count(findings)} in this ${event.tool ?? 'tool'} output: keys stay out of the session. Refer to a key by its outloop:// alias; \`outloop exec\` gives it to a command at run time.]\n`;
}

function describe(f: Finding): string {
  const where = f.transcript ? (f.transcript.jsonPath ?? 'input') : `${f.path}:${f.line}`;
  const client = f.wrongClient ? ` — client "${f.owner}"'s key, in client "${f.tenant}"'s workspace` : f.owner ? ` — client "${f.owner}"'s key` : '';
  return `  - ${f.description} (${f.ruleId}) ${f.redacted} ${f.fingerprint} at ${where}${client}`;
}

function count(findings: Finding[]): string {
  const keys = new Set(findings.map((f) => f.fingerprint)).size;
  return keys === 1 ? 'a key' : `${keys} keys`;
}

function aliases(findings: Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => (f.alias ? [f.alias] : [])))];
}

function allowHint(findings: Finding[]): string {
  return `If it is no secret, allow it in outloop.config.json: "allow": [{ "fingerprint": "${findings[0]!.fingerprint}", "reason": "…" }].`;
}
