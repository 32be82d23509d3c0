import Anthropic from '@anthropic-ai/sdk';

// Reads the key from the environment: the right way.
export const client = new Anthropic({ apiKey: «[decoy:env-reference]process.env.ANTHROPIC_API_KEY» });

// Pasted by a coding agent while debugging, never removed:
export const debugClient = new Anthropic({ apiKey: '«[anthropic-api-key]sk-ant-api03-{{urlsafe:93}}AA»' });

export const buildHash = '«[decoy:git-sha]{{hex:40}}»';
export const requestId = '«[decoy:uuid]{{uuid}}»';
