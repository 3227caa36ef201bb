import Foundation

/// One GrabCut run on a region of interest (ROI): the box to segment, the context ring around it,
/// colours, optional anomaly scores and seeds, all in ROI pixel coordinates (x right, y down).
///
/// Energy (Rother et al. 2004) over the labels `a_p` (object / background) of the box pixels:
///   E = sum_p [ -log p(z_p | GMM_{a_p}) + w_s * -log q_p(a_p) ] + sum_{p~q, a_p != a_q} V(p, q)
/// with `q_p(object) = sigmoid(k (s_p - tau))`, the anomaly score mapped to a probability by the
/// prompt's own contrast (see ``calibratedScoreProbabilities()``), and
/// `V = gamma / dist(p, q) * exp(-beta |z_p - z_q|^2)`, `beta = 1 / (2 <|z_p - z_q|^2>)` over the ROI.
/// Pixels outside the box are fixed background; seeds are fixed. Each round re-fits both colour
/// models by hard assignment and takes the minimum cut.
struct GrabCutProblem {
    let width: Int, height: Int
    let box: IntBox
    let parameters: GrabCutParameters
    var colours: [SIMD3<Float>] = []
    var scores: [Float]?
    /// Per ROI pixel: 0 no seed, 1 object seed, 2 background seed.
    var seeds: [UInt8]
    /// The global score range of the image (max - min), to judge whether a prompt's score
    /// contrast means anything; set by the session.
    var scoreRange: Float = 1
    /// Background colour samples from the rest of the image (outside the ROI), each counting as
    /// `extraBackgroundWeight` pixels: they keep the background model global, as in GrabCut on the
    /// whole image, while the graph stays local.
    var extraBackground: [SIMD3<Float>] = []
    var extraBackgroundWeight: Float = 1
    /// The contrast parameter of the smoothness term; nil computes it over the ROI.
    var beta: Double?

    /// Hard-constraint capacity: larger than any sum of smoothness and data terms.
    static let hard = 1e12

    init(width: Int, height: Int, box: IntBox, parameters: GrabCutParameters) {
        self.width = width
        self.height = height
        self.box = box
        self.parameters = parameters
        seeds = [UInt8](repeating: 0, count: width * height)
    }

    /// Marks the pixels whose centres lie within `seedRadius` of (x, y) (continuous coordinates)
    /// inside the box as object or background seeds; at least the pixel containing the point.
    mutating func addSeed(x: Double, y: Double, object: Bool) {
        let r = max(parameters.seedRadius, 0)
        let value: UInt8 = object ? 1 : 2
        let cx = Int(x.rounded(.down)), cy = Int(y.rounded(.down))
        let ri = Int(r.rounded(.up)) + 1
        for py in (cy - ri)...(cy + ri) {
            for px in (cx - ri)...(cx + ri) where box.contains(px, py) {
                let dx = Double(px) + 0.5 - x, dy = Double(py) + 0.5 - y
                if dx * dx + dy * dy <= r * r || (px == cx && py == cy) { seeds[py * width + px] = value }
            }
        }
    }

    /// The anomaly score of each ROI pixel as a probability of "object", calibrated by this
    /// prompt's contrast: `hi` = 90th percentile of the scores in the box, `lo` = median of the
    /// context ring (10th percentile of the box when there is no ring); `hi` maps to 0.88, `lo` to
    /// 0.12, their midpoint to 0.5. Nil (no score term) when the contrast is under 5% of the
    /// image's score range: the scores then say nothing about this box.
    func calibratedScoreProbabilities() -> [Float]? {
        guard let scores else { return nil }
        var inside: [Float] = [], ring: [Float] = []
        inside.reserveCapacity(box.area)
        for y in 0..<height {
            for x in 0..<width {
                if box.contains(x, y) { inside.append(scores[y * width + x]) } else { ring.append(scores[y * width + x]) }
            }
        }
        guard !inside.isEmpty else { return nil }
        inside.sort()
        let hi = ScoreNormalization.percentile(sorted: inside, 90)
        let lo: Float
        if ring.isEmpty {
            lo = ScoreNormalization.percentile(sorted: inside, 10)
        } else {
            ring.sort()
            lo = ScoreNormalization.percentile(sorted: ring, 50)
        }
        guard hi - lo > 0.05 * scoreRange, hi > lo else { return nil }
        let tau = (hi + lo) / 2, k = 4 / (hi - lo)
        return scores.map { s in min(max(1 / (1 + exp(-k * (s - tau))), 1e-3), 1 - 1e-3) }
    }

