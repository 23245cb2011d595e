export * from "./attribution.js";
export * from "./ids.js";
export * from "./money.js";
export * from "./referral-code.js";
export * from "./referral-link.js";
export * from "./schemas/index.js";
export * from "./source.js";
