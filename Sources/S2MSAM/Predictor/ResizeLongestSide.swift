import CSAMKernels
import S2MCore

/// SamPredictor's preprocessing: resize so the longest side is `target` pixels (Pillow's bilinear
/// resampling of 8-bit RGB, exactly), normalise each channel by the model's pixel mean and
/// standard deviation, and pad with zeros at the right and bottom to target x target.
public struct ResizeLongestSide: Sendable {
    public let target: Int

    public init(target: Int = 1024) {
        self.target = target
    }

    /// The resized (height, width) of a height x width image: scale = target / longest side,
    /// each side rounded half up.
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let scale = Double(target) / Double(max(height, width))
        return (Int(Double(height) * scale + 0.5), Int(Double(width) * scale + 0.5))
    }

    /// The image resized to `resizedSize`, 8 bits per channel.
    public func resize(_ image: RGBImage) throws -> RGBImage {
        let (h, w) = resizedSize(height: image.height, width: image.width)
        guard image.width > 0, image.height > 0, h > 0, w > 0 else {
            throw S2MError(file: nil, .invalid("cannot resize an empty \(image.width)x\(image.height) image"))
        }
        var out = [RGB](repeating: RGB(0, 0, 0), count: w * h)
        var tmp = [UInt8](repeating: 0, count: w * image.height * 3)
        let status = image.pixels.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                tmp.withUnsafeMutableBufferPointer { t in
                    sam_resize_rgb8_bilinear(src.baseAddress!.assumingMemoryBound(to: UInt8.self), image.width, image.height,
                                             dst.baseAddress!.assumingMemoryBound(to: UInt8.self), w, h, t.baseAddress!)
                }
            }
        }
        guard status == 0 else { throw S2MError(file: nil, .invalid("out of memory resizing a \(image.width)x\(image.height) image")) }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// The model input: 3 x target x target (CHW), normalised and zero-padded.
    public func modelInput(_ image: RGBImage, pixelMean: [Double], pixelStd: [Double]) throws -> Tensor {
        let resized = try resize(image)
        let input = Tensor(zeros: [3, target, target])
        // Normalise through 256-entry tables, computed in double precision.
        let tables = (0..<3).flatMap { c in (0..<256).map { Float((Double($0) - pixelMean[c]) / pixelStd[c]) } }
        resized.pixels.withUnsafeBytes { px in
            sam_rgb8_to_planes(px.baseAddress!.assumingMemoryBound(to: UInt8.self), resized.width, resized.height,
                               tables, input.pointer, target, target * target)
        }
        return input
    }

    /// Maps a coordinate of the original image to the resized frame (x by width ratio, y by height ratio).
    public func apply(x: Double, y: Double, originalHeight: Int, originalWidth: Int) -> (x: Double, y: Double) {
        let (h, w) = resizedSize(height: originalHeight, width: originalWidth)
        return (x * (Double(w) / Double(originalWidth)), y * (Double(h) / Double(originalHeight)))
    }
}
