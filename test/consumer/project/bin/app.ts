import { App } from 'aws-cdk-lib';
import { ShopStack } from '../lib/shop-stack';

const app = new App();
new ShopStack(app, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
app.synth();
