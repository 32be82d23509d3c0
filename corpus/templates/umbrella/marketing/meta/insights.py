"""Weekly insights pull for umbrella's Meta ad account (facebook-business SDK)."""
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.api import FacebookAdsApi

FacebookAdsApi.init(
    app_id="«[decoy:identifier]{{digits:16}}»",
    app_secret="«[meta-app-secret]{{hex:32}}»",
    access_token="«[meta-access-token]EAAG{{alnum:190}}»",
)

account = AdAccount("act_«[decoy:identifier]{{digits:15}}»")
insights = account.get_insights(fields=["campaign_name", "spend", "cpc"], params={"date_preset": "last_7d"})
