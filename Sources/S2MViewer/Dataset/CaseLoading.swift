import Foundation
import S2MCore

/// Reads a dataset item with S2MCore's readers: the photo, the scores and the label (sizes
/// checked to agree), the label turned into ground-truth and void masks by its encoding.
public enum CaseLoading {
    /// Reads prompts from a file for an image of the given size (the command layer supplies the
    /// reader of the prompts formats).
    public typealias PromptReader = @Sendable (_ path: String, _ imageSize: RasterSize) throws -> [Prompt]

    public static func load(_ item: DatasetItem, options: ReadOptions, encoding: LabelEncoding,
                            promptReader: PromptReader? = nil) throws -> LoadedCase {
        let input = try InputCase.load(image: item.image, scores: item.scores, label: item.label, options: options)
        var loaded = LoadedCase(image: input.image, scores: input.scores)
        if let label = input.label {
            loaded.groundTruth = encoding.oodMask(label)
            let void = encoding.voidMask(label)
            if void.trueCount > 0 { loaded.void = void }
        }
        if let path = item.prompts {
            guard let promptReader else {
                throw S2MError(file: path, .unsupported("prompt files cannot be read by this build"))
            }
            loaded.prompts = try promptReader(path, input.image.size)
        }
        return loaded
    }

    /// A loader for the viewer with fixed options.
    public static func loader(options: ReadOptions, encoding: LabelEncoding, promptReader: PromptReader? = nil) -> CaseLoader {
        { item in try load(item, options: options, encoding: encoding, promptReader: promptReader) }
    }
}
