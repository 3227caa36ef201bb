import Foundation
import ZIPFoundation

/// Reads NPZ archives (numpy's `savez` / `savez_compressed`): a zip file of `.npy` members,
/// stored or deflated, ZIP64 included. Each member's CRC-32 is checked.
public enum NPZReader {
    /// One array of an archive, as listed in its central directory.
    public struct Member: Sendable, Equatable {
        /// The array's key: the member name without `.npy` (e.g. `arr_0`).
        public var key: String
        /// The member's file name inside the archive.
        public var path: String
        /// Size after decompression, in bytes.
        public var uncompressedSize: UInt64
        /// True when the member is deflated (`savez_compressed`).
        public var isCompressed: Bool
    }

    /// The `.npy` members of the NPZ in `data`, in archive order.
    public static func members(_ data: Data, file: String) throws -> [Member] {
        let archive = try open(data, file: file)
        return members(of: archive)
    }

    /// Decodes one array of the NPZ in `data`.
    /// - Parameters:
    ///   - key: the array to read; `nil` takes the only array, or `arr_0` when there are several.
    ///   - maxBytes: largest decompressed member accepted (guards against zip bombs); checked
    ///     against the central directory before extracting and again while inflating.
    public static func decode(_ data: Data, file: String, key: String? = nil, maxBytes: UInt64 = 1 << 34) throws -> NDArray {
        let archive = try open(data, file: file)
        let all = members(of: archive)
        let chosen = try choose(key, from: all, file: file)
        return try decode(chosen, in: archive, file: file, maxBytes: maxBytes)
    }

    /// Decodes every array, keyed by name (for inspection; use ``decode(_:file:key:maxBytes:)``
    /// to read one).
    public static func decodeAll(_ data: Data, file: String, maxBytes: UInt64 = 1 << 34) throws -> [(key: String, array: NDArray)] {
        let archive = try open(data, file: file)
        return try members(of: archive).map { ($0.key, try decode($0, in: archive, file: file, maxBytes: maxBytes)) }
    }

    /// The member `key` names, or the default choice; a clear error listing the keys otherwise.
    static func choose(_ key: String?, from all: [Member], file: String) throws -> Member {
        let keys = all.map(\.key).joined(separator: ", ")
        if let key {
            guard let member = all.first(where: { $0.key == key || $0.path == key }) else {
                throw S2MError(file: file, .invalid("NPZ has no array '\(key)' (it holds: \(keys.isEmpty ? "nothing" : keys))"))
            }
            return member
        }
        if all.isEmpty { throw S2MError(file: file, .corrupt("NPZ archive holds no .npy arrays")) }
        if all.count == 1 { return all[0] }
        if let first = all.first(where: { $0.key == "arr_0" }) { return first }
        throw S2MError(file: file, .invalid("NPZ holds \(all.count) arrays (\(keys)); choose one with --npz-key"))
    }

    private static func open(_ data: Data, file: String) throws -> Archive {
        if data.isEmpty { throw S2MError(file: file, .truncated("empty file")) }
        do {
            return try Archive(data: data, accessMode: .read)
        } catch {
            // Without the end-of-central-directory record the archive was almost always cut short.
            if case Archive.ArchiveError.missingEndOfCentralDirectoryRecord = error {
                throw S2MError(file: file, .truncated("zip archive has no end-of-central-directory record (cut short?)"))
            }
            throw S2MError(file: file, .corrupt("not a readable zip archive (\(error))"))
        }
    }

    private static func members(of archive: Archive) -> [Member] {
        archive.compactMap { entry -> Member? in
            guard entry.type == .file, entry.path.hasSuffix(".npy") else { return nil }
            return Member(key: String(entry.path.dropLast(4)), path: entry.path,
                          uncompressedSize: entry.uncompressedSize, isCompressed: entry.isCompressed)
        }
    }

    private static func decode(_ member: Member, in archive: Archive, file: String, maxBytes: UInt64) throws -> NDArray {
        let label = "\(file) [\(member.key)]"
        guard let entry = archive[member.path] else {
            throw S2MError(file: label, .corrupt("zip entry vanished"))
        }
        if entry.uncompressedSize > maxBytes {
            throw S2MError(file: label, .unsupported("zip member of \(entry.uncompressedSize) bytes is over the limit of \(maxBytes) bytes (raise --max-pixels if intended)"))
        }
        var bytes = Data()
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                bytes.append(chunk)
                if UInt64(bytes.count) > entry.uncompressedSize {
                    throw S2MError(file: label, .corrupt("zip member inflates past its declared size of \(entry.uncompressedSize) bytes"))
                }
            }
        } catch let error as S2MError {
            throw error
        } catch {
            throw S2MError(file: label, .corrupt("cannot extract zip member (\(error))"))
        }
        if UInt64(bytes.count) != entry.uncompressedSize {
            throw S2MError(file: label, .truncated("zip member gives \(bytes.count) of its \(entry.uncompressedSize) bytes"))
        }
        if checksum != entry.checksum {
            throw S2MError(file: label, .corrupt("zip member CRC-32 mismatch"))
        }
        return try NPYReader.decode(bytes, file: label)
    }
}
