import Foundation
import Testing
@testable import S2MCore

@Suite struct SimulationTests {
    @Test func splitMix64MatchesTheReferenceStream() {
        // First outputs of SplitMix64 seeded with 0 (the published reference values).
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func drawsHaveTheirDistributions() {
        var g = SeededGenerator(seed: 42)
        let n = 20000
        let units = (0..<n).map { _ in g.nextUnit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(units.reduce(0, +) / Double(n) - 0.5) < 0.01)
        let normals = (0..<n).map { _ in g.normal() }
        let mean = normals.reduce(0, +) / Double(n)
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
        let counts = (0..<n).map { _ in g.poisson(mean: 3) }
        #expect(abs(Double(counts.reduce(0, +)) / Double(n) - 3) < 0.05)
        #expect(SeededGenerator.seed(7, name: "a") != SeededGenerator.seed(7, name: "b"))
        #expect(SeededGenerator.seed(7, name: "a") == SeededGenerator.seed(7, name: "a"))
    }

    /// A 96x64 gray scene: a 40x24 block (OoD), a 2-pixel-wide vertical line (OoD), and a
    /// checkerboard-textured patch of background.
    static func scene() -> (RGBImage, LabelMap) {
        var image = RGBImage(width: 96, height: 64, repeating: RGB(gray: 100))
        var labels = LabelMap(width: 96, height: 64, repeating: 0)
        for y in 8..<32 { for x in 8..<48 { image[x, y] = RGB(200, 60, 40); labels[x, y] = 1 } }
        for y in 4..<60 { for x in 70..<72 { image[x, y] = RGB(200, 60, 40); labels[x, y] = 1 } }
        for y in 40..<60 { for x in 8..<40 { image[x, y] = RGB(gray: ((x / 2 + y / 2) % 2 == 0) ? 30 : 230) } }
        return (image, labels)
    }

    @Test func deterministicForASeedAndDifferentAcrossSeeds() throws {
        let (image, labels) = Self.scene()
        let simulator = DetectorSimulator()
        let a = try simulator.scores(image: image, labels: labels, encoding: .smiyc, seed: 5)
        let b = try simulator.scores(image: image, labels: labels, encoding: .smiyc, seed: 5)
        let c = try simulator.scores(image: image, labels: labels, encoding: .smiyc, seed: 6)
        #expect(a == b)
        #expect(a != c)
        #expect(a.size == image.size)
        #expect(a.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Mean score over the pixels where `select` holds.
    private func mean(_ scores: ScoreMap, _ select: (Int, Int) -> Bool) -> Double {
        var sum = 0.0, n = 0.0
        for y in 0..<scores.height { for x in 0..<scores.width where select(x, y) { sum += Double(scores[x, y]); n += 1 } }
        return sum / n
    }

    @Test func failureModesShowOnAHandMadeScene() throws {
        let (image, labels) = Self.scene()
        // Switch off the random parts to see each deterministic effect on its own.
        var p = DetectorSimulator.Parameters()
        p.strengthSD = 0; p.unevenness = 0; p.backgroundVariation = 0; p.blobCountMean = 0
        p.coarseNoiseSD = 0; p.fineNoiseSD = 0; p.contrastInfluence = 0
        let scores = try DetectorSimulator(parameters: p).scores(image: image, labels: labels, encoding: .smiyc, seed: 1)
        let block = mean(scores) { x, y in (16..<40).contains(x) && (14..<26).contains(y) }
        let line = mean(scores) { x, y in (70..<72).contains(x) && (12..<52).contains(y) }
        let texture = mean(scores) { x, y in (12..<36).contains(x) && (44..<56).contains(y) }
        let flat = mean(scores) { x, y in (52..<64).contains(x) && (40..<60).contains(y) }
        // Objects score above everything else; a 2-pixel line, thinner than a cell, scores far
        // below the block (thin parts are lost); texture scores above flat background.
        #expect(block > 0.6)
        #expect(line < block - 0.2)
        #expect(texture > flat + 0.05)
        // Leakage: just outside the block (2 pixels away) scores above far background.
        let halo = mean(scores) { x, y in (48..<50).contains(x) && (14..<26).contains(y) }
        #expect(halo > flat + 0.1)
        // The texture term is what raises the textured patch: without it the patch drops, flat
        // background barely moves.
        p.textureWeight = 0
        let plain = try DetectorSimulator(parameters: p).scores(image: image, labels: labels, encoding: .smiyc, seed: 1)
        #expect(texture - mean(plain) { x, y in (12..<36).contains(x) && (44..<56).contains(y) } > 0.05)
        #expect(abs(flat - mean(plain) { x, y in (52..<64).contains(x) && (40..<60).contains(y) }) < 0.02)
    }

    @Test func lowContrastObjectsRespondWeakly() throws {
        var (image, labels) = Self.scene()
        var p = DetectorSimulator.Parameters()
        p.strengthSD = 0; p.unevenness = 0; p.backgroundVariation = 0; p.blobCountMean = 0
        p.coarseNoiseSD = 0; p.fineNoiseSD = 0; p.textureWeight = 0
        let visible = try DetectorSimulator(parameters: p).scores(image: image, labels: labels, encoding: .smiyc, seed: 1)
        for y in 8..<32 { for x in 8..<48 { image[x, y] = RGB(gray: 104) } }  // the block now looks like the road
        labels[0, 0] = 0
        let camouflaged = try DetectorSimulator(parameters: p).scores(image: image, labels: labels, encoding: .smiyc, seed: 1)
        let inside: (Int, Int) -> Bool = { x, y in (16..<40).contains(x) && (14..<26).contains(y) }
        #expect(mean(camouflaged, inside) < mean(visible, inside) - 0.2)
    }

    @Test func rejectsBadParametersAndSizes() throws {
        let (image, labels) = Self.scene()
        var p = DetectorSimulator.Parameters()
        p.outputStride = 0
        #expect(problem { try DetectorSimulator(parameters: p).scores(image: image, labels: labels, encoding: .smiyc, seed: 0) }?.kind == "invalid")
        let small = LabelMap(width: 10, height: 10, repeating: 0)
        #expect(problem { try DetectorSimulator().scores(image: image, labels: small, encoding: .smiyc, seed: 0) }?.kind == "sizeMismatch")
        // No object at all is fine: only background responses.
        let none = try DetectorSimulator().scores(image: image, labels: LabelMap(width: 96, height: 64, repeating: 0), encoding: .smiyc, seed: 0)
        #expect(none.size == image.size)
    }

    @Test func nearestResizeKeepsLabelValues() {
        let labels = LabelMap(width: 4, height: 2, pixels: [0, 1, 2, 3, 4, 5, 6, 7])
        // Destination centres map to source x = 1, 3 and y = 1.0 (on the row boundary: floor gives row 1).
        #expect(labels.resizedNearest(to: RasterSize(width: 2, height: 1)).pixels == [5, 7])
        #expect(labels.resizedNearest(to: RasterSize(width: 8, height: 4)).pixels == [0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 4, 4, 5, 5, 6, 6, 7, 7])
        #expect(labels.resizedNearest(to: labels.size) == labels)
    }
}

@Suite struct SimulationSharedDataTests {
    @Test(.enabled(if: SharedData.isPresent, "../shared/data/road_anomaly not found: skipped"))
    func realFrameScoresOoDAboveBackground() throws {
        let frames = SharedData.roadAnomaly.appendingPathComponent("frames")
        let name = "animals22_red_fox_on_road"
        let loaded = try InputCase.load(image: frames.appendingPathComponent("\(name).jpg").path,
                                        label: frames.appendingPathComponent("\(name).labels/labels_semantic.png").path)
        let size = RasterSize(width: 320, height: 180)
        let image = try loaded.image.resized(to: size, method: .area)
        let labels = loaded.label!.resizedNearest(to: size)
        let scores = try DetectorSimulator().scores(image: image, labels: labels, encoding: .roadAnomaly, seed: 3)
        var ood = 0.0, oodN = 0.0, bg = 0.0, bgN = 0.0
        for (s, l) in zip(scores.pixels, labels.pixels) {
            if l == 2 { ood += Double(s); oodN += 1 } else { bg += Double(s); bgN += 1 }
        }
        #expect(oodN > 0 && ood / oodN > 2 * (bg / bgN))
    }
}
