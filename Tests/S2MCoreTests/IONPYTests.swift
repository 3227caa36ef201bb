import Foundation
import Testing
@testable import S2MCore

/// NPY/NPZ reading against files written by numpy itself (Tests/Fixtures/IO, made by
/// make_numpy_fixtures.py), hand-written headers, and round trips through our writer.
@Suite struct IONPYTests {
    // The values of make_numpy_fixtures.py, per dtype.
    static let floats: [Double] = [0.0, 0.5, -1.25, 3.75, 1000.0, -0.0009765625]
    static let signed: [Int: [Int64]] = [
        1: [0, 1, -1, 127, -128, 42], 2: [0, 1, -1, 32767, -32768, 300],
        4: [0, 1, -1, 2_147_483_647, -2_147_483_648, 70000], 8: [0, 1, -1, Int64.max, Int64.min, (1 << 40) + 3],
    ]
    static let unsigned: [Int: [UInt64]] = [
        1: [0, 1, 2, 255, 128, 7], 2: [0, 1, 65535, 256, 1000, 7],
        4: [0, 1, 4_294_967_295, 65536, 16_777_217, 7], 8: [0, 1, UInt64.max, (1 << 53) + 1, 1 << 32, 7],
    ]

    static func expected(_ kind: NPYDType.Kind, size: Int) -> [Float] {
        switch kind {
        case .float: return floats.map { Float($0) }
        case .signed: return signed[size]!.map { Float($0) }
        case .unsigned: return unsigned[size]!.map { Float($0) }
        case .bool: return [1, 0, 1, 1, 0, 0]
        }
    }

