export * from "./ids.js";
export * from "./money.js";
export * from "./source.js";
export * from "./referral-code.js";
