import Testing
@testable import S2MCore

@Suite struct ComponentTreeTests {
    @Test func twoPeaksMergeIntoOneRegion() {
        // Levels of 4: q = floor(4 v) = 3 0 3 / 2 0 2 / 2 2 2.
        let map = ScoreMap(width: 3, height: 3, pixels: [0.9, 0.1, 0.8,
                                                        0.5, 0.1, 0.5,
                                                        0.5, 0.5, 0.5])
        let tree = ComponentTree(values: map, levelCount: 4)
        #expect(tree.nodes.count == 3)
        let (a, b, c) = (tree.nodes[0], tree.nodes[1], tree.nodes[2])
        #expect(a.top == 3 && a.bottom == 3 && a.area == 1 && a.parent == 2 && a.x0 == 0 && a.x1 == 1)
        #expect(b.top == 3 && b.bottom == 3 && b.area == 1 && b.parent == 2 && b.x0 == 2)
        #expect(c.top == 2 && c.bottom == 1 && c.area == 7 && c.parent == -1)
        #expect(c.x0 == 0 && c.y0 == 0 && c.x1 == 3 && c.y1 == 3)
        #expect(abs(c.sum - 4.2) < 1e-6 && c.maximum == 0.9)
        #expect(tree.area(ofNode: 0, atLevel: 3) == 1)
        #expect(tree.area(ofNode: 0, atLevel: 2) == 7)
        #expect(tree.area(ofNode: 0, atLevel: 1) == 7)
        #expect(tree.area(ofNode: 0, atLevel: 0) == nil)
        #expect(tree.area(ofNode: 2, atLevel: 3) == 0)
    }

    @Test func diagonalNeighboursJoin() {
        let map = ScoreMap(width: 2, height: 2, pixels: [1, 0, 0, 1])
        let tree = ComponentTree(values: map, levelCount: 2)
        #expect(tree.nodes.count == 1 && tree.nodes[0].area == 2)
    }
}

@Suite struct NonMaximumSuppressionTests {
    @Test func keepsTheBestOfOverlappingBoxes() {
        let boxes = [Box(x0: 0, y0: 0, x1: 10, y1: 10), Box(x0: 1, y0: 1, x1: 11, y1: 11),
                     Box(x0: 20, y0: 20, x1: 30, y1: 30), Box(x0: 0, y0: 0, x1: 10, y1: 10),
                     Box(x0: 5, y0: 0, x1: 15, y1: 10)]
        // IoU(0, 1) = 81 / 119 = 0.68; IoU(0, 4) = 50 / 150 = 0.33.
        let kept = nonMaximumSuppression(boxes: boxes, scores: [0.9, 0.8, 0.95, 0.9, 0.7], iouThreshold: 0.5)
        #expect(kept == [2, 0, 4])
        #expect(nonMaximumSuppression(boxes: boxes, scores: [0.9, 0.8, 0.95, 0.9, 0.7], iouThreshold: 0.3) == [2, 0])
        #expect(nonMaximumSuppression(boxes: [], scores: [], iouThreshold: 0.5).isEmpty)
    }
}

@Suite struct ComponentTreeGeneratorTests {
    /// Background 0.1, a 40 x 30 plateau at 1.0 at (50, 20), a 10 x 10 blob at 0.6 at (150, 60)
    /// and a single bright pixel (too small to be an object).
    static func scene() -> ScoreMap {
        var m = ScoreMap(width: 200, height: 100, repeating: 0.1)
        for y in 20..<50 { for x in 50..<90 { m[x, y] = 1 } }
        for y in 60..<70 { for x in 150..<160 { m[x, y] = 0.6 } }
        m[10, 90] = 0.9
        return m
    }

    var exact: ComponentTreeParameters {
        var p = ComponentTreeParameters()
        p.workingSize = 0
        p.smoothingSigma = 0
        return p
    }

    @Test func boxesStableRegionsWithPeakConfidence() throws {
        let prompts = try ComponentTreeGenerator(parameters: exact).prompts(scores: Self.scene(), image: nil)
        #expect(prompts.count == 2)
        // The plateau: box [50, 20, 90, 50] grown by 10% of 40 x 30 on each side.
        #expect(prompts[0].box == Box(x0: 46, y0: 17, x1: 94, y1: 53))
        #expect(prompts[0].confidence == 1 && prompts[0].source == "component-tree" && prompts[0].kind == .box)
        // The blob: normalised peak (0.6 - 0.1) / (1 - 0.1).
        #expect(prompts[1].box == Box(x0: 149, y0: 59, x1: 161, y1: 71))
        #expect(abs(prompts[1].confidence - 0.5 / 0.9) < 1e-6)
    }

    @Test func mergedObjectsAreNotPreferredOverSeparateOnes() throws {
        // Two plateaus joined by a low ridge: the ridge level region (both + ridge) is less
        // valuable than the two plateaus.
        var m = ScoreMap(width: 120, height: 60, repeating: 0)
        for y in 10..<50 { for x in 10..<50 { m[x, y] = 1 } ; for x in 70..<110 { m[x, y] = 1 } }
        for y in 28..<32 { for x in 50..<70 { m[x, y] = 0.3 } }
        let regions = try ComponentTreeGenerator(parameters: exact).regions(scores: m)
        #expect(regions.count == 2)
        #expect(Set(regions.map(\.box)) == [Box(x0: 10, y0: 10, x1: 50, y1: 50), Box(x0: 70, y0: 10, x1: 110, y1: 50)])
    }

