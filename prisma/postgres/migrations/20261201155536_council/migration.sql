-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "councilSize" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "council" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "diffStat" TEXT;
