cd ~/agency/acme/web
stripe listen --api-key «[stripe-secret-key=acme-stripe]» --forward-to localhost:3000/api/webhooks/stripe
export LINEAR_API_KEY=«[linear-api-key]lin_api_{{alnum:40}}»
stripe accounts retrieve acct_1PqR7sTuVwXyZ012
npm run dev
