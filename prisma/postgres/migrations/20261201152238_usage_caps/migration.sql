-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "maxCostUsd" DOUBLE PRECISION,
ADD COLUMN     "runTimeoutMs" INTEGER;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "costUsd" DOUBLE PRECISION,
ADD COLUMN     "inputTokens" INTEGER,
ADD COLUMN     "outputTokens" INTEGER;
