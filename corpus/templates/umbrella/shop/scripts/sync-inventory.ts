// One-off: push stock levels from the warehouse CSV into the umbrella store (custom app "inventory-bridge").
const SHOP = 'umbrella-store.myshopify.com';
const TOKEN = '«[shopify-custom-app-token]shpca_{{hex:32}}»';

export async function setStock(inventoryItemId: string, locationId: string, available: number) {
  const res = await fetch(`https://${SHOP}/admin/api/2025-01/inventory_levels/set.json`, {
    method: 'POST',
    headers: { 'X-Shopify-Access-Token': TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ location_id: locationId, inventory_item_id: inventoryItemId, available }),
  });
  if (!res.ok) throw new Error(`Shopify ${res.status}`);
}
