-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN "reportedState" TEXT;

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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    CONSTRAINT "Run_threadId_fkey" FOREIGN KEY ("threadId") REFERENCES "Thread" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("baseRef", "createdAt", "endedAt", "id", "prBase", "requestedBy", "state", "threadId") SELECT "baseRef", "createdAt", "endedAt", "id", "prBase", "requestedBy", "state", "threadId" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_threadId_idx" ON "Run"("threadId");
CREATE INDEX "Run_state_idx" ON "Run"("state");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
