import Foundation

/// Reads NPY files (numpy's `.npy`) into ``NDArray`` values.
///
/// Versions 1.0, 2.0, 3.0; little and big endian; C and Fortran order; dtypes f2 f4 f8 u1 u2 u4 u8
/// i1 i2 i4 i8 b1. The data length must match the header exactly: fewer bytes is `.truncated`,
/// more is `.corrupt` (a lying header), and nothing is allocated before that check.
public enum NPYReader {
    /// Reads the NPY file at `path`.
    public static func read(_ path: String) throws -> NDArray {
        let data = try InputFile.read(path)
        return try decode(data, file: path)
    }

    /// Decodes an NPY held in memory; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> NDArray {
        let header = try NPYHeader.parse(data, file: file)
        return try decode(data, header: header, file: file)
    }

    /// Decodes the array data that follows an already parsed `header`.
    public static func decode(_ data: Data, header: NPYHeader, file: String) throws -> NDArray {
        let available = data.count - header.dataOffset
        let needed = header.dataByteCount
        if available < needed {
            throw S2MError(file: file, .truncated("NPY array data is \(available) bytes but shape \(NDArray.describe(shape: header.shape)) of \(header.dtype) needs \(needed)"))
        }
        if available > needed {
            throw S2MError(file: file, .corrupt("NPY file has \(available - needed) bytes after the array data of shape \(NDArray.describe(shape: header.shape)) of \(header.dtype) (header does not match the data)"))
        }
        var values = [Float](repeating: 0, count: header.count)
        data.withUnsafeBytes { raw in
            let payload = UnsafeRawBufferPointer(rebasing: raw[header.dataOffset..<(header.dataOffset + needed)])
            values.withUnsafeMutableBufferPointer { out in
                convert(payload, dtype: header.dtype, into: out)
            }
        }
        if header.fortranOrder && header.shape.count > 1 {
            values = fortranToC(values, shape: header.shape)
        }
        return NDArray(shape: header.shape, values: values, sourceType: header.dtype)
    }

    /// Converts `out.count` elements of `dtype` stored in `raw` to Float.
    static func convert(_ raw: UnsafeRawBufferPointer, dtype: NPYDType, into out: UnsafeMutableBufferPointer<Float>) {
        let swap = dtype.isBigEndian != (UInt16(1).bigEndian == 1)
        let n = out.count
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
            return swap ? v.byteSwapped : v
        }
        switch (dtype.kind, dtype.size) {
        case (.float, 2): for i in 0..<n { out[i] = HalfFloat.float(fromBits: load(UInt16.self, i)) }
        case (.float, 4): for i in 0..<n { out[i] = Float(bitPattern: load(UInt32.self, i)) }
        case (.float, 8): for i in 0..<n { out[i] = Float(Double(bitPattern: load(UInt64.self, i))) }
        case (.unsigned, 1): for i in 0..<n { out[i] = Float(raw[i]) }
        case (.unsigned, 2): for i in 0..<n { out[i] = Float(load(UInt16.self, i)) }
        case (.unsigned, 4): for i in 0..<n { out[i] = Float(load(UInt32.self, i)) }
        case (.unsigned, 8): for i in 0..<n { out[i] = Float(load(UInt64.self, i)) }
        case (.signed, 1): for i in 0..<n { out[i] = Float(Int8(bitPattern: raw[i])) }
        case (.signed, 2): for i in 0..<n { out[i] = Float(Int16(bitPattern: load(UInt16.self, i))) }
        case (.signed, 4): for i in 0..<n { out[i] = Float(Int32(bitPattern: load(UInt32.self, i))) }
        case (.signed, 8): for i in 0..<n { out[i] = Float(Int64(bitPattern: load(UInt64.self, i))) }
        case (.bool, _): for i in 0..<n { out[i] = raw[i] != 0 ? 1 : 0 }
        default: preconditionFailure("unsupported dtype \(dtype) passed header validation")
        }
    }

    /// Reorders values stored in Fortran order (first index fastest) into C order.
    static func fortranToC(_ values: [Float], shape: [Int]) -> [Float] {
        if shape.count == 2 {
            let rows = shape[0], cols = shape[1]
            var out = [Float](repeating: 0, count: values.count)
            values.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<rows {
                        for c in 0..<cols { dst[r * cols + c] = src[c * rows + r] }
                    }
                }
            }
            return out
        }
        // General case: walk the C-order output with an odometer over the index, keeping the
        // Fortran offset (strides 1, d0, d0*d1, ...) up to date.
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var out = [Float](repeating: 0, count: values.count)
        if values.isEmpty { return out }
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for position in 0..<values.count {
            out[position] = values[offset]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += fortranStrides[axis]
                if index[axis] < shape[axis] { break }
                offset -= fortranStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}
