const mailchimp = require('@mailchimp/mailchimp_marketing');
const sgMail = require('@sendgrid/mail');

mailchimp.setConfig({ apiKey: '«[mailchimp-api-key]{{hex:32}}-us21»', server: 'us21' });
sgMail.setApiKey('«[sendgrid-api-key]SG.{{urlsafe:22}}.{{urlsafe:43}}»');

const AUDIENCE_ID = '«[decoy:identifier]{{hex:10}}»';

async function sendDigest(html) {
  const members = await mailchimp.lists.getListMembersInfo(AUDIENCE_ID, { count: 1000, status: 'subscribed' });
  const to = members.members.map((m) => m.email_address);
  await sgMail.sendMultiple({ to, from: 'news@umbrella.example', subject: 'Umbrella weekly', html });
}

module.exports = { sendDigest };
