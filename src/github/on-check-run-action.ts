import type { Context } from "probot";
import { pickReassignAgent } from "../commands/agents.js";
import type { Command } from "../commands/parse.js";
import type { Orch } from "../orch.js";
import { parseCheckRunAction } from "../render/check-run.js";
import { toRequest } from "./to-request.js";

/**
 * A check-run button (Cancel, Retry, Reassign, Clean up): the same commands
 * as comments, aimed at the attempt the check run belongs to, and answered on
 * the thread like a comment.
 */
export function onCheckRunAction(orch: Orch) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const { payload } = context;
    const verb = parseCheckRunAction(payload.requested_action?.identifier ?? "");
    const attemptId = Number(payload.check_run.external_id);
    if (!verb || !Number.isSafeInteger(attemptId) || attemptId <= 0) {
      return context.log.debug("skip: not one of orch's buttons");
    }
    if (!payload.installation) return context.log.debug("skip: no installation in the payload");
    const installationId = payload.installation.id;
    const { owner, repo } = context.repo();
    const found = await orch.deps.store.findAttemptContext(attemptId);
    if (!found || found.thread.owner !== owner || found.thread.repo !== repo) {
      return context.log.warn({ attemptId }, "skip: button for an attempt orch does not know in this repository");
    }
    const { thread, task, attempt, run } = found;
    const line = `${payload.requested_action?.identifier} button on check run "${payload.check_run.name}"`;
    orch.accept({
      deliveryId: context.id,
      event: context.name,
      request: { ...toButtonRequest(thread, installationId, payload), runId: run.id },
      readRepoConfig: () => context.config("orch.yml"),
      work: async (ctx) => {
        let command: Command;
        if (verb === "reassign") {
          const agent = pickReassignAgent({ ...orch.deps.config, defaultAgent: ctx.repoConfig.defaultAgent ?? orch.deps.config.defaultAgent }, attempt.agent);
          if (!agent) return context.log.debug("skip: no other agent to reassign to");
          command = { verb, task: task.key, agent };
        } else {
          command = verb === "retry" ? { verb, task: task.key } : { verb, scope: { kind: "task", task: task.key } };
        }
        // The thread may have been closed since the check run was made.
        const { data: issue } = await context.octokit.rest.issues.get({ owner, repo, issue_number: thread.number });
        const request = {
          ...toRequest({ source: "button", installationId, repository: payload.repository, issue, sender: payload.sender.login }),
          runId: run.id,
        };
        await orch.commands([{ kind: "command", command, line }])({ ...ctx, request });
      },
    });
  };
}

function toButtonRequest(
  thread: { number: number; kind: "issue" | "pull_request"; title: string; url: string },
  installationId: number,
  payload: Context<"check_run.requested_action">["payload"],
) {
  return toRequest({
    source: "button",
    installationId,
    repository: payload.repository,
    issue: { number: thread.number, title: thread.title, html_url: thread.url },
    isPullRequest: thread.kind === "pull_request",
    sender: payload.sender.login,
  });
}
