import S2MCore

/// One image the viewer can open: file paths as given (the loader resolves them).
public struct DatasetItem: Hashable, Sendable, Codable {
    /// A short name, unique in the list (the image's file stem, normally).
    public var name: String
    public var image: String
    public var scores: String?
    public var label: String?
    public var prompts: String?

    public init(name: String, image: String, scores: String? = nil, label: String? = nil, prompts: String? = nil) {
        self.name = name
        self.image = image
        self.scores = scores
        self.label = label
        self.prompts = prompts
    }

    /// Every input file of the item (saves must never overwrite one).
    public var inputPaths: [String] { [image, scores, label, prompts].compactMap { $0 } }
}

/// An item's data, loaded and checked (all rasters the image's size).
public struct LoadedCase: Sendable {
    public var image: RGBImage
    public var scores: ScoreMap?
    /// Ground-truth OoD pixels and void pixels, from the label and its encoding.
    public var groundTruth: Mask?
    public var void: Mask?
    /// Prompts read from the item's prompts file, if any.
    public var prompts: [Prompt]?

    public init(image: RGBImage, scores: ScoreMap? = nil, groundTruth: Mask? = nil, void: Mask? = nil,
                prompts: [Prompt]? = nil) {
        self.image = image
        self.scores = scores
        self.groundTruth = groundTruth
        self.void = void
        self.prompts = prompts
    }
}

/// Reads an item's files. Provided by the command layer (which knows the readers and the label
/// encoding); throws `S2MError` naming the file.
public typealias CaseLoader = @Sendable (DatasetItem) throws -> LoadedCase
