import Foundation

/// A mixture of Gaussians over RGB colours (channel values 0...255) with full 3x3 covariances:
/// the colour model of GrabCut's object and background.
///
/// Fitting is by hard assignment, as in GrabCut: each sample belongs to one component, and each
/// component's weight, mean and covariance are the sample statistics of its members. A variance of
/// 1/12 (the variance of 8-bit rounding) is added to the diagonal so that a flat colour region
/// still has an invertible covariance.
public struct GaussianMixture: Sendable {
    /// One Gaussian of the mixture.
    public struct Component: Sendable {
        /// Fraction of the samples it explains, in [0, 1]; the weights sum to 1.
        public var weight: Double
        public var mean: SIMD3<Double>
        /// Row-major 3x3 covariance (regularised).
        public var covariance: [Double]
        /// Row-major inverse of the covariance.
        var inverse: [Double]
        /// `log(weight) - 0.5 * log((2 pi)^3 det)`: the constant part of the weighted log density.
        var logScale: Double
    }

    /// The variance added to each channel (8-bit rounding noise).
    public static let varianceFloor = 1.0 / 12.0

    /// The non-empty components.
    public private(set) var components: [Component]

    /// Fits one component per distinct assignment value in `0..<componentCount`; components with
    /// no samples are dropped. `samples` and `assignments` have the same length (at least one).
    /// `weights` (optional, positive) count a sample as that many samples, e.g. for subsampled data.
    public init(samples: [SIMD3<Float>], weights: [Float]? = nil, assignments: [Int], componentCount: Int) {
        precondition(samples.count == assignments.count && !samples.isEmpty)
        precondition(weights == nil || weights!.count == samples.count)
        var count = [Double](repeating: 0, count: componentCount)
        var sum = [SIMD3<Double>](repeating: .zero, count: componentCount)
        var outer = [[Double]](repeating: [Double](repeating: 0, count: 6), count: componentCount)
        for (i, (x, k)) in zip(samples, assignments).enumerated() {
            let w = weights.map { Double($0[i]) } ?? 1
            let d = SIMD3<Double>(Double(x.x), Double(x.y), Double(x.z))
            count[k] += w
            sum[k] += w * d
            outer[k][0] += w * d.x * d.x; outer[k][1] += w * d.x * d.y; outer[k][2] += w * d.x * d.z
            outer[k][3] += w * d.y * d.y; outer[k][4] += w * d.y * d.z; outer[k][5] += w * d.z * d.z
        }
        let total = count.reduce(0, +)
        var result: [Component] = []
        for k in 0..<componentCount where count[k] > 0 {
            let n = count[k]
            let m = sum[k] / n
            let o = outer[k]
            let f = Self.varianceFloor
            let cxx = o[0] / n - m.x * m.x + f, cxy = o[1] / n - m.x * m.y, cxz = o[2] / n - m.x * m.z
            let cyy = o[3] / n - m.y * m.y + f, cyz = o[4] / n - m.y * m.z, czz = o[5] / n - m.z * m.z + f
            let cov = [cxx, cxy, cxz, cxy, cyy, cyz, cxz, cyz, czz]
            result.append(Self.component(weight: n / total, mean: m, covariance: cov))
        }
        components = result
    }

    /// A mixture from explicit parameters (weights are used as given).
    public init(components parameters: [(weight: Double, mean: SIMD3<Double>, covariance: [Double])]) {
        components = parameters.map { Self.component(weight: $0.weight, mean: $0.mean, covariance: $0.covariance) }
    }

