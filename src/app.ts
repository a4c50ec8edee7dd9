/**
 * The Probot app: builds orch's parts and registers one thin handler per
 * event. No logic lives here.
 */
import type { ApplicationFunction, Probot } from "probot";
import { createGitHubFactory } from "./github/thread-client.js";
import { onCheckRunAction } from "./github/on-check-run-action.js";
import { onClosed } from "./github/on-closed.js";
import { onIssueComment } from "./github/on-issue-comment.js";
import { onLabeled } from "./github/on-labeled.js";
import { onReviewComment } from "./github/on-review-comment.js";
import { Orch, type OrchOptions } from "./orch.js";

export type AppOptions = Omit<OrchOptions, "github" | "log">;

/** The app function for Probot. `onStarted` hands the running orch to the caller (main, tests). */
export function createApp(options: AppOptions, onStarted?: (orch: Orch) => void): ApplicationFunction {
  return (app: Probot) => {
    const github = createGitHubFactory((installationId) => app.auth(installationId));
    const orch = new Orch({ ...options, github, log: app.log });
    app.on("issue_comment.created", onIssueComment(orch));
    app.on("pull_request_review_comment.created", onReviewComment(orch));
    app.on("check_run.requested_action", onCheckRunAction(orch));
    app.on(["issues.labeled", "pull_request.labeled"], onLabeled(orch));
    app.on(["issues.closed", "pull_request.closed"], onClosed(orch));
    orch.start();
    onStarted?.(orch);
  };
}
