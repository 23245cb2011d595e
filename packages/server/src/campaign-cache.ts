import { type CampaignRow, type DB, getCampaignByPublicKey, type Kysely } from "@vouch/db";

const TTL_MS = 5_000;

/**
 * The pixel's hot path looks campaigns up by public key on every request. Entries live a few seconds so
 * that a change made through another instance (PostgreSQL deployments) is seen soon; this instance's own
 * changes drop the entry at once.
 */
export class CampaignCache {
  private entries = new Map<string, { campaign: CampaignRow | undefined; expires: number }>();

  constructor(private readonly db: Kysely<DB>) {}

  async byPublicKey(publicKey: string, now = Date.now()): Promise<CampaignRow | undefined> {
    const hit = this.entries.get(publicKey);
    if (hit && hit.expires > now) return hit.campaign;
    const campaign = await getCampaignByPublicKey(this.db, publicKey);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(publicKey, { campaign, expires: now + TTL_MS });
    return campaign;
  }

  forget(publicKey: string): void {
    this.entries.delete(publicKey);
  }
}
