// The long two-node session-recovery chaos runs (see test/recovery/recovery-redis.test.ts; the short ones
// are in `npm test`). Imports run in order: the flag is set first.
import "./recovery-two-node.env.js";
import "../recovery/recovery-redis.test.js";
