#!/usr/bin/env bash
# Posts the nightly order-sync summary to #umbrella-ops.
# Webhook format (from the Slack docs): «[decoy:documentation]https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX»
set -euo pipefail
WEBHOOK_URL="«[slack-webhook-url]https://hooks.slack.com/services/T0{{upper32:8}}/B0{{upper32:9}}/{{alnum:24}}»"
summary="$(tail -n 20 /var/log/umbrella/order-sync.log)"
curl -sS -X POST -H 'Content-type: application/json' \
  --data "$(jq -n --arg t "$summary" '{text: $t}')" "$WEBHOOK_URL"
