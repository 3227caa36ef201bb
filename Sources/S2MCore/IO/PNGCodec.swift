import CPNG
import Foundation

/// A decoded PNG with its samples exactly as stored: no gamma, no scaling, no palette expansion.
/// Labels need the raw values (palette indices are label values), scores need value / max, photos
/// need 8-bit RGB: ``PNGCodec`` decodes once and the readers convert.
public struct PNGImage: Sendable {
    /// The PNG colour types.
    public enum ColorType: String, Sendable, Codable {
        case gray, grayAlpha = "gray+alpha", rgb, rgba, palette

        /// Samples per pixel in ``PNGImage/samples`` (a palette pixel is one index).
        public var channels: Int {
            switch self {
            case .gray, .palette: return 1
            case .grayAlpha: return 2
            case .rgb: return 3
            case .rgba: return 4
            }
        }
    }

    /// Samples of 1..8-bit images (one byte each, value as stored) or of 16-bit images.
    public enum Samples: Sendable {
        case eightBit([UInt8])
        case sixteenBit([UInt16])
    }

    public let width: Int
    public let height: Int
    /// Bits per sample as stored: 1, 2, 4, 8 or 16.
    public let bitDepth: Int
    public let colorType: ColorType
    public let interlaced: Bool
    /// The PLTE entries (empty for non-palette images without a suggested palette).
    public let palette: [RGB]
    /// `width * height * colorType.channels` samples, row-major, channels interleaved.
    public let samples: Samples

    /// The largest sample value, `2^bitDepth - 1` (palette images: the largest possible index).
    public var maxSampleValue: Int { (1 << bitDepth) - 1 }

    /// Sample `channel` of pixel `index` (`y * width + x`) as an integer.
    @inlinable
    public func sample(_ index: Int, channel: Int = 0) -> Int {
        let i = index * colorType.channels + channel
        switch samples {
        case .eightBit(let s): return Int(s[i])
        case .sixteenBit(let s): return Int(s[i])
        }
    }
}

/// The PNG header without pixels (for `s2m info` and for limit checks).
public struct PNGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var bitDepth: Int
    public var colorType: PNGImage.ColorType
    public var interlaced: Bool
}

/// PNG decoding and encoding through libpng (the `CPNG` wrapper).
public enum PNGCodec {
    /// Reads only the header of the PNG in `data`; `file` names it in errors.
    public static func readHeader(_ data: Data, file: String) throws -> PNGHeader {
        let info = try readInfo(data, file: file)
        return try header(from: info, file: file)
    }

