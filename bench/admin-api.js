// The owner's side of Vouch, through its public admin API: set up a campaign, read back what was committed.

export function adminApi(baseUrl, adminKey) {
  async function call(method, path, body) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  return {
    /** A campaign with one event and `ambassadors` subscribers; returns what the workloads need. */
    async createCampaign(ambassadors) {
      const campaign = await call("POST", "/api/v1/campaigns", {
        name: "Benchmark",
        url: "https://site.example/",
        events: ["download"],
      });
      const codes = [];
      for (let i = 0; i < ambassadors; i++) {
        const sub = await call("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
          email: `ambassador${i}@ambassadors.bench.example`,
          name: `Ambassador ${i}`,
        });
        codes.push(sub.code);
      }
      return { id: campaign.id, publicKey: campaign.public_key, codes };
    },

    async stats(campaignId) {
      return call("GET", `/api/v1/campaigns/${campaignId}/stats?days=1`);
    },

    /** Every conversion of the campaign, from the export the owner would download. */
    async exportConversions(campaignId) {
      const { data } = await call("GET", `/api/v1/campaigns/${campaignId}/conversions`);
      return data;
    },
  };
}
