import S2MCore

/// For one axis, which source pixels each output pixel covers and with what weight: output i
/// covers the source interval [start + i*step, start + (i+1)*step), step = length / count, and each
/// source pixel j contributes the length of its overlap with that interval, divided by step.
/// This is an exact box filter: no source pixel is skipped (no aliasing when shrinking) and when
/// enlarging each output takes the colour of the pixel(s) under it.
public struct AxisWeights: Sendable {
    /// First source index for each output.
    public let first: [Int]
    /// Start of each output's weights in `weights`; output i uses `weights[offsets[i]..<offsets[i+1]]`.
    public let offsets: [Int]
    /// Weights, summing to 1 for each output.
    public let weights: [Float]

    /// Maps source interval [start, start + length) of an axis with `limit` pixels onto `count` outputs.
    public init(start: Double, length: Double, limit: Int, count: Int) {
        var first = [Int](), offsets = [0], weights = [Float]()
        first.reserveCapacity(count)
        offsets.reserveCapacity(count + 1)
        let step = length / Double(max(count, 1))
        for i in 0..<max(count, 0) {
            let lo = start + Double(i) * step, hi = start + Double(i + 1) * step
            var j0 = Int(lo.rounded(.down)), j1 = Int(hi.rounded(.up)) - 1
            j0 = min(max(j0, 0), limit - 1)
            j1 = min(max(j1, j0), limit - 1)
            var row = [Double]()
            for j in j0...j1 {
                let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                row.append(max(overlap, 0))
            }
            var total = row.reduce(0, +)
            if total <= 0 {  // a degenerate interval: take the nearest pixel
                row = Array(repeating: 0, count: row.count)
                row[0] = 1
                total = 1
            }
            first.append(j0)
            weights.append(contentsOf: row.map { Float($0 / total) })
            offsets.append(weights.count)
        }
        self.first = first
        self.offsets = offsets
        self.weights = weights
    }

    public var count: Int { first.count }
}

/// Something the area resampler can average: a fixed number of float channels.
public protocol AreaSample: Sendable {
    static var channels: Int { get }
    func channel(_ c: Int) -> Float
}

extension RGB: AreaSample {
    public static var channels: Int { 3 }
    @inline(__always)
    public func channel(_ c: Int) -> Float { Float(c == 0 ? r : (c == 1 ? g : b)) }
}

extension Float: AreaSample {
    public static var channels: Int { 1 }
    @inline(__always)
    public func channel(_ c: Int) -> Float { self }
}

extension Bool: AreaSample {
    public static var channels: Int { 1 }
    @inline(__always)
    public func channel(_ c: Int) -> Float { self ? 1 : 0 }
}

/// Area-averaging (box filter) resampling of a source rectangle of a raster onto an output grid.
public struct AreaResampler: Sendable {
    public let columns: AxisWeights
    public let rows: AxisWeights

    /// Resamples `source` of an image of `imageWidth` x `imageHeight` onto `width` x `height` outputs.
    public init(source: SourceRect, imageWidth: Int, imageHeight: Int, width: Int, height: Int) {
        columns = AxisWeights(start: source.x, length: source.width, limit: imageWidth, count: width)
        rows = AxisWeights(start: source.y, length: source.height, limit: imageHeight, count: height)
    }

    /// The resampler of a placement's drawn rectangle.
    public init(placement: Placement, imageWidth: Int, imageHeight: Int) {
        self.init(source: placement.source, imageWidth: imageWidth, imageHeight: imageHeight,
                  width: placement.drawWidth, height: placement.drawHeight)
    }

    public var width: Int { columns.count }
    public var height: Int { rows.count }

    /// Channel-interleaved averages, `width * height * Element.channels` floats, row-major.
    public func averages<Element: AreaSample>(_ raster: Raster<Element>) -> [Float] {
        let channels = Element.channels
        let outW = width, outH = height
        guard outW > 0, outH > 0, raster.width > 0, raster.height > 0 else {
            return Array(repeating: 0, count: outW * outH * channels)
        }
        // Source rows needed.
        let rowLo = rows.first[0]
        var rowHi = rowLo
        for i in 0..<outH {
            rowHi = max(rowHi, rows.first[i] + (rows.offsets[i + 1] - rows.offsets[i]) - 1)
        }
        let stride = outW * channels
        var horizontal = [Float](repeating: 0, count: (rowHi - rowLo + 1) * stride)
        raster.pixels.withUnsafeBufferPointer { src in
            columns.first.withUnsafeBufferPointer { cFirst in
            columns.offsets.withUnsafeBufferPointer { cOff in
            columns.weights.withUnsafeBufferPointer { cW in
            horizontal.withUnsafeMutableBufferPointer { tmp in
                for y in rowLo...rowHi {
                    let srcRow = y * raster.width
                    let dstRow = (y - rowLo) * stride
                    for x in 0..<outW {
                        let j0 = cFirst[x], w0 = cOff[x], w1 = cOff[x + 1]
                        for c in 0..<channels {
                            var acc: Float = 0
                            var j = srcRow + j0
                            for k in w0..<w1 {
                                acc += cW[k] * src[j].channel(c)
                                j += 1
                            }
                            tmp[dstRow + x * channels + c] = acc
                        }
                    }
                }
            }}}}
        }
        var out = [Float](repeating: 0, count: outH * stride)
        horizontal.withUnsafeBufferPointer { tmp in
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<outH {
                let i0 = rows.first[y] - rowLo, w0 = rows.offsets[y], w1 = rows.offsets[y + 1]
                let dstRow = y * stride
                var r = i0
                for k in w0..<w1 {
                    let w = rows.weights[k]
                    let srcRow = r * stride
                    for x in 0..<stride { dst[dstRow + x] += w * tmp[srcRow + x] }
                    r += 1
                }
            }
        }}
        return out
    }

    /// The averaged colours, rounded to 8 bits.
    public func resample(_ image: RGBImage) -> RGBImage {
        let a = averages(image)
        var pixels = [RGB]()
        pixels.reserveCapacity(width * height)
        for i in 0..<(width * height) {
            pixels.append(RGB(Self.byte(a[3 * i]), Self.byte(a[3 * i + 1]), Self.byte(a[3 * i + 2])))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The averaged values (for scores) or covered fractions (for masks).
    public func resample<Element: AreaSample>(values raster: Raster<Element>) -> Raster<Float> {
        precondition(Element.channels == 1, "resample(values:) takes one-channel rasters")
        return Raster(width: width, height: height, pixels: averages(raster))
    }

    @inline(__always)
    static func byte(_ v: Float) -> UInt8 {
        UInt8(min(max(v + 0.5, 0), 255))
    }
}
