import S2MCore
import S2MRender

/// The guided tour (`t`): a newcomer's five minutes with S2M. Each step arranges the panels and
/// the state to show one idea, with a few lines of text; keys other than the tour's own still
/// work, so the reader can try what the text suggests.
public enum Tour {
    public struct Step: Sendable {
        public var title: String
        /// The text, given the model (to quote live numbers).
        public var text: @Sendable (ViewerModel) -> [String]
        public var panels: [PanelKind]
        /// Where the threshold goes, as a fraction of the score range (nil: leave it).
        public var thresholdFraction: Float?
        /// Reset the threshold to the image's default.
        public var resetThreshold: Bool
        /// Select the first prompt.
        public var selectFirstPrompt: Bool
    }

    /// Lines of text of every step (the box's height is fixed so panels do not jump around).
    public static let lineCount = 4

    static func thresholdText(_ m: ViewerModel) -> String {
        TextFormat.score(m.threshold)
    }

    static func fragments(_ m: ViewerModel) -> String {
        guard let mask = m.thresholdMask, let components = try? ConnectedComponents(mask: mask) else { return "" }
        let count = components.count
        return "At t = \(thresholdText(m)) the threshold mask falls into \(count) separate piece\(count == 1 ? "" : "s")."
    }

    public static let steps: [Step] = [
        Step(title: "1/6  The photo and its anomaly scores",
             text: { _ in [
                "Left: a road scene with an object that does not belong there (out-of-distribution, OoD).",
                "Right: the anomaly score map of an OoD detector, one score per pixel (bright = unusual).",
                "The sample scores are simulated with the weaknesses of real detectors (samples/SOURCES.md).",
                "Enter: next   Backspace: back   Esc: leave the tour (t brings it back)",
             ] },
             panels: [.image, .scores], thresholdFraction: nil, resetThreshold: true, selectFirstPrompt: false),
        Step(title: "2/6  A high threshold breaks the object into fragments",
             text: { m in [
                "The usual baseline keeps the pixels whose score is above a threshold t (orange).",
                "Scores are uneven inside an object, so a strict t keeps only its hottest parts.",
                fragments(m),
                "Try it: ← → (or [ ]) move t; the marker | on the colour bar shows where it cuts.",
             ] },
             panels: [.scores, .threshold], thresholdFraction: 0.8, resetThreshold: false, selectFirstPrompt: false),
        Step(title: "3/6  A low threshold floods the road",
             text: { m in [
                "Lower t and the object is whole, but the road, edges and textures come with it.",
                fragments(m),
                "No single t is right for every object and image: the paper's point.",
             ] },
             panels: [.scores, .threshold], thresholdFraction: 0.25, resetThreshold: false, selectFirstPrompt: false),
        Step(title: "4/6  S2M makes prompts instead of choosing t",
             text: { m in [
                "S2M looks at the score map at many levels at once, keeps regions that stay stable and",
                "score high, and draws a box around each: a prompt, with a confidence (#1 is the highest).",
                m.prompts.isEmpty ? "(making prompts…)" : "This image has \(m.prompts.count) prompt\(m.prompts.count == 1 ? "" : "s"). Tab / Shift-Tab step through them.",
                "g opens the generator's parameters: change one and the prompts are made again.",
             ] },
             panels: [.scores, .s2m], thresholdFraction: nil, resetThreshold: true, selectFirstPrompt: true),
        Step(title: "5/6  The segmenter turns each prompt into a whole object",
             text: { m in [
                "Each prompt goes to a promptable segmenter (\(m.configuration.segmenterNames.isEmpty ? "none loaded" : m.configuration.segmenterNames[m.segmenterIndex]) here; Segment Anything in the paper).",
                "It follows the photo's colours and edges, so the selected prompt's mask (yellow) covers the",
                "whole object even where its scores were weak; blue is all prompts' masks together.",
                "Space turns a prompt off, x deletes it, c shows a cursor: a / r add +/- points, b draws a box.",
             ] },
             panels: [.threshold, .s2m], thresholdFraction: nil, resetThreshold: true, selectFirstPrompt: true),
        Step(title: "6/6  Both methods against the ground truth",
             text: { m in
                var lines = [String]()
                if let metrics = m.metrics {
                    lines.append("On this image: IoU threshold \(TextFormat.fraction(metrics.threshold.iou)) vs S2M \(TextFormat.fraction(metrics.s2m.iou)),  F1 \(TextFormat.fraction(metrics.threshold.f1)) vs \(TextFormat.fraction(metrics.s2m.f1)).")
                } else {
                    lines.append("This image has no label, so there is nothing to score against.")
                }
                lines.append("Diff: green = found, red = false alarm, blue = missed (d: S2M or threshold).")
                lines.append("n / p: other images; o orders them worst first; s saves, e exports the masks.")
                lines.append("That is S2M. ? lists every key; Enter ends the tour.")
                return lines
             },
             panels: [.image, .scores, .threshold, .s2m, .label, .diff], thresholdFraction: nil,
             resetThreshold: true, selectFirstPrompt: true),
    ]

    /// Arranges the model for `step`.
    public static func apply(step: Int, to model: inout ViewerModel) {
        guard steps.indices.contains(step) else { return }
        let s = steps[step]
        model.panelOverride = s.panels
        model.viewport = .whole
        if let current = model.current, current.data.scores != nil {
            if let fraction = s.thresholdFraction {
                let range = current.scoreRange
                model.threshold = range.lowerBound + fraction * (range.upperBound - range.lowerBound)
                model.updateThresholdMask()
            } else if s.resetThreshold, let scores = current.data.scores {
                model.threshold = model.configuration.defaultThreshold(scores)
                model.updateThresholdMask()
            }
        }
        if s.selectFirstPrompt && !model.prompts.isEmpty && model.selected == nil {
            model.selected = 0
        }
    }
}
