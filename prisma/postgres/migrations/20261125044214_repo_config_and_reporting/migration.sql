-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "draft" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "reportedState" TEXT;
