import CTurboJPEG
import Foundation

/// Facts about a JPEG read from its header.
public struct JPEGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Colour components in the file: 1 (grayscale), 3 (YCbCr/RGB) or 4 (CMYK/YCCK).
    public var components: Int
    /// Chroma subsampling, e.g. `"4:2:0"`, `"4:4:4"`, `"gray"`.
    public var subsampling: String
}

/// JPEG decoding to 8-bit RGB through libjpeg-turbo's TurboJPEG API (accurate integer IDCT,
/// smooth chroma upsampling, the library defaults). Grayscale JPEGs come out with r = g = b.
public enum JPEGDecoder {
    /// Reads the header only.
    public static func readHeader(_ data: Data, file: String) throws -> JPEGHeader {
        try withDecompressor(file: file) { handle in try header(handle, data, file: file) }
    }

    /// Decodes the JPEG in `data`; the pixel limit is checked before allocating.
    ///
    /// A file cut short (libjpeg's "Premature end of JPEG file") and data errors libjpeg can only
    /// warn about ("Corrupt JPEG data: bad Huffman code", ...) are errors here, so a damaged photo is
    /// never shown as if it were whole. The one harmless warning, extraneous bytes between markers,
    /// is accepted as every common viewer does.
    public static func decode(_ data: Data, file: String, options: ReadOptions = ReadOptions()) throws -> RGBImage {
        try withDecompressor(file: file) { handle in
            let info = try header(handle, data, file: file)
            try options.checkPixelLimit(width: info.width, height: info.height, file: file)
            var pixels = [RGB](repeating: RGB(0, 0, 0), count: info.width * info.height)
            let status = data.withUnsafeBytes { src in
                pixels.withUnsafeMutableBytes { dst in
                    tjDecompress2(handle, src.bindMemory(to: UInt8.self).baseAddress, UInt(src.count),
                                  dst.bindMemory(to: UInt8.self).baseAddress, Int32(info.width), 0,
                                  Int32(info.height), Int32(TJPF_RGB.rawValue), 0)
                }
            }
            if status != 0 {
                let text = message(handle)
                let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
                if !(isWarning && text.contains("extraneous bytes")) {
                    throw classify(text, file: file)
                }
            }
            return RGBImage(width: info.width, height: info.height, pixels: pixels)
        }
    }

    private static func withDecompressor<T>(file: String, _ body: (tjhandle) throws -> T) throws -> T {
        guard let handle = tjInitDecompress() else {
            throw S2MError(file: file, .unreadable("cannot start the JPEG decoder"))
        }
        defer { tjDestroy(handle) }
        return try body(handle)
    }

    private static func header(_ handle: tjhandle, _ data: Data, file: String) throws -> JPEGHeader {
        if data.isEmpty { throw S2MError(file: file, .truncated("empty file")) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBytes { src in
            tjDecompressHeader3(handle, src.bindMemory(to: UInt8.self).baseAddress, UInt(src.count),
                                &width, &height, &subsampling, &colorspace)
        }
        if status != 0 { throw classify(message(handle), file: file) }
        guard width > 0, height > 0 else {
            // libjpeg stops quietly when the data ends before the frame header; a complete file
            // (ending in the EOI marker FF D9) without one is corrupt instead.
            if data.count >= 2 && data[data.endIndex - 2] == 0xFF && data[data.endIndex - 1] == 0xD9 {
                throw S2MError(file: file, .corrupt("JPEG has no frame header (size \(width)x\(height))"))
            }
            throw S2MError(file: file, .truncated("JPEG data ends before the frame header"))
        }
        let components: Int
        switch colorspace {
        case Int32(TJCS_GRAY.rawValue): components = 1
        case Int32(TJCS_CMYK.rawValue), Int32(TJCS_YCCK.rawValue): components = 4
        default: components = 3
        }
        let names: [Int32: String] = [
            Int32(TJSAMP_444.rawValue): "4:4:4", Int32(TJSAMP_422.rawValue): "4:2:2",
            Int32(TJSAMP_420.rawValue): "4:2:0", Int32(TJSAMP_GRAY.rawValue): "gray",
            Int32(TJSAMP_440.rawValue): "4:4:0", Int32(TJSAMP_411.rawValue): "4:1:1",
        ]
        return JPEGHeader(width: Int(width), height: Int(height), components: components,
                          subsampling: names[subsampling] ?? "unknown")
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown JPEG error" }
        return String(cString: text)
    }

    private static func classify(_ text: String, file: String) -> S2MError {
        let lower = text.lowercased()
        if lower.contains("premature end") || lower.contains("too small") || lower.contains("ends unexpectedly") {
            return S2MError(file: file, .truncated("JPEG data ends early (\(text))"))
        }
        if lower.contains("unsupported") || lower.contains("not supported") {
            return S2MError(file: file, .unsupported("JPEG: \(text)"))
        }
        return S2MError(file: file, .corrupt("JPEG: \(text)"))
    }
}
