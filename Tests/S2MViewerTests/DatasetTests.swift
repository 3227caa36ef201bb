import Foundation
import Testing
import S2MCore
import S2MRender
@testable import S2MViewer

/// Three images whose object sits under strip box 0, 1 or nowhere (x = 30), so S2M with two
/// strip prompts scores IoU 0.5, 0.5 and 0 while the threshold is exact everywhere.
private func dataset() -> Harness {
    let items = ["a", "b", "c"].map { DatasetItem(name: $0, image: "/in/\($0).png", scores: "/in/\($0).npy", label: "/in/\($0).png.label") }
    let cases = ["a": makeCase(objectX: 0), "b": makeCase(objectX: 10), "c": makeCase(objectX: 30)]
    return Harness(items: items, cases: cases)
}

@Test func nAndPStepThroughImagesAndKeepEdits() {
    var h = dataset()
    #expect(h.status.hasPrefix("a (1/3)"))
    h.press("p")
    #expect(h.model.message == "first image")
    h.press("Space")          // edit a
    h.press("n")
    #expect(h.status.hasPrefix("b (2/3)"))
    #expect(h.model.prompts.allSatisfy { $0.isEnabled })
    h.press("n", "n")
    #expect(h.model.message == "last image")
    h.press("p", "p")
    #expect(h.status.hasPrefix("a (1/3)"))
    #expect(h.model.prompts[0].isEnabled == false)
}

@Test func orderingPutsFailuresFirst() {
    var h = dataset()
    h.press("o")  // worst S2M IoU first
    #expect(h.model.orderKind == .worstS2M)
    #expect(h.model.order == [2, 0, 1])
    // The image on screen stays, now at its new position.
    #expect(h.status.hasPrefix("a (2/3)"))
    #expect(h.model.rankedMetrics[2]?.s2m.iou == 0)
    h.press("o")  // worst threshold IoU: all tie at 1, file order kept
    #expect(h.model.order == [0, 1, 2])
    h.press("o")  // S2M behind the threshold first: c (1 - 0) before a and b (1 - 0.5)
    #expect(h.model.order == [2, 0, 1])
    h.press("o", "o")  // gap, then file order
    #expect(h.model.orderKind == .file)
    #expect(h.model.order == [0, 1, 2])
}

@Test func orderByMetricTies() {
    let metrics: [Int: CaseMetrics] = [
        0: CaseMetrics(threshold: MaskScore(iou: 0.2, f1: 0), s2m: MaskScore(iou: 0.9, f1: 0)),
        1: CaseMetrics(threshold: MaskScore(iou: 0.8, f1: 0), s2m: MaskScore(iou: 0.3, f1: 0)),
        3: CaseMetrics(threshold: MaskScore(iou: 0.5, f1: 0), s2m: MaskScore(iou: 0.3, f1: 0)),
    ]
    #expect(DatasetOrder.worstS2M.order(count: 4, metrics: metrics) == [1, 3, 0, 2])
    #expect(DatasetOrder.s2mLoses.order(count: 4, metrics: metrics) == [1, 3, 0, 2])
    #expect(DatasetOrder.gap.order(count: 4, metrics: metrics) == [0, 1, 3, 2])
    #expect(DatasetOrder.worstThreshold.order(count: 4, metrics: metrics) == [0, 3, 1, 2])
}

@Test func aFailingImageIsReportedAndTheViewerGoesOn() {
    let items = [DatasetItem(name: "a", image: "/in/a.png"), DatasetItem(name: "missing", image: "/in/missing.png")]
    var h = Harness(items: items, cases: ["a": makeCase()])
    h.press("n")
    #expect(h.model.current == nil)
    #expect(h.model.loadError == "/in/missing.png: no such file")
    let screen = ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).render(h.model)
    #expect((0..<screen.height).contains { screen.text(row: $0).contains("/in/missing.png: no such file") })
    h.press("p")
    #expect(h.model.current != nil)
}

@Test func imagesWithoutScoresOrLabelStillOpen() {
    var noLabel = Harness(cases: ["a": makeCase(hasLabel: false)])
    #expect(noLabel.model.metrics == nil)
    #expect(!noLabel.model.panelKinds.contains(.label))
    noLabel.press("4")
    #expect(noLabel.model.panelKinds == [.image, .scores, .threshold, .s2m])

    let photoOnly = LoadedCase(image: RGBImage(width: 40, height: 20, repeating: RGB(gray: 9)))
    var bare = Harness(cases: ["a": photoOnly])
    #expect(bare.model.prompts.isEmpty)
    #expect(bare.model.thresholdMask == nil)
    bare.press("Right")
    #expect(bare.model.message == "no scores")
}

@Test func importedPromptsAreUsedInsteadOfGenerating() {
    var c = makeCase()
    c.prompts = [Prompt(box: Box(x0: 0, y0: 0, x1: 8, y1: 8), confidence: 0.7, source: "coco")]
    let h = Harness(cases: ["a": c])
    #expect(h.model.prompts.count == 1)
    #expect(h.model.prompts[0].origin == .imported)
    #expect(h.model.metrics?.s2m.iou == 1)
}
