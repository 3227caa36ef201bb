import Foundation

/// Box detections in the COCO results format, as detectron2's `COCOEvaluator` writes them
/// (`coco_instances_results.json`) and as the paper's trained prompt detector produces them:
///
/// ```json
/// [{"image_id": 42, "category_id": 1, "bbox": [x, y, w, h], "score": 0.97}, ...]
/// ```
/// `bbox` is COCO's `[x, y, width, height]` in image pixels (top-left corner); it becomes the
/// half-open box `[x, y, x + w, y + h]`. An object `{"annotations": [...], "images": [...]}` is
/// accepted too (a COCO file with scores), and a separate COCO annotations file can supply
/// `images: [{"id", "file_name"}]` so detections can be matched to image files by name.
public struct DetectionResults: Sendable {
    /// A COCO image id: a number in most files, a string in some tools' output.
    public enum ImageID: Hashable, Sendable, CustomStringConvertible {
        case number(Int)
        case text(String)

        public var description: String {
            switch self {
            case .number(let n): return String(n)
            case .text(let s): return s
            }
        }

        /// Parses a command-line value: an integer, else text.
        public init(_ text: String) {
            if let n = Int(text) { self = .number(n) } else { self = .text(text) }
        }
    }

    public struct Detection: Sendable, Hashable {
        public var imageID: ImageID
        public var box: Box
        public var score: Double
        public var category: Int?
    }

    /// The detections in file order.
    public var detections: [Detection]
    /// File names of image ids, from `images` lists or `file_name` fields.
    public var fileNames: [ImageID: String]

    /// Settings of the import, with the paper's test-time defaults.
    public struct Selection: Sendable, Hashable {
        /// Detections scoring at or below this are dropped (the paper keeps boxes above 0.05).
        public var minimumScore: Double = 0.05
        /// At most this many prompts per image, the highest scores (the paper: 100).
        public var maximumCount: Int = 100
        public init() {}
    }

    /// Reads a results file and, optionally, a COCO annotations file for the id -> file name map.
    public static func read(path: String, annotations: String? = nil) throws -> DetectionResults {
        var results = try decode(readData(path), file: path)
        if let annotations {
            let names = try imageNames(readData(annotations), file: annotations)
            results.fileNames.merge(names) { _, new in new }
        }
        return results
    }

    /// The prompts of one image file, in descending score (ties keep file order), with confidence
    /// = score and `source`. The image is matched by `imageID` when given, else by file name: an
    /// id whose file name (from `images`) has the same base name or stem, a text id equal to the
    /// base name or stem, or a numeric id equal to a numeric stem (`000042.png` -> 42). No match
    /// gives no prompts (the detector found nothing there).
    public func prompts(forImage imagePath: String, imageID: ImageID? = nil, selection: Selection = Selection(),
                        source: String = "coco") -> [Prompt] {
        let ids = imageID.map { Set([$0]) } ?? matchingIDs(imagePath)
        var chosen = detections.enumerated().filter { ids.contains($0.element.imageID) && $0.element.score > selection.minimumScore }
        chosen.sort { a, b in a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset }
        return chosen.prefix(max(0, selection.maximumCount)).map {
            Prompt(box: $0.element.box, confidence: min($0.element.score, 1), source: source)
        }
    }

