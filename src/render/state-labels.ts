import type { TaskState } from "../store/transitions.js";

/** How a task's or an attempt's state shows in the status comment (its table and its task graph). */
export const STATE_LABEL: Record<TaskState, string> = {
  pending: "🕓 waiting",
  picking: "👆 waiting for a pick",
  queued: "⏳ queued",
  running: "🔄 running",
  succeeded: "✅ succeeded",
  failed: "❌ failed",
  blocked: "✋ blocked",
  cancelled: "⏹️ cancelled",
  timed_out: "⌛ timed out",
  lost: "❓ lost",
  superseded: "➖ superseded",
};