    /// Runs GrabCut; returns the object mask over the ROI and a quality in [0, 1]: how much better
    /// than a coin flip the final data terms explain the labelling, `2 a - 1` (clipped at 0) where
    /// `a` is the mean over the box pixels of the posterior probability of the label each got. A
    /// box whose object is no different in colour and score from its background gets about 0.
    func solve() throws -> ([Bool], Double) {
        let n = width * height
        let bw = box.width, bh = box.height
        precondition(colours.count == n && box.x0 >= 0 && box.y0 >= 0 && box.x1 <= width && box.y1 <= height)
        let prior = calibratedScoreProbabilities()

        // Initial labelling: the box (minus background seeds) is object, the rest background.
        var alpha = [Bool](repeating: false, count: n)
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 where seeds[y * width + x] != 2 { alpha[y * width + x] = true }
        }
        if !alpha.contains(false) {
            // No context at all (the box is the whole ROI): start the background model from the
            // box's outer frame, 2% of its size wide (not fixed: later rounds may relabel it).
            let f = max(1, min(bw, bh) / 50)
            for y in 0..<height {
                for x in 0..<width where (x < f || y < f || x >= width - f || y >= height - f) && seeds[y * width + x] != 1 {
                    alpha[y * width + x] = false
                }
            }
        }
        guard alpha.contains(true), alpha.contains(false) else { return (alpha, 0) }

        let edges = SmoothnessEdges(colours: colours, width: width, height: height, gamma: parameters.smoothness, beta: beta)

        // Initial colour models from Orchard-Bouman clusters of each side.
        var objectModel = fitModel(alpha: alpha, object: true, assignments: nil)
        var backgroundModel = fitModel(alpha: alpha, object: false, assignments: nil)

        // The graph over the box pixels: smoothness edges are fixed, terminal capacities change
        // each round and the max-flow continues from the previous round's flow.
        let graph = GridMaxFlowGraph(width: bw, height: bh)
        // Grid slots of SmoothnessEdges.forwardOffsets: (1, 0) -> 0, (-1, 1) -> 3, (0, 1) -> 2, (1, 1) -> 1.
        let slotOfForward = [0, 3, 2, 1]
        // Neighbours outside the box are fixed background: labelling a pixel object pays their V.
        var borderCost = [Double](repeating: 0, count: bw * bh)
        for y in 0..<bh {
            for x in 0..<bw {
                let node = y * bw + x
                let rx = x + box.x0, ry = y + box.y0
                if x == 0 || y == 0 || x == bw - 1 || y == bh - 1 {
                    for (dx, dy) in SmoothnessEdges.allOffsets {
                        let qx = rx + dx, qy = ry + dy
                        guard qx >= 0, qy >= 0, qx < width, qy < height, !box.contains(qx, qy) else { continue }
                        borderCost[node] += edges.weight(x: rx, y: ry, dx: dx, dy: dy)
                    }
                }
                for (k, (dx, dy)) in SmoothnessEdges.forwardOffsets.enumerated() {
                    let qx = x + dx, qy = y + dy
                    guard qx >= 0, qx < bw, qy < bh else { continue }
                    let v = Double(edges.forward[k][ry * width + rx])
                    if v > 0 { graph.setEdge(x: x, y: y, direction: slotOfForward[k], capacity: v, reverseCapacity: v) }
                }
            }
        }

