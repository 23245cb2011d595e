export * from "./campaign.js";
export * from "./common.js";
export * from "./conversion.js";
export * from "./identify.js";
export * from "./join-link.js";
export * from "./subscriber.js";
export * from "./webhook.js";