    /// The image ids that name the file at `imagePath`.
    public func matchingIDs(_ imagePath: String) -> Set<ImageID> {
        let base = (imagePath as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        var ids = Set<ImageID>()
        for (id, name) in fileNames {
            let b = (name as NSString).lastPathComponent
            if b == base || (b as NSString).deletingPathExtension == stem { ids.insert(id) }
        }
        ids.insert(.text(base))
        ids.insert(.text(stem))
        if let n = Int(stem) { ids.insert(.number(n)) }
        return ids
    }

    // MARK: Parsing

    private static func readData(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw S2MError(file: path, .missingFile) }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw S2MError(file: path, .unreadable(error.localizedDescription))
        }
    }

    /// A COCO id: an integer or a string.
    private struct RawID: Decodable {
        var id: ImageID
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { id = .number(n); return }
            if let s = try? c.decode(String.self) { id = .text(s); return }
            throw DecodingError.typeMismatch(Int.self, .init(codingPath: decoder.codingPath,
                                                             debugDescription: "must be a number or a string"))
        }
    }

    private struct RawDetection: Decodable {
        var image_id: RawID
        var bbox: [Double]
        var score: Double?
        var category_id: Int?
        var file_name: String?
    }

    private struct RawImage: Decodable {
        var id: RawID
        var file_name: String
    }

    private struct RawObject: Decodable {
        var annotations: [RawDetection]?
        var images: [RawImage]?
    }

    /// Turns a decoding error into a one-line reason naming the entry.
    private static func explain(_ error: Error) -> String {
        func where_(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case DecodingError.keyNotFound(let key, let c): return "missing '\(key.stringValue)' at \(where_(c.codingPath))"
        case DecodingError.typeMismatch(_, let c): return "wrong type at \(where_(c.codingPath)) (\(c.debugDescription))"
        case DecodingError.valueNotFound(_, let c): return "null at \(where_(c.codingPath))"
        case DecodingError.dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
        default: return "\(error)"
        }
    }

    static func decode(_ data: Data, file: String) throws -> DetectionResults {
        let decoder = JSONDecoder()
        var raw: [RawDetection]
        var names: [ImageID: String] = [:]
        do {
            raw = try decoder.decode([RawDetection].self, from: data)
        } catch let listError {
            guard let object = try? decoder.decode(RawObject.self, from: data), let annotations = object.annotations else {
                if case DecodingError.dataCorrupted = listError, (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil {
                    throw S2MError(file: file, .corrupt("not valid JSON"))
                }
                throw S2MError(file: file, .invalid("not COCO detection results (a list of {image_id, bbox, score} or an object with 'annotations'): \(explain(listError))"))
            }
            raw = annotations
            for image in object.images ?? [] { names[image.id.id] = image.file_name }
        }
        var detections: [Detection] = []
        detections.reserveCapacity(raw.count)
        for (i, d) in raw.enumerated() {
            func bad(_ why: String) -> S2MError { S2MError(file: file, .invalid("detection \(i + 1): \(why)")) }
            let v = d.bbox
            guard v.count == 4 else { throw bad("'bbox' must be [x, y, width, height]") }
            guard v.allSatisfy(\.isFinite), v[2] >= 0, v[3] >= 0 else {
                throw bad("'bbox' [\(v[0]), \(v[1]), \(v[2]), \(v[3])] needs finite values and a non-negative size")
            }
            guard let score = d.score else { throw bad("no 'score' (ground-truth annotations are not detections)") }
            guard score.isFinite, score >= 0, score <= 1 else { throw bad("'score' \(score) is not in [0, 1]") }
            if let name = d.file_name { names[d.image_id.id] = name }
            detections.append(Detection(imageID: d.image_id.id, box: Box(x0: v[0], y0: v[1], x1: v[0] + v[2], y1: v[1] + v[3]),
                                        score: score, category: d.category_id))
        }
        return DetectionResults(detections: detections, fileNames: names)
    }

    /// `images: [{"id", "file_name"}]` of a COCO annotations file.
    static func imageNames(_ data: Data, file: String) throws -> [ImageID: String] {
        let object: RawObject
        do { object = try JSONDecoder().decode(RawObject.self, from: data) } catch {
            throw S2MError(file: file, .invalid("not a COCO annotations file: \(explain(error))"))
        }
        guard let images = object.images else { throw S2MError(file: file, .invalid("no 'images' list")) }
        var names: [ImageID: String] = [:]
        for image in images { names[image.id.id] = image.file_name }
        return names
    }
}
