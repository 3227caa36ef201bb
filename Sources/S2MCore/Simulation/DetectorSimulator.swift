import Foundation

/// A stand-in for a real pixel-wise OoD detector (RPL, PEBAL, energy or max-logit scores from a
/// segmentation network), which cannot be run here: it turns a photo and its ground-truth OoD
/// mask into a score map in [0, 1] with the failure modes such detectors typically show.
///
/// It is a simulation, not a detector: it looks at the ground truth. It exists so that the
/// pipeline, the metrics and the viewer can be exercised on realistic-looking inputs. Every
/// parameter and its default are in ``Parameters`` and `docs/simulator.md`; the defaults were
/// set so that pixel-level AUROC/AP/FPR95 on real RoadAnomaly frames resemble published
/// detectors', without looking at any segmentation method's results.
///
/// The model, in order (coarse grid = one cell per `outputStride` x `outputStride` pixels):
/// 1. **Per-object strength**: each 8-connected ground-truth object draws a strength
///    `max(minimumStrength, N(strengthMean, strengthSD))`, multiplied by a contrast factor
///    `1 - contrastInfluence + contrastInfluence * min(1, d / contrastReference)` where `d` is the
///    distance between the object's mean RGB and that of a ring of background pixels around it
///    (objects that look like their surroundings respond weakly).
/// 2. **Coarse output stride**: object evidence of a cell = sum of the strengths of its OoD
///    pixels / pixels in the cell, so objects thinner than a cell respond weakly (thin parts are
///    lost); then a Gaussian of `contextSigma` cells spreads it (receptive field: leaks past edges).
/// 3. **Uneven response**: object evidence is multiplied by `max(0, 1 + unevenness * n)` with `n`
///    a smooth random field (``ValueNoise``, lattice every `unevennessScale` cells), so parts of
///    an object score low and fragment under a threshold.
/// 4. **Edges and texture**: `textureWeight` times the cell mean of the Sobel gradient magnitude
///    of the luminance, normalised by its 99th percentile over the image and clipped to 1.
/// 5. **False-positive regions**: `backgroundVariation * max(0, m - backgroundThreshold)` with `m`
///    a second smooth random field (lattice every `backgroundScale` cells): broad scene regions
///    the detector finds unusual, on an otherwise quiet background.
/// 6. **False-positive blobs**: a Poisson(`blobCountMean`) number of Gaussian blobs at uniform
///    positions, sigma uniform in `blobSigma` cells, amplitude uniform in `blobAmplitude`.
/// 7. **Coarse noise**: N(0, `coarseNoiseSD`) per cell.
/// 8. **Calibration**: score = logistic(`gain` * (evidence - `bias`)) per cell.
/// 9. **Upsampling**: bilinear to the image size (OpenCV `INTER_LINEAR` conventions).
/// 10. **Fine noise and smoothing**: N(0, `fineNoiseSD`) per pixel, then the paper's Gaussian
///    blur (kernel `smoothingKernel`, sigma `smoothingSigma`), then clipping to [0, 1].
///
/// Random draws come from one ``SeededGenerator`` in this order: object strengths (in component
/// label order), the uneven-response lattice, the background lattice, the blobs (count, then x, y, sigma, amplitude per
/// blob), the coarse noise (row-major), the fine noise (row-major). The same seed and inputs give
/// the same scores.
public struct DetectorSimulator: Sendable {
    /// Every knob of the simulation, with its default.
    public struct Parameters: Sendable, Codable, Equatable {
        /// Pixels per coarse cell along each axis (segmentation networks output 1/8 resolution).
        public var outputStride: Int = 8
        /// Mean and standard deviation of an object's response strength.
        public var strengthMean: Double = 0.8
        public var strengthSD: Double = 0.45
        /// Floor of an object's strength before the contrast factor.
        public var minimumStrength: Double = 0.1
        /// How much low colour contrast with the surroundings weakens an object (0 = not at all).
        public var contrastInfluence: Double = 0.5
        /// Mean-colour distance (RGB, 0...441) at and above which contrast counts as full.
        public var contrastReference: Double = 60
        /// Width in pixels of the background ring around an object used for its contrast.
        public var contrastRing: Int = 16
        /// Spread of object evidence over neighbouring cells, in cells (0 = none).
        public var contextSigma: Double = 0.75
        /// Relative strength of the smooth variation of the response inside objects.
        public var unevenness: Double = 0.8
        /// Lattice spacing of that variation, in cells.
        public var unevennessScale: Double = 3
        /// Weight of the edge/texture response.
        public var textureWeight: Double = 0.5
        /// Strength of broad false-positive regions (scene parts a detector finds unusual: sky,
        /// vegetation, unfamiliar buildings or road surfaces): evidence added where a smooth
        /// random field exceeds `backgroundThreshold`, per unit of excess.
        public var backgroundVariation: Double = 1.2
        /// Field level (in its standard deviations) above which a region responds.
        public var backgroundThreshold: Double = 0.5
        /// Lattice spacing of that field, in cells.
        public var backgroundScale: Double = 8
        /// Mean number of background false-positive blobs per image.
        public var blobCountMean: Double = 4
        /// Blob standard deviation range, in cells.
        public var blobSigma: ClosedRange<Double> = 1...4
        /// Blob amplitude range, in evidence units (an average object has 1).
        public var blobAmplitude: ClosedRange<Double> = 0.3...1.0
        /// Standard deviation of the per-cell evidence noise.
        public var coarseNoiseSD: Double = 0.12
        /// Logistic calibration: score = 1 / (1 + exp(-gain * (evidence - bias))).
        public var gain: Double = 4
        public var bias: Double = 0.5
        /// Standard deviation of the per-pixel score noise after upsampling.
        public var fineNoiseSD: Double = 0.02
        /// Final smoothing (the paper blurs scores with kernel 7, sigma 1).
        public var smoothingKernel: Int = 7
        public var smoothingSigma: Double = 1

