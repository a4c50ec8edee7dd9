-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN     "verifyTail" TEXT;
