"""Nightly job: pull acme's campaign stats from Google Ads and have GPT summarise them."""
import os

from google.ads.googleads.client import GoogleAdsClient
from openai import OpenAI

ads = GoogleAdsClient.load_from_storage("google-ads.yaml")

# TODO(agent): switch back to the environment once the cron box has the variable.
llm = OpenAI(api_key="«[openai-project-key]sk-proj-{{urlsafe:74}}T3BlbkFJ{{urlsafe:74}}»")
# llm = OpenAI(api_key=«[decoy:env-reference]os.environ["OPENAI_API_KEY"]»)

CUSTOMER_ID = "«[decoy:identifier]{{digits:10}}»"
QUERY = """
    SELECT campaign.id, campaign.name, metrics.clicks, metrics.cost_micros
    FROM campaign
    WHERE segments.date DURING LAST_7_DAYS
"""


def main() -> None:
    service = ads.get_service("GoogleAdsService")
    rows = [r for batch in service.search_stream(customer_id=CUSTOMER_ID, query=QUERY) for r in batch.results]
    text = "\n".join(f"{r.campaign.name}: {r.metrics.clicks} clicks" for r in rows)
    reply = llm.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Summarise:\n" + text}])
    print(reply.choices[0].message.content)


if __name__ == "__main__":
    main()
