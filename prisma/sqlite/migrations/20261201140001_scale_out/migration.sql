-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN "lease" TEXT;

-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "role" TEXT NOT NULL,
    "incarnation" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "diedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Attempt_host_state_idx" ON "Attempt"("host", "state");
