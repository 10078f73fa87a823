module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/dist/test/**/*.spec.js'],
  setupFilesAfterEnv: ['<rootDir>/dist/test/setup.js'],
  testTimeout: 60000,
};
