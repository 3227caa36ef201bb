import Foundation

/// Reading whole input files, with the errors every reader shares (missing file, a directory,
/// permissions). Large files are memory-mapped, so a lying header cannot make s2m read gigabytes.
public enum InputFile {
    /// The bytes of the file at `path`.
    /// - Throws: ``S2MError`` `.missingFile`, or `.unreadable` for directories and I/O errors.
    public static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw S2MError(file: path, .missingFile)
        }
        if isDirectory.boolValue {
            throw S2MError(file: path, .unreadable("is a directory"))
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            let reason: String
            if !FileManager.default.isReadableFile(atPath: path) {
                reason = "permission denied"
            } else {
                reason = (error as NSError).localizedDescription
            }
            throw S2MError(file: path, .unreadable(reason))
        }
    }

    /// Reads the file and identifies its format by magic bytes.
    /// - Throws: the errors of ``read(_:)``, and `.unsupported` (known but unsupported formats,
    ///   text) or `.corrupt` (unknown bytes) when no supported format matches.
    public static func readDetectingFormat(_ path: String) throws -> (data: Data, format: FileFormat) {
        let data = try read(path)
        guard let format = FileFormat.detect(data) else {
            throw unknownFormatError(data, file: path)
        }
        return (data, format)
    }

    /// The error for data that matches no supported format.
    static func unknownFormatError(_ data: Data, file: String) -> S2MError {
        if data.isEmpty { return S2MError(file: file, .truncated("empty file")) }
        let what = FileFormat.describeUnknown(data)
        if what.hasPrefix("unrecognised") { return S2MError(file: file, .corrupt(what)) }
        return S2MError(file: file, .unsupported(what))
    }
}
