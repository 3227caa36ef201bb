import Foundation

/// Reads photos (PNG, JPEG, WebP; recognised by magic bytes) into 8-bit ``RGBImage`` values.
///
/// PNG conversion: gray becomes r = g = b; samples of other bit depths are scaled to 0...255
/// (`round(v * 255 / (2^depth - 1))`); palette indices are looked up; alpha is dropped (not
/// composited over a background).
public enum ImageReader {
    /// Reads the image at `path`.
    public static func read(_ path: String, options: ReadOptions = ReadOptions()) throws -> RGBImage {
        let (data, format) = try InputFile.readDetectingFormat(path)
        return try decode(data, format: format, file: path, options: options)
    }

    /// Decodes image bytes of a known format; `file` names them in errors.
    public static func decode(_ data: Data, format: FileFormat, file: String, options: ReadOptions = ReadOptions()) throws -> RGBImage {
        switch format {
        case .png: return rgb(from: try PNGCodec.decode(data, file: file, options: options))
        case .jpeg: return try JPEGDecoder.decode(data, file: file, options: options)
        case .webp: return try WebPDecoder.decode(data, file: file, options: options)
        case .npy, .npz:
            throw S2MError(file: file, .unsupported("\(format.displayName) holds arrays, not a photo; an image must be PNG, JPEG or WebP"))
        }
    }

    /// Converts any decoded PNG to 8-bit RGB as described above.
    public static func rgb(from png: PNGImage) -> RGBImage {
        let n = png.width * png.height
        var pixels = [RGB](repeating: RGB(0, 0, 0), count: n)
        switch png.colorType {
        case .palette:
            guard case .eightBit(let indices) = png.samples else { break }
            for i in 0..<n { pixels[i] = png.palette[Int(indices[i])] }
        case .gray, .grayAlpha:
            let scale = scaler(bitDepth: png.bitDepth)
            for i in 0..<n { pixels[i] = RGB(gray: scale(png.sample(i))) }
        case .rgb, .rgba:
            let scale = scaler(bitDepth: png.bitDepth)
            for i in 0..<n {
                pixels[i] = RGB(scale(png.sample(i, channel: 0)), scale(png.sample(i, channel: 1)), scale(png.sample(i, channel: 2)))
            }
        }
        return RGBImage(width: png.width, height: png.height, pixels: pixels)
    }

    /// A function mapping a sample of `bitDepth` bits to 0...255, rounding to nearest.
    static func scaler(bitDepth: Int) -> (Int) -> UInt8 {
        let max = (1 << bitDepth) - 1
        if bitDepth == 8 { return { UInt8($0) } }
        return { UInt8(($0 * 255 + max / 2) / max) }
    }
}
