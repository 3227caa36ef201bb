import Foundation

/// Writes NPY files. Scores and logits are written as little-endian float32 (`<f4`) or float16
/// (`<f2`) in C order, format 1.0 (2.0 when the header would not fit in 1.0's 64 KiB).
/// For tests and interchange the encoder also writes every dtype, byte order, memory order and
/// format version the reader accepts.
public enum NPYWriter {
    /// The NPY bytes of `array` stored as `dtype` (float32 by default).
    ///
    /// - Parameters:
    ///   - dtype: element type and byte order in the file. Values are converted: floats rounded to
    ///     nearest (ties to even), integers must be whole numbers inside the type's range and bool
    ///     stores value != 0.
    ///   - fortranOrder: store in column-major order.
    ///   - version: 1, 2 or 3; `nil` picks 1 unless the header needs 2.
    /// - Throws: `.invalid` when a value cannot be represented in an integer dtype.
    public static func encode(_ array: NDArray, dtype: NPYDType = .float32, fortranOrder: Bool = false,
                              version: Int? = nil) throws -> Data {
        var dict = "{'descr': '\(dtype)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(NDArray.describe(shape: array.shape)), }"
        let chosen = version ?? (dict.utf8.count + 11 > 65535 ? 2 : 1)
        precondition((1...3).contains(chosen), "NPY version must be 1, 2 or 3")
        let preamble = chosen == 1 ? 10 : 12
        // Pad with spaces so that the data starts at a multiple of 64 bytes, ending in a newline.
        let unpadded = preamble + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let headerLength = dict.utf8.count
        if chosen == 1 && headerLength > 65535 {
            throw S2MError(file: nil, .invalid("NPY header of \(headerLength) bytes does not fit format 1.0"))
        }

        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, UInt8(chosen), 0])
        if chosen == 1 {
            data.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        } else {
            data.append(contentsOf: (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) })
        }
        data.append(contentsOf: Array(dict.utf8))

        let values = fortranOrder && array.shape.count > 1 ? cToFortran(array.values, shape: array.shape) : array.values
        data.append(try payload(values, dtype: dtype))
        return data
    }

    /// Writes a score map as an (H, W) array, atomically, never over a path in `protecting`.
    public static func write(_ scores: ScoreMap, to path: String, dtype: NPYDType = .float32,
                             protecting inputs: [String] = []) throws {
        try write(NDArray(scores), to: path, dtype: dtype, protecting: inputs)
    }

    /// Writes any array, atomically, never over a path in `protecting`.
    public static func write(_ array: NDArray, to path: String, dtype: NPYDType = .float32,
                             protecting inputs: [String] = []) throws {
        let data: Data
        do {
            data = try encode(array, dtype: dtype)
        } catch let error as S2MError {
            throw error.attributed(to: path)
        }
        try AtomicFileWriter.write(data, to: path, protecting: inputs)
    }

    private static func payload(_ values: [Float], dtype: NPYDType) throws -> Data {
        let swap = dtype.isBigEndian != (UInt16(1).bigEndian == 1)
        var out = Data(count: values.count * dtype.size)
        func integer<T: FixedWidthInteger>(_ v: Float, _: T.Type) throws -> T {
            guard v.isFinite, v.rounded() == v, let exact = T(exactly: v) else {
                throw S2MError(file: nil, .invalid("value \(v) cannot be stored as \(dtype.shortName)"))
            }
            return exact
        }
        try out.withUnsafeMutableBytes { raw in
            func store<T: FixedWidthInteger>(_ v: T, _ i: Int) {
                raw.storeBytes(of: swap ? v.byteSwapped : v, toByteOffset: i * MemoryLayout<T>.size, as: T.self)
            }
            for (i, v) in values.enumerated() {
                switch (dtype.kind, dtype.size) {
                case (.float, 2): store(HalfFloat.bits(from: v), i)
                case (.float, 4): store(v.bitPattern, i)
                case (.float, 8): store(Double(v).bitPattern, i)
                case (.unsigned, 1): store(try integer(v, UInt8.self), i)
                case (.unsigned, 2): store(try integer(v, UInt16.self), i)
                case (.unsigned, 4): store(try integer(v, UInt32.self), i)
                case (.unsigned, 8): store(try integer(v, UInt64.self), i)
                case (.signed, 1): store(try integer(v, Int8.self), i)
                case (.signed, 2): store(try integer(v, Int16.self), i)
                case (.signed, 4): store(try integer(v, Int32.self), i)
                case (.signed, 8): store(try integer(v, Int64.self), i)
                case (.bool, _): store(UInt8(v != 0 ? 1 : 0), i)
                default: preconditionFailure("cannot write dtype \(dtype)")
                }
            }
        }
        return out
    }

    /// Reorders C-order values into Fortran order (first index fastest).
    static func cToFortran(_ values: [Float], shape: [Int]) -> [Float] {
        // Fortran order of shape s is C order of the reversed shape with reversed indices, so
        // reading C-order values as "Fortran" data of the reversed shape transposes them.
        NPYReader.fortranToC(values, shape: Array(shape.reversed()))
    }
}
