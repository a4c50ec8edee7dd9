import type { Db } from "./db.js";
import type { ThreadKind, ThreadRecord } from "./records.js";
import { toThreadRecord } from "./to-record.js";
import { isUniqueViolation } from "./unique-violation.js";

export interface ThreadKey {
  owner: string;
  repo: string;
  number: number;
}

/** The thread for an issue or pull request, created on first use. Safe when two webhooks race. */
export async function upsertThread(
  db: Db,
  params: ThreadKey & { installationId: number; kind: ThreadKind; title: string; url: string },
): Promise<ThreadRecord> {
  const { owner, repo, number, installationId, kind, title, url } = params;
  const upsert = () =>
    db.thread.upsert({
      where: { owner_repo_number: { owner, repo, number } },
      create: { owner, repo, number, kind, title, url, installationId: BigInt(installationId) },
      update: { installationId: BigInt(installationId), title, url },
    });
  try {
    return toThreadRecord(await upsert());
  } catch (error) {
    // Two first commands on one thread: one insert loses the race; the row exists now.
    if (!isUniqueViolation(error)) throw error;
    return toThreadRecord(await upsert());
  }
}

export async function findThread(db: Db, key: ThreadKey): Promise<ThreadRecord | undefined> {
  const row = await db.thread.findUnique({ where: { owner_repo_number: key } });
  return row ? toThreadRecord(row) : undefined;
}

export async function setStatusCommentId(db: Db, params: { threadId: number; commentId: number | null }): Promise<void> {
  const { threadId, commentId } = params;
  await db.thread.update({
    where: { id: threadId },
    data: { statusCommentId: commentId === null ? null : BigInt(commentId) },
  });
}
