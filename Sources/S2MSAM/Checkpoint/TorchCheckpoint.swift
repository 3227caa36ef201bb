import CSAMKernels
import Foundation
import S2MCore
import ZIPFoundation

/// A PyTorch checkpoint written by `torch.save` (the zip format of PyTorch 1.6 and later) that
/// holds a state dict: parameter names mapped to tensors.
///
/// Opening reads only the pickle (`<archive>/data.pkl`) and the zip directory; tensor data is
/// read on request, one storage at a time, straight into float32 memory (float16 and bfloat16
/// storages are widened), so a 2.5 GB ViT-H checkpoint never needs two copies in memory.
public final class TorchCheckpoint: StateDictionary {
    /// The checkpoint's path, used in every error message.
    public let path: String
    /// Tensor views by parameter name, in the order of the state dict.
    public let records: [String: TensorRecord]
    /// Parameter names in state-dict order.
    public let names: [String]
    /// A fingerprint of the checkpoint's content: a hash of every entry's name, size and CRC-32 as
    /// recorded in the zip directory (so it changes when any tensor changes, without reading
    /// gigabytes of weights).
    public let fingerprint: String

    private let archive: Archive
    private let folder: String
    /// Zip entries by path (ZIPFoundation's own lookup walks the whole directory).
    private let entries: [String: Entry]

