export * from './stock-trading-workflow';
