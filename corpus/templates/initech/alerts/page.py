import os

from twilio.rest import Client

# Client(API key SID, API key secret, account SID): the SID was pasted, the secret stayed in the env.
client = Client("«[twilio-api-key-sid]SK{{hex:32}}»", «[decoy:env-reference]os.environ["TWILIO_API_SECRET"]», "«[decoy:identifier]AC{{hex:32}}»")


def page(to: str, text: str) -> None:
    client.messages.create(to=to, from_="+15017122661", body=text)
