-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "threadId" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "baseRef" TEXT NOT NULL,
    "prBase" TEXT NOT NULL,
    "draft" BOOLEAN NOT NULL DEFAULT true,
    "verify" TEXT,
    "maxAttemptsPerTask" INTEGER NOT NULL DEFAULT 10,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    CONSTRAINT "Run_threadId_fkey" FOREIGN KEY ("threadId") REFERENCES "Thread" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("baseRef", "createdAt", "draft", "endedAt", "id", "prBase", "requestedBy", "state", "threadId") SELECT "baseRef", "createdAt", "draft", "endedAt", "id", "prBase", "requestedBy", "state", "threadId" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_threadId_idx" ON "Run"("threadId");
CREATE INDEX "Run_state_idx" ON "Run"("state");
CREATE TABLE "new_Attempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "taskId" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "agent" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "feedback" TEXT,
    "branch" TEXT NOT NULL,
    "baseSha" TEXT,
    "headSha" TEXT,
    "worktreePath" TEXT,
    "workspaceState" TEXT NOT NULL DEFAULT 'none',
    "checkRunId" BIGINT,
    "reportedState" TEXT,
    "pid" INTEGER,
    "host" TEXT,
    "lease" TEXT,
    "queuedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "endedAt" DATETIME,
    "exitCode" INTEGER,
    "summary" TEXT,
    "pullRequestNumber" INTEGER,
    "pullRequestUrl" TEXT,
    "verifyState" TEXT,
    "autoRetry" INTEGER NOT NULL DEFAULT 0,
    "autoRetryLimit" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Attempt_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Attempt" ("agent", "baseSha", "branch", "checkRunId", "endedAt", "exitCode", "feedback", "headSha", "host", "id", "lease", "number", "pid", "prompt", "pullRequestNumber", "pullRequestUrl", "queuedAt", "reportedState", "requestedBy", "startedAt", "state", "summary", "taskId", "workspaceState", "worktreePath") SELECT "agent", "baseSha", "branch", "checkRunId", "endedAt", "exitCode", "feedback", "headSha", "host", "id", "lease", "number", "pid", "prompt", "pullRequestNumber", "pullRequestUrl", "queuedAt", "reportedState", "requestedBy", "startedAt", "state", "summary", "taskId", "workspaceState", "worktreePath" FROM "Attempt";
DROP TABLE "Attempt";
ALTER TABLE "new_Attempt" RENAME TO "Attempt";
CREATE INDEX "Attempt_state_idx" ON "Attempt"("state");
CREATE INDEX "Attempt_host_state_idx" ON "Attempt"("host", "state");
CREATE UNIQUE INDEX "Attempt_taskId_number_key" ON "Attempt"("taskId", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
