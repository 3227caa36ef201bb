import COpenBLAS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How SAM's numerical work runs: on how many threads, with BLAS for matrix products.
///
/// OpenBLAS is switched to one thread per call; s2m splits every large product and every loop
/// across `threads` itself (the calling thread and a WorkerPool of its own), so BLAS threads and
/// s2m's own never compete for the same cores. Copies share the pool.
public struct Compute: Sendable {
    /// Number of threads used by every parallel step (at least 1).
    public let threads: Int
    private let pool: WorkerPool?

    /// Uses `threads` threads (clamped to at least 1): the caller and threads - 1 helpers.
    public init(threads: Int) {
        Compute.configureBLAS
        self.threads = max(1, threads)
        pool = self.threads > 1 ? WorkerPool(helpers: self.threads - 1) : nil
    }

    /// One thread per active processor core (one shared pool).
    public static let allCores = Compute(threads: ProcessInfoCores.active)

    /// Process-wide BLAS setting, applied once: s2m does its own threading.
    private static let configureBLAS: Void = {
        openblas_set_num_threads(1)
    }()

    /// Runs `body` on `count` items split into contiguous ranges, one per thread.
    public func parallelRanges(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let parts = min(threads, max(1, count / max(1, minimumPerThread)))
        if parts == 1 {
            body(0..<count)
            return
        }
        pool!.run(parts: parts) { part in
            let start = count * part / parts
            let end = count * (part + 1) / parts
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(item, thread)` for every item in `0..<count`, handing items out dynamically to
    /// the threads (for work items of uneven cost); `thread` is in `0..<threads` and lets the body
    /// use per-thread scratch memory.
    public func parallelItems(_ count: Int, _ body: (Int, Int) -> Void) {
        guard count > 0 else { return }
        let parts = min(threads, count)
        if parts == 1 {
            for item in 0..<count { body(item, 0) }
            return
        }
        let counter = AtomicCounter()
        pool!.run(parts: parts) { thread in
            while true {
                let item = counter.next()
                if item >= count { break }
                body(item, thread)
            }
        }
    }

    /// C (m x n) = alpha * op(A) * op(B) + beta * C, row-major. op(A) is m x k: A itself, or with
    /// `transposeA` the transpose of a k x m A. `B` is n x k when `transposeB` (PyTorch's Linear
    /// weight layout), else k x n. Large products are split across threads by rows of C, or by
    /// columns when C has few rows (then each thread reads only its share of B).
    public func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        let work = Double(m) * Double(n) * Double(k)
        let transA = transposeA ? CblasTrans : CblasNoTrans
        let transB = transposeB ? CblasTrans : CblasNoTrans
        if work < 1_000_000 || threads == 1 {
            cblas_sgemm(CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                        b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        if m >= 16 * threads {
            // Split the rows of op(A) and C: each thread packs all of B, which is small next to A.
            parallelRanges(m, minimumPerThread: 16) { rows in
                let aPart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                cblas_sgemm(CblasRowMajor, transA, transB, Int32(rows.count), Int32(n), Int32(k), alpha,
                            aPart, Int32(lda), b, Int32(ldb), beta, c + rows.lowerBound * ldc, Int32(ldc))
            }
        } else {
            // Few rows (prompt tokens): split the columns of op(B) and C, so each thread reads only
            // its share of B (the weights).
            parallelRanges(n, minimumPerThread: 16) { cols in
                let bPart = transposeB ? b + cols.lowerBound * ldb : b + cols.lowerBound
                cblas_sgemm(CblasRowMajor, transA, transB, Int32(m), Int32(cols.count), Int32(k), alpha,
                            a, Int32(lda), bPart, Int32(ldb), beta, c + cols.lowerBound, Int32(ldc))
            }
        }
    }

    /// One-threaded product for use inside parallel work items (same conventions as `gemm`).
    public func gemmSerial(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta,
                    c, Int32(ldc))
    }
}

/// Number of processor cores the process may use.
enum ProcessInfoCores {
    static var active: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? Int(n) : 1
    }
}

/// Hands out 0, 1, 2, ... to concurrent callers.
final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// The next unclaimed number.
    func next() -> Int {
        value.add(1, ordering: .relaxed).oldValue
    }
}
