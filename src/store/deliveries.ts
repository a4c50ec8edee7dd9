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

/** Forgets a delivery whose handling failed before it changed anything, so a redelivery may try again. */
export async function forgetDelivery(db: Db, id: string): Promise<void> {
  await db.delivery.deleteMany({ where: { id } });
}
