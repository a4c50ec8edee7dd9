-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "after" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "agent" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "baseRef" TEXT,
ADD COLUMN     "mergeRefs" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "prBase" TEXT;
