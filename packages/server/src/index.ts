export { buildApp } from "./app.js";
export { runCli } from "./cli.js";
export { type Config, ConfigError, loadConfig } from "./config.js";
export { type RunningServer, type StartOptions, startServer } from "./main.js";
