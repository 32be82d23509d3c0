// Fake secrets for the transcript corpus, and the text around them. Values come from templates
// expanded with the corpus's seeded generator (src/rules/template.ts), never from literals, so this
// file holds nothing key-shaped. Families follow ../shared/formats.md part 1.
import { expandTemplate } from '../../src/rules/template.js';
import type { Rand } from './content.js';

export interface Family {
  /** One kind per value the family plants (AWS plants an id and its secret). */
  kinds: string[];
  env: string[];
  templates: string[];
  /** A shell line that uses the values (tokens, not necessarily raw values: see escapeToken). */
  command(r: Rand, t: string[]): string;
  /** A source/config line that holds the values. */
  config(t: string[]): string;
}

const bearer = (url: string) => (r: Rand, t: string[]): string =>
  `curl -sS ${url} -H "Authorization: Bearer ${t[0]}"${r.chance(0.5) ? ' | jq .' : ''}`;

export const FAMILIES: Record<string, Family> = {
  anthropic: {
    kinds: ['anthropic'], env: ['ANTHROPIC_API_KEY'], templates: ['sk-ant-api03-{{urlsafe:93}}AA'],
    command: (r, t) => r.chance(0.5)
      ? `curl -sS https://api.anthropic.com/v1/messages -H "x-api-key: ${t[0]}" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"ping"}]}'`
      : `export ANTHROPIC_API_KEY="${t[0]}" && npm run dev`,
    config: (t) => `  anthropic: new Anthropic({ apiKey: '${t[0]}' }),`,
  },
  openai: {
    kinds: ['openai'], env: ['OPENAI_API_KEY'], templates: ['sk-proj-{{urlsafe:74}}T3BlbkFJ{{urlsafe:74}}'],
    command: (r, t) => r.chance(0.5) ? bearer('https://api.openai.com/v1/models')(r, t) : `OPENAI_API_KEY=${t[0]} python scripts/embed.py --limit 50`,
    config: (t) => `OPENAI_API_KEY = "${t[0]}"`,
  },
  stripe: {
    kinds: ['stripe'], env: ['STRIPE_SECRET_KEY'], templates: ['sk_live_51{{alnum:97}}'],
    command: (r, t) => r.chance(0.5) ? `curl https://api.stripe.com/v1/charges?limit=3 -u ${t[0]}:` : `stripe listen --api-key ${t[0]} --forward-to localhost:3000/webhooks/stripe`,
    config: (t) => `export const stripe = new Stripe('${t[0]}', { apiVersion: '2024-06-20' });`,
  },
  github: {
    kinds: ['github-pat'], env: ['GITHUB_TOKEN'], templates: ['ghp_{{alnum:30}}{{crc32b62}}'],
    command: (r, t) => r.chance(0.5) ? `git remote set-url origin https://${t[0]}@github.com/acme-agency/client-portal.git && git push -u origin HEAD` : `echo ${t[0]} | gh auth login --with-token`,
    config: (t) => `  githubToken: '${t[0]}',`,
  },
  aws: {
    kinds: ['aws-access-key-id', 'aws-secret-access-key'], env: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], templates: ['AKIA{{upper32:16}}', '{{b64:40}}'],
    command: (r, t) => r.chance(0.5) ? `AWS_ACCESS_KEY_ID=${t[0]} AWS_SECRET_ACCESS_KEY=${t[1]} aws s3 ls s3://client-uploads-prod/` : `aws configure set aws_access_key_id ${t[0]} && aws configure set aws_secret_access_key ${t[1]}`,
    config: (t) => `const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: '${t[0]}', secretAccessKey: '${t[1]}' } });`,
  },
  slack: {
    kinds: ['slack-bot-token'], env: ['SLACK_BOT_TOKEN'], templates: ['xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}'],
    command: bearer('https://slack.com/api/auth.test'),
    config: (t) => `  slack: new WebClient('${t[0]}'),`,
  },
};
export const FAMILY_NAMES = Object.keys(FAMILIES);

/** Draws the family's values; redraws the rare AWS secret a rule would rightly call too weak. */
export function drawValues(f: Family, r: Rand): string[] {
  return f.templates.map((tpl) => {
    for (;;) {
      const v = expandTemplate(tpl, r.next).text;
      if (tpl.startsWith('{{b64') && !(/[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v))) continue;
      return v;
    }
  });
}

/** `NAME=value` lines as they sit in a .env file (tokens in place of values). */
export function envLines(f: Family, t: string[]): string[] {
  return f.env.map((name, i) => `${name}=${t[i]}`);
}

/**
 * The value as it reads inside a JSON string when the writer escaped more than JSON requires:
 * `-`, `_` and `+` as \u00XX and `/` as `\/`. A value with none of those gets its first letter
 * \u-escaped, so every escaped plant really needs decoding. Returns JSON source text.
 */
export function jsonEscaped(value: string): string {
  let out = '';
  let changed = false;
  for (const ch of value) {
    if (ch === '-' || ch === '_' || ch === '+') {
      out += '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
      changed = true;
    } else if (ch === '/') {
      out += '\\/';
      changed = true;
    } else out += ch;
  }
  if (!changed) {
    // A letter, not a digit: `\u0039` ends in the 9 it encodes, so the value would still read as is.
    const i = value.search(/[A-Za-z]/);
    out = value.slice(0, i) + '\\u' + value.charCodeAt(i).toString(16).padStart(4, '0') + value.slice(i + 1);
  }
  return out;
}
