import Foundation

/// Reads ground-truth label maps into ``LabelMap`` values, keeping the stored values exactly
/// (their meaning comes from a ``LabelEncoding``).
///
/// Accepted: grayscale PNG of any bit depth (raw values, e.g. 0/1/255 or 0/2), palette PNG (the
/// palette index is the label value, as in Cityscapes-style label files), RGB/RGBA PNG whose
/// pixels all have r = g = b (a grayscale label saved as colour), and NPY/NPZ arrays of integer or
/// bool dtype with values in 0...65535. Colour visualisations and lossy formats are refused.
public enum LabelReader {
    /// Reads the label map at `path`.
    public static func read(_ path: String, options: ReadOptions = ReadOptions()) throws -> LabelMap {
        let (data, format) = try InputFile.readDetectingFormat(path)
        return try decode(data, format: format, file: path, options: options)
    }

    /// Decodes label bytes of a known format; `file` names them in errors.
    public static func decode(_ data: Data, format: FileFormat, file: String, options: ReadOptions = ReadOptions()) throws -> LabelMap {
        switch format {
        case .png:
            return try labels(from: try PNGCodec.decode(data, file: file, options: options), file: file)
        case .npy:
            let header = try NPYHeader.parse(data, file: file)
            try ScoreReader.checkShape(header.shape, file: file, options: options)
            return try labels(from: try NPYReader.decode(data, header: header, file: file), file: file)
        case .npz:
            let array = try NPZReader.decode(data, file: file, key: options.npzMember, maxBytes: ScoreReader.maxArrayBytes(options))
            try ScoreReader.checkShape(array.shape, file: file, options: options)
            return try labels(from: array, file: file)
        case .jpeg, .webp:
            throw S2MError(file: file, .unsupported("\(format.displayName) is lossy and cannot hold exact label values; labels must be PNG or NPY"))
        }
    }

    /// Label values of a decoded PNG (see the type's documentation for what is accepted).
    public static func labels(from png: PNGImage, file: String) throws -> LabelMap {
        let n = png.width * png.height
        var values = [UInt16](repeating: 0, count: n)
        switch png.colorType {
        case .gray, .palette:
            for i in 0..<n { values[i] = UInt16(png.sample(i)) }
        case .rgb, .rgba:
            for i in 0..<n {
                let r = png.sample(i, channel: 0)
                guard r == png.sample(i, channel: 1), r == png.sample(i, channel: 2) else {
                    throw S2MError(file: file, .unsupported("colour label image (\(png.colorType.rawValue), pixel (\(i % png.width), \(i / png.width)) is not gray); labels must be grayscale or palette PNG holding one class value per pixel"))
                }
                values[i] = UInt16(r)
            }
        case .grayAlpha:
            throw S2MError(file: file, .unsupported("gray+alpha PNG; labels must be grayscale or palette PNG without alpha"))
        }
        return LabelMap(width: png.width, height: png.height, pixels: values)
    }

    /// Label values of an array: integer or bool dtypes, whole values in 0...65535.
    public static func labels(from array: NDArray, file: String) throws -> LabelMap {
        if let type = array.sourceType, type.kind == .float {
            throw S2MError(file: file, .unsupported("label array of float dtype \(type); labels must be an integer or bool dtype"))
        }
        let map = try array.scoreMap(file: file)
        var values = [UInt16](repeating: 0, count: map.count)
        for (i, v) in map.pixels.enumerated() {
            guard let exact = UInt16(exactly: v) else {
                throw S2MError(file: file, .invalid("label value \(v) at (\(i % map.width), \(i / map.width)) is outside 0...65535"))
            }
            values[i] = exact
        }
        return LabelMap(width: map.width, height: map.height, pixels: values)
    }
}
