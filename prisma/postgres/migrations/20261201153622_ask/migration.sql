-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'change';
