/// The one error type of s2m: what went wrong, and with which file (or argument).
///
/// `description` is a single line, `"<file>: <problem>"`, which commands print as is before
/// exiting with a non-zero status.
public struct S2MError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, independent of the file.
    public enum Problem: Equatable, Sendable {
        /// The file does not exist.
        case missingFile
        /// The file exists but cannot be read (permissions, a directory, an I/O error).
        case unreadable(String)
        /// The data ends before the format says it should.
        case truncated(String)
        /// The data contradicts its own format (bad magic, lying header, checksum, decoder error).
        case corrupt(String)
        /// Valid data of a kind s2m does not handle (dtype, bit depth, shape, colour type...).
        case unsupported(String)
        /// A score map holds `count` NaN or infinite values.
        case nonFinite(count: Int)
        /// Two inputs that must agree in size do not.
        case sizeMismatch(String)
        /// The declared dimensions exceed the configured pixel limit (checked before allocating).
        case tooLarge(width: Int, height: Int, limit: Int)
        /// A value that makes no sense (a command-line argument, a JSON field, a label value).
        case invalid(String)
        /// Writing an output failed.
        case writeFailed(String)
    }

    /// The file (or argument) the problem is about; `nil` when none applies.
    public var file: String?
    public var problem: Problem

    public init(file: String?, _ problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// The problem alone, without the file name.
    public var reason: String {
        switch problem {
        case .missingFile: return "no such file"
        case .unreadable(let why): return "cannot read: \(why)"
        case .truncated(let why): return "truncated: \(why)"
        case .corrupt(let why): return "corrupt: \(why)"
        case .unsupported(let why): return "unsupported: \(why)"
        case .nonFinite(let count):
            return "\(count) NaN/Inf score value\(count == 1 ? "" : "s") (use --allow-nonfinite to map NaN and -Inf to 0, +Inf to 1)"
        case .sizeMismatch(let why): return "size mismatch: \(why)"
        case .tooLarge(let w, let h, let limit):
            let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
            let count = overflow ? "more than \(Int.max)" : "\(pixels)"
            return "\(w)x\(h) is \(count) pixels, over the limit of \(limit) (raise --max-pixels if intended)"
        case .invalid(let why): return why
        case .writeFailed(let why): return "cannot write: \(why)"
        }
    }

    public var description: String {
        guard let file else { return reason }
        return "\(file): \(reason)"
    }

    /// Returns the same problem attributed to `file` (used when a lower layer did not know it).
    public func attributed(to file: String) -> S2MError {
        var copy = self
        copy.file = file
        return copy
    }
}
