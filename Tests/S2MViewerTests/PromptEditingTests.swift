import Foundation
import Testing
import S2MCore
import S2MRender
@testable import S2MViewer

@Test func openingAnImageMakesPromptsAndMasks() {
    let h = Harness()
    #expect(h.model.prompts.count == 2)
    #expect(h.model.prompts.allSatisfy { $0.origin == .generated && $0.isEnabled })
    #expect(h.model.selected == 0)
    // Two 8x8 boxes: the S2M mask is their union.
    #expect(count(h.model.s2mMask) == 128)
    // Threshold at mid-range 0.5: the object's 64 pixels.
    #expect(h.model.threshold == 0.5)
    #expect(count(h.model.thresholdMask) == 64)
    #expect(h.model.metrics == CaseMetrics(threshold: MaskScore(iou: 1, f1: 1), s2m: MaskScore(iou: 0.5, f1: 2.0 / 3)))
    #expect(!h.model.isBusy)
    #expect(!h.model.dirty)
    #expect(h.status.contains("prompt 1/2 box 1.00"))
    #expect(h.status.contains("IoU thr 1.00 S2M 0.50"))
}

@Test func tabStepsThroughPromptsAndWraps() {
    var h = Harness()
    h.press("Tab")
    #expect(h.model.selected == 1)
    #expect(h.status.contains("prompt 2/2 box 0.90"))
    h.press("Tab")
    #expect(h.model.selected == 0)
    h.press("BTab")
    #expect(h.model.selected == 1)
    // The selected prompt's own mask is in the scene.
    #expect(h.model.scene?.selectedMask?.value == h.model.mask(of: h.model.prompts[1])?.mask)
    #expect(!h.model.dirty)
}

@Test func spaceTogglesAPromptOutOfTheS2MMask() {
    var h = Harness()
    h.press("Tab", "Space")
    #expect(h.model.prompts[1].isEnabled == false)
    #expect(count(h.model.s2mMask) == 64)
    #expect(h.model.metrics?.s2m.iou == 1)
    #expect(h.model.dirty)
    #expect(h.status.contains("off"))
    h.press("Space")
    #expect(count(h.model.s2mMask) == 128)
}

@Test func deletingKeepsASensibleSelection() {
    var h = Harness()
    h.press("Tab", "x")
    #expect(h.model.prompts.count == 1)
    #expect(h.model.selected == 0)
    #expect(count(h.model.s2mMask) == 64)
    h.press("DC")
    #expect(h.model.prompts.isEmpty)
    #expect(h.model.selected == nil)
    #expect(count(h.model.s2mMask) == 0)
    h.press("x")
    #expect(h.model.message == "no prompt selected")
}

@Test func thresholdKeysMoveByOnePercentOfTheRangeAndClamp() {
    var h = Harness()
    h.press("Right")
    #expect(abs(h.model.threshold - 0.51) < 1e-6)
    h.press("]", "]")
    #expect(abs(h.model.threshold - 0.53) < 1e-6)
    h.press("Left", "[")
    #expect(abs(h.model.threshold - 0.51) < 1e-6)
    h.press("}")
    #expect(abs(h.model.threshold - 0.61) < 1e-6)
    // Above 0.9 nothing is left; the threshold stops at the top of the range.
    for _ in 0..<10 { h.press("S-Right") }
    #expect(h.model.threshold == 1)
    #expect(count(h.model.thresholdMask) == 0)
    #expect(h.model.metrics?.threshold.iou == 0)
    // Below 0.3 everything floods.
    for _ in 0..<12 { h.press("{") }
    #expect(h.model.threshold == 0)
    #expect(count(h.model.thresholdMask) == 800)
    #expect(h.model.dirty)
    h.press("T")
    #expect(h.model.threshold == 0.5)
}

@Test func cursorAddsPointsToTheSelectedPromptAndResegments() {
    var h = Harness()
    h.press("c")
    // The cursor starts at the selected box's centre.
    #expect(h.model.cursor == ImagePoint(x: 4, y: 4))
    // One arrow press moves one screen pixel: with a 40x20 image the panel is wider than the
    // image, so a screen pixel is less than an image pixel.
    let step = 1 / h.model.referencePlacement!.scaleX
    h.press("Right")
    #expect(abs(h.model.cursor!.x - (4 + step)) < 1e-5)
    // Arrows no longer move the threshold while the cursor is shown.
    #expect(h.model.threshold == 0.5)
    // Move far right into the second box's area (x ~ 14) and add a negative point there... to
    // prompt 1: a 3x3 hole? No: outside box 1, so a negative point clears nothing; add positive.
    for _ in 0..<Int((20 - 4 - step) / step) { h.press("Right") }
    h.press("a")
    #expect(h.model.prompts[0].prompt.points.count == 1)
    #expect(h.model.prompts[0].origin == .user)
    #expect(h.model.prompts[0].prompt.source == "user")
    // The edited prompt was segmented again: its mask is the box plus a 3x3 square at x ~ 20.
    let m = h.model.mask(of: h.model.prompts[0])!.mask
    #expect(m.trueCount == 64 + 9)
    #expect(h.model.dirty)
    // A negative point inside the box removes 3x3 pixels.
    h.press("c", "c", "r")
    #expect(h.model.mask(of: h.model.prompts[0])!.mask.trueCount == 64 + 9 - 9)
}

