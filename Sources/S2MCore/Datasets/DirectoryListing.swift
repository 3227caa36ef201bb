import Foundation

/// Reading folder contents for the dataset layouts, with errors that name the folder.
public enum DirectoryListing {
    /// True when `path` is an existing folder.
    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// True when `path` exists (file or folder).
    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The entry names of a folder, sorted (only for stable listings and messages: files are
    /// always paired by name, never by position).
    static func names(in path: String) throws -> [String] {
        guard exists(path) else { throw S2MError(file: path, .missingFile) }
        guard isDirectory(path) else { throw S2MError(file: path, .invalid("not a folder")) }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw S2MError(file: path, .unreadable("\(error.localizedDescription)"))
        }
    }
}
