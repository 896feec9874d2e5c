// Two projects: fast unit specs next to the code, and slower integration /
// end-to-end tests under test/ that talk to real SQLite, PostgreSQL, Kafka and HTTP.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
// The libs' public entries (tsconfig.json "paths"): `@cp/domain` is libs/domain/src.
const moduleNameMapper = { '^@cp/([a-z-]+)$': '<rootDir>/libs/$1/src' };
module.exports = {
  // Integration tests start real processes and brokers; unit specs finish in milliseconds anyway.
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      displayName: 'unit',
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
    },
  ],
};
