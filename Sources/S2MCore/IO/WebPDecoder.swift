import CWebP
import Foundation

/// Facts about a WebP read from its header.
public struct WebPHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var hasAlpha: Bool
    public var isAnimated: Bool
    /// `"lossy"`, `"lossless"` or `"mixed"` (animations).
    public var compression: String
}

/// WebP decoding to 8-bit RGB through libwebp. Alpha is dropped (not composited); animated
/// WebP files are refused.
public enum WebPDecoder {
    /// Reads the header only.
    public static func readHeader(_ data: Data, file: String) throws -> WebPHeader {
        if data.isEmpty { throw S2MError(file: file, .truncated("empty file")) }
        var features = WebPBitstreamFeatures()
        let status = data.withUnsafeBytes { src in
            WebPGetFeaturesInternal(src.bindMemory(to: UInt8.self).baseAddress, src.count, &features,
                                    WEBP_DECODER_ABI_VERSION)
        }
        try check(status, file: file)
        guard features.width > 0, features.height > 0 else {
            throw S2MError(file: file, .corrupt("WebP header gives a size of \(features.width)x\(features.height)"))
        }
        let compression: String
        switch features.format {
        case 1: compression = "lossy"
        case 2: compression = "lossless"
        default: compression = "mixed"
        }
        return WebPHeader(width: Int(features.width), height: Int(features.height),
                          hasAlpha: features.has_alpha != 0, isAnimated: features.has_animation != 0,
                          compression: compression)
    }

    /// Decodes the WebP in `data`; the pixel limit is checked before allocating.
    public static func decode(_ data: Data, file: String, options: ReadOptions = ReadOptions()) throws -> RGBImage {
        let info = try readHeader(data, file: file)
        if info.isAnimated { throw S2MError(file: file, .unsupported("animated WebP")) }
        try options.checkPixelLimit(width: info.width, height: info.height, file: file)
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfigInternal(&config, WEBP_DECODER_ABI_VERSION) != 0 else {
            throw S2MError(file: file, .unreadable("libwebp version mismatch"))
        }
        var pixels = [RGB](repeating: RGB(0, 0, 0), count: info.width * info.height)
        let status = data.withUnsafeBytes { src in
            pixels.withUnsafeMutableBytes { dst in
                config.output.colorspace = MODE_RGB
                config.output.is_external_memory = 1
                config.output.u.RGBA.rgba = dst.bindMemory(to: UInt8.self).baseAddress
                config.output.u.RGBA.stride = Int32(info.width * 3)
                config.output.u.RGBA.size = dst.count
                return WebPDecode(src.bindMemory(to: UInt8.self).baseAddress, src.count, &config)
            }
        }
        WebPFreeDecBuffer(&config.output)
        try check(status, file: file)
        return RGBImage(width: info.width, height: info.height, pixels: pixels)
    }

    private static func check(_ status: VP8StatusCode, file: String) throws {
        switch status {
        case VP8_STATUS_OK: return
        case VP8_STATUS_NOT_ENOUGH_DATA, VP8_STATUS_SUSPENDED:
            throw S2MError(file: file, .truncated("WebP data ends early"))
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            throw S2MError(file: file, .unsupported("WebP feature not supported by libwebp"))
        case VP8_STATUS_OUT_OF_MEMORY:
            throw S2MError(file: file, .unreadable("out of memory decoding WebP"))
        case VP8_STATUS_BITSTREAM_ERROR:
            throw S2MError(file: file, .corrupt("WebP bitstream error"))
        default:
            throw S2MError(file: file, .corrupt("WebP decoder status \(status.rawValue)"))
        }
    }
}
