"""Pushes the churn model to the initech org on the Hub (2022 script, still in the cron)."""
import requests

# Legacy organization API token: the org never moved to fine-grained tokens.
HEADERS = {"Authorization": "Bearer «[huggingface-org-token]api_org_{{alpha:34}}»"}


def upload(path: str) -> None:
    with open(path, "rb") as fh:
        r = requests.put("https://huggingface.co/api/repos/initech/churn/upload/main/model.safetensors", headers=HEADERS, data=fh)
    r.raise_for_status()
