/**
 * The entry point of the `cdk-workflow-patterns` command (bundled by the bundle:cli task).
 */
import { installPromiseWithResolvers } from './harness/local-execution';
import { main } from './main';

installPromiseWithResolvers();
main(process.argv.slice(2)).then(code => { process.exitCode = code; }, (e: Error) => {
  console.error(e);
  process.exitCode = 1;
});
