import Foundation

/// The plain prompts file of s2m (JSON, versioned): the prompts of one image, as `s2m run` writes
/// them (`<stem>_prompts.json`), the viewer saves them and `--prompts FILE` reads them back.
///
/// ```json
/// {
///   "format": "s2m-prompts",
///   "version": 1,
///   "image": "frames/road.jpg",
///   "width": 1280, "height": 720,
///   "prompts": [
///     {"kind": "box", "box": [412.0, 300.0, 530.0, 410.0], "confidence": 0.93, "source": "component-tree"},
///     {"kind": "points", "points": [{"x": 470.5, "y": 355.5, "positive": true}], "confidence": 0.5, "source": "user"}
///   ]
/// }
/// ```
/// Boxes are `[x0, y0, x1, y1]`, half-open, in image pixels; points use continuous coordinates
/// (pixel (i, j) has centre (i + 0.5, j + 0.5)). `image`, `width` and `height` are optional;
/// when the size is given it must match the image the prompts are used with. `kind` is written
/// always and, when read, must agree with the geometry. Confidences are in (0, 1].
public struct PromptsFile: Hashable, Sendable {
    public static let formatName = "s2m-prompts"
    public static let currentVersion = 1

    /// The image the prompts belong to, as given when the file was written (informative).
    public var image: String?
    /// The image size the prompts were made for, when known.
    public var size: RasterSize?
    public var prompts: [Prompt]

    public init(image: String? = nil, size: RasterSize? = nil, prompts: [Prompt]) {
        self.image = image
        self.size = size
        self.prompts = prompts
    }

    /// The JSON text, keys sorted and indented.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        let body = Body(format: Self.formatName, version: Self.currentVersion, image: image,
                        width: size?.width, height: size?.height,
                        prompts: prompts.map(Entry.init))
        do {
            return try encoder.encode(body)
        } catch {
            throw S2MError(file: nil, .invalid("prompts cannot be written: \(error)"))
        }
    }

    /// Reads a prompts file; every error names `path`.
    public static func read(path: String) throws -> PromptsFile {
        guard FileManager.default.fileExists(atPath: path) else { throw S2MError(file: path, .missingFile) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw S2MError(file: path, .unreadable(error.localizedDescription))
        }
        do {
            return try decode(data)
        } catch let e as S2MError {
            throw e.attributed(to: path)
        }
    }

    /// Parses and validates the JSON text of a prompts file.
    public static func decode(_ data: Data) throws -> PromptsFile {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw S2MError(file: nil, .corrupt("not valid JSON (\(context.debugDescription))"))
        } catch let DecodingError.keyNotFound(key, context) {
            throw S2MError(file: nil, .invalid("not an s2m prompts file: missing '\(path(context.codingPath + [key]))'"))
        } catch let DecodingError.typeMismatch(_, context) {
            throw S2MError(file: nil, .invalid("not an s2m prompts file: wrong type at '\(path(context.codingPath))'"))
        } catch let DecodingError.valueNotFound(_, context) {
            throw S2MError(file: nil, .invalid("not an s2m prompts file: null at '\(path(context.codingPath))'"))
        } catch {
            throw S2MError(file: nil, .invalid("not an s2m prompts file: \(error)"))
        }
        guard body.format == formatName else {
            throw S2MError(file: nil, .invalid("not an s2m prompts file (format '\(body.format)', expected '\(formatName)')"))
        }
        guard body.version >= 1 else { throw S2MError(file: nil, .invalid("prompts file version \(body.version)")) }
        guard body.version <= currentVersion else {
            throw S2MError(file: nil, .unsupported("prompts file version \(body.version) (this s2m reads up to \(currentVersion))"))
        }
        var size: RasterSize?
        switch (body.width, body.height) {
        case (nil, nil): size = nil
        case (let w?, let h?):
            guard w > 0, h > 0 else { throw S2MError(file: nil, .invalid("image size \(w)x\(h) is not positive")) }
            size = RasterSize(width: w, height: h)
        default:
            throw S2MError(file: nil, .invalid("give both 'width' and 'height', or neither"))
        }
        let prompts = try body.prompts.enumerated().map { i, entry in
            do { return try entry.prompt() } catch let e as S2MError {
                throw S2MError(file: nil, .invalid("prompt \(i + 1): \(e.reason)"))
            }
        }
        return PromptsFile(image: body.image, size: size, prompts: prompts)
    }

    /// Throws unless the file's size (when it has one) equals `imageSize`.
    public func checkSize(_ imageSize: RasterSize, file: String) throws {
        if let size, size != imageSize {
            throw S2MError(file: file, .sizeMismatch("prompts were made for \(size), the image is \(imageSize)"))
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }

    // MARK: JSON layout

    private struct Body: Codable {
        var format: String
        var version: Int
        var image: String?
        var width: Int?
        var height: Int?
        var prompts: [Entry]
    }

    private struct Point: Codable {
        var x: Double
        var y: Double
        var positive: Bool
    }

    private struct Entry: Codable {
        var kind: String?
        var box: [Double]?
        var points: [Point]?
        var confidence: Double
        var source: String

        init(_ p: Prompt) {
            kind = p.kind?.rawValue
            box = p.box.map { [$0.x0, $0.y0, $0.x1, $0.y1] }
            points = p.points.isEmpty ? nil : p.points.map { Point(x: $0.x, y: $0.y, positive: $0.isPositive) }
            confidence = p.confidence
            source = p.source
        }

        func prompt() throws -> Prompt {
            var b: Box?
            if let box {
                guard box.count == 4 else { throw S2MError(file: nil, .invalid("'box' needs 4 numbers [x0, y0, x1, y1], got \(box.count)")) }
                guard box.allSatisfy(\.isFinite) else { throw S2MError(file: nil, .invalid("'box' has a non-finite coordinate")) }
                guard box[2] >= box[0], box[3] >= box[1] else {
                    throw S2MError(file: nil, .invalid("'box' [\(box[0]), \(box[1]), \(box[2]), \(box[3])] has x1 < x0 or y1 < y0"))
                }
                b = Box(x0: box[0], y0: box[1], x1: box[2], y1: box[3])
            }
            let pts = try (points ?? []).map { p -> PromptPoint in
                guard p.x.isFinite, p.y.isFinite else { throw S2MError(file: nil, .invalid("a point has a non-finite coordinate")) }
                return PromptPoint(x: p.x, y: p.y, isPositive: p.positive)
            }
            guard confidence.isFinite, confidence > 0, confidence <= 1 else {
                throw S2MError(file: nil, .invalid("confidence \(confidence) is not in (0, 1]"))
            }
            let prompt = Prompt(box: b, points: pts, confidence: confidence, source: source)
            guard prompt.kind != nil else { throw S2MError(file: nil, .invalid("neither 'box' nor 'points'")) }
            if let kind {
                guard let k = Prompt.Kind(rawValue: kind) else {
                    throw S2MError(file: nil, .invalid("unknown kind '\(kind)' (box, points or box+points)"))
                }
                guard k == prompt.kind else {
                    throw S2MError(file: nil, .invalid("kind '\(kind)' does not match its geometry ('\(prompt.kind!.rawValue)')"))
                }
            }
            return prompt
        }
    }
}
