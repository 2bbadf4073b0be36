import NIOPosix

/// A task executor that runs jobs on a `NIOThreadPool`. The SQLite writer's transactions run on it with the writer
/// connection's own one-thread pool: each statement is a job for that pool, and the task's continuation after it is
/// the next job for the same thread, so a transaction of several statements runs without waking another thread
/// (on the shared executor, every statement cost two thread wake-ups).
final class ThreadPoolExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    init(_ pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A job must run even while the pool shuts down, or its task would never finish.
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
