import Testing
import S2MCore
import S2MRender
@testable import S2MViewer

@Test func theTourWalksThroughTheStory() {
    var h = Harness()
    h.press("t")
    #expect(h.model.mode == .tour(step: 0))
    #expect(h.model.panelKinds == [.image, .scores])
    h.press("Enter")
    #expect(h.model.panelKinds == [.scores, .threshold])
    #expect(abs(h.model.threshold - 0.8) < 1e-6)  // 80% of the range [0, 1]
    let text = Tour.steps[1].text(h.model).joined(separator: " ")
    #expect(text.contains("falls into 0 separate pieces") || text.contains("separate piece"))
    // Keys other than the tour's still work: the threshold moves.
    h.press("Left")
    #expect(abs(h.model.threshold - 0.79) < 1e-6)
    h.press("Enter")
    #expect(abs(h.model.threshold - 0.25) < 1e-6)
    #expect(count(h.model.thresholdMask) == 800)
    h.press("Enter")
    #expect(h.model.panelKinds == [.scores, .s2m])
    #expect(h.model.threshold == 0.5)
    h.press("Enter", "Enter")
    #expect(h.model.panelKinds.count == 6)
    #expect(Tour.steps[5].text(h.model)[0].contains("IoU threshold 1.00 vs S2M 0.50"))
    h.press("BSpace")
    #expect(h.model.mode == .tour(step: 4))
    h.press("Enter", "Enter")
    #expect(h.model.mode == .browse)
    #expect(h.model.panelOverride == nil)
    // The tour can start at launch (s2m demo) and Escape leaves it.
    var demo = Harness(startTour: true)
    #expect(demo.model.mode == .tour(step: 0))
    demo.press("Escape")
    #expect(demo.model.mode == .browse)
}

@Test func everyTourStepFitsItsBox() {
    let h = Harness()
    for step in Tour.steps { #expect(step.text(h.model).count <= Tour.lineCount, "\(step.title)") }
}

@Test func tourBoxIsDrawnAboveTheStatusLine() {
    var h = Harness()
    h.press("t")
    let screen = ScreenRenderer(colorMode: .truecolor, geometry: .halfBlock).render(h.model)
    let rows = (0..<screen.height).map { screen.text(row: $0) }
    let title = rows.firstIndex { $0.contains("1/6  The photo and its anomaly scores") }
    #expect(title != nil)
    #expect(rows[47].contains("└"))
    // The panels keep clear of the box: no picture cell in its rows.
    #expect(h.model.screenLayout.frames.allSatisfy { $0.y + $0.height <= 50 - 2 - (Tour.lineCount + 2) })
}
