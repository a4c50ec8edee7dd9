import type { RepositoryPermission } from "./request.js";

const rank: Record<RepositoryPermission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export function hasPermission(actual: RepositoryPermission, required: RepositoryPermission): boolean {
  return rank[actual] >= rank[required];
}