    @Test func everyDtypeOrderAndByteOrderWrittenByNumpy() throws {
        let data = try IOFixtures.data("numpy_all_dtypes.npz")
        let arrays = try NPZReader.decodeAll(data, file: "all.npz")
        var seen = 0
        for (key, array) in arrays where key != "cube_F" {
            // key: <le|be>_<kind><size>_<C|F>
            let parts = key.split(separator: "_")
            let kind = NPYDType.Kind(rawValue: parts[1].first!)!
            let size = Int(parts[1].dropFirst())!
            #expect(array.shape == [2, 3], "\(key)")
            #expect(array.values == Self.expected(kind, size: size), "\(key)")
            #expect(array.sourceType?.kind == kind && array.sourceType?.size == size, "\(key)")
            if size > 1 { #expect(array.sourceType?.isBigEndian == (parts[0] == "be"), "\(key)") }
            seen += 1
        }
        // 12 dtypes little-endian + the 9 multi-byte ones big-endian, each in C and Fortran order.
        #expect(seen == 42)
    }

    @Test func fortranOrderOfThreeDimensions() throws {
        let data = try IOFixtures.data("numpy_all_dtypes.npz")
        let cube = try NPZReader.decode(data, file: "all.npz", key: "cube_F")
        #expect(cube.shape == [2, 3, 4])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            #expect(cube[[i, j, k]] == Float(100 * i + 10 * j + k))
        } } }
    }

    @Test func formatVersions1To3() throws {
        let expected = (0..<12).map { Float($0) / 11 }
        for version in 1...3 {
            let path = IOFixtures.path("numpy_scores_v\(version).npy")
            let header = try NPYHeader.parse(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
            #expect(header.majorVersion == version)
            let scores = try ScoreReader.read(path)
            #expect(scores.width == 4 && scores.height == 3)
            #expect(scores.pixels == expected)
        }
    }

    @Test func npzStoredDeflatedAndChoosingMembers() throws {
        let compressed = IOFixtures.path("numpy_scores_compressed.npz")
        let members = try NPZReader.members(try Data(contentsOf: URL(fileURLWithPath: compressed)), file: compressed)
        #expect(members.map(\.key) == ["arr_0"] && members[0].isCompressed)
        #expect(try ScoreReader.read(compressed).pixels == (0..<12).map { Float($0) / 11 })

        let two = IOFixtures.path("numpy_two_arrays.npz")
        let error = s2mError { try ScoreReader.read(two) }
        #expect(error?.problem.kind == "invalid")
        #expect(error?.description.contains("first, second") == true)
        let second = try ScoreReader.read(two, options: ReadOptions(npzMember: "second"))
        #expect(second.pixels == (0..<12).map { Float($0) / 11 * 2 })
        #expect(problem { try ScoreReader.read(two, options: ReadOptions(npzMember: "third")) }?.kind == "invalid")
    }

    @Test func handWrittenBigEndianFortranHeader() throws {
        // (2, 3) int16, big-endian, Fortran order: column-major bytes of [[1, 2, 3], [4, 5, 6]].
        let dict = "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3), }"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(dict.utf8.count), 0] + Array(dict.utf8)
        for v: Int16 in [1, 4, 2, 5, 3, -6] { bytes += [UInt8(UInt16(bitPattern: v) >> 8), UInt8(UInt16(bitPattern: v) & 0xFF)] }
        let array = try NPYReader.decode(Data(bytes), file: "h.npy")
        #expect(array.shape == [2, 3])
        #expect(array.values == [1, 2, 3, 4, 5, -6])
        #expect(array.sourceType == NPYDType(.signed, size: 2, bigEndian: true))
    }

    @Test func headerParserAcceptsPythonVariants() throws {
        // Double quotes, key order, a Python 2 long suffix, no trailing comma, 1-tuple, scalar.
        for (dict, shape) in [("{\"shape\": (3L,), \"fortran_order\": False, \"descr\": \"<u1\"}", [3]),
                              ("{'descr':'|u1','fortran_order':False,'shape':(3,)}", [3]),
                              ("{'descr': '<u1', 'fortran_order': False, 'shape': (1, 3)}", [1, 3])] {
            let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(dict.utf8.count), 0] + Array(dict.utf8) + [7, 8, 9]
            let array = try NPYReader.decode(Data(bytes), file: "h.npy")
            #expect(array.shape == shape && array.values == [7, 8, 9], "\(dict)")
        }
        let scalar = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(scalar.utf8.count), 0] + Array(scalar.utf8) + [0, 0, 0x80, 0x3F]
        let one = try NPYReader.decode(Data(bytes), file: "s.npy")
        #expect(one.shape == [] && one.values == [1])
    }

    @Test func roundTripEveryDtypeOrderByteOrderAndVersion() throws {
        for dtype in NPYDType.supported {
            // The fixture values that Float holds exactly (integers up to 2^24) and the dtype can store.
            let values = Self.expected(dtype.kind, size: dtype.size).filter { abs($0) <= 16_777_216 }
            let vector = NDArray(shape: [values.count], values: values)
            let matrix = NDArray(shape: [2, 3], values: (0..<6).map { Float(dtype.kind == .bool ? $0 % 2 : $0) })
            for order in [dtype, dtype.byteSwapped] {
                for fortran in [false, true] {
                    for version in 1...3 {
                        for original in [vector, matrix] {
                            let data = try NPYWriter.encode(original, dtype: order, fortranOrder: fortran, version: version)
                            let header = try NPYHeader.parse(data, file: "rt.npy")
                            #expect(header.dataOffset % 64 == 0, "data starts on a 64-byte boundary")
                            #expect(header.majorVersion == version && header.fortranOrder == fortran)
                            let back = try NPYReader.decode(data, file: "rt.npy")
                            #expect(back.shape == original.shape && back.values == original.values, "\(order) F=\(fortran) v\(version)")
                            #expect(back.sourceType == order)
                        }
                    }
                }
            }
        }
    }

    @Test func writerOutputIsWhatNumpyWrites() throws {
        // numpy.save of a (3, 4) float32 array produced numpy_scores_v1.npy; ours must match byte for byte.
        let numpy = try IOFixtures.data("numpy_scores_v1.npy")
        let ours = try NPYWriter.encode(NDArray(shape: [3, 4], values: (0..<12).map { Float($0) / 11 }))
        #expect(ours == numpy)
    }

    @Test func writerRefusesValuesItsDtypeCannotHold() {
        #expect(problem { try NPYWriter.encode(NDArray(shape: [1], values: [256]), dtype: .uint8) }?.kind == "invalid")
        #expect(problem { try NPYWriter.encode(NDArray(shape: [1], values: [0.5]), dtype: .int32) }?.kind == "invalid")
        #expect(problem { try NPYWriter.encode(NDArray(shape: [1], values: [-1]), dtype: .uint16) }?.kind == "invalid")
    }

    @Test func halfFloatConversionIsExactAndRoundsToNearestEven() {
        // Every finite half converts to Float and back to the same bits.
        for bits in UInt16(0)...UInt16.max {
            let exponent = (bits >> 10) & 0x1F
            if exponent == 0x1F && bits & 0x3FF != 0 { continue }  // NaN payloads
            #expect(HalfFloat.bits(from: HalfFloat.float(fromBits: bits)) == bits)
        }
        #expect(HalfFloat.float(fromBits: 0x3C00) == 1)
        #expect(HalfFloat.float(fromBits: 0x7BFF) == 65504)
        #expect(HalfFloat.float(fromBits: 0x0001) == 0x1p-24)
        #expect(HalfFloat.float(fromBits: 0xFC00) == -.infinity)
        #expect(HalfFloat.float(fromBits: 0x7E00).isNaN)
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1.
        #expect(HalfFloat.bits(from: 1 + 0x1p-11) == 0x3C00)
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
        #expect(HalfFloat.bits(from: 1 + 3 * 0x1p-11) == 0x3C02)
        #expect(HalfFloat.bits(from: 65519) == 0x7BFF)
        #expect(HalfFloat.bits(from: 65520) == 0x7C00)
        #expect(HalfFloat.bits(from: 0x1p-25) == 0)          // halfway to the smallest subnormal: even = 0
        #expect(HalfFloat.bits(from: 0x1.8p-24) == 0x0002)   // 1.5 units rounds to 2
    }

    @Test func scoreShapesAndNonFiniteValues() throws {
        let tmp = try TemporaryDirectory()
        for shape in [[2, 3], [1, 2, 3], [2, 3, 1]] {
            let path = tmp.path("s.npy")
            try NPYWriter.write(NDArray(shape: shape, values: [0, 1, 2, 3, 4, 5]), to: path)
            let scores = try ScoreReader.read(path)
            #expect(scores.width == 3 && scores.height == 2 && scores[2, 1] == 5, "\(shape)")
        }
        let bad = tmp.path("bad.npy")
        try NPYWriter.write(NDArray(shape: [2, 2], values: [.nan, .infinity, -.infinity, 0.25]), to: bad)
        let error = s2mError { try ScoreReader.read(bad) }
        #expect(error?.problem == .nonFinite(count: 3))
        #expect(error?.description.hasPrefix("\(bad): 3 NaN/Inf") == true)
        let mapped = try ScoreReader.read(bad, options: ReadOptions(allowNonFinite: true))
        #expect(mapped.pixels == [0, 1, 0, 0.25])

        let cube = tmp.path("cube.npy")
        try NPYWriter.write(NDArray(shape: [2, 2, 2], values: Array(repeating: 0, count: 8)), to: cube)
        #expect(problem { try ScoreReader.read(cube) }?.kind == "unsupported")
        #expect(try NPYReader.read(cube).shape == [2, 2, 2])  // the general reader takes any shape
    }

    @Test func pixelLimitIsCheckedFromTheHeader() throws {
        let tmp = try TemporaryDirectory()
        let path = tmp.path("s.npy")
        try NPYWriter.write(NDArray(shape: [4, 5], values: Array(repeating: 0, count: 20)), to: path)
        #expect(problem { try ScoreReader.read(path, options: ReadOptions(maxPixels: 19)) } == .tooLarge(width: 5, height: 4, limit: 19))
        #expect(try ScoreReader.read(path, options: ReadOptions(maxPixels: 20)).count == 20)
    }

    @Test func labelsFromIntegerArrays() throws {
        let tmp = try TemporaryDirectory()
        let path = tmp.path("l.npy")
        try tmp.write(try NPYWriter.encode(NDArray(shape: [1, 3], values: [0, 1, 255]), dtype: .uint8), "l.npy")
        #expect(try LabelReader.read(path).pixels == [0, 1, 255])
        try tmp.write(try NPYWriter.encode(NDArray(shape: [1, 2], values: [0, 70000]), dtype: .int32), "l.npy")
        #expect(problem { try LabelReader.read(path) }?.kind == "invalid")
        try tmp.write(try NPYWriter.encode(NDArray(shape: [1, 2], values: [0, 1])), "l.npy")
        #expect(problem { try LabelReader.read(path) }?.kind == "unsupported")  // float labels
    }
}

/// The SAM helper's fixtures read through the general N-D reader.
@Suite struct IONPYSharedFixtureTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: SharedData.samFixtures.path), "../shared/fixtures/sam not found: skipped"))
    func samFixtureTensorsHaveTheirShapes() throws {
        let folder = SharedData.samFixtures.appendingPathComponent("sam_vit_tiny_random")
        let input = try NPYReader.read(folder.appendingPathComponent("input_tensor.npy").path)
        #expect(input.shape == [1, 3, 1024, 1024] && input.sourceType == .float32)
        #expect(input.values.allSatisfy { $0.isFinite })
        let logits = try NPYReader.read(folder.appendingPathComponent("point_mask_logits.npy").path)
        #expect(logits.shape == [3, 300, 451])
        let image = try ImageReader.read(SharedData.samFixtures.appendingPathComponent("image.png").path)
        #expect(image.size == RasterSize(width: 451, height: 300))
        // Writing (C, H, W) logits and reading them back is exact.
        let tmp = try TemporaryDirectory()
        try NPYWriter.write(logits, to: tmp.path("logits.npy"))
        #expect(try NPYReader.read(tmp.path("logits.npy")).values == logits.values)
    }
}
