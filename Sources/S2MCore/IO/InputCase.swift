/// One case to work on: a photo, optionally its anomaly scores and ground-truth labels, read and
/// checked to have the same size. What `s2m run`, `s2m eval` and the viewer load per image.
public struct InputCase: Sendable {
    public var imageFile: String
    public var image: RGBImage
    public var scoresFile: String?
    public var scores: ScoreMap?
    public var labelFile: String?
    public var label: LabelMap?

    public init(imageFile: String, image: RGBImage, scoresFile: String? = nil, scores: ScoreMap? = nil,
                labelFile: String? = nil, label: LabelMap? = nil) {
        self.imageFile = imageFile
        self.image = image
        self.scoresFile = scoresFile
        self.scores = scores
        self.labelFile = labelFile
        self.label = label
    }

    /// Reads the files and checks their sizes agree.
    /// - Throws: the readers' errors, or `.sizeMismatch` naming the file that differs.
    public static func load(image imageFile: String, scores scoresFile: String? = nil, label labelFile: String? = nil,
                            options: ReadOptions = ReadOptions()) throws -> InputCase {
        let image = try ImageReader.read(imageFile, options: options)
        var inputs = [SizeCheck.Input(role: "image", file: imageFile, size: image.size)]
        var scores: ScoreMap?
        if let scoresFile {
            let map = try ScoreReader.read(scoresFile, options: options)
            inputs.append(SizeCheck.Input(role: "scores", file: scoresFile, size: map.size))
            scores = map
        }
        var label: LabelMap?
        if let labelFile {
            let map = try LabelReader.read(labelFile, options: options)
            inputs.append(SizeCheck.Input(role: "label", file: labelFile, size: map.size))
            label = map
        }
        try SizeCheck.requireSameSize(inputs)
        return InputCase(imageFile: imageFile, image: image, scoresFile: scoresFile, scores: scores,
                         labelFile: labelFile, label: label)
    }
}
