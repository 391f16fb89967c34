// Imported first by recovery-two-node.test.ts: turns on the long two-node runs before the tests are collected.
process.env.WSE_RECOVERY_LONG = "1";
export {};
