/// How a raster is resampled to another size.
public enum ResizeMethod: String, Sendable, Hashable, CaseIterable {
    /// Bilinear interpolation with OpenCV's `INTER_LINEAR` conventions: destination pixel centres
    /// map to source coordinates `(d + 0.5) * src / dst - 0.5`, clamped to the edge pixels. The
    /// usual choice to bring a detector's coarse score map up to the image size.
    case bilinear
    /// Exact area averaging: each destination pixel is the mean of the source area it covers,
    /// fractional pixels weighted by their covered fraction. Equals OpenCV's `INTER_AREA` when
    /// shrinking; when enlarging it repeats pixels, blending only where a destination pixel
    /// straddles two source pixels.
    case area
}

extension Raster where Element == Float {
    /// This map resampled to `size` (see ``ResizeMethod``). Returns a copy when the size is
    /// unchanged; throws when resizing an empty map to a non-empty size.
    public func resized(to size: RasterSize, method: ResizeMethod) throws -> ScoreMap {
        if size == self.size { return self }
        if size.width < 0 || size.height < 0 {
            throw S2MError(file: nil, .invalid("cannot resize to \(size)"))
        }
        if size.pixelCount == 0 { return ScoreMap(width: size.width, height: size.height, pixels: []) }
        guard !isEmpty else {
            throw S2MError(file: nil, .invalid("cannot resize an empty \(self.size) map to \(size)"))
        }
        let out = resample(pixels, channels: 1, from: self.size, to: size, method: method)
        return ScoreMap(width: size.width, height: size.height, pixels: out)
    }
}

extension Raster where Element == RGB {
    /// This image resampled to `size`, each channel as for score maps, rounded to the nearest byte.
    public func resized(to size: RasterSize, method: ResizeMethod) throws -> RGBImage {
        if size == self.size { return self }
        if size.width < 0 || size.height < 0 {
            throw S2MError(file: nil, .invalid("cannot resize to \(size)"))
        }
        if size.pixelCount == 0 { return RGBImage(width: size.width, height: size.height, pixels: []) }
        guard !isEmpty else {
            throw S2MError(file: nil, .invalid("cannot resize an empty \(self.size) image to \(size)"))
        }
        var flat = [Float](repeating: 0, count: count * 3)
        for (i, p) in pixels.enumerated() {
            flat[3 * i] = Float(p.r); flat[3 * i + 1] = Float(p.g); flat[3 * i + 2] = Float(p.b)
        }
        let out = resample(flat, channels: 3, from: self.size, to: size, method: method)
        func byte(_ v: Float) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }
        var result = [RGB](repeating: RGB(0, 0, 0), count: size.pixelCount)
        for i in 0..<result.count {
            result[i] = RGB(byte(out[3 * i]), byte(out[3 * i + 1]), byte(out[3 * i + 2]))
        }
        return RGBImage(width: size.width, height: size.height, pixels: result)
    }
}

/// The source taps of one destination index along one axis: `(index, weight)` pairs summing to 1.
typealias ResampleTaps = [(index: Int, weight: Float)]

/// Taps along one axis of length `src` resampled to `dst`.
func resampleTaps(src: Int, dst: Int, method: ResizeMethod) -> [ResampleTaps] {
    let scale = Double(src) / Double(dst)
    var all: [ResampleTaps] = []
    all.reserveCapacity(dst)
    for d in 0..<dst {
        switch method {
        case .bilinear:
            let f = (Double(d) + 0.5) * scale - 0.5
            var s = Int(f.rounded(.down))
            var a = f - Double(s)
            if s < 0 { s = 0; a = 0 }
            if s >= src - 1 { s = src - 1; a = 0 }
            if a == 0 { all.append([(s, 1)]) } else { all.append([(s, Float(1 - a)), (s + 1, Float(a))]) }
        case .area:
            let lo = Double(d) * scale, hi = Double(d + 1) * scale
            var taps: ResampleTaps = []
            var s = Int(lo.rounded(.down))
            while Double(s) < hi && s < src {
                let cover = min(hi, Double(s + 1)) - max(lo, Double(s))
                if cover > 1e-12 { taps.append((s, Float(cover / (hi - lo)))) }
                s += 1
            }
            all.append(taps)
        }
    }
    return all
}

/// Separable resampling of interleaved `channels`-channel rows: x first, then y.
func resample(_ values: [Float], channels c: Int, from: RasterSize, to: RasterSize,
              method: ResizeMethod) -> [Float] {
    let xt = resampleTaps(src: from.width, dst: to.width, method: method)
    let yt = resampleTaps(src: from.height, dst: to.height, method: method)
    var horizontal = [Float](repeating: 0, count: from.height * to.width * c)
    for y in 0..<from.height {
        let srow = y * from.width * c, drow = y * to.width * c
        for x in 0..<to.width {
            for (s, wgt) in xt[x] {
                for ch in 0..<c { horizontal[drow + x * c + ch] += wgt * values[srow + s * c + ch] }
            }
        }
    }
    var out = [Float](repeating: 0, count: to.height * to.width * c)
    let rowLen = to.width * c
    for y in 0..<to.height {
        let drow = y * rowLen
        for (s, wgt) in yt[y] {
            let srow = s * rowLen
            for i in 0..<rowLen { out[drow + i] += wgt * horizontal[srow + i] }
        }
    }
    return out
}
