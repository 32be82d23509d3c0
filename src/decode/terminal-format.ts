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
  // Each line-start pattern is tried only when its first characters start some line: a /m regex
  // tries every position of the 4 KB head, for each of the thousands of files of a workspace.
  if (startsALine(head, ': ') && ZSH_EXTENDED.test(head)) return 'zsh-history';
  if (startsALine(head, '- cmd: ') && /^- cmd: /m.test(head) && /^ {2}when: \d/m.test(head)) return 'fish-history';
  if (startsALine(head, '#') && BASH_TIMESTAMP.test(head)) return 'bash-history';
  if (name === 'typescript' || name.endsWith('.typescript')) return 'typescript';
  // tmux pipe-pane and most loggers write *.log; GNU screen's `log` writes screenlog.<n>.
  if (name.endsWith('.log') || name.startsWith('screenlog.')) return 'terminal-log';
  if (head.includes('\x1b')) return 'terminal-log';
  return null;
}

function startsALine(head: string, prefix: string): boolean {
  return head.startsWith(prefix) || head.includes('\n' + prefix);
}

/** The first line that is neither blank nor a `#` comment (asciicast v3 allows comments), within 64 lines. */
function firstNonComment(head: string): string {
  let from = head.startsWith('\xef\xbb\xbf') ? 3 : 0;
  for (let k = 0; k < 64 && from <= head.length; k++) {
    const nl = head.indexOf('\n', from);
    const end = nl < 0 ? head.length : nl;
    const t = head.slice(from, end).trim();
    if (t !== '' && !t.startsWith('#')) return t;
    from = end + 1;
  }
  return '';
}
