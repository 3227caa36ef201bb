/// The S2M method as an evaluation method: prompts (from the generator, the case's prompts file
/// or imported detector boxes) -> one mask per prompt -> the painted confidence map, which is
/// the map the sweep and the pixel metrics see; its threshold-free mask (confidence > 0) is what
/// the component metrics see.
public struct S2MMethod: EvaluationMethod {
    public var name: String
    public var pipeline: S2MPipeline
    /// Boxes from a detector (COCO results), matched to images by file name; used when a case
    /// has no prompts file of its own.
    public var detections: DetectionResults?
    public var selection: DetectionResults.Selection
    public var details: String

    public init(pipeline: S2MPipeline, details: String, detections: DetectionResults? = nil,
                selection: DetectionResults.Selection = DetectionResults.Selection(), name: String = "s2m") {
        self.pipeline = pipeline
        self.details = details
        self.detections = detections
        self.selection = selection
        self.name = name
    }

    public var needsImage: Bool { true }
    /// Scores are needed to make prompts; with imported detections they only feed the
    /// segmenter's score term, when the case has them.
    public var needsScores: Bool { detections == nil }
    public var usesScoresIfPresent: Bool { true }

    public func output(for input: MethodInput) throws -> MethodOutput {
        guard let image = input.image else { throw S2MError(file: input.imageFile, .invalid("the s2m method needs the photo")) }
        var prompts = input.prompts
        if prompts == nil, let detections, let file = input.imageFile {
            prompts = detections.prompts(forImage: file, selection: selection)
        }
        let result: S2MResult
        do {
            result = try pipeline.run(image: image, scores: input.scores, prompts: prompts)
        } catch let e as S2MError where e.file == nil {
            throw e.attributed(to: input.imageFile ?? input.name)
        }
        let file = PromptsFile(image: input.imageFile, size: image.size, prompts: result.prompts)
        return MethodOutput(map: result.confidence, mask: result.mask, attachments: ["_prompts.json": try file.encoded()])
    }
}
