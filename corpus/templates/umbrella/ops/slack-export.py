"""Exports #umbrella-client history for the quarterly report (needs a user token for private channels)."""
import json

from slack_sdk import WebClient

client = WebClient(token="«[slack-user-token]xoxp-{{digits:11}}-{{digits:12}}-{{digits:13}}-{{hex:32}}»")
history = client.conversations_history(channel="«[decoy:identifier]G0{{upper32:9}}»", limit=1000)
json.dump(history["messages"], open("export.json", "w"))
