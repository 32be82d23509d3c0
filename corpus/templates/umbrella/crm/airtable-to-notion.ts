import Airtable from 'airtable';
import { Client } from '@notionhq/client';

// Both tokens were pasted by the agent "to get the sync running"; the .env has older ones.
const base = new Airtable({ apiKey: '«[airtable-personal-access-token]pat{{alnum:14}}.{{hex:64}}»' }).base('«[decoy:identifier]app{{alnum:14}}»');
const notion = new Client({ auth: '«[notion-integration-token]ntn_{{digits:11}}{{alnum:35}}»' });

export async function sync() {
  const deals = await base('Deals').select({ view: 'Won this week' }).all();
  for (const d of deals) {
    await notion.pages.create({
      parent: { database_id: '«[decoy:identifier]{{hex:32}}»' },
      properties: { Name: { title: [{ text: { content: String(d.get('Name')) } }] } },
    });
  }
}
