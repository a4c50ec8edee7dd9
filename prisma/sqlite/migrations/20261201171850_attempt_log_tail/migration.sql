-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN "logTail" TEXT;
