import type { Db } from "./db.js";
import { isUniqueViolation } from "./unique-violation.js";

/**
 * Records a webhook delivery (X-GitHub-Delivery). True the first time only, so
 * a redelivered webhook, even ten at once, is handled once.
 */
export async function recordDelivery(db: Db, params: { id: string; event: string }): Promise<boolean> {
  try {
    await db.delivery.create({ data: { id: params.id, event: params.event } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Forgets deliveries older than `before`; GitHub redelivers only recent ones, so the table stays small. */
export async function pruneDeliveries(db: Db, params: { before: Date }): Promise<number> {
  const { count } = await db.delivery.deleteMany({ where: { receivedAt: { lt: params.before } } });
  return count;
}
