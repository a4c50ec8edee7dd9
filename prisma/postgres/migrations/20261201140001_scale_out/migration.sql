-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "lease" TEXT;

-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "incarnation" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "diedAt" TIMESTAMP(3),

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Attempt_host_state_idx" ON "Attempt"("host", "state");
