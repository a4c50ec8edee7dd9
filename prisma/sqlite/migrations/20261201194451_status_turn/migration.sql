-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Thread" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "installationId" BIGINT NOT NULL,
    "owner" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "statusCommentId" BIGINT,
    "statusWanted" INTEGER NOT NULL DEFAULT 0,
    "statusHost" TEXT,
    "statusLease" TEXT,
    "statusHeldUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Thread" ("createdAt", "id", "installationId", "kind", "number", "owner", "repo", "statusCommentId", "title", "url") SELECT "createdAt", "id", "installationId", "kind", "number", "owner", "repo", "statusCommentId", "title", "url" FROM "Thread";
DROP TABLE "Thread";
ALTER TABLE "new_Thread" RENAME TO "Thread";
CREATE UNIQUE INDEX "Thread_owner_repo_number_key" ON "Thread"("owner", "repo", "number");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
