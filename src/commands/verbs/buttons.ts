/**
 * Which verbs apply to an attempt now, from the entries' buttons: the
 * check run's buttons (GitHub allows 3) and the status comment's "Next"
 * commands say the same.
 */
import type { AttemptButtons } from "../../pipeline/ports.js";
import type { AttemptRecord } from "../../store/records.js";
import { VERBS, type AnyVerb } from "./index.js";

/** `agentCount`: how many agents the server has (reassign needs another). */
export function createAttemptButtons(env: { agentCount: number }): AttemptButtons {
  const applying = (attempt: AttemptRecord): AnyVerb[] => VERBS.filter((verb) => verb.button?.appliesTo(attempt, env));
  return {
    actionsFor: (attempt) => applying(attempt).slice(0, 3).map((verb) => verb.button!.action),
    verbsFor: (attempt) => applying(attempt).map((verb) => verb.name),
  };
}
