/** The typed environment: define one, validate it (every problem at once), resolve its defaults. */
export { defineEnvironment, type EnvironmentConfig } from "./schema";
export { EnvironmentError, validateEnvironment, type ResolvedEnvironment, type ValidationResult } from "./validate";
