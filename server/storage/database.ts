import type { DataSource, EntityManager } from "typeorm";
import { type DatabaseOptions, type Dialect, dialectOf, openDatabase } from "./data-source.js";

/**
 * The one way services reach the database. `transaction` gives each mutation (and each stored
 * page) all-or-nothing semantics. better-sqlite3 has a single connection, where TypeORM would turn
 * two overlapping transactions into nested savepoints of one; so on SQLite transactions queue.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataSource: DataSource,
    readonly dialect: Dialect,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    return new Database(await openDatabase(options), dialectOf(options));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "postgres") return this.dataSource.transaction(work);
    const run = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads that must not interleave with a transaction in progress on SQLite's one connection. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === "postgres") return work(this.dataSource.manager);
    const run = this.queue.then(() => work(this.dataSource.manager));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether the database answers within `timeoutMs` (/healthz). On PostgreSQL a restart costs the
   * pool its connections; the next query opens fresh ones, so this recovers by itself.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const answered = this.read((m) => m.query("SELECT 1")).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
