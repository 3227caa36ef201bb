import Foundation
import S2MCore

/// A saved viewer session (JSON): the images, the generator's parameter values, the segmenter,
/// the threshold and prompts of every edited image (with each prompt's on/off state and origin),
/// and which image was on screen. `s2m view --session FILE` reopens it in the same state.
public struct SessionFile: Codable, Hashable, Sendable {
    public static let formatName = "s2m-session"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var generator: String?
    public var generatorValues: [String: Double]
    public var segmenter: String?
    public var colormap: String?
    /// Name of the item on screen.
    public var current: String?
    public var items: [Item]

    public struct Item: Codable, Hashable, Sendable {
        public var name: String
        public var image: String
        public var scores: String?
        public var label: String?
        public var prompts: String?
        /// The baseline threshold, when it was changed or the item edited.
        public var threshold: Float?
        /// The prompts as edited in the viewer (nil: not edited; use the generator or the file).
        public var editedPrompts: [PromptEntry]?
        /// Index of the selected prompt.
        public var selected: Int?

        public init(name: String, image: String, scores: String? = nil, label: String? = nil,
                    prompts: String? = nil, threshold: Float? = nil, editedPrompts: [PromptEntry]? = nil,
                    selected: Int? = nil) {
            self.name = name
            self.image = image
            self.scores = scores
            self.label = label
            self.prompts = prompts
            self.threshold = threshold
            self.editedPrompts = editedPrompts
            self.selected = selected
        }

        public var datasetItem: DatasetItem {
            DatasetItem(name: name, image: image, scores: scores, label: label, prompts: prompts)
        }
    }

    public init(generator: String?, generatorValues: [String: Double], segmenter: String?, colormap: String?,
                current: String?, items: [Item]) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.generator = generator
        self.generatorValues = generatorValues
        self.segmenter = segmenter
        self.colormap = colormap
        self.current = current
        self.items = items
    }

    /// The JSON text (sorted keys, indented), as saved.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a session file; errors name the file.
    public static func read(path: String) throws -> SessionFile {
        guard FileManager.default.fileExists(atPath: path) else { throw S2MError(file: path, .missingFile) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw S2MError(file: path, .unreadable(error.localizedDescription))
        }
        return try decode(data, path: path)
    }

    static func decode(_ data: Data, path: String) throws -> SessionFile {
        let session: SessionFile
        do {
            session = try JSONDecoder().decode(SessionFile.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw S2MError(file: path, .corrupt("not valid JSON (\(context.debugDescription))"))
        } catch let DecodingError.keyNotFound(key, _) {
            throw S2MError(file: path, .invalid("not an s2m session: missing '\(key.stringValue)'"))
        } catch {
            throw S2MError(file: path, .invalid("not an s2m session: \(error)"))
        }
        guard session.format == formatName else {
            throw S2MError(file: path, .invalid("not an s2m session (format '\(session.format)')"))
        }
        guard session.version <= currentVersion else {
            throw S2MError(file: path, .unsupported("session version \(session.version) (this s2m reads up to \(currentVersion))"))
        }
        guard !session.items.isEmpty else { throw S2MError(file: path, .invalid("the session lists no images")) }
        return session
    }
}
