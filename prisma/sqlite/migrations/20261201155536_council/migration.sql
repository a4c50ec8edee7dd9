-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Task" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "after" TEXT NOT NULL DEFAULT '[]',
    "agent" TEXT NOT NULL DEFAULT '',
    "baseRef" TEXT,
    "mode" TEXT NOT NULL DEFAULT 'change',
    "councilSize" INTEGER NOT NULL DEFAULT 0,
    "mergeRefs" TEXT NOT NULL DEFAULT '[]',
    "prBase" TEXT,
    CONSTRAINT "Task_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Task" ("after", "agent", "baseRef", "id", "key", "mergeRefs", "mode", "prBase", "prompt", "runId", "state") SELECT "after", "agent", "baseRef", "id", "key", "mergeRefs", "mode", "prBase", "prompt", "runId", "state" FROM "Task";
DROP TABLE "Task";
ALTER TABLE "new_Task" RENAME TO "Task";
CREATE UNIQUE INDEX "Task_runId_key_key" ON "Task"("runId", "key");
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
    "council" BOOLEAN NOT NULL DEFAULT false,
    "diffStat" TEXT,
    "costUsd" REAL,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    CONSTRAINT "Attempt_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Attempt" ("agent", "autoRetry", "autoRetryLimit", "baseSha", "branch", "checkRunId", "costUsd", "endedAt", "exitCode", "feedback", "headSha", "host", "id", "inputTokens", "lease", "number", "outputTokens", "pid", "prompt", "pullRequestNumber", "pullRequestUrl", "queuedAt", "reportedState", "requestedBy", "startedAt", "state", "summary", "taskId", "verifyState", "workspaceState", "worktreePath") SELECT "agent", "autoRetry", "autoRetryLimit", "baseSha", "branch", "checkRunId", "costUsd", "endedAt", "exitCode", "feedback", "headSha", "host", "id", "inputTokens", "lease", "number", "outputTokens", "pid", "prompt", "pullRequestNumber", "pullRequestUrl", "queuedAt", "reportedState", "requestedBy", "startedAt", "state", "summary", "taskId", "verifyState", "workspaceState", "worktreePath" FROM "Attempt";
DROP TABLE "Attempt";
ALTER TABLE "new_Attempt" RENAME TO "Attempt";
CREATE INDEX "Attempt_state_idx" ON "Attempt"("state");
CREATE INDEX "Attempt_host_state_idx" ON "Attempt"("host", "state");
CREATE UNIQUE INDEX "Attempt_taskId_number_key" ON "Attempt"("taskId", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
