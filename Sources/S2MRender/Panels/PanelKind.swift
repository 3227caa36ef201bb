/// The views of one image the renderer can draw.
public enum PanelKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// The photo.
    case image
    /// The anomaly score map as a heatmap, with a colour bar.
    case scores
    /// The threshold baseline's mask over the photo.
    case threshold
    /// The S2M mask (all prompts' masks combined) over the photo, the prompts on top, the selected
    /// prompt's own mask highlighted.
    case s2m
    /// The ground-truth OoD pixels (and void) over the photo.
    case label
    /// True positives, false positives and false negatives of a prediction against ground truth.
    case diff

    /// The title the viewer shows above the panel.
    public var title: String {
        switch self {
        case .image: return "image"
        case .scores: return "scores"
        case .threshold: return "threshold"
        case .s2m: return "S2M"
        case .label: return "ground truth"
        case .diff: return "diff"
        }
    }
}
