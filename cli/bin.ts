/**
 * The entry point of the `cdk-workflow-patterns` command (bundled by the bundle:cli task).
 */
import { main } from './main';

main(process.argv.slice(2)).then(code => { process.exitCode = code; }, (e: Error) => {
  console.error(e);
  process.exitCode = 1;
});
