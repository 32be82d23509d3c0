/**
 * Format awareness: what kind of file a path is, whether a span may be replaced where it sits (a JS
 * key must be inside a string literal, template or comment), and whether the file still parses in
 * its own format after the rewrite (when it parsed before). Aliases are plain ASCII
 * (`outloop://tenant/name`: letters, digits, `:/._-`), so they are valid inside every string syntax
 * the formats have; these checks catch the cases where a span is somewhere else.
 */
import path from 'node:path';

export type FormatKind = 'json' | 'jsonl' | 'yaml' | 'toml' | 'ini' | 'env' | 'js' | 'ts' | 'text';

export function formatOf(rel: string, bytes: Buffer): FormatKind {
  const base = path.basename(rel).toLowerCase();
  const ext = path.extname(base);
  if (base === '.env' || base.startsWith('.env.') || ext === '.env' || base === '.envrc') return 'env';
  if (ext === '.json' || ext === '.ipynb') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.toml') return 'toml';
  if (ext === '.ini' || ext === '.cfg' || ext === '.conf' || base === 'credentials' || base === '.npmrc' || base === '.pypirc') return 'ini';
  if (['.js', '.mjs', '.cjs', '.jsx'].includes(ext)) return 'js';
  if (['.ts', '.mts', '.cts', '.tsx'].includes(ext)) return 'ts';
  // A transcript recognised by content (one JSON object per line).
  const head = bytes.subarray(0, 4096).toString('utf8');
  if (/^\{"/.test(head) && head.split('\n').length > 1 && safeJson(head.split('\n')[0]!)) return 'jsonl';
  return 'text';
}

function safeJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export interface FormatChecker {
  /** Null when the span may be replaced, else why not. */
  spanOk(text: string, start: number, end: number): string | null;
  /** Whether `text` parses in this format (null: no parser, assume yes). */
  parses(text: string): boolean | null;
}

type BabelParser = typeof import('@babel/parser');
let babel: BabelParser | null = null;

export async function checkerFor(kind: FormatKind): Promise<FormatChecker> {
  switch (kind) {
    case 'json':
      return { spanOk: () => null, parses: (t) => safeJson(t.replace(/^\uFEFF/, '')) };
    case 'jsonl':
      return { spanOk: () => null, parses: (t) => t.split('\n').every((l) => l.trim() === '' || safeJson(l.replace(/^\uFEFF/, ''))) };
    case 'yaml': {
      const YAML = await import('yaml');
      return {
        spanOk: () => null,
        parses: (t) => {
          try {
            return YAML.parseAllDocuments(t).every((d) => !('errors' in d) || d.errors.length === 0);
          } catch {
            return false;
          }
        },
      };
    }
    case 'js':
    case 'ts': {
      babel ??= await import('@babel/parser');
      const parse = (t: string) =>
        babel!.parse(t.replace(/^\uFEFF/, ''), { sourceType: 'unambiguous', tokens: true, errorRecovery: false, allowReturnOutsideFunction: true, plugins: kind === 'ts' ? ['typescript', 'jsx'] : ['jsx'] });
      return {
        spanOk: (text, start, end) => {
          let ast;
          try {
            ast = parse(text);
          } catch {
            return null; // it did not parse before: nothing to keep valid, the span is replaced as text
          }
          const bom = text.startsWith('\uFEFF') ? 1 : 0;
          const s = start - bom;
          const e = end - bom;
          for (const c of ast.comments ?? []) if (c.start! <= s && e <= c.end!) return null;
          for (const t of (ast.tokens ?? []) as Array<{ type: { label: string } | string; start: number; end: number }>) {
            const label = typeof t.type === 'string' ? t.type : t.type.label;
            if (t.start <= s && e <= t.end) {
              if (label === 'string' || label === 'template' || label === 'jsxText') return null;
              return `not inside a string literal (a ${label} token)`;
            }
          }
          return 'not inside a string literal';
        },
        parses: (t) => {
          try {
            parse(t);
            return true;
          } catch {
            return false;
          }
        },
      };
    }
    default:
      return { spanOk: () => null, parses: () => null };
  }
}
