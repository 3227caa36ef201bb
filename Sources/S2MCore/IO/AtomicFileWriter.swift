import Foundation

/// Saves files so that readers never see a half-written file and inputs are never overwritten:
/// the bytes go to a temporary file in the destination's directory, are flushed to disk, then
/// the temporary file is renamed over the destination (atomic on POSIX file systems).
public enum AtomicFileWriter {
    /// Writes `data` to `path` atomically.
    ///
    /// - Parameters:
    ///   - protecting: input paths that must not be overwritten. A destination that is the same
    ///     file as one of them (same path after resolving `.`/`..` and symbolic links, or the same
    ///     device and inode, e.g. through a hard link) is refused before anything is written.
    ///   - createDirectories: create missing parent directories first.
    /// - Throws: ``S2MError`` `.writeFailed` naming `path`.
    public static func write(_ data: Data, to path: String, protecting inputs: [String] = [],
                             createDirectories: Bool = false) throws {
        try checkNotAnInput(path, inputs: inputs)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw S2MError(file: path, .writeFailed("is a directory"))
        }
        if !FileManager.default.fileExists(atPath: directory.path) {
            if createDirectories {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw S2MError(file: path, .writeFailed("cannot create directory \(directory.path): \(describe(error))"))
                }
            } else {
                throw S2MError(file: path, .writeFailed("directory \(directory.path) does not exist"))
            }
        }

        // A unique temporary name next to the destination, so the rename stays on one file system.
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).s2m-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw S2MError(file: path, .writeFailed("cannot create a temporary file in \(directory.path): \(String(cString: strerror(errno)))"))
        }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw S2MError(file: path, .writeFailed(failure))
        }
    }

    /// Throws `.writeFailed` when `path` names the same file as one of `inputs`.
    public static func checkNotAnInput(_ path: String, inputs: [String]) throws {
        let target = canonical(path)
        let targetID = fileID(path)
        for input in inputs {
            if canonical(input) == target || (targetID != nil && fileID(input) == targetID) {
                throw S2MError(file: path, .writeFailed("refusing to overwrite the input file \(input)"))
            }
        }
    }

    /// The absolute path with `.`/`..` removed and symbolic links resolved (as far as they exist).
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// (device, inode) of an existing file, following symbolic links.
    static func fileID(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    private static func describe(_ error: Error) -> String {
        (error as NSError).localizedDescription
    }
}
