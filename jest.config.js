/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/pkg', '<rootDir>/cmd', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `npm run typecheck`; ts-jest only transpiles, which keeps runs fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  maxWorkers: 2,
};