        var dataObject = [Double](repeating: 0, count: bw * bh)      // cost of labelling object
        var dataBackground = [Double](repeating: 0, count: bw * bh)  // cost of labelling background
        for round in 0..<parameters.iterations {
            if Task.isCancelled { throw CancellationError() }
            if round > 0 {
                objectModel = refit(objectModel, alpha: alpha, object: true)
                backgroundModel = refit(backgroundModel, alpha: alpha, object: false)
            }
            guard let fg = objectModel, let bg = backgroundModel else { break }
            let fgEval = MixtureEvaluator(fg), bgEval = MixtureEvaluator(bg)
            let w = parameters.scoreWeight
            for y in 0..<bh {
                for x in 0..<bw {
                    let p = (y + box.y0) * width + x + box.x0
                    var dObj = -fgEval.logLikelihood(colours[p])
                    var dBg = -bgEval.logLikelihood(colours[p])
                    if let prior {
                        dObj -= w * Double(log(prior[p]))
                        dBg -= w * Double(log(1 - prior[p]))
                    }
                    dataObject[y * bw + x] = dObj
                    dataBackground[y * bw + x] = dBg
                }
            }

            for y in 0..<bh {
                for x in 0..<bw {
                    let node = y * bw + x
                    let p = (y + box.y0) * width + x + box.x0
                    // Object = source side: a source-side node cuts its sink link, so the sink
                    // capacity is the cost of "object" and the source capacity that of "background".
                    switch seeds[p] {
                    case 1: graph.setTerminalCapacities(x: x, y: y, source: Self.hard, sink: 0)
                    case 2: graph.setTerminalCapacities(x: x, y: y, source: 0, sink: Self.hard)
                    default:
                        // Densities above 1 make -log p negative; only the difference matters.
                        let sink = dataObject[node] + borderCost[node], source = dataBackground[node]
                        let floor = min(sink, source)
                        graph.setTerminalCapacities(x: x, y: y, source: source - floor, sink: sink - floor)
                    }
                }
            }
            graph.maximumFlow()

            var changed = 0
            for y in 0..<bh {
                for x in 0..<bw {
                    let p = (y + box.y0) * width + x + box.x0
                    let a = graph.isOnSourceSide(x: x, y: y)
                    if a != alpha[p] { alpha[p] = a; changed += 1 }
                }
            }
            // Converged: (almost) no pixel changed side, or nothing is left of the object.
            if Double(changed) <= parameters.convergence * Double(bw * bh) || !alpha.contains(true) { break }
        }