@Test func iMakesANewPointPromptAndBDrawsABox() {
    var h = Harness()
    h.press("i")  // shows the cursor first
    #expect(h.model.cursor != nil)
    #expect(h.model.prompts.count == 2)
    h.press("i")
    #expect(h.model.prompts.count == 3)
    #expect(h.model.selected == 2)
    #expect(h.model.prompts[2].prompt.points == [PromptPoint(x: 4, y: 4, isPositive: true)])
    // Box: corner at the cursor (4, 4), move down-right, second corner.
    h.press("b")
    #expect(h.model.boxCorner == ImagePoint(x: 4, y: 4))
    let step = 1 / h.model.referencePlacement!.scaleX
    let moves = Int((10 / step).rounded())
    for _ in 0..<moves { h.press("Right") }
    for _ in 0..<moves { h.press("Down") }
    h.press("b")
    #expect(h.model.prompts.count == 4)
    let box = h.model.prompts[3].prompt.box!
    #expect(box.x0 == 4 && box.y0 == 4)
    #expect(box.x1 == 15 && box.y1 == 15)
    #expect(h.model.mask(of: h.model.prompts[3])!.mask.trueCount == 11 * 11)
    // Escape cancels a box in progress.
    h.press("b", "Escape")
    #expect(h.model.boxCorner == nil)
    #expect(h.model.prompts.count == 4)
}

@Test func generatorFormRemakesPromptsAndKeepsTheUsersOwn() {
    var h = Harness()
    h.press("i", "i")  // a user prompt
    #expect(h.model.prompts.count == 3)
    h.press("g")
    #expect(h.model.mode == .form(field: 0))
    h.press("Down", "Right")
    #expect(h.model.generatorValues["count"] == 3)
    #expect(h.model.prompts.count == 4)
    #expect(h.model.prompts.filter { $0.origin == .generated }.count == 3)
    #expect(h.model.prompts.last?.origin == .user)
    #expect(count(h.model.s2mMask) == 3 * 64 + 9 - 9)  // the point square lies inside box 1
    // Clamped at the maximum.
    h.press("S-Right")
    #expect(h.model.generatorValues["count"] == 4)
    h.press("Down", "Right")
    #expect(h.model.generatorValues["score-blur"] == 1.5)
    h.press("r")
    #expect(h.model.generatorValues == ["count": 2, "score-blur": 1])
    // Row 0 switches the generator; its prompts replace the generated ones, the user's stay.
    h.press("Up", "Up", "Right")
    #expect(h.model.currentGenerator?.name == "block")
    #expect(h.model.prompts.filter { $0.origin == .generated }.map(\.prompt.source) == ["block"])
    #expect(h.model.prompts.last?.origin == .user)
    #expect(count(h.model.s2mMask) == 128)
    h.press("Right")
    #expect(h.model.currentGenerator?.name == "strip")
    #expect(h.model.generatorValues == ["count": 2, "score-blur": 1])
    h.press("Enter")
    #expect(h.model.mode == .browse)
}

@Test func switchingTheSegmenterRecomputesMasks() {
    var h = Harness()
    #expect(h.status.contains("rect"))
    h.press("m")
    #expect(h.model.segmenterIndex == 1)
    // "inset" shrinks each 8x8 box by one pixel all round: 6x6.
    #expect(count(h.model.s2mMask) == 2 * 36)
    #expect(h.status.contains("inset"))
    h.press("m")
    #expect(count(h.model.s2mMask) == 128)
}

@Test func busyMarkerAndCancellation() {
    var h = Harness(immediate: false)
    #expect(h.model.isBusy)
    #expect(h.status.contains("making prompts"))
    h.runner.runPending(on: &h.model)
    #expect(!h.model.isBusy)
    h.press("c", "i")
    #expect(h.model.isBusy)
    #expect(h.status.contains("segmenting 0/1"))
    // Keys still work while busy.
    h.press("Tab")
    #expect(h.model.selected == 0)
    h.press("c")  // hide the cursor so Escape goes to the job
    h.press("Escape")
    #expect(!h.model.isBusy)
    #expect(!h.runner.cancelled.isEmpty)
    #expect(h.model.message == "segmentation cancelled")
}

@Test func zoomAndPanStayInsideTheImage() {
    var h = Harness()
    h.press("+")
    #expect(h.model.viewport.zoom == 1.5)
    for _ in 0..<10 { h.press("h") }
    let p = h.model.referencePlacement!
    #expect(p.source.x == 0)
    #expect(abs(p.scaleX - p.scaleY) < 1e-9)
    h.press("=")
    #expect(h.model.viewport == .whole)
    h.press("-")
    #expect(h.model.viewport.zoom == 1)
}
