import Foundation

/// The file formats s2m reads, recognised by their first bytes (magic numbers), never by the
/// file name alone: a `.png` that holds a JPEG is read as the JPEG it is.
public enum FileFormat: String, Sendable, Codable, CaseIterable {
    case png
    case jpeg
    case webp
    case npy
    case npz

    /// Upper-case name used in messages (`"PNG"`, `"NPZ"`).
    public var displayName: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        case .webp: return "WebP"
        case .npy: return "NPY"
        case .npz: return "NPZ"
        }
    }

    /// File name extensions (lower case, without the dot) that usually carry this format.
    public var extensions: [String] {
        switch self {
        case .png: return ["png"]
        case .jpeg: return ["jpg", "jpeg", "jpe", "jfif"]
        case .webp: return ["webp"]
        case .npy: return ["npy"]
        case .npz: return ["npz"]
        }
    }

    /// The format whose magic bytes start `data`, or `nil` when none matches.
    ///
    /// PNG: `89 50 4E 47 0D 0A 1A 0A`; JPEG: `FF D8 FF`; WebP: `RIFF` + 4 size bytes + `WEBP`;
    /// NPY: `93 'NUMPY'`; NPZ: a zip archive (`PK 03 04`, or `PK 05 06` when empty).
    /// A prefix of a signature (a file cut inside its first bytes) also matches, so that the
    /// reader can report it as truncated rather than as an unknown format.
    public static func detect(_ data: Data) -> FileFormat? {
        let head = [UInt8](data.prefix(12))
        if head.isEmpty { return nil }
        func starts(with signature: [UInt8]) -> Bool {
            let n = min(signature.count, head.count)
            return n > 0 && Array(head[0..<n]) == Array(signature[0..<n])
        }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return .npy }
        if head.count >= 4, starts(with: [0x50, 0x4B, 0x03, 0x04]) || starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .npz
        }
        if starts(with: Array("RIFF".utf8)) {
            if head.count < 12 { return head.count >= 4 ? .webp : nil }
            if Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        }
        return nil
    }

    /// A short description of data that matched no supported format, for error messages: names
    /// common formats s2m does not read (TIFF, BMP, GIF, ...), recognises text, else shows the
    /// first bytes in hex.
    public static func describeUnknown(_ data: Data) -> String {
        let head = [UInt8](data.prefix(16))
        if head.isEmpty { return "empty file" }
        func starts(_ s: [UInt8]) -> Bool { head.count >= s.count && Array(head[0..<s.count]) == s }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "a TIFF file (not supported; convert it to PNG)" }
        if starts(Array("BM".utf8)) { return "a BMP file (not supported; convert it to PNG)" }
        if starts(Array("GIF8".utf8)) { return "a GIF file (not supported; convert it to PNG)" }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) { return "a JPEG 2000 file (not supported)" }
        if head.count >= 12, Array(head[4..<8]) == Array("ftyp".utf8) { return "an ISO media file such as HEIC/AVIF (not supported)" }
        if starts([0x80]) && head.count > 1 && head[1] <= 5 { return "a Python pickle (not supported; save arrays with numpy.save)" }
        if isText(data) { return "a text file, not an image, score or label file" }
        let hex = head.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "unrecognised format (first bytes \(hex); expected PNG, JPEG, WebP, NPY or NPZ)"
    }

    /// True when the first 4 KiB decode as UTF-8 without NUL or other control characters
    /// (tab, newline and carriage return allowed). A cut multi-byte character at the end is fine.
    public static func isText(_ data: Data) -> Bool {
        let head = [UInt8](data.prefix(4096))
        if head.isEmpty { return false }
        for byte in head where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
        // Allow up to 3 trailing bytes of a character cut by the 4 KiB window.
        for cut in 0...min(3, head.count - 1) {
            if String(validating: head[0..<(head.count - cut)], as: UTF8.self) != nil { return true }
        }
        return false
    }
}
