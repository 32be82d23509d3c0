import { Client } from '@hubspot/api-client';

// Private app "agency-sync" on the acme portal (crm.objects.contacts.read / write).
// The agent inlined the token when `process.env.HUBSPOT_TOKEN` was undefined in the cron job.
const hubspot = new Client({ accessToken: '«[hubspot-private-app-token]pat-eu1-{{uuid}}»' });

export async function upsertContact(email: string, company: string) {
  return hubspot.crm.contacts.basicApi.create({ properties: { email, company }, associations: [] });
}