    /// Decodes the PNG in `data`. The pixel limit of `options` is checked before allocating.
    public static func decode(_ data: Data, file: String, options: ReadOptions = ReadOptions()) throws -> PNGImage {
        let info = try readInfo(data, file: file)
        let header = try header(from: info, file: file)
        try options.checkPixelLimit(width: header.width, height: header.height, file: file)
        let channels = header.colorType.channels
        let count = header.width * header.height * channels
        var palette: [RGB] = []
        withUnsafeBytes(of: info.palette) { raw in
            for i in 0..<Int(info.palette_count) {
                palette.append(RGB(raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]))
            }
        }
        if header.colorType == .palette && palette.isEmpty {
            throw S2MError(file: file, .corrupt("palette PNG without a PLTE chunk"))
        }
        var error = cpng_error()
        let samples: PNGImage.Samples
        if header.bitDepth == 16 {
            var buffer = [UInt16](repeating: 0, count: count)
            let code = data.withUnsafeBytes { src in
                buffer.withUnsafeMutableBytes { dst in
                    cpng_read_pixels(src.bindMemory(to: UInt8.self).baseAddress, src.count,
                                     dst.bindMemory(to: UInt8.self).baseAddress, dst.count, &error)
                }
            }
            try check(code, error, file: file)
            samples = .sixteenBit(buffer)
        } else {
            var buffer = [UInt8](repeating: 0, count: count)
            let code = data.withUnsafeBytes { src in
                buffer.withUnsafeMutableBytes { dst in
                    cpng_read_pixels(src.bindMemory(to: UInt8.self).baseAddress, src.count,
                                     dst.bindMemory(to: UInt8.self).baseAddress, dst.count, &error)
                }
            }
            try check(code, error, file: file)
            if header.colorType == .palette {
                // An index past the palette is an error of the file (libpng does not check it).
                let entries = palette.count
                if entries < 256, let bad = buffer.first(where: { Int($0) >= entries }) {
                    throw S2MError(file: file, .corrupt("palette index \(bad) but the palette has \(entries) entries"))
                }
            }
            samples = .eightBit(buffer)
        }
        return PNGImage(width: header.width, height: header.height, bitDepth: header.bitDepth,
                        colorType: header.colorType, interlaced: header.interlaced,
                        palette: palette, samples: samples)
    }

    /// Encodes an 8-bit RGB PNG.
    public static func encode(_ image: RGBImage, compressionLevel: Int = 6) throws -> Data {
        try image.pixels.withUnsafeBytes { raw in
            try encode(raw.baseAddress, width: image.width, height: image.height, channels: 3, bitDepth: 8,
                       compressionLevel: compressionLevel)
        }
    }

    /// Encodes an 8-bit grayscale PNG.
    public static func encode(_ gray: Raster<UInt8>, compressionLevel: Int = 6) throws -> Data {
        try gray.pixels.withUnsafeBytes { raw in
            try encode(raw.baseAddress, width: gray.width, height: gray.height, channels: 1, bitDepth: 8,
                       compressionLevel: compressionLevel)
        }
    }

    /// Encodes a 16-bit grayscale PNG.
    public static func encode(_ gray: Raster<UInt16>, compressionLevel: Int = 6) throws -> Data {
        try gray.pixels.withUnsafeBytes { raw in
            try encode(raw.baseAddress, width: gray.width, height: gray.height, channels: 1, bitDepth: 16,
                       compressionLevel: compressionLevel)
        }
    }

    /// Encodes a label map: 8-bit gray when every value fits in a byte, else 16-bit gray.
    public static func encodeLabels(_ labels: LabelMap, compressionLevel: Int = 9) throws -> Data {
        if labels.pixels.allSatisfy({ $0 <= 255 }) {
            return try encode(labels.map { UInt8($0) }, compressionLevel: compressionLevel)
        }
        return try encode(labels, compressionLevel: compressionLevel)
    }

    // MARK: - Internals

    private static func readInfo(_ data: Data, file: String) throws -> cpng_info {
        var info = cpng_info()
        var error = cpng_error()
        let code = data.withUnsafeBytes { src in
            cpng_read_info(src.bindMemory(to: UInt8.self).baseAddress, src.count, &info, &error)
        }
        if data.isEmpty { throw S2MError(file: file, .truncated("empty file")) }
        try check(code, error, file: file)
        return info
    }

    private static func header(from info: cpng_info, file: String) throws -> PNGHeader {
        let colorType: PNGImage.ColorType
        switch Int(info.color_type) {
        case Int(CPNG_COLOR_GRAY): colorType = .gray
        case Int(CPNG_COLOR_GRAY_ALPHA): colorType = .grayAlpha
        case Int(CPNG_COLOR_RGB): colorType = .rgb
        case Int(CPNG_COLOR_RGBA): colorType = .rgba
        case Int(CPNG_COLOR_PALETTE): colorType = .palette
        default: throw S2MError(file: file, .corrupt("unknown PNG colour type \(info.color_type)"))
        }
        return PNGHeader(width: Int(info.width), height: Int(info.height), bitDepth: Int(info.bit_depth),
                         colorType: colorType, interlaced: info.interlaced != 0)
    }

    private static func encode(_ pixels: UnsafeRawPointer?, width: Int, height: Int, channels: Int, bitDepth: Int,
                               compressionLevel: Int) throws -> Data {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw S2MError(file: nil, .writeFailed("a PNG needs 1 to 2^31-1 columns and rows, got \(width)x\(height)"))
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var error = cpng_error()
        let code = cpng_write(pixels, UInt32(width), UInt32(height), Int32(channels), Int32(bitDepth),
                              Int32(compressionLevel), &out, &size, &error)
        guard code == CPNG_OK, let out else {
            throw S2MError(file: nil, .writeFailed("PNG encoding failed: \(message(error))"))
        }
        defer { cpng_free(out) }
        return Data(bytes: out, count: size)
    }

    private static func message(_ error: cpng_error) -> String {
        withUnsafeBytes(of: error.message) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func check(_ code: cpng_code, _ error: cpng_error, file: String) throws {
        let text = message(error)
        switch code {
        case CPNG_OK: return
        case CPNG_TRUNCATED: throw S2MError(file: file, .truncated("PNG \(text)"))
        case CPNG_UNSUPPORTED: throw S2MError(file: file, .unsupported("PNG: \(text)"))
        case CPNG_NO_MEMORY: throw S2MError(file: file, .unreadable("out of memory decoding PNG (\(text))"))
        case CPNG_CORRUPT where text.hasPrefix("not a PNG"): throw S2MError(file: file, .corrupt(text))
        default: throw S2MError(file: file, .corrupt("PNG: \(text)"))
        }
    }
}