        // Quality: how strongly the final data terms agree with the labels given.
        var agreement = 0.0
        for y in 0..<bh {
            for x in 0..<bw {
                let node = y * bw + x
                let pObject = 1 / (1 + exp(min(dataObject[node] - dataBackground[node], 700)))
                agreement += alpha[(y + box.y0) * width + x + box.x0] ? pObject : 1 - pObject
            }
        }
        return (alpha, max(0, 2 * agreement / Double(bw * bh) - 1))
    }

    /// Solves on a copy shrunk by `factor` (area resampling of colours and scores), then scales
    /// the mask back by bilinear interpolation of the 0/1 labels (> 0.5 is object).
    func solveShrunk(by factor: Double) throws -> ([Bool], Double) {
        let sw = max(1, Int((Double(width) * factor).rounded())), sh = max(1, Int((Double(height) * factor).rounded()))
        let fx = Double(sw) / Double(width), fy = Double(sh) / Double(height)
        var sbox = IntBox(x0: Int((Double(box.x0) * fx).rounded()), y0: Int((Double(box.y0) * fy).rounded()),
                          x1: Int((Double(box.x1) * fx).rounded()), y1: Int((Double(box.y1) * fy).rounded()))
        sbox.x1 = max(sbox.x1, sbox.x0 + 1); sbox.y1 = max(sbox.y1, sbox.y0 + 1)
        var small = GrabCutProblem(width: sw, height: sh, box: sbox, parameters: parameters)
        small.scoreRange = scoreRange
        small.beta = beta
        small.extraBackground = extraBackground
        small.extraBackgroundWeight = extraBackgroundWeight * Float(fx * fy)
        let from = RasterSize(width: width, height: height), to = RasterSize(width: sw, height: sh)
        var flat = [Float](repeating: 0, count: 3 * colours.count)
        for (i, c) in colours.enumerated() { flat[3 * i] = c.x; flat[3 * i + 1] = c.y; flat[3 * i + 2] = c.z }
        let shrunk = resample(flat, channels: 3, from: from, to: to, method: .area)
        small.colours = (0..<(sw * sh)).map { SIMD3(shrunk[3 * $0], shrunk[3 * $0 + 1], shrunk[3 * $0 + 2]) }
        if let scores { small.scores = resample(scores, channels: 1, from: from, to: to, method: .area) }
        for y in 0..<height {
            for x in 0..<width where seeds[y * width + x] != 0 {
                small.addSeed(x: (Double(x) + 0.5) * fx, y: (Double(y) + 0.5) * fy, object: seeds[y * width + x] == 1)
            }
        }
        let (smallMask, quality) = try small.solve()
        let up = resample(smallMask.map { $0 ? 1 : 0 }, channels: 1, from: to, to: from, method: .bilinear)
        var mask = [Bool](repeating: false, count: width * height)
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 { mask[y * width + x] = seeds[y * width + x] == 1 || (seeds[y * width + x] != 2 && up[y * width + x] > 0.5) }
        }
        return (mask, quality)
    }

    /// The samples of one side and their weights (nil when all weigh 1).
    private func samples(alpha: [Bool], object: Bool) -> ([SIMD3<Float>], [Float]?) {
        var samples: [SIMD3<Float>] = []
        for i in 0..<alpha.count where alpha[i] == object { samples.append(colours[i]) }
        guard !object, !extraBackground.isEmpty, !samples.isEmpty else { return (samples, nil) }
        var weights = [Float](repeating: 1, count: samples.count)
        samples += extraBackground
        weights += [Float](repeating: extraBackgroundWeight, count: extraBackground.count)
        return (samples, weights)
    }

    /// The initial model of one side, from Orchard-Bouman clusters; nil when the side is empty.
    private func fitModel(alpha: [Bool], object: Bool, assignments: [Int]?) -> GaussianMixture? {
        let (samples, weights) = samples(alpha: alpha, object: object)
        guard !samples.isEmpty else { return nil }
        let clusters = GaussianMixture.orchardBoumanClusters(samples, weights: weights, k: parameters.componentCount)
        return GaussianMixture(samples: samples, weights: weights, assignments: clusters,
                               componentCount: parameters.componentCount)
    }

    /// Re-fits a side's model after assigning each of its pixels to its most likely component.
    private func refit(_ model: GaussianMixture?, alpha: [Bool], object: Bool) -> GaussianMixture? {
        guard let model else { return fitModel(alpha: alpha, object: object, assignments: nil) }
        let eval = MixtureEvaluator(model)
        let (samples, weights) = samples(alpha: alpha, object: object)
        guard !samples.isEmpty else { return nil }
        let assignment = samples.map { eval.mostLikelyComponent($0) }
        return GaussianMixture(samples: samples, weights: weights, assignments: assignment,
                               componentCount: model.components.count)
    }
}

/// The contrast-sensitive smoothness weights of a grid, for the four forward neighbours of each
/// pixel (right, down-left, down, down-right); backward neighbours use the same edges.
struct SmoothnessEdges {
    static let forwardOffsets = [(1, 0), (-1, 1), (0, 1), (1, 1)]
    static let allOffsets = [(1, 0), (-1, 1), (0, 1), (1, 1), (-1, 0), (1, -1), (0, -1), (-1, -1)]
    let width: Int, height: Int
    /// `forward[k][p]`: weight between pixel p and its neighbour at `forwardOffsets[k]` (0 outside).
    var forward: [[Float]]

