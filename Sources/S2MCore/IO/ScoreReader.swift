import Foundation

/// Reads anomaly score maps into ``ScoreMap`` values.
///
/// Accepted: NPY and NPZ arrays of shape (H, W), (1, H, W) or (H, W, 1), any numeric dtype
/// (converted to Float32); grayscale PNG (1 to 16 bits), read as value / (2^depth - 1) so 8-bit
/// scores lie in [0, 1]. NaN and ±Inf are refused with their count unless
/// ``ReadOptions/allowNonFinite`` maps NaN and -Inf to 0 and +Inf to 1.
public enum ScoreReader {
    /// Reads the score map at `path`.
    public static func read(_ path: String, options: ReadOptions = ReadOptions()) throws -> ScoreMap {
        let (data, format) = try InputFile.readDetectingFormat(path)
        return try decode(data, format: format, file: path, options: options)
    }

    /// Decodes score bytes of a known format; `file` names them in errors.
    public static func decode(_ data: Data, format: FileFormat, file: String, options: ReadOptions = ReadOptions()) throws -> ScoreMap {
        let raw = try decodeRaw(data, format: format, file: file, options: options)
        return try finite(raw, file: file, options: options)
    }

    /// Decodes without the NaN/Inf check (for inspection).
    public static func decodeRaw(_ data: Data, format: FileFormat, file: String, options: ReadOptions = ReadOptions()) throws -> ScoreMap {
        switch format {
        case .npy:
            let header = try NPYHeader.parse(data, file: file)
            try checkShape(header.shape, file: file, options: options)
            return try NPYReader.decode(data, header: header, file: file).scoreMap(file: file)
        case .npz:
            let array = try NPZReader.decode(data, file: file, key: options.npzMember, maxBytes: maxArrayBytes(options))
            try checkShape(array.shape, file: file, options: options)
            return try array.scoreMap(file: file)
        case .png:
            let png = try PNGCodec.decode(data, file: file, options: options)
            return try scores(from: png, file: file)
        case .jpeg, .webp:
            throw S2MError(file: file, .unsupported("\(format.displayName) is lossy; scores must be NPY, NPZ or grayscale PNG"))
        }
    }

    /// A grayscale PNG's samples divided by the largest sample value.
    public static func scores(from png: PNGImage, file: String) throws -> ScoreMap {
        guard png.colorType == .gray else {
            throw S2MError(file: file, .unsupported("\(png.colorType.rawValue) PNG; a score PNG must be single-channel grayscale"))
        }
        let max = Float(png.maxSampleValue)
        var pixels = [Float](repeating: 0, count: png.width * png.height)
        switch png.samples {
        case .eightBit(let s): for i in pixels.indices { pixels[i] = Float(s[i]) / max }
        case .sixteenBit(let s): for i in pixels.indices { pixels[i] = Float(s[i]) / max }
        }
        return ScoreMap(width: png.width, height: png.height, pixels: pixels)
    }

    /// Applies the NaN/Inf policy: refuse with the count, or map NaN and -Inf to 0, +Inf to 1.
    public static func finite(_ scores: ScoreMap, file: String, options: ReadOptions) throws -> ScoreMap {
        var bad = 0
        for v in scores.pixels where !v.isFinite { bad += 1 }
        if bad == 0 { return scores }
        guard options.allowNonFinite else { throw S2MError(file: file, .nonFinite(count: bad)) }
        return scores.map { v in
            if v.isFinite { return v }
            return v == .infinity ? 1 : 0
        }
    }

    /// Checks that a shape is a score map shape within the pixel limit, before decoding.
    static func checkShape(_ shape: [Int], file: String, options: ReadOptions) throws {
        let probe = NDArray.sizeOfScoreShape(shape)
        guard let size = probe else {
            throw S2MError(file: file, .unsupported("array of shape \(NDArray.describe(shape: shape)); a score map must be (H, W), (1, H, W) or (H, W, 1)"))
        }
        try options.checkPixelLimit(width: size.width, height: size.height, file: file)
    }

    /// The largest NPZ member worth inflating under `options`: the pixel limit in 8-byte values
    /// plus room for the header.
    static func maxArrayBytes(_ options: ReadOptions) -> UInt64 {
        UInt64(max(0, options.maxPixels)).multipliedReportingOverflow(by: 8).partialValue + 1 << 20
    }
}

extension NDArray {
    /// The raster size of a score map stored with `shape`, or `nil` when the shape is not one.
    static func sizeOfScoreShape(_ shape: [Int]) -> RasterSize? {
        switch shape.count {
        case 2: return RasterSize(width: shape[1], height: shape[0])
        case 3 where shape[0] == 1: return RasterSize(width: shape[2], height: shape[1])
        case 3 where shape[2] == 1: return RasterSize(width: shape[1], height: shape[0])
        default: return nil
        }
    }
}
