export * from './key-format';
export * from './schemas/common';
export * from './schemas/key';
export * from './schemas/auth';
export * from './schemas/team';
export * from './schemas/audit';
export * from './schemas/notification';
