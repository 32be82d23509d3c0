/**
 * `outloop hook AGENT` (claude-code, codex, gemini-cli): the agent runs it before a prompt reaches
 * the model and before a tool call, with the event as JSON on stdin (sources/agent-hook.ts).
 *
 * Its exit codes are the agents' (all three agree), not the scanner's: 0 lets the prompt or call
 * through, 2 stops it (stderr then goes to the user for a prompt, to the agent for a tool call), and
 * any other code is an error the agent shows without stopping anything. So when outloop itself can't
 * check (bad input, a broken config), it says so and exits 1: a hook that failed is visible at every
 * prompt but never wedges the session. Gemini CLI reads a passing hook's stdout as JSON: it gets `{}`;
 * and for a tool's result (AfterTool) exit 2 means "give the model stderr instead": the result with
 * its keys masked.
 */
import { parseArgs } from 'node:util';
import { maskedOutput, promptBlockedMessage, readBlockedMessage, toolBlockedMessage } from '../report/agent-hook.js';
import { scan } from '../scan.js';
import { agentHookEvent, DIALECTS, type HookAgent } from '../sources/agent-hook.js';
import type { Io } from './run.js';

export const HOOK_USAGE = 'usage: outloop hook claude-code|codex|gemini-cli [--config FILE] < event.json';
/** The agents' codes (see the module comment). */
const HOOK_EXIT = { pass: 0, hookFailed: 1, block: 2 } as const;

export async function runHook(args: string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { config: { type: 'string' } } });
    const agent = positionals[0];
    if (positionals.length !== 1 || !isHookAgent(agent)) throw new Error(HOOK_USAGE);
    const pass = () => {
      if (agent === 'gemini-cli') io.stdout.write('{}\n');
      return HOOK_EXIT.pass;
    };
    // Run by hand at a terminal, it would wait for an event nobody types: say what it is for.
    if (process.stdin.isTTY) throw new Error(`it reads ${agent}'s hook event as JSON on stdin, and ${agent} runs it from its hook settings (\`outloop init --claude\` or \`--gemini\` writes them)`);
    const event = agentHookEvent(agent, await io.readStdin(), process.cwd());
    if (!event || event.texts.length === 0) return pass();
    const result = await scan({ texts: event.texts, root: event.cwd, ...(values.config ? { configFile: values.config } : {}) });
    if (result.findings.length === 0) return pass();
    const message = { prompt: promptBlockedMessage, read: readBlockedMessage, tool: toolBlockedMessage, output: maskedOutput }[event.kind];
    io.stderr.write(message(event, result.findings));
    return HOOK_EXIT.block;
  } catch (err) {
    io.stderr.write(`outloop: the hook could not check this event: ${(err as Error).message ?? String(err)}\n`);
    return HOOK_EXIT.hookFailed;
  }
}

function isHookAgent(name: string | undefined): name is HookAgent {
  return name !== undefined && Object.hasOwn(DIALECTS, name);
}
