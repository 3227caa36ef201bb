import Foundation
import S2MCore

/// Writes files the safe way: into a temporary file next to the target, then renamed over it, so
/// a reader never sees half a file; refuses to write over any of the viewer's inputs.
public enum AtomicFileWriter {
    /// Encodes a mask as an image file (the command layer supplies a PNG encoder).
    public typealias MaskEncoder = @Sendable (Mask) throws -> Data

    /// The canonical form of a path (absolute, symlinks resolved) for comparisons.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Writes every file of `request`; returns the paths written. Checks all targets against the
    /// protected paths before writing anything.
    public static func write(_ request: WriteRequest, maskEncoder: MaskEncoder) throws -> [String] {
        let protected = Set(request.protectedPaths.map(canonical))
        for file in request.files where protected.contains(canonical(file.path)) {
            throw S2MError(file: file.path, .writeFailed("refusing to overwrite an input file"))
        }
        var written = [String]()
        for file in request.files {
            let data: Data
            switch file.payload {
            case .data(let d): data = d
            case .mask(let mask): data = try maskEncoder(mask)
            }
            try write(data, to: file.path)
            written.append(file.path)
        }
        return written
    }

    /// Writes `data` to `path` atomically (temp file in the same folder, then rename), creating
    /// the folder when needed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw S2MError(file: folder.path, .writeFailed("cannot create the folder: \(error.localizedDescription)"))
        }
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temp.path, contents: data) else {
            throw S2MError(file: path, .writeFailed("cannot create a temporary file in \(folder.path)"))
        }
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw S2MError(file: path, .writeFailed(reason))
        }
    }
}
