/**
 * Applies orch's committed SQL migrations (prisma/<provider>/migrations) the way
 * `prisma migrate deploy` does: same `_prisma_migrations` table, same folder
 * layout. It drives Prisma's schema engine compiled to WebAssembly through the
 * driver adapter, because the native engine the Prisma CLI wants cannot be
 * downloaded on every machine (offline hosts, locked-down CI).
 *
 * `@prisma/schema-engine-wasm` is an internal Prisma package, so its version is
 * pinned exactly. Should it break on an upgrade, the SQL files stay valid for
 * `prisma migrate deploy` on a machine that has the native engine.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import * as engineModule from "@prisma/schema-engine-wasm/schema_engine_bg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

type SchemaEngine = engineModule.SchemaEngine;

// Node has WebAssembly, but TypeScript only types it in the DOM libraries; this is the part used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
};
type SchemaFile = { path: string; content: string };

let isEngineLoaded = false;

/** The package's own entry does `import x from "*.wasm"`, which Node 20 cannot, so instantiate by hand. */
function loadEngine(): void {
  if (isEngineLoaded) return;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")));
  const instance = new WebAssembly.Instance(wasm, { "./schema_engine_bg.js": engineModule });
  engineModule.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  isEngineLoaded = true;
}

const filters = { externalTables: [], externalEnums: [] };

/** A schema file, or a folder searched recursively for *.prisma (links followed, migrations/ skipped). */
function readSchemaFiles(schemaPath: string): SchemaFile[] {
  if (!fs.statSync(schemaPath).isDirectory()) {
    return [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }];
  }
  return fs
    .readdirSync(schemaPath)
    .sort()
    .flatMap((name) => {
      const file = path.join(schemaPath, name);
      if (fs.statSync(file).isDirectory()) return name === "migrations" ? [] : readSchemaFiles(file);
      return name.endsWith(".prisma") ? [{ path: file, content: fs.readFileSync(file, "utf8") }] : [];
    });
}

/** The migration folders under `migrationsDir`, oldest first (their names start with a timestamp). */
export function listMigrationDirs(migrationsDir: string): string[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readMigrations(migrationsDir: string) {
  const dirs = listMigrationDirs(migrationsDir);
  const lockfile = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: path.resolve(migrationsDir),
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockfile) ? fs.readFileSync(lockfile, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((dir) => ({
      path: dir,
      migrationFile: {
        path: "migration.sql",
        content: {
          tag: "ok" as const,
          value: fs.readFileSync(path.join(migrationsDir, dir, "migration.sql"), "utf8"),
        },
      },
    })),
  };
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schemaPath: string,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  loadEngine();
  // The engine never closes the connections it opens; track them and close them after use,
  // or SQLite stays locked for the app's own client and pg keeps the process alive.
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const connection = await connect();
    opened.push(connection);
    return connection;
  };
  const adapter = bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(() => factory.connect()),
    connectToShadowDb: () => track(() => factory.connectToShadowDb()),
  });
  const files = readSchemaFiles(schemaPath);
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: files.map((file) => [file.path, file.content]) },
    () => {},
    adapter,
  );
  try {
    return await use(engine);
  } catch (error) {
    // Driver errors come back from WebAssembly as "External error id#N"; recover the real one.
    const message = error instanceof Error ? error.message : String(error);
    const match = /External error id#(\d+)/.exec(message);
    const registry = adapter.errorRegistry as unknown as {
      consumeError(id: number): { error?: { message?: string } } | undefined;
    };
    const inner = match ? registry.consumeError(Number(match[1]))?.error : undefined;
    if (inner) throw new Error(`${message}\ncaused by: ${inner.message ?? String(inner)}`);
    throw error;
  } finally {
    engine.free();
    await Promise.all(opened.map((connection) => connection.dispose()));
  }
}

/** Applies every migration not applied yet (idempotent), like `prisma migrate deploy`. */
export function migrateDeploy(params: {
  factory: SqlMigrationAwareDriverAdapterFactory;
  schemaDir: string;
}): Promise<unknown> {
  const { factory, schemaDir } = params;
  return withEngine(factory, schemaDir, (engine) =>
    engine.applyMigrations({ migrationsList: readMigrations(path.join(schemaDir, "migrations")), filters }),
  );
}

/** SQL that turns schema `from` (or an empty database) into schema `to`, like `prisma migrate diff --script`. */
export function diffSchemas(params: {
  factory: SqlMigrationAwareDriverAdapterFactory;
  fromSchemaDir: string | null;
  toSchemaDir: string;
}): Promise<string> {
  const { factory, fromSchemaDir, toSchemaDir } = params;
  return withEngine(factory, toSchemaDir, async (engine) => {
    const result = await engine.diff({
      from: fromSchemaDir
        ? { tag: "schemaDatamodel", files: readSchemaFiles(fromSchemaDir) }
        : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: readSchemaFiles(toSchemaDir) },
      script: true,
      exitCode: null,
      filters,
    });
    return result.stdout ?? "";
  });
}