    @Test func flatOrEmptyMapsGiveNoPrompts() throws {
        let g = ComponentTreeGenerator()
        #expect(try g.prompts(scores: ScoreMap(width: 50, height: 40, repeating: 0.3), image: nil).isEmpty)
        #expect(try g.prompts(scores: ScoreMap(width: 0, height: 0, pixels: []), image: nil).isEmpty)
    }

    @Test func workingResolutionMapsBoxesBackToImagePixels() throws {
        // The same scene at 4x the size analysed at 200 px: boxes scale back (within a pixel of rounding).
        let small = Self.scene()
        let big = try small.resized(to: RasterSize(width: 800, height: 400), method: .area)
        var p = ComponentTreeParameters()
        p.workingSize = 200
        p.smoothingSigma = 0
        let prompts = try ComponentTreeGenerator(parameters: p).prompts(scores: big, image: nil)
        #expect(prompts.count == 2)
        #expect(prompts[0].box == Box(x0: 184, y0: 68, x1: 376, y1: 212))
    }

    @Test func invalidParametersAreRefused() {
        var p = ComponentTreeParameters()
        p.levels = 1
        #expect(throws: S2MError.self) { try ComponentTreeGenerator(parameters: p).prompts(scores: Self.scene(), image: nil) }
    }
}

@Suite struct PeakPointGeneratorTests {
    @Test func peaksKeepTheHighestWithinTheMinimumDistance() {
        var m = ScoreMap(width: 20, height: 10, repeating: 0)
        m[3, 4] = 1.0
        m[5, 4] = 0.9     // 2 px from a higher peak: suppressed
        m[15, 5] = 0.7
        m[15, 6] = 0.7    // a tie next to (15, 5): the earlier in raster order wins
        m[10, 1] = 0.3    // below the minimum value
        let peaks = findPeaks(m, minimumDistance: 3, minimumValue: 0.5, limit: 10)
        #expect(peaks == [Peak(x: 3, y: 4, value: 1), Peak(x: 15, y: 5, value: 0.7)])
        #expect(findPeaks(m, minimumDistance: 3, minimumValue: 0.5, limit: 1).count == 1)
        #expect(findPeaks(m, minimumDistance: 1, minimumValue: 0.5, limit: 10).count == 3)  // 2 px apart is allowed
    }

    @Test func promptsCarryPointsAtPixelCentresAndNegatives() throws {
        // Left half low (0), right half 0.2, one peak at (30, 20).
        var m = ScoreMap(width: 64, height: 40, repeating: 0.2)
        for y in 0..<40 { for x in 0..<20 { m[x, y] = 0 } }
        m[30, 20] = 1
        var p = PeakPointParameters()
        p.workingSize = 0
        p.smoothingSigma = 0
        p.negativePoints = 1
        p.negativeRadius = 0.3   // 12 px: the leftmost direction reaches x = 18, in the low half
        let prompts = try PeakPointGenerator(parameters: p).prompts(scores: m, image: nil)
        #expect(prompts.count == 1)
        #expect(prompts[0].points.first == PromptPoint(x: 30.5, y: 20.5, isPositive: true))
        #expect(prompts[0].points.count == 2 && !prompts[0].points[1].isPositive)
        #expect(prompts[0].points[1].x < 20)
        #expect(prompts[0].confidence == 1 && prompts[0].kind == .points && prompts[0].source == "peaks")
    }
}

@Suite struct ParameterSpecTests {
    func checkDefaults<P: TunableParameters>(_ parameters: P) {
        let values = parameters.values
        #expect(Set(values.keys) == Set(P.specs.map(\.key)))
        for spec in P.specs {
            #expect(values[spec.key] == spec.defaultValue, "\(P.self).\(spec.key): struct default \(values[spec.key]!) vs spec \(spec.defaultValue)")
            #expect(spec.minimum <= spec.defaultValue && spec.defaultValue <= spec.maximum)
        }
    }

    @Test func specsDescribeTheStructDefaults() {
        checkDefaults(ComponentTreeParameters())
        checkDefaults(PeakPointParameters())
        checkDefaults(GrabCutParameters())
    }

    @Test func applyingValuesSetsFieldsAndRefusesBadOnes() throws {
        let p = try ComponentTreeParameters().applying(["maximum-growth": 0.25, "maximum-prompts": 7])
        #expect(p.maximumGrowth == 0.25 && p.maximumPrompts == 7)
        #expect(throws: S2MError.self) { try ComponentTreeParameters().applying(["nope": 1]) }
        #expect(throws: S2MError.self) { try ComponentTreeParameters().applying(["levels": 2]) }
        #expect(throws: S2MError.self) { try ComponentTreeParameters().applying(["maximum-prompts": 2.5]) }
        #expect(try GrabCutParameters().applying(["score-weight": 0]).scoreWeight == 0)
        #expect(try ComponentTreeParameters.parseAssignments(["a=1", "b=0.5"]) == ["a": 1, "b": 0.5])
        #expect(throws: S2MError.self) { try ComponentTreeParameters.parseAssignments(["a:1"]) }
    }
}