    /// Opens the checkpoint at `path` and reads its state dict's layout.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw S2MError(file: path, .missingFile)
        }
        guard !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw S2MError(file: path, .unreadable(isDirectory.boolValue ? "is a directory" : "permission denied"))
        }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard head.count == 4 else {
            throw S2MError(file: path, .truncated("\(head.count) bytes, too short for a checkpoint"))
        }
        if head.starts(with: [0x80]) {
            throw S2MError(file: path, .unsupported(
                "legacy (pre-1.6) torch.save format; load it in PyTorch and save it again with torch.save(state_dict, path)"))
        }
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw S2MError(file: path, .corrupt("not a torch.save zip archive (no zip signature)"))
        }
        let opened: Archive
        do {
            opened = try Archive(url: url, accessMode: .read)
        } catch {
            throw S2MError(file: path, .truncated("no readable zip directory (the file is cut short or damaged)"))
        }
        archive = opened

        // The pickle lives at <folder>/data.pkl; the folder name is whatever the saver chose.
        var entriesByPath: [String: Entry] = [:]
        var pickleEntry: Entry?
        var fingerprintInput: [UInt8] = []
        for entry in opened {
            entriesByPath[entry.path] = entry
            if entry.path.hasSuffix("/data.pkl") || entry.path == "data.pkl" {
                if pickleEntry == nil || entry.path.count < pickleEntry!.path.count { pickleEntry = entry }
            }
            fingerprintInput += Array(entry.path.utf8)
            fingerprintInput += withUnsafeBytes(of: entry.uncompressedSize.littleEndian, Array.init)
            fingerprintInput += withUnsafeBytes(of: entry.checksum.littleEndian, Array.init)
        }
        guard let pickleEntry else {
            throw S2MError(file: path, .corrupt("zip archive without data.pkl: not a torch.save checkpoint"))
        }
        folder = String(pickleEntry.path.dropLast("data.pkl".count))
        entries = entriesByPath
        fingerprint = ContentHash.hex(of: fingerprintInput)

        let pickleBytes: [UInt8]
        do {
            pickleBytes = try Self.read(entry: pickleEntry, from: opened)
        } catch {
            throw S2MError(file: path, .corrupt("cannot read \(pickleEntry.path): \(error)"))
        }
        let root: PickleValue
        do {
            root = try PickleReader.load(pickleBytes)
        } catch let error as S2MError {
            throw error.attributed(to: path)
        }
        let dict = try Self.stateDict(in: root, path: path)
        var records: [String: TensorRecord] = [:]
        var names: [String] = []
        for name in dict.keys {
            guard case .tensor(let record)? = dict[name] else { continue }
            records[name] = record
            names.append(name)
        }
        guard !records.isEmpty else {
            throw S2MError(file: path, .unsupported("the checkpoint holds no tensors"))
        }
        // Every storage a tensor uses must be in the archive and large enough.
        for name in names {
            let storage = records[name]!.storage
            guard let entry = entriesByPath[folder + "data/" + storage.key] else {
                throw S2MError(file: path, .corrupt("tensor '\(name)': storage \(storage.key) is missing from the archive"))
            }
            let needed = UInt64(storage.count * storage.type.elementSize)
            guard entry.uncompressedSize >= needed else {
                throw S2MError(file: path, .truncated(
                    "tensor '\(name)': storage \(storage.key) holds \(entry.uncompressedSize) bytes, needs \(needed)"))
            }
        }
        self.records = records
        self.names = names
    }

    /// The state dict inside the pickle: the top-level dict itself, or the dict under `model`
    /// or `state_dict` when a training checkpoint wraps it.
    private static func stateDict(in root: PickleValue, path: String) throws -> PickleDict {
        guard case .dict(let dict) = root else {
            throw S2MError(file: path, .unsupported("the checkpoint holds a \(root.kind), not a state dict"))
        }
        let holdsTensors = dict.keys.contains { if case .tensor? = dict[$0] { return true } else { return false } }
        if !holdsTensors {
            for key in ["model", "state_dict"] {
                if case .dict(let inner)? = dict[key] { return inner }
            }
        }
        return dict
    }

    /// The shape of the named tensor, or nil when absent.
    public func shape(of name: String) -> [Int]? {
        records[name]?.shape
    }

    /// Reads the named tensor as float32. Throws when it is missing, not floating point, or (when
    /// `shape` is given) shaped differently.
    public func tensor(_ name: String, shape expected: [Int]?) throws -> Tensor {
        guard let record = records[name] else {
            throw S2MError(file: path, .unsupported("no tensor '\(name)' (not a checkpoint of this model kind, or damaged)"))
        }
        if let expected, expected != record.shape {
            throw S2MError(file: path, .corrupt("tensor '\(name)' has shape \(record.shape), expected \(expected)"))
        }
        guard record.storage.type.isFloatingPoint else {
            throw S2MError(file: path, .unsupported("tensor '\(name)' holds \(record.storage.type.rawValue), not floating-point values"))
        }
        let entryPath = folder + "data/" + record.storage.key
        guard let entry = entries[entryPath] else {
            throw S2MError(file: path, .corrupt("storage \(entryPath) is missing"))
        }
        let elementSize = record.storage.type.elementSize
        let result = Tensor(uninitialized: record.shape)
        if record.count == 0 { return result }

        // The bytes from the first to the last element the view touches. A contiguous float32
        // view (the usual case) is read straight into the tensor; anything else goes through a
        // byte buffer and is converted.
        var last = record.offset
        for (size, stride) in zip(record.shape, record.strides) where size > 0 { last += (size - 1) * stride }
        let span = last - record.offset + 1
        let startByte = record.offset * elementSize
        let endByte = startByte + span * elementSize
        let direct = record.isContiguous && record.storage.type == .float32
        let staging: UnsafeMutableRawPointer = direct
            ? UnsafeMutableRawPointer(result.pointer)
            : UnsafeMutableRawPointer.allocate(byteCount: endByte - startByte, alignment: 16)
        defer { if !direct { staging.deallocate() } }
        var cursor = 0
        var crc: UInt32 = 0
        do {
            // ZIPFoundation's own checksum is slow; ours (slice-by-8 in C) checks every byte.
            _ = try archive.extract(entry, bufferSize: 1 << 22, skipCRC32: true) { chunk in
                let chunkStart = cursor, chunkEnd = cursor + chunk.count
                cursor = chunkEnd
                chunk.withUnsafeBytes { src in
                    crc = sam_crc32(crc, src.baseAddress!.assumingMemoryBound(to: UInt8.self), src.count)
                    let lo = max(chunkStart, startByte), hi = min(chunkEnd, endByte)
                    if lo < hi {
                        (staging + (lo - startByte)).copyMemory(from: src.baseAddress! + (lo - chunkStart), byteCount: hi - lo)
                    }
                }
            }
        } catch {
            throw S2MError(file: path, .corrupt("cannot read storage \(entryPath): \(error)"))
        }
        guard cursor >= endByte else {
            throw S2MError(file: path, .truncated("storage \(entryPath) ends after \(cursor) bytes, needs \(endByte)"))
        }
        guard crc == entry.checksum else {
            throw S2MError(file: path, .corrupt("storage \(entryPath) fails its CRC-32 check (the file is damaged)"))
        }
        if !direct {
            Self.convert(UnsafeRawBufferPointer(start: staging, count: endByte - startByte), type: record.storage.type,
                         record: record, into: result.pointer)
        }
        return result
    }

    /// Widens little-endian storage elements to float32 and gathers a strided view into row-major
    /// order. `bytes` starts at the view's first element.
    private static func convert(_ bytes: UnsafeRawBufferPointer, type: StorageType, record: TensorRecord,
                                into out: UnsafeMutablePointer<Float>) {
        func element(_ index: Int) -> Float {
            switch type {
            case .float32:
                return Float(bitPattern: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)
            case .float16:
                let bits = bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian
                return Float(Float16Bits.toFloat(bits))
            case .bfloat16:
                let bits = bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian
                return Float(bitPattern: UInt32(bits) << 16)
            case .float64:
                return Float(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian))
            default:
                return 0
            }
        }
        let count = record.count
        if record.isContiguous {
            if type == .float32 {
                UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: count * 4)
            } else {
                for i in 0..<count { out[i] = element(i) }
            }
            return
        }
        // General strided gather: walk the row-major output index and track the storage index.
        let rank = record.shape.count
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for i in 0..<count {
            out[i] = element(source)
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                source += record.strides[d]
                if index[d] < record.shape[d] { break }
                source -= record.strides[d] * record.shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    private static func read(entry: Entry, from archive: Archive) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { bytes += $0 }
        return bytes
    }
}

/// IEEE half-precision bit patterns to Float (portable: no dependence on the platform's Float16).
enum Float16Bits {
    static func toFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