        public init() {}

        /// Throws `.invalid` naming the first parameter out of its range.
        public func validate() throws {
            func require(_ ok: Bool, _ what: String) throws {
                if !ok { throw S2MError(file: nil, .invalid("simulator: \(what)")) }
            }
            try require(outputStride >= 1 && outputStride <= 256, "output stride must be 1...256")
            try require(strengthSD >= 0 && strengthMean.isFinite, "strength must be finite with a non-negative SD")
            try require(minimumStrength >= 0, "minimum strength must be >= 0")
            try require((0...1).contains(contrastInfluence), "contrast influence must be in 0...1")
            try require(contrastReference > 0 && contrastRing >= 1, "contrast reference and ring must be positive")
            try require(contextSigma >= 0 && contextSigma <= 64, "context sigma must be in 0...64 cells")
            try require(unevenness >= 0 && unevennessScale > 0, "unevenness must be >= 0 with a positive scale")
            try require(textureWeight >= 0, "texture weight must be >= 0")
            try require(backgroundVariation >= 0 && backgroundScale > 0 && backgroundThreshold.isFinite, "background regions need a strength >= 0, a finite threshold and a positive scale")
            try require(blobCountMean >= 0 && blobCountMean <= 100, "blob count mean must be in 0...100")
            try require(blobSigma.lowerBound > 0, "blob sigma must be positive")
            try require(coarseNoiseSD >= 0 && fineNoiseSD >= 0, "noise SDs must be >= 0")
            try require(gain > 0 && gain.isFinite && bias.isFinite, "gain must be positive and bias finite")
            try require(smoothingKernel >= 1 && smoothingKernel % 2 == 1, "smoothing kernel must be odd and positive")
            try require(smoothingSigma > 0, "smoothing sigma must be positive")
        }
    }

    public var parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    /// Simulated scores for a photo and its label map under `encoding` (void pixels count as
    /// background: a detector does not know about them).
    public func scores(image: RGBImage, labels: LabelMap, encoding: LabelEncoding, seed: UInt64) throws -> ScoreMap {
        try scores(image: image, oodMask: encoding.oodMask(labels), seed: seed)
    }

