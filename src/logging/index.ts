export { createLogger, redactionFormat, LOG_FILE_PATTERNS } from "./logger.js";
export type { CreateLoggerOptions, Loggers, LoggerLevel } from "./logger.js";
export { redact, redactString, redactProperty, isSecretKey, Redactor, REDACTED } from "./redact.js";
export { makePrivate, makeDirFilesPrivate, privateRotatingFile, PRIVATE_FILE_MODE } from "./privateFiles.js";
