/**
 * Which terminal-ish format a file is, so the pipeline knows which decoder to run on it: the file
 * name when it is telling, otherwise the first bytes. Pure: the caller reads the head (latin1).
 */
export type TerminalFormat = 'asciinema' | 'zsh-history' | 'fish-history' | 'bash-history' | 'typescript' | 'terminal-log';

// zsh EXTENDED_HISTORY: `: <start epoch>:<elapsed>;<command>` at the start of a line.
const ZSH_EXTENDED = /^: \d{9,11}:\d+;/m;
// bash with HISTTIMEFORMAT: a `#<epoch>` line before each command.
const BASH_TIMESTAMP = /^#\d{9,11}\r?$/m;
// asciicast header: a JSON object with "version": 2 or 3 (the head may cut a long header short).
const CAST_HEADER = /^\{[^\n]*"version"\s*:\s*[23]\s*[,}]/;

export function detectTerminalFormat(path: string, head: string): TerminalFormat | null {
  const name = (path.split(/[\\/]/).pop() ?? '').toLowerCase();
  // A script(1) typescript says so on its first line, whatever the file is called.
  if (head.startsWith('Script started on ')) return 'typescript';
  if (name.endsWith('.cast') || CAST_HEADER.test(firstNonComment(head))) return 'asciinema';
  if (name === '.zsh_history' || name === 'zsh_history') return 'zsh-history';
  if (name === 'fish_history') return 'fish-history';
  if (name === '.bash_history') return 'bash-history';
  if (ZSH_EXTENDED.test(head)) return 'zsh-history';
  if (/^- cmd: /m.test(head) && /^ {2}when: \d/m.test(head)) return 'fish-history';
  if (BASH_TIMESTAMP.test(head)) return 'bash-history';
  if (name === 'typescript' || name.endsWith('.typescript')) return 'typescript';
  // tmux pipe-pane and most loggers write *.log; GNU screen's `log` writes screenlog.<n>.
  if (name.endsWith('.log') || name.startsWith('screenlog.')) return 'terminal-log';
  if (head.includes('\x1b')) return 'terminal-log';
  return null;
}

/** The first line that is neither blank nor a `#` comment (asciicast v3 allows comments). */
function firstNonComment(head: string): string {
  const text = head.startsWith('\xef\xbb\xbf') ? head.slice(3) : head;
  for (const line of text.split('\n', 64)) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#')) return t;
  }
  return '';
}
