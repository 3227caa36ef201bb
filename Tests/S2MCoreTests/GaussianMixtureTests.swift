import Foundation
import Testing
@testable import S2MCore

@Suite struct GaussianMixtureTests {
    let floor = GaussianMixture.varianceFloor

    @Test func singleComponentHasSampleMeanAndCovariance() {
        // x, y in {0, 2}, z = 4: mean (1, 1, 4), variances 1, 1, 0 (+ the floor), no correlation.
        let samples: [SIMD3<Float>] = [[0, 0, 4], [2, 0, 4], [0, 2, 4], [2, 2, 4]]
        let g = GaussianMixture(samples: samples, assignments: [0, 0, 0, 0], componentCount: 1)
        #expect(g.components.count == 1)
        let c = g.components[0]
        #expect(c.weight == 1)
        #expect(c.mean == SIMD3(1, 1, 4))
        #expect(c.covariance == [1 + floor, 0, 0, 0, 1 + floor, 0, 0, 0, floor])
        // log N(x) for a diagonal covariance, in closed form.
        let x: SIMD3<Float> = [3, 0, 4]
        let vars = [1 + floor, 1 + floor, floor]
        let d = [2.0, -1.0, 0.0]
        var expected = -0.5 * (3 * log(2 * Double.pi) + log(vars[0] * vars[1] * vars[2]))
        for i in 0..<3 { expected -= 0.5 * d[i] * d[i] / vars[i] }
        #expect(abs(g.logLikelihood(x) - expected) < 1e-9)
    }

    @Test func correlatedCovarianceIsExact() {
        // Points on the line r = g (plus spread in b): covariance [[2, 2, 0], [2, 2, 0], [0, 0, 0]] + floor.
        let samples: [SIMD3<Float>] = [[0, 0, 1], [2, 2, 1], [4, 4, 1], [2, 2, 1]]
        let g = GaussianMixture(samples: samples, assignments: [0, 0, 0, 0], componentCount: 1)
        let c = g.components[0]
        #expect(c.mean == SIMD3(2, 2, 1))
        #expect(c.covariance == [2 + floor, 2, 0, 2, 2 + floor, 0, 0, 0, floor])
    }

    @Test func weightsFollowAssignmentsAndEmptyComponentsAreDropped() {
        let samples: [SIMD3<Float>] = [[0, 0, 0], [10, 10, 10], [10, 10, 10], [12, 10, 10]]
        let g = GaussianMixture(samples: samples, assignments: [0, 2, 2, 2], componentCount: 3)
        #expect(g.components.count == 2)
        #expect(g.components[0].weight == 0.25)
        #expect(g.components[1].weight == 0.75)
        #expect(abs(g.components[1].mean.x - 32.0 / 3) < 1e-12)
        #expect(g.mostLikelyComponent([1, 1, 1]) == 0)
        #expect(g.mostLikelyComponent([11, 10, 10]) == 1)
    }

    @Test func mixtureLikelihoodIsTheWeightedSum() {
        let identity: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let g = GaussianMixture(components: [(0.3, SIMD3(0, 0, 0), identity), (0.7, SIMD3(3, 0, 0), identity)])
        let x: SIMD3<Float> = [1, 0, 0]
        let norm = pow(2 * Double.pi, -1.5)
        let expected = log(0.3 * norm * exp(-0.5) + 0.7 * norm * exp(-2))
        #expect(abs(g.logLikelihood(x) - expected) < 1e-12)
    }

    @Test func orchardBoumanSeparatesClusters() {
        // Three tight clusters: red, green and blue corners; the spread is largest between them.
        var samples: [SIMD3<Float>] = []
        var truth: [Int] = []
        for (c, centre) in [SIMD3<Float>(250, 0, 0), SIMD3(0, 250, 0), SIMD3(0, 0, 250)].enumerated() {
            for d in [SIMD3<Float>(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)] {
                samples.append(centre + d)
                truth.append(c)
            }
        }
        let labels = GaussianMixture.orchardBoumanClusters(samples, k: 3)
        // Same partition as the truth (cluster numbers may differ).
        for i in samples.indices {
            for j in samples.indices { #expect((labels[i] == labels[j]) == (truth[i] == truth[j])) }
        }
        // Asking for more clusters than distinct colours stops when nothing can be split.
        let flat = GaussianMixture.orchardBoumanClusters([SIMD3<Float>](repeating: [5, 5, 5], count: 6), k: 5)
        #expect(Set(flat) == [0])
        let two = GaussianMixture.orchardBoumanClusters([[0, 0, 0], [0, 0, 0], [9, 9, 9]], k: 5)
        #expect(two == [0, 0, 1])
    }

    @Test func jacobiEigenDecomposition() {
        let (values, vectors) = symmetricEigen3([2, 1, 0, 1, 2, 0, 0, 0, 5])
        #expect(values.sorted().enumerated().allSatisfy { abs($0.element - [1.0, 3, 5][$0.offset]) < 1e-12 })
        // Each eigenvector v satisfies A v = lambda v.
        let a: [[Double]] = [[2, 1, 0], [1, 2, 0], [0, 0, 5]]
        for (lambda, v) in zip(values, vectors) {
            var residual = 0.0
            for r in 0..<3 {
                let row: Double = a[r][0] * v.x + a[r][1] * v.y + a[r][2] * v.z
                let diff: Double = row - lambda * v[r]
                residual += diff * diff
            }
            #expect(residual < 1e-20)
            #expect(abs((v * v).sum() - 1) < 1e-12)
        }
    }
}
