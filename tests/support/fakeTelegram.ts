export * from "../../src/devtools/localBotApi.js";