    private static func component(weight: Double, mean: SIMD3<Double>, covariance c: [Double]) -> Component {
        var det = c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6])
            + c[2] * (c[3] * c[7] - c[4] * c[6])
        var cov = c
        if !(det > 1e-12) {
            // Degenerate data (e.g. collinear colours): widen every channel a little.
            for i in [0, 4, 8] { cov[i] += 1 }
            det = cov[0] * (cov[4] * cov[8] - cov[5] * cov[7]) - cov[1] * (cov[3] * cov[8] - cov[5] * cov[6])
                + cov[2] * (cov[3] * cov[7] - cov[4] * cov[6])
        }
        let inv = [
            (cov[4] * cov[8] - cov[5] * cov[7]) / det, (cov[2] * cov[7] - cov[1] * cov[8]) / det,
            (cov[1] * cov[5] - cov[2] * cov[4]) / det,
            (cov[5] * cov[6] - cov[3] * cov[8]) / det, (cov[0] * cov[8] - cov[2] * cov[6]) / det,
            (cov[2] * cov[3] - cov[0] * cov[5]) / det,
            (cov[3] * cov[7] - cov[4] * cov[6]) / det, (cov[1] * cov[6] - cov[0] * cov[7]) / det,
            (cov[0] * cov[4] - cov[1] * cov[3]) / det,
        ]
        let logScale = log(weight) - 0.5 * (3 * log(2 * Double.pi) + log(det))
        return Component(weight: weight, mean: mean, covariance: cov, inverse: inv, logScale: logScale)
    }

    /// `log(weight_k * N(x; mean_k, cov_k))` for component `k`.
    public func weightedLogDensity(_ x: SIMD3<Float>, component k: Int) -> Double {
        let c = components[k]
        let d = SIMD3<Double>(Double(x.x), Double(x.y), Double(x.z)) - c.mean
        let i = c.inverse
        let q = d.x * (i[0] * d.x + i[1] * d.y + i[2] * d.z)
            + d.y * (i[3] * d.x + i[4] * d.y + i[5] * d.z)
            + d.z * (i[6] * d.x + i[7] * d.y + i[8] * d.z)
        return c.logScale - 0.5 * q
    }

    /// `log p(x)`, the log density of the mixture at colour `x` (computed stably with log-sum-exp).
    public func logLikelihood(_ x: SIMD3<Float>) -> Double {
        var best = -Double.infinity
        var terms = [Double](repeating: 0, count: components.count)
        for k in 0..<components.count {
            terms[k] = weightedLogDensity(x, component: k)
            best = max(best, terms[k])
        }
        guard best > -Double.infinity else { return best }
        var s = 0.0
        for t in terms { s += exp(t - best) }
        return best + log(s)
    }

    /// The component with the largest weighted density at `x` (the first on ties).
    public func mostLikelyComponent(_ x: SIMD3<Float>) -> Int {
        var best = 0, bestValue = -Double.infinity
        for k in 0..<components.count {
            let v = weightedLogDensity(x, component: k)
            if v > bestValue { best = k; bestValue = v }
        }
        return best
    }

    /// Deterministic initial clustering into at most `k` clusters by Orchard-Bouman splitting
    /// (1991): repeatedly split the cluster whose covariance has the largest eigenvalue by the plane
    /// through its mean orthogonal to that eigenvector. Returns a cluster index per sample.
    /// `weights` (optional) weigh the samples' statistics as in the initialiser.
    public static func orchardBoumanClusters(_ samples: [SIMD3<Float>], weights: [Float]? = nil, k: Int) -> [Int] {
        var labels = [Int](repeating: 0, count: samples.count)
        guard k > 1, samples.count > 1 else { return labels }
        var members: [[Int]] = [Array(samples.indices)]
        func principalAxis(_ samples: [SIMD3<Float>], _ indices: [Int]) -> (value: Double, vector: SIMD3<Double>, mean: SIMD3<Double>) {
            Self.principalAxis(samples, weights, indices)
        }
        var splits: [(value: Double, vector: SIMD3<Double>, mean: SIMD3<Double>)] = [principalAxis(samples, members[0])]
        while members.count < k {
            var target = -1, largest = 0.0
            for (c, s) in splits.enumerated() where s.value > largest && members[c].count > 1 {
                target = c; largest = s.value
            }
            guard target >= 0 else { break }
            let (_, e, m) = splits[target]
            let cut = (e * m).sum()
            var left: [Int] = [], right: [Int] = []
            for i in members[target] {
                let x = samples[i]
                let p = e.x * Double(x.x) + e.y * Double(x.y) + e.z * Double(x.z)
                if p <= cut { left.append(i) } else { right.append(i) }
            }
            if left.isEmpty || right.isEmpty { splits[target].value = 0; continue }
            members[target] = left
            splits[target] = principalAxis(samples, left)
            members.append(right)
            splits.append(principalAxis(samples, right))
        }
        for (c, list) in members.enumerated() { for i in list { labels[i] = c } }
        return labels
    }

    /// Largest eigenvalue, its unit eigenvector and the mean of the given samples.
    private static func principalAxis(_ samples: [SIMD3<Float>], _ weights: [Float]?, _ indices: [Int])
        -> (value: Double, vector: SIMD3<Double>, mean: SIMD3<Double>) {
        var m = SIMD3<Double>.zero
        var total = 0.0
        for i in indices {
            let w = weights.map { Double($0[i]) } ?? 1
            m += w * SIMD3<Double>(Double(samples[i].x), Double(samples[i].y), Double(samples[i].z))
            total += w
        }
        m /= total
        var c = [Double](repeating: 0, count: 9)
        for i in indices {
            let w = weights.map { Double($0[i]) } ?? 1
            let d = SIMD3<Double>(Double(samples[i].x), Double(samples[i].y), Double(samples[i].z)) - m
            c[0] += w * d.x * d.x; c[1] += w * d.x * d.y; c[2] += w * d.x * d.z
            c[4] += w * d.y * d.y; c[5] += w * d.y * d.z; c[8] += w * d.z * d.z
        }
        c[3] = c[1]; c[6] = c[2]; c[7] = c[5]
        for j in 0..<9 { c[j] /= total }
        let (values, vectors) = symmetricEigen3(c)
        var best = 0
        for j in 1..<3 where values[j] > values[best] { best = j }
        return (max(values[best], 0), vectors[best], m)
    }
}

/// Eigenvalues and unit eigenvectors of a symmetric 3x3 matrix (row-major), by cyclic Jacobi
/// rotations. Deterministic; accurate to rounding for the small matrices of colour statistics.
func symmetricEigen3(_ m: [Double]) -> (values: [Double], vectors: [SIMD3<Double>]) {
    var a = [[m[0], m[1], m[2]], [m[3], m[4], m[5]], [m[6], m[7], m[8]]]
    var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    for _ in 0..<64 {
        let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
        let scale = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2]
        if off <= 1e-30 * max(scale, 1e-300) { break }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
            let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
            let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
            let c = 1 / (t * t + 1).squareRoot(), s = t * c
            for k in 0..<3 {  // A <- A J (columns p, q)
                let akp = a[k][p], akq = a[k][q]
                a[k][p] = c * akp - s * akq
                a[k][q] = s * akp + c * akq
            }
            for k in 0..<3 {  // A <- J^T A (rows p, q)
                let apk = a[p][k], aqk = a[q][k]
                a[p][k] = c * apk - s * aqk
                a[q][k] = s * apk + c * aqk
            }
            for k in 0..<3 {
                let vkp = v[k][p], vkq = v[k][q]
                v[k][p] = c * vkp - s * vkq
                v[k][q] = s * vkp + c * vkq
            }
        }
    }
    let values = [a[0][0], a[1][1], a[2][2]]
    let vectors = (0..<3).map { j in SIMD3<Double>(v[0][j], v[1][j], v[2][j]) }
    return (values, vectors)
}
