// Prisma CLI configuration. The CLI is used for `prisma generate` only; migrations
// are applied by orch itself (src/store/migrate.ts) because the native schema
// engine cannot be downloaded on every machine.
import { defineConfig } from "prisma/config";

const provider = process.env.DB_PROVIDER === "postgresql" ? "postgres" : "sqlite";

export default defineConfig({
  schema: `prisma/${provider}`,
  migrations: { path: `prisma/${provider}/migrations` },
});
