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
    "judge" TEXT,
    "autoPick" BOOLEAN NOT NULL DEFAULT false,
    "judgeState" TEXT NOT NULL DEFAULT 'none',
    "judgeRanking" TEXT,
    "judgeNote" TEXT,
    "judgeHost" TEXT,
    "judgeLease" TEXT,
    "judgedAt" DATETIME,
    "judgeCostUsd" REAL NOT NULL DEFAULT 0,
    "judgeInputTokens" INTEGER NOT NULL DEFAULT 0,
    "judgeOutputTokens" INTEGER NOT NULL DEFAULT 0,
    "mergeRefs" TEXT NOT NULL DEFAULT '[]',
    "prBase" TEXT,
    CONSTRAINT "Task_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Task" ("after", "agent", "autoPick", "baseRef", "councilSize", "id", "judge", "judgeHost", "judgeLease", "judgeNote", "judgeRanking", "judgeState", "judgedAt", "key", "mergeRefs", "mode", "prBase", "prompt", "runId", "state") SELECT "after", "agent", "autoPick", "baseRef", "councilSize", "id", "judge", "judgeHost", "judgeLease", "judgeNote", "judgeRanking", "judgeState", "judgedAt", "key", "mergeRefs", "mode", "prBase", "prompt", "runId", "state" FROM "Task";
DROP TABLE "Task";
ALTER TABLE "new_Task" RENAME TO "Task";
CREATE UNIQUE INDEX "Task_runId_key_key" ON "Task"("runId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
