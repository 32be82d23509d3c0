"""Collects competitor reviews for the umbrella pitch deck."""
from apify_client import ApifyClient
from firecrawl import FirecrawlApp

apify = ApifyClient("«[apify-api-token]apify_api_{{alnum:36}}»")
firecrawl = FirecrawlApp(api_key="«[firecrawl-api-key]fc-{{hex:32}}»")

run = apify.actor("compass/google-maps-reviews-scraper").call(run_input={"placeIds": ["ChIJ{{alnum:23}}"], "maxReviews": 200})
page = firecrawl.scrape_url("https://competitor.example/reviews", formats=["markdown"])
