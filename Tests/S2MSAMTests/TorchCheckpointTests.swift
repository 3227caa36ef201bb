import CSAMKernels
import Foundation
import S2MCore
import Testing
import ZIPFoundation
@testable import S2MSAM

/// Writes protocol-2 pickles the way torch.save does, for hand-made checkpoints.
struct PickleWriter {
    var bytes: [UInt8] = [0x80, 0x02]

    mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63)
        bytes += Array("\(module)\n\(name)\n".utf8)
    }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes.append(0x58)
        bytes += withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init)
        bytes += utf8
    }
    mutating func int(_ v: Int) {
        if v >= 0 && v < 256 {
            bytes += [0x4B, UInt8(v)]
        } else {
            bytes.append(0x4A)
            bytes += withUnsafeBytes(of: Int32(v).littleEndian, Array.init)
        }
    }
    mutating func mark() { bytes.append(0x28) }
    mutating func tuple() { bytes.append(0x74) }
    mutating func emptyTuple() { bytes.append(0x29) }
    mutating func reduce() { bytes.append(0x52) }
    mutating func newFalse() { bytes.append(0x89) }
    mutating func setItems() { bytes.append(0x75) }
    mutating func stop() { bytes.append(0x2E) }
    mutating func emptyDict() { bytes.append(0x7D) }
    mutating func setItem() { bytes.append(0x73) }

    mutating func intTuple(_ values: [Int]) {
        mark()
        for v in values { int(v) }
        tuple()
    }

    /// `_rebuild_tensor_v2(("storage", torch.<type>, key, "cpu", count), offset, shape, strides, False, OrderedDict())`.
    mutating func tensor(storageType: String, key: String, count: Int, offset: Int, shape: [Int], strides: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark()
        string("storage")
        global("torch", storageType)
        string(key)
        string("cpu")
        int(count)
        tuple()
        bytes.append(0x51)  // BINPERSID
        int(offset)
        intTuple(shape)
        intTuple(strides)
        newFalse()
        global("collections", "OrderedDict")
        emptyTuple()
        reduce()
        tuple()
        reduce()
    }
}

/// A torch.save-style zip: `<folder>/data.pkl`, `<folder>/data/<key>`, written with ZIPFoundation.
func writeTorchZip(to url: URL, folder: String, pickle: [UInt8], storages: [String: [UInt8]]) throws {
    let archive = try Archive(url: url, accessMode: .create)
    func add(_ path: String, _ data: [UInt8]) throws {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none) { position, size in
            Data(data[Int(position)..<Int(position) + size])
        }
    }
    try add("\(folder)/data.pkl", pickle)
    for (key, bytes) in storages.sorted(by: { $0.key < $1.key }) { try add("\(folder)/data/\(key)", bytes) }
    try add("\(folder)/version", Array("3\n".utf8))
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}

func littleEndianBytes(_ values: [UInt16]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
}

@Suite struct TorchCheckpointTests {
    /// A checkpoint exercising dtypes, views and the folder name: float16, bfloat16, a transposed
    /// view with a storage offset, two tensors sharing one storage.
    func handMadeCheckpoint(in dir: URL, folder: String = "my_model", extra: (inout PickleWriter) -> Void = { _ in },
                            storages extraStorages: [String: [UInt8]] = [:]) throws -> String {
        var p = PickleWriter()
        p.global("collections", "OrderedDict")
        p.emptyTuple()
        p.reduce()
        p.mark()
        p.string("half")
        p.tensor(storageType: "HalfStorage", key: "0", count: 6, offset: 0, shape: [2, 3], strides: [3, 1])
        p.string("bf16")
        p.tensor(storageType: "BFloat16Storage", key: "1", count: 2, offset: 0, shape: [2], strides: [1])
        p.string("transposed")  // storage 2 holds 1 pad value then a 3x2 matrix; view it as 2x3
        p.tensor(storageType: "FloatStorage", key: "2", count: 7, offset: 1, shape: [2, 3], strides: [1, 2])
        p.string("row")  // the first matrix row of storage 2
        p.tensor(storageType: "FloatStorage", key: "2", count: 7, offset: 1, shape: [2], strides: [1])
        p.string("steps")
        p.tensor(storageType: "LongStorage", key: "3", count: 1, offset: 0, shape: [], strides: [])
        extra(&p)
        p.setItems()
        p.stop()
        var storages: [String: [UInt8]] = [
            "0": littleEndianBytes([0x0000, 0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001] as [UInt16]),  // 0, 1, -2, 0.5, 65504, 2^-24
            "1": littleEndianBytes([0x3F80, 0xC040] as [UInt16]),  // 1, -3
            "2": littleEndianBytes([99, 1, 2, 3, 4, 5, 6] as [Float]),
            "3": withUnsafeBytes(of: Int64(7).littleEndian, Array.init),
        ]
        storages.merge(extraStorages) { _, new in new }
        let path = dir.appendingPathComponent("model.pth")
        try writeTorchZip(to: path, folder: folder, pickle: p.bytes, storages: storages)
        return path.path
    }

