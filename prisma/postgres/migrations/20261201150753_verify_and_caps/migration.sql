-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "maxAttemptsPerTask" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "verify" TEXT;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "autoRetry" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "autoRetryLimit" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "verifyState" TEXT;
