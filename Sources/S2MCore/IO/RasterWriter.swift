/// Atomic writers for the rasters s2m saves (masks, labels, previews). Every write goes through
/// ``AtomicFileWriter`` and refuses to overwrite any path in `protecting`.
public enum RasterWriter {
    /// Writes an 8-bit RGB PNG.
    public static func writePNG(_ image: RGBImage, to path: String, protecting inputs: [String] = []) throws {
        try AtomicFileWriter.checkNotAnInput(path, inputs: inputs)
        try AtomicFileWriter.write(try attributed(path) { try PNGCodec.encode(image) }, to: path, protecting: inputs)
    }

    /// Writes an 8-bit grayscale PNG.
    public static func writePNG(_ gray: Raster<UInt8>, to path: String, protecting inputs: [String] = []) throws {
        try AtomicFileWriter.checkNotAnInput(path, inputs: inputs)
        try AtomicFileWriter.write(try attributed(path) { try PNGCodec.encode(gray) }, to: path, protecting: inputs)
    }

    /// Writes a 16-bit grayscale PNG.
    public static func writePNG(_ gray: Raster<UInt16>, to path: String, protecting inputs: [String] = []) throws {
        try AtomicFileWriter.checkNotAnInput(path, inputs: inputs)
        try AtomicFileWriter.write(try attributed(path) { try PNGCodec.encode(gray) }, to: path, protecting: inputs)
    }

    /// Writes a mask as an 8-bit grayscale PNG holding `trueValue` (default 1) and 0.
    public static func writeMask(_ mask: Mask, to path: String, trueValue: UInt8 = 1, protecting inputs: [String] = []) throws {
        try writePNG(mask.map { $0 ? trueValue : 0 }, to: path, protecting: inputs)
    }

    /// Writes a label map as 8-bit gray PNG when all values fit, else 16-bit.
    public static func writeLabels(_ labels: LabelMap, to path: String, protecting inputs: [String] = []) throws {
        try AtomicFileWriter.checkNotAnInput(path, inputs: inputs)
        try AtomicFileWriter.write(try attributed(path) { try PNGCodec.encodeLabels(labels) }, to: path, protecting: inputs)
    }

    private static func attributed<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as S2MError { throw error.attributed(to: path) }
    }
}
