/**
 * GitHub for one thread, over Probot's Octokit (with its retry and throttling
 * plugins). It implements what the pipeline (ThreadGitHub) and the commands
 * (CommandGitHub) declare they need, and nothing else.
 */
import deepmerge from "deepmerge";
import type { ProbotOctokit } from "probot";
import type { CommandGitHub, PullRequestInfo, RepositoryPermission, ThreadState } from "../commands/request.js";
import type { PullRequestRef, ThreadAddress, ThreadGitHub } from "../pipeline/ports.js";
import type { CheckRunView } from "../render/check-run.js";
import type { Redactor } from "../secrets/redactor.js";
import { sanitizeRequests } from "./sanitize-requests.js";

export type Octokit = InstanceType<typeof ProbotOctokit>;

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as { status?: number }).status : undefined;
}

const KNOWN_PERMISSIONS = new Set<RepositoryPermission>(["admin", "maintain", "write", "triage", "read", "none"]);

export class ThreadClient implements ThreadGitHub, CommandGitHub {
  private readonly repoParams: { owner: string; repo: string };

  constructor(
    private readonly thread: ThreadAddress,
    private readonly octokit: () => Promise<Octokit>,
  ) {
    this.repoParams = { owner: thread.owner, repo: thread.repo };
  }

  async getToken(): Promise<string> {
    const octokit = await this.octokit();
    const auth = (await octokit.auth({ type: "installation" })) as { token: string };
    return auth.token;
  }

  async createCheckRun(params: { headSha: string; externalId: string; detailsUrl: string; view: CheckRunView }): Promise<{ id: number }> {
    const { headSha, externalId, detailsUrl, view } = params;
    const octokit = await this.octokit();
    const isCompleted = view.status === "completed";
    const { data } = await octokit.rest.checks.create({
      ...this.repoParams,
      name: view.name,
      head_sha: headSha,
      external_id: externalId,
      details_url: detailsUrl,
      status: view.status,
      ...(isCompleted ? { conclusion: view.conclusion, completed_at: new Date().toISOString() } : {}),
      output: view.output,
      actions: view.actions,
    });
    return { id: data.id };
  }

  async updateCheckRun(params: { checkRunId: number; detailsUrl: string; view: CheckRunView }): Promise<void> {
    const { checkRunId, detailsUrl, view } = params;
    const octokit = await this.octokit();
    const isCompleted = view.status === "completed";
    await octokit.rest.checks.update({
      ...this.repoParams,
      check_run_id: checkRunId,
      details_url: detailsUrl,
      status: view.status,
      ...(isCompleted ? { conclusion: view.conclusion, completed_at: new Date().toISOString() } : {}),
      output: view.output,
      actions: view.actions,
    });
  }

  async findCheckRun(params: { headSha: string; name: string; externalId: string }): Promise<number | undefined> {
    const octokit = await this.octokit();
    const { data } = await octokit.rest.checks.listForRef({ ...this.repoParams, ref: params.headSha, check_name: params.name, filter: "all", per_page: 100 });
    return data.check_runs.find((run) => run.external_id === params.externalId)?.id;
  }

  async createComment(body: string): Promise<{ id: number }> {
    const octokit = await this.octokit();
    const { data } = await octokit.rest.issues.createComment({ ...this.repoParams, issue_number: this.thread.number, body });
    return { id: data.id };
  }

  async reply(body: string): Promise<void> {
    await this.createComment(body);
  }

  async updateComment(params: { commentId: number; body: string }): Promise<"updated" | "missing"> {
    const octokit = await this.octokit();
    try {
      await octokit.rest.issues.updateComment({ ...this.repoParams, comment_id: params.commentId, body: params.body });
      return "updated";
    } catch (error) {
      if (statusOf(error) === 404) return "missing";
      throw error;
    }
  }

  async createPullRequest(params: { head: string; base: string; title: string; body: string; draft: boolean }): Promise<PullRequestRef> {
    const octokit = await this.octokit();
    const create = (draft: boolean) => octokit.rest.pulls.create({ ...this.repoParams, ...params, draft });
    try {
      const { data } = await create(params.draft);
      return { number: data.number, url: data.html_url };
    } catch (error) {
      // Draft pull requests need a plan that has them; open a normal one rather than none.
      if (!params.draft || statusOf(error) !== 422 || !/draft/i.test(String((error as Error).message))) throw error;
      const { data } = await create(false);
      return { number: data.number, url: data.html_url };
    }
  }

  async getPullRequest(): Promise<PullRequestInfo> {
    const octokit = await this.octokit();
    const { data } = await octokit.rest.pulls.get({ ...this.repoParams, pull_number: this.thread.number });
    return { headRef: data.head.ref, headRepoFullName: data.head.repo?.full_name ?? null, baseRef: data.base.ref };
  }

  async getThread(): Promise<ThreadState> {
    const octokit = await this.octokit();
    const { data } = await octokit.rest.issues.get({ ...this.repoParams, issue_number: this.thread.number });
    return { title: data.title, body: data.body ?? "", isOpen: data.state === "open", url: data.html_url, isPullRequest: Boolean(data.pull_request) };
  }

  async acknowledge(params: { commentId: number; isReviewComment: boolean }): Promise<void> {
    const octokit = await this.octokit();
    const reaction = { ...this.repoParams, comment_id: params.commentId, content: "eyes" } as const;
    await (params.isReviewComment
      ? octokit.rest.reactions.createForPullRequestReviewComment(reaction)
      : octokit.rest.reactions.createForIssueComment(reaction));
  }

  async removeLabel(name: string): Promise<void> {
    const octokit = await this.octokit();
    await octokit.rest.issues.removeLabel({ ...this.repoParams, issue_number: this.thread.number, name });
  }

  /**
   * `.github/orch.yml` as Probot's context.config reads it: from the default
   * branch, falling back to the owner's `.github` repository, `_extends`
   * followed and merged deeply.
   */
  async readRepoConfig(): Promise<unknown> {
    const octokit = await this.octokit();
    const { config, files } = await octokit.config.get({
      ...this.repoParams,
      path: ".github/orch.yml",
      defaults: (configs) => deepmerge.all<Record<string, unknown>>([{}, ...configs]),
    });
    return files.some((file) => file.config !== null) ? config : undefined;
  }

  async getPermission(username: string): Promise<RepositoryPermission> {
    const octokit = await this.octokit();
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.repoParams, username });
      // role_name knows maintain and triage; permission is the older admin/write/read/none.
      const role = (data.role_name ?? data.permission) as RepositoryPermission;
      return KNOWN_PERMISSIONS.has(role) ? role : (data.permission as RepositoryPermission);
    } catch (error) {
      if (statusOf(error) === 404) return "none";
      throw error;
    }
  }
}

/**
 * Clients per thread, sharing one authenticated Octokit per installation;
 * every request's text passes the redactor (sanitize-requests.ts).
 */
export function createGitHubFactory(auth: (installationId: number) => Promise<Octokit>, redactor: Redactor) {
  const octokits = new Map<number, Promise<Octokit>>();
  const octokitFor = (installationId: number) => {
    let octokit = octokits.get(installationId);
    if (!octokit) {
      octokit = auth(installationId).then((client) => {
        sanitizeRequests(client, redactor);
        return client;
      });
      octokits.set(installationId, octokit);
      octokit.catch(() => octokits.delete(installationId));
    }
    return octokit;
  };
  return (thread: ThreadAddress) => new ThreadClient(thread, () => octokitFor(thread.installationId));
}
