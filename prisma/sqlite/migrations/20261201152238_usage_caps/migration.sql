-- AlterTable
ALTER TABLE "Run" ADD COLUMN "maxCostUsd" REAL;
ALTER TABLE "Run" ADD COLUMN "runTimeoutMs" INTEGER;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN "costUsd" REAL;
ALTER TABLE "Attempt" ADD COLUMN "inputTokens" INTEGER;
ALTER TABLE "Attempt" ADD COLUMN "outputTokens" INTEGER;
