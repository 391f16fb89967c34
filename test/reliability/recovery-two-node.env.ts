// Imported first by recovery-two-node.test.ts: turns on the two-node run before its tests are collected.
process.env.WSE_RECOVERY_TWO_NODE = "1";
export {};
