/**
 * A run's task graph for the status comment, as a Mermaid diagram (GitHub
 * renders ```mermaid blocks): one node per task with its state, an arrow from
 * each task to the ones that wait for it. Only keys (t1 … t999) and states go
 * in, so nothing a commenter wrote reaches the diagram's syntax.
 */
import type { RunView } from "../store/records.js";
import { STATE_LABEL } from "./state-labels.js";

/** Undefined for a run whose tasks wait for none: a table says it all. */
export function renderTaskGraph(run: RunView): string | undefined {
  if (!run.tasks.some((task) => task.after.length > 0)) return undefined;
  const nodes = run.tasks.map((task) => `  ${task.key}["${task.key} · ${STATE_LABEL[task.state]}"]`);
  const edges = run.tasks.flatMap((task) => task.after.map((dependency) => `  ${dependency} --> ${task.key}`));
  return ["```mermaid", "graph LR", ...nodes, ...edges, "```"].join("\n");
}
