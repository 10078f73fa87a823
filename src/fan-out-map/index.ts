export * from './fan-out-map';
export * from './fan-out-mode';
export * from './fan-out-processor';
export * from './item-source';
export * from './tolerated-failure';
