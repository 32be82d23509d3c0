import sgMail from '@sendgrid/mail';

sgMail.setApiKey(process.env.SENDGRID_API_KEY ?? '«[sendgrid-api-key#globex-sendgrid]SG.{{urlsafe:22}}.{{urlsafe:43}}»');

export function sendReceipt(to: string, html: string) {
  return sgMail.send({ to, from: 'billing@globex.example', subject: 'Your receipt', html });
}