    /// Simulated scores for a photo and its ground-truth OoD mask (same size).
    public func scores(image: RGBImage, oodMask: Mask, seed: UInt64) throws -> ScoreMap {
        let p = parameters
        try p.validate()
        guard image.size == oodMask.size else {
            throw S2MError(file: nil, .sizeMismatch("label is \(oodMask.size) but the image is \(image.size)"))
        }
        guard image.width > 0, image.height > 0 else {
            throw S2MError(file: nil, .invalid("cannot simulate scores for an empty \(image.size) image"))
        }
        var rng = SeededGenerator(seed: seed)
        let w = image.width, h = image.height, s = p.outputStride
        let cw = (w + s - 1) / s, ch = (h + s - 1) / s

        // 1. Per-object strengths.
        let components = try ConnectedComponents(mask: oodMask, connectivity: .eight)
        let contrast = contrastDistances(image: image, mask: oodMask, components: components)
        var strength = [Double](repeating: 0, count: components.count + 1)
        for k in 0..<components.count {
            let base = max(p.minimumStrength, p.strengthMean + p.strengthSD * rng.normal())
            let factor = 1 - p.contrastInfluence + p.contrastInfluence * min(1, contrast[k] / p.contrastReference)
            strength[k + 1] = base * factor
        }

        // 2. Coarse object evidence: strength-weighted OoD coverage per cell, then context spread.
        var objectSum = [Double](repeating: 0, count: cw * ch)
        var cellPixels = [Double](repeating: 0, count: cw * ch)
        let labels = components.labels.pixels
        for y in 0..<h {
            let row = (y / s) * cw
            for x in 0..<w {
                let cell = row + x / s
                cellPixels[cell] += 1
                let label = Int(labels[y * w + x])
                if label != 0 { objectSum[cell] += strength[label] }
            }
        }
        var object = ScoreMap(width: cw, height: ch, pixels: (0..<(cw * ch)).map { Float(objectSum[$0] / cellPixels[$0]) })
        if p.contextSigma > 0 {
            object = try GaussianBlur(kernelSize: 0, sigma: p.contextSigma).apply(to: object)
        }

        // 3. Uneven response inside objects.
        let noise = ValueNoise(width: cw, height: ch, spacing: p.unevennessScale, generator: &rng)
        var evidence = [Double](repeating: 0, count: cw * ch)
        for y in 0..<ch {
            for x in 0..<cw {
                evidence[y * cw + x] = Double(object[x, y]) * max(0, 1 + p.unevenness * noise.value(x: x, y: y))
            }
        }

        // 4. Edges and texture.
        if p.textureWeight > 0 {
            let texture = cellTexture(image: image, stride: s, columns: cw, rows: ch)
            for i in evidence.indices { evidence[i] += p.textureWeight * texture[i] }
        }

        // 5. Broad false-positive regions (where the field exceeds the threshold).
        let background = ValueNoise(width: cw, height: ch, spacing: p.backgroundScale, generator: &rng)
        for y in 0..<ch {
            for x in 0..<cw {
                evidence[y * cw + x] += p.backgroundVariation * max(0, background.value(x: x, y: y) - p.backgroundThreshold)
            }
        }

        // 6. False-positive blobs.
        let blobs = rng.poisson(mean: p.blobCountMean)
        for _ in 0..<blobs {
            let bx = rng.uniform(0...Double(cw)), by = rng.uniform(0...Double(ch))
            let sigma = rng.uniform(p.blobSigma), amplitude = rng.uniform(p.blobAmplitude)
            let reach = Int((3 * sigma).rounded(.up))
            let x0 = max(0, Int(bx) - reach), x1 = min(cw - 1, Int(bx) + reach)
            let y0 = max(0, Int(by) - reach), y1 = min(ch - 1, Int(by) + reach)
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = Double(x) + 0.5 - bx, dy = Double(y) + 0.5 - by
                    evidence[y * cw + x] += amplitude * exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
                }
            }
        }

        // 7-8. Coarse noise and calibration.
        var coarse = ScoreMap(width: cw, height: ch, repeating: 0)
        for i in evidence.indices {
            let e = evidence[i] + p.coarseNoiseSD * rng.normal()
            coarse.pixels[i] = Float(1 / (1 + exp(-p.gain * (e - p.bias))))
        }

        // 9. Upsampling to the image size.
        var full = try coarse.resized(to: image.size, method: .bilinear)

        // 10. Fine noise, smoothing, clipping.
        if p.fineNoiseSD > 0 {
            for i in full.pixels.indices { full.pixels[i] += Float(p.fineNoiseSD * rng.normal()) }
        }
        full = try GaussianBlur(kernelSize: p.smoothingKernel, sigma: p.smoothingSigma).apply(to: full)
        for i in full.pixels.indices { full.pixels[i] = min(1, max(0, full.pixels[i])) }
        return full
    }

    /// Per component, the RGB distance between its mean colour and the mean colour of the
    /// background pixels within `contrastRing` pixels of its box (a ring-like neighbourhood).
    /// Components with no such background get the reference distance (full contrast).
    func contrastDistances(image: RGBImage, mask: Mask, components: ConnectedComponents) -> [Double] {
        let w = image.width, h = image.height, margin = parameters.contrastRing
        var inside = [(Double, Double, Double, Int)](repeating: (0, 0, 0, 0), count: components.count)
        for (i, label) in components.labels.pixels.enumerated() where label != 0 {
            let p = image.pixels[i]
            let k = Int(label) - 1
            inside[k].0 += Double(p.r); inside[k].1 += Double(p.g); inside[k].2 += Double(p.b); inside[k].3 += 1
        }
        return components.components.enumerated().map { k, c in
            let x0 = max(0, Int(c.box.x0) - margin), x1 = min(w, Int(c.box.x1) + margin)
            let y0 = max(0, Int(c.box.y0) - margin), y1 = min(h, Int(c.box.y1) + margin)
            var r = 0.0, g = 0.0, b = 0.0, n = 0.0
            for y in y0..<y1 {
                for x in x0..<x1 where !mask[x, y] {
                    let p = image[x, y]
                    r += Double(p.r); g += Double(p.g); b += Double(p.b); n += 1
                }
            }
            guard n > 0, inside[k].3 > 0 else { return parameters.contrastReference }
            let m = Double(inside[k].3)
            let dr = inside[k].0 / m - r / n, dg = inside[k].1 / m - g / n, db = inside[k].2 / m - b / n
            return (dr * dr + dg * dg + db * db).squareRoot()
        }
    }

    /// Cell means of the Sobel gradient magnitude of the luminance (0.299 R + 0.587 G + 0.114 B,
    /// edge pixels replicated), normalised by its 99th percentile and clipped to [0, 1].
    func cellTexture(image: RGBImage, stride s: Int, columns cw: Int, rows ch: Int) -> [Double] {
        let w = image.width, h = image.height
        let luma = image.pixels.map { 0.299 * Float($0.r) + 0.587 * Float($0.g) + 0.114 * Float($0.b) }
        var magnitude = [Float](repeating: 0, count: w * h)
        func at(_ x: Int, _ y: Int) -> Float { luma[min(h - 1, max(0, y)) * w + min(w - 1, max(0, x))] }
        for y in 0..<h {
            for x in 0..<w {
                let gx = (at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)) - (at(x - 1, y - 1) + 2 * at(x - 1, y) + at(x - 1, y + 1))
                let gy = (at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)) - (at(x - 1, y - 1) + 2 * at(x, y - 1) + at(x + 1, y - 1))
                magnitude[y * w + x] = (gx * gx + gy * gy).squareRoot()
            }
        }
        // 99th percentile from a 4096-bin histogram over [0, max] (bin width < 0.4 gray levels).
        let top = magnitude.max() ?? 0
        var scale: Float = 1
        if top > 0 {
            var histogram = [Int](repeating: 0, count: 4096)
            for m in magnitude { histogram[min(4095, Int(m / top * 4095))] += 1 }
            let target = Int((0.99 * Double(magnitude.count)).rounded(.up))
            var seen = 0, bin = 0
            while bin < 4095 { seen += histogram[bin]; if seen >= target { break }; bin += 1 }
            scale = max(Float(bin + 1) / 4096 * top, 1e-6)
        }
        var sums = [Double](repeating: 0, count: cw * ch)
        var counts = [Double](repeating: 0, count: cw * ch)
        for y in 0..<h {
            for x in 0..<w {
                let cell = (y / s) * cw + x / s
                sums[cell] += Double(min(1, magnitude[y * w + x] / scale))
                counts[cell] += 1
            }
        }
        return zip(sums, counts).map { $0 / $1 }
    }
}
