/**
 * Strings that say a decoding layer may have something to find. They ride along in the keyword
 * automaton (one walk over the bytes finds them with the rules' keywords), so a file pays for a
 * decoder only when it shows the decoder's sign: a workspace of plain source code pays nothing.
 * Matching is case-insensitive, as for every keyword.
 */
/**
 * `base64-file`: the whole file may hold encoded credentials away from the sign (a Kubernetes Secret's
 * `data:` values); `base64` and `percent`: only the lines where the sign sits.
 */
export type TriggerKind = 'json' | 'base64' | 'base64-file' | 'percent';

export const DECODE_TRIGGERS: Readonly<Record<string, TriggerKind>> = {
  // \u escapes of printable ASCII (\u001b colour codes are not a sign) and escaped slashes.
  '\\u002': 'json',
  '\\u003': 'json',
  '\\u004': 'json',
  '\\u005': 'json',
  '\\u006': 'json',
  '\\u007': 'json',
  '\\/': 'json',
  // Where base64 carries credentials: Kubernetes Secrets, Docker and npm auth, JWTs, HTTP basic
  // auth, OSC 52 clipboard copies in terminal logs, and shell or code that decodes base64.
  'kind: secret': 'base64-file',
  '"auth"': 'base64',
  '_auth': 'base64',
  '_password': 'base64',
  '.dockerconfigjson': 'base64-file',
  'eyj': 'base64',
  'basic ': 'base64',
  ']52;': 'base64',
  'base64 -d': 'base64',
  'base64 --decode': 'base64',
  'b64decode': 'base64',
  'atob(': 'base64',
  // Percent escapes of the characters keys are built from (-, _, =, :, /, +, and | in Meta app tokens).
  '%2d': 'percent',
  '%5f': 'percent',
  '%3d': 'percent',
  '%3a': 'percent',
  '%2f': 'percent',
  '%2b': 'percent',
  '%7c': 'percent',
};
