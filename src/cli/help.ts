import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
export const VERSION = pkg.version;

export const HELP = `outloop ${VERSION}: finds API keys where coding agents can read them

Usage:
  outloop scan [PATH...] [options]   scan files and folders (default: .)
  outloop scan -                     scan standard input
  outloop scan --staged              scan what the next commit adds (pre-commit guard)
  outloop scan --git [RANGE...]      scan what commits added (default: all history)
  outloop scan --since REF           scan what this branch adds on top of REF
  outloop scan --transcripts         scan every coding agent's transcripts (Claude Code, Codex,
                                     Gemini CLI, Cline, Cursor) where they keep them
  outloop scan --shell               scan shell history, profiles and the environment
  outloop scan --env                 scan the environment (reports variable names, never values)
  outloop audit [ROOT] [options]     audit an agency's client folders and their agents' transcripts
                                     (--save, --format text|json|sarif|html, --output FILE,
                                     --rewrite [--yes|--dry-run] to take the keys out afterwards)
  outloop bind TENANT NAME < key     bind a client's key by fingerprint (stdin; hidden on a terminal)
  outloop bind --learn ROOT [--write]  propose bindings for keys found in one client's folders only
  outloop rewrite [PATH...]          replace raw keys with outloop:// aliases, keys escrowed in a vault
                                     (--dry-run, --yes, --force, --staged)
  outloop undo [RUN]                 restore the files of a rewrite run (default: the latest)
  outloop exec [--env-file F]... -- COMMAND
                                     run COMMAND with aliases resolved; masks the keys in its output
  outloop rules [--rules DIR]        list the rules
  outloop rules test [--rules DIR]   run the rules' own examples
  outloop init [--dry-run] [--claude] [--gemini] [--user]
                                     run the staged scan before every commit (husky); --claude and
                                     --gemini also add agent hooks that stop keys at the prompt;
                                     --user: only those hooks, for every session of this user
  outloop hook claude-code|codex|gemini-cli
                                     an agent's hook (prompt and tool-call events, on stdin); exit 2
                                     stops a prompt or tool call that holds a key
  outloop help | --version

Scan options:
  --format text|json|sarif   report format (default text)
  --output FILE              write the report to FILE instead of stdout
  --include GLOB             only scan files matching GLOB (repeatable)
  --exclude GLOB             skip files matching GLOB (repeatable)
  --include-node-modules     also scan node_modules/
  --rules DIR                add the rule files in DIR (repeatable)
  --no-builtin-rules         use only the rules given with --rules
  --workers N                worker threads (default: one per core for large scans)
  --config FILE              outloop.config.json to use (default: found in the root or above)
  --baseline FILE            report only findings not in this baseline
  --update-baseline          write the current findings to the --baseline FILE
  --show-suppressed          also list findings an allowlist or the baseline silenced
  --no-color                 plain text even on a terminal (NO_COLOR is honoured too)

--transcripts, --shell and --env may be combined with each other and with paths. Without paths,
report paths are shown from HOME. HOME, CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME,
XDG_DATA_HOME and HISTFILE say where to look.

Exit codes: 0 no secrets, 1 secrets found, 2 usage or runtime error.
`;
