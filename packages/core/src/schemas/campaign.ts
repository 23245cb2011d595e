import { z } from "zod";
import { currency, eventName, httpUrl, text } from "./common.js";
import { allowedDomains } from "./identify.js";

const events = z
  .array(eventName)
  .min(1, "needs at least one event")
  .max(20, "at most 20 events")
  .refine((list) => new Set(list).size === list.length, "events must be unique");

const campaignFields = {
  name: text(100).pipe(z.string().min(1, "must not be empty")),
  url: httpUrl,
  events,
  cookie_window_days: z.number().int("must be a whole number").min(1).max(730),
  attribution: z.enum(["first", "last"]),
  status: z.enum(["active", "paused"]),
  default_currency: currency,
  /** "auto": conversions count at once; "manual": they wait, pending, until the owner confirms them. */
  confirmation: z.enum(["auto", "manual"]),
  /** The sites whose pages may call identify (hostnames; subdomains too). Unset: the host of `url`. */
  allowed_domains: allowedDomains,
  /** Ambassadors joining through the widgets or identify confirm their email before they earn rewards. */
  double_opt_in: z.boolean("must be true or false"),
};

export const createCampaignInput = z.strictObject({
  ...campaignFields,
  cookie_window_days: campaignFields.cookie_window_days.default(90),
  attribution: campaignFields.attribution.default("first"),
  status: campaignFields.status.default("active"),
  default_currency: campaignFields.default_currency.default("USD"),
  confirmation: campaignFields.confirmation.default("auto"),
  allowed_domains: campaignFields.allowed_domains.optional(),
  double_opt_in: campaignFields.double_opt_in.default(false),
});
export type CreateCampaignInput = z.infer<typeof createCampaignInput>;

export const updateCampaignInput = z
  .strictObject({
    name: campaignFields.name.optional(),
    url: campaignFields.url.optional(),
    events: campaignFields.events.optional(),
    cookie_window_days: campaignFields.cookie_window_days.optional(),
    attribution: campaignFields.attribution.optional(),
    status: campaignFields.status.optional(),
    default_currency: campaignFields.default_currency.optional(),
    confirmation: campaignFields.confirmation.optional(),
    /** null goes back to the default, the host of `url`. */
    allowed_domains: campaignFields.allowed_domains.nullable().optional(),
    double_opt_in: campaignFields.double_opt_in.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change");
export type UpdateCampaignInput = z.infer<typeof updateCampaignInput>;
