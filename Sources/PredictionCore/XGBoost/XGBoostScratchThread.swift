#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one libxgboost call on a new thread that ends right after it, and waits for it.
///
/// Why: XGBoost keeps each call's output buffers in a per-thread map keyed by booster, and a freed booster only
/// erases the entry of the thread that frees it. A model saved as JSON on a long-lived worker thread and freed on
/// another would leave a copy of the whole JSON (up to megabytes) in that worker's map for the worker's lifetime.
/// A scratch thread's map is destroyed when the thread exits, so nothing stays behind. Used for the rare, large
/// outputs (model and configuration JSON); predictions, which are small, run on the caller's thread.
enum XGBoostScratchThread {
    /// Runs `work` on a fresh thread, waits for it and returns its result; runs it on the calling thread if no thread
    /// can be started (the output buffer then stays in this thread's map, a bounded leak, rather than failing).
    static func run<Value>(_ work: () -> Value) -> Value {
        let outcome = Outcome<Value>()
        let ranOnScratchThread = withoutActuallyEscaping(work) { work in
            // `work` escapes to the scratch thread only until `pthread_join` below returns.
            Self.runAndJoin(Job { outcome.value = work() })
        }
        if ranOnScratchThread, let value = outcome.value { return value }
        return work()
    }

    /// Starts a thread running `job` and joins it; `false` when no thread could be started.
    private static func runAndJoin(_ job: Job) -> Bool {
        let context = Unmanaged.passRetained(job).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Job>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return false
        }
        #if canImport(Darwin)
        if let thread { pthread_join(thread, nil) }
        #else
        pthread_join(thread, nil)
        #endif
        return true
    }

    /// The work handed to the scratch thread.
    private final class Job {
        let body: () -> Void

        init(_ body: @escaping () -> Void) {
            self.body = body
        }
    }

    /// The result, written once by the scratch thread; `pthread_join` orders that write before the caller reads it.
    private final class Outcome<Value> {
        var value: Value?
    }
}
