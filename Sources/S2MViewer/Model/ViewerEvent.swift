import Foundation
import S2MCore

/// A failure reported to the model (a message; the model shows it on the status line).
public struct ViewerFailure: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Everything that can happen to the viewer.
public enum ViewerEvent: Sendable {
    case key(ViewerKey)
    case resize(columns: Int, rows: Int)
    case loaded(requestID: Int, Result<LoadedCase, ViewerFailure>)
    case job(JobUpdate)
    case rank(RankUpdate)
    /// A save or export finished: the paths written, or the failure.
    case written(Result<[String], ViewerFailure>)
}

/// Work the model asks its runner to do; the runner answers with events.
public enum ViewerEffect: Sendable {
    /// Read an item's files (answer: `.loaded`).
    case load(requestID: Int, item: DatasetItem)
    /// Start background work (answers: `.job` updates).
    case compute(ComputeJob)
    /// Stop a job; it answers `.finished` with "cancelled".
    case cancel(jobID: Int)
    /// Compute every item's metrics to order the dataset (answers: `.rank` updates).
    case rank(RankJob)
    /// Write files atomically, refusing any path in `protectedPaths` (answer: `.written`).
    case write(WriteRequest)
    /// Leave the viewer.
    case quit
}

/// Files to write: JSON data, or masks as 8-bit PNG (0 / 1).
public struct WriteRequest: Sendable {
    public enum Payload: Sendable {
        case data(Data)
        case mask(Mask)
    }

    public var files: [(path: String, payload: Payload)]
    /// Inputs that must never be overwritten.
    public var protectedPaths: [String]

    public init(files: [(path: String, payload: Payload)], protectedPaths: [String]) {
        self.files = files
        self.protectedPaths = protectedPaths
    }
}
