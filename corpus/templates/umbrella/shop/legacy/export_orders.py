# 2019 private app, still alive: Shopify grandfathered it when private apps were deprecated.
import shopify

API_KEY = "«[decoy:identifier]{{hex:32}}»"
PASSWORD = "«[shopify-private-app-password]shppa_{{hex:32}}»"
SHOP = "umbrella-store"

shop_url = "https://%s:%s@%s.myshopify.com/admin/api/2024-10" % (API_KEY, PASSWORD, SHOP)
shopify.ShopifyResource.set_site(shop_url)
orders = shopify.Order.find(status="any", limit=250)
