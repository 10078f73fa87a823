/**
 * The example app: every example stack, synthesized by `npm run demo` into cdk.out/.
 */
import { App } from 'aws-cdk-lib';
import { OrderWorkflowStack } from './order-workflow';

const app = new App();
new OrderWorkflowStack(app, 'OrderWorkflowExample');
app.synth();
