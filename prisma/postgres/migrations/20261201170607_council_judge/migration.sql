-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "autoPick" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "judge" TEXT,
ADD COLUMN     "judgeHost" TEXT,
ADD COLUMN     "judgeLease" TEXT,
ADD COLUMN     "judgeNote" TEXT,
ADD COLUMN     "judgeRanking" TEXT,
ADD COLUMN     "judgeState" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "judgedAt" TIMESTAMP(3);
