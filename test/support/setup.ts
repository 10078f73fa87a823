// Jest setup (package.json jest.setupFiles): custom matchers for every test file.
import { matchers } from './matchers';

expect.extend(matchers);
