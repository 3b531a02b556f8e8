/** Tests run through ts-jest in transpile-only mode (tsconfig isolatedModules); `npm run typecheck` type-checks them. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
};
