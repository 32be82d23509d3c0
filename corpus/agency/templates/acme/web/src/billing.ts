import Stripe from 'stripe';
import OpenAI from 'openai';

export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { stripeAccount: 'acct_1Nv0FGQ9RKHgCVdK' });

// TODO(dev): move to .env before the demo
const openai = new OpenAI({ apiKey: '«[openai-project-key=acme-openai]»' });

export async function describeProduct(product: string): Promise<string> {
  const r = await openai.responses.create({ model: 'gpt-5-mini', input: `Describe ${product} in two sentences` });
  return r.output_text;
}
