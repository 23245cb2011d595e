// SQLite's write lock taken by another connection to a server's database file, as `vouch import` in another
// process takes it for its write phase.
import SQLite from "better-sqlite3";

/** Takes the write lock on the SQLite file at `path`; returns what releases it (committing nothing). */
export function holdWriteLock(path: string): () => void {
  const other = new SQLite(path);
  other.exec("begin immediate");
  return () => {
    other.exec("commit");
    other.close();
  };
}
