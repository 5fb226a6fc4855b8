export * from './errors';
export * from './config/schema';
export * from './config/duration';
export * from './config/rules';
export * from './config/load';
export * from './model';
export * from './outputs/contract';
