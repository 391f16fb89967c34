import type { WebSocket } from "ws";

/**
 * @hidden The reason of a close for too many fragments. ws closes with 1008 and no reason when a message
 * has more than `maxFragments` parts; the framework's own 1008 closes always pass a reason. 1008, not 1009:
 * the count of parts is a policy, and 1009 would send users to raise `maxMessageSize`.
 */
export function partsLimitReason(ws: WebSocket): string | undefined {
  const r = (ws as unknown as { _receiver?: { _numFragments?: number; _maxFragments?: number } })._receiver;
  const max = r?._maxFragments;
  return max && (r._numFragments ?? 0) > max ? `message has more than ${max} fragments` : undefined;
}
