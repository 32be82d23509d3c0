/**
 * Terminal colour and control sequences glue themselves to whatever they colour (`ESC[36m<key>`), so
 * a key in a log has a letter right before it and no boundary. Each sequence is overwritten with
 * spaces of the same length: every position stays where it was (findings keep exact byte spans and
 * columns) and the key regains its boundaries.
 */
// CSI (ESC [ params intermediates final), OSC (ESC ] ... BEL or ST), other two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]|\x1b\][^\x07\x1b]{0,2048}(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[@-Z\\-_]/g;

export function blankEscapes(text: string): string {
  if (text.indexOf('\x1b') < 0) return text;
  return text.replace(ESCAPES, (seq) => ' '.repeat(seq.length));
}
