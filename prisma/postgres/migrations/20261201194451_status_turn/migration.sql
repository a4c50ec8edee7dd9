-- AlterTable
ALTER TABLE "Thread" ADD COLUMN     "statusHeldUntil" TIMESTAMP(3),
ADD COLUMN     "statusHost" TEXT,
ADD COLUMN     "statusLease" TEXT,
ADD COLUMN     "statusWanted" INTEGER NOT NULL DEFAULT 0;
