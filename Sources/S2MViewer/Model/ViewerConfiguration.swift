import S2MCore
import S2MRender

/// What the command layer tells the viewer: the images, the generator's parameters, the
/// segmenters' names (the runner holds the segmenters themselves), and display settings.
public struct ViewerConfiguration: Sendable {
    public var items: [DatasetItem]
    /// Names of the available segmenters, in the order of the runner's list; `m` cycles them.
    public var segmenterNames: [String]
    /// The tunable prompt generators, in the order of the runner's list; the first is the default.
    public var generators: [GeneratorDescription]
    /// The threshold the baseline starts at for a score map (e.g. Otsu's).
    public var defaultThreshold: @Sendable (ScoreMap) -> Float
    /// Where `s` saves the session.
    public var sessionPath: String
    /// Where `e` exports masks.
    public var exportDirectory: String
    public var colorMode: ColorModeKind
    public var geometry: CellGeometry
    public var colormap: Colormap
    public var order: DatasetOrder
    /// A saved session to restore.
    public var session: SessionFile?
    /// Start the guided tour right away.
    public var startTour: Bool
    /// Name of the image to open first (default: the first in order).
    public var startItem: String?

    public init(items: [DatasetItem], segmenterNames: [String], generators: [GeneratorDescription] = [],
                defaultThreshold: @escaping @Sendable (ScoreMap) -> Float = ViewerConfiguration.midRange,
                sessionPath: String = "s2m-session.json", exportDirectory: String = "s2m-out",
                colorMode: ColorModeKind = .truecolor, geometry: CellGeometry = .halfBlock,
                colormap: Colormap = .viridis, order: DatasetOrder = .file, session: SessionFile? = nil,
                startTour: Bool = false, startItem: String? = nil) {
        self.items = items
        self.segmenterNames = segmenterNames
        self.generators = generators
        self.defaultThreshold = defaultThreshold
        self.sessionPath = sessionPath
        self.exportDirectory = exportDirectory
        self.colorMode = colorMode
        self.geometry = geometry
        self.colormap = colormap
        self.order = order
        self.session = session
        self.startTour = startTour
        self.startItem = startItem
    }

    /// The middle of the score map's default display range.
    public static let midRange: @Sendable (ScoreMap) -> Float = { scores in
        let range = Scene.defaultScoreRange(scores)
        return (range.lowerBound + range.upperBound) / 2
    }
}