    @Test func readsDtypesViewsAndAnyFolderName() throws {
        let dir = try TemporaryFolder()
        let checkpoint = try TorchCheckpoint(path: try handMadeCheckpoint(in: dir.url))
        #expect(checkpoint.names == ["half", "bf16", "transposed", "row", "steps"])
        #expect(try checkpoint.tensor("half").values == [0, 1, -2, 0.5, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        #expect(try checkpoint.tensor("bf16").values == [1, -3])
        let transposed = try checkpoint.tensor("transposed", shape: [2, 3])
        #expect(transposed.values == [1, 3, 5, 2, 4, 6])
        #expect(try checkpoint.tensor("row").values == [1, 2])
        #expect(checkpoint.shape(of: "steps") == [])
    }

    @Test func refusesMisshapenMissingAndNonFloatTensors() throws {
        let dir = try TemporaryFolder()
        let path = try handMadeCheckpoint(in: dir.url)
        let checkpoint = try TorchCheckpoint(path: path)
        #expect(throws: S2MError(file: path, .corrupt("tensor 'half' has shape [2, 3], expected [3, 2]"))) {
            try checkpoint.tensor("half", shape: [3, 2])
        }
        #expect(throws: S2MError.self) { try checkpoint.tensor("nope") }
        #expect(throws: S2MError(file: path, .unsupported("tensor 'steps' holds LongStorage, not floating-point values"))) {
            try checkpoint.tensor("steps")
        }
    }

    @Test func refusesStoragesThatAreMissingOrTooSmall() throws {
        let dir = try TemporaryFolder()
        let missing = try handMadeCheckpoint(in: dir.url) { p in
            p.string("ghost")
            p.tensor(storageType: "FloatStorage", key: "9", count: 4, offset: 0, shape: [4], strides: [1])
        }
        #expect(throws: S2MError(file: missing, .corrupt("tensor 'ghost': storage 9 is missing from the archive"))) {
            _ = try TorchCheckpoint(path: missing)
        }
        let dir2 = try TemporaryFolder()
        let short = try handMadeCheckpoint(in: dir2.url, extra: { p in
            p.string("short")
            p.tensor(storageType: "FloatStorage", key: "4", count: 4, offset: 0, shape: [4], strides: [1])
        }, storages: ["4": littleEndianBytes([1, 2] as [Float])])
        #expect(throws: S2MError(file: short, .truncated("tensor 'short': storage 4 holds 8 bytes, needs 16"))) {
            _ = try TorchCheckpoint(path: short)
        }
    }

    @Test func damagedTensorBytesFailTheChecksum() throws {
        let dir = try TemporaryFolder()
        let path = try handMadeCheckpoint(in: dir.url)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Storage 2 starts with 99.0f (00 00 C6 42): flip one bit of it, leaving the zip intact.
        let pattern = Data([0x00, 0x00, 0xC6, 0x42])
        let at = try #require(bytes.range(of: pattern)).lowerBound
        bytes[at + 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let checkpoint = try TorchCheckpoint(path: path)
        #expect(try checkpoint.tensor("half").values.count == 6)  // other storages still read
        #expect(throws: S2MError(file: path, .corrupt("storage my_model/data/2 fails its CRC-32 check (the file is damaged)"))) {
            try checkpoint.tensor("transposed")
        }
        #expect(sam_crc32(0, Array("123456789".utf8), 9) == 0xCBF4_3926)  // the standard check value
    }

    @Test func refusesViewsBeyondTheirStorage() throws {
        let dir = try TemporaryFolder()
        let path = try handMadeCheckpoint(in: dir.url) { p in
            p.string("beyond")
            p.tensor(storageType: "FloatStorage", key: "2", count: 7, offset: 5, shape: [3], strides: [1])
        }
        #expect(throws: S2MError(file: path, .corrupt("data.pkl: a tensor of shape [3] reaches element 7 of storage 2, which holds 7"))) {
            _ = try TorchCheckpoint(path: path)
        }
    }

    @Test func refusesCallsOutsideTheStateDictSubset() throws {
        let dir = try TemporaryFolder()
        let path = try handMadeCheckpoint(in: dir.url) { p in
            p.string("evil")
            p.global("os", "system")
            p.mark()
            p.string("true")
            p.tuple()
            p.reduce()
        }
        #expect(throws: S2MError(file: path, .unsupported("data.pkl: the pickle calls os.system, which a plain state dict does not use"))) {
            _ = try TorchCheckpoint(path: path)
        }
    }

    @Test func readsStateDictsWrappedInATrainingCheckpoint() throws {
        var p = PickleWriter()
        p.emptyDict()
        p.string("state_dict")
        p.global("collections", "OrderedDict")
        p.emptyTuple()
        p.reduce()
        p.mark()
        p.string("w")
        p.tensor(storageType: "FloatStorage", key: "0", count: 2, offset: 0, shape: [2], strides: [1])
        p.setItems()
        p.setItem()
        p.stop()
        let dir = try TemporaryFolder()
        let url = dir.url.appendingPathComponent("wrapped.pth")
        try writeTorchZip(to: url, folder: "archive", pickle: p.bytes, storages: ["0": littleEndianBytes([4, 5] as [Float])])
        #expect(try TorchCheckpoint(path: url.path).tensor("w").values == [4, 5])
    }

    @Test func truncatedPickleIsReported() throws {
        var p = PickleWriter()
        p.global("collections", "OrderedDict")
        p.emptyTuple()
        p.reduce()
        p.mark()
        p.string("w")
        let cut = Array(p.bytes.dropLast(1))
        #expect(throws: S2MError(file: nil, .truncated("data.pkl ends in the middle of a pickle opcode (byte \(cut.count))"))) {
            _ = try PickleReader.load(cut)
        }
        #expect(throws: S2MError(file: nil, .unsupported("data.pkl: pickle opcode 0x49 at byte 2, which state dicts do not use"))) {
            _ = try PickleReader.load([0x80, 0x02, 0x49, 0x31, 0x0A, 0x2E])  // INT "1" (protocol 0)
        }
    }

    @Test func badFilesGetOneLineErrors() throws {
        let dir = try TemporaryFolder()
        let missing = dir.url.appendingPathComponent("absent.pth").path
        #expect(throws: S2MError(file: missing, .missingFile)) { _ = try TorchCheckpoint(path: missing) }

        let legacy = dir.url.appendingPathComponent("legacy.pth").path
        try Data([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]).write(to: URL(fileURLWithPath: legacy))
        #expect(throws: S2MError(file: legacy, .unsupported(
            "legacy (pre-1.6) torch.save format; load it in PyTorch and save it again with torch.save(state_dict, path)"))) {
            _ = try TorchCheckpoint(path: legacy)
        }

        let text = dir.url.appendingPathComponent("notes.pth").path
        try Data("hello world".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: S2MError(file: text, .corrupt("not a torch.save zip archive (no zip signature)"))) {
            _ = try TorchCheckpoint(path: text)
        }

        let tiny = dir.url.appendingPathComponent("tiny.pth").path
        try Data([0x50, 0x4B]).write(to: URL(fileURLWithPath: tiny))
        #expect(throws: S2MError(file: tiny, .truncated("2 bytes, too short for a checkpoint"))) {
            _ = try TorchCheckpoint(path: tiny)
        }

        // A real archive cut short loses its zip directory.
        let whole = try Data(contentsOf: URL(fileURLWithPath: try handMadeCheckpoint(in: dir.url)))
        let cut = dir.url.appendingPathComponent("cut.pth").path
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(throws: S2MError(file: cut, .truncated("no readable zip directory (the file is cut short or damaged)"))) {
            _ = try TorchCheckpoint(path: cut)
        }
    }

    @Test(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
    func readsTheFixtureCheckpoint() throws {
        let path = SAMFixtureModel.vitTiny.path("checkpoint.pth")
        let checkpoint = try TorchCheckpoint(path: path)
        #expect(checkpoint.names.count == 202)
        #expect(checkpoint.names.first == "image_encoder.pos_embed")
        #expect(checkpoint.names.last == "mask_decoder.iou_prediction_head.layers.2.bias")
        // Values read with Python's zipfile + struct from the archive entries.
        let bias = try checkpoint.tensor("image_encoder.patch_embed.proj.bias", shape: [96])
        #expect(Array(bias.values.prefix(4)) == [0.033002130687236786, -0.06754092127084732, -0.06356468796730042, 0.04457591846585274])
        let token = try checkpoint.tensor("mask_decoder.iou_token.weight", shape: [1, 256])
        #expect(Array(token.values.prefix(4)) == [-0.1468903124332428, 1.64174222946167, 1.3637374639511108, 2.2047617435455322])
        #expect(checkpoint.fingerprint.count == 32)
        #expect(checkpoint.fingerprint != (try TorchCheckpoint(path: SAMFixtureModel.mobileSAM.path("checkpoint.pth")).fingerprint))
    }
}

/// A fresh temporary folder, removed when released.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-sam-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
