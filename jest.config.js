/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // flat is ESM-only: let swc turn it into CommonJS like our own sources.
  transform: { "^.+\\.(t|j)s$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  transformIgnorePatterns: ["/node_modules/(?!flat/)"],
  // Tests run against the real esbuild bundle, built once per run.
  globalSetup: "<rootDir>/test/global-setup.ts",
  testTimeout: 60000,
};