    init(colours: [SIMD3<Float>], width: Int, height: Int, gamma: Double, beta fixedBeta: Double? = nil) {
        self.width = width
        self.height = height
        let n = width * height
        var squared = [[Float]](repeating: [Float](repeating: -1, count: n), count: 4)
        var total = 0.0, count = 0
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                for (k, (dx, dy)) in Self.forwardOffsets.enumerated() {
                    let qx = x + dx, qy = y + dy
                    guard qx >= 0, qx < width, qy < height else { continue }
                    let d = colours[p] - colours[qy * width + qx]
                    let s = (d * d).sum()
                    squared[k][p] = s
                    total += Double(s)
                    count += 1
                }
            }
        }
        let mean = count > 0 ? total / Double(count) : 0
        let beta = fixedBeta ?? (mean > 0 ? 1 / (2 * mean) : 0)
        let diagonal = gamma / 2.0.squareRoot()
        forward = squared.enumerated().map { k, values in
            let g = (k == 0 || k == 2) ? gamma : diagonal
            return values.map { $0 < 0 ? 0 : Float(g * exp(-beta * Double($0))) }
        }
    }

    /// The weight between (x, y) and (x + dx, y + dy), both inside the grid.
    func weight(x: Int, y: Int, dx: Int, dy: Int) -> Double {
        // A backward offset is the forward edge of the neighbour.
        if let k = Self.forwardOffsets.firstIndex(where: { $0 == (dx, dy) }) {
            return Double(forward[k][y * width + x])
        }
        let k = Self.forwardOffsets.firstIndex(where: { $0 == (-dx, -dy) })!
        return Double(forward[k][(y + dy) * width + x + dx])
    }
}

/// Flat, fast evaluation of a ``GaussianMixture`` for the per-pixel loops.
struct MixtureEvaluator {
    let k: Int
    var means: [Double] = [], inverses: [Double] = [], logScales: [Double] = []

    init(_ g: GaussianMixture) {
        k = g.components.count
        for c in g.components {
            means += [c.mean.x, c.mean.y, c.mean.z]
            inverses += c.inverse
            logScales.append(c.logScale)
        }
    }

    @inline(__always)
    func weightedLog(_ x: SIMD3<Float>, _ j: Int) -> Double {
        let dx = Double(x.x) - means[3 * j], dy = Double(x.y) - means[3 * j + 1], dz = Double(x.z) - means[3 * j + 2]
        let i = 9 * j
        let q = dx * (inverses[i] * dx + inverses[i + 1] * dy + inverses[i + 2] * dz)
            + dy * (inverses[i + 3] * dx + inverses[i + 4] * dy + inverses[i + 5] * dz)
            + dz * (inverses[i + 6] * dx + inverses[i + 7] * dy + inverses[i + 8] * dz)
        return logScales[j] - 0.5 * q
    }

    func logLikelihood(_ x: SIMD3<Float>) -> Double {
        var best = -Double.infinity
        var values = (0.0, 0.0, 0.0, 0.0, 0.0)
        var extra: [Double] = []
        for j in 0..<k {
            let v = weightedLog(x, j)
            switch j {
            case 0: values.0 = v
            case 1: values.1 = v
            case 2: values.2 = v
            case 3: values.3 = v
            case 4: values.4 = v
            default: extra.append(v)
            }
            best = max(best, v)
        }
        var s = 0.0
        for j in 0..<k {
            let v: Double
            switch j {
            case 0: v = values.0
            case 1: v = values.1
            case 2: v = values.2
            case 3: v = values.3
            case 4: v = values.4
            default: v = extra[j - 5]
            }
            s += exp(v - best)
        }
        return best + log(s)
    }

    func mostLikelyComponent(_ x: SIMD3<Float>) -> Int {
        var best = 0, bestValue = -Double.infinity
        for j in 0..<k {
            let v = weightedLog(x, j)
            if v > bestValue { best = j; bestValue = v }
        }
        return best
    }
}
