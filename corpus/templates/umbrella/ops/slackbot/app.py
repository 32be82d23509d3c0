import os

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

app = App(token=«[decoy:env-reference]os.environ["SLACK_BOT_TOKEN"]»)


@app.command("/orders")
def orders(ack, respond):
    ack()
    respond("Last sync: see #umbrella-ops")


if __name__ == "__main__":
    # Socket mode needs the app-level token; pasted here when the env var "didn't load".
    SocketModeHandler(app, "«[slack-app-token]xapp-1-A0{{upper32:9}}-{{digits:13}}-{{hex:64}}»").start()
