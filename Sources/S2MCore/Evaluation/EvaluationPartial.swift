import Foundation

/// `--shard K/N`: the shard K (1-based) of N takes the images whose index i satisfies
/// `i % N == K - 1`, so every shard gets a spread of the dataset and together they cover it.
public struct ShardSpec: Sendable, Codable, Equatable, CustomStringConvertible {
    /// 1...count.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw S2MError(file: nil, .invalid("--shard \(index)/\(count): need 1 <= K <= N"))
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let k = parts[0], let n = parts[1] else {
            throw S2MError(file: nil, .invalid("--shard '\(text)': expected K/N, e.g. 3/8"))
        }
        try self.init(index: k, count: n)
    }

    /// The case indices of this shard among `total` cases.
    public func indices(of total: Int) -> [Int] { Array(stride(from: index - 1, to: total, by: count)) }

    public var description: String { "\(index)/\(count)" }
}

/// What identifies a dataset in shard files: shards merge only when these agree.
public struct DatasetIdentity: Sendable, Codable, Equatable {
    public var layout: DatasetLayout
    public var root: String
    public var caseCount: Int
    /// FNV-1a (64 bit) of the case names in order, as hex.
    public var fingerprint: String

    public init(_ dataset: Dataset) {
        layout = dataset.layout
        root = dataset.root
        caseCount = dataset.cases.count
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in dataset.cases.map(\.name) {
            for byte in Array(name.utf8) + [0] {
                h ^= UInt64(byte)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        fingerprint = String(h, radix: 16)
    }
}

/// The results of one run (typically one shard) in a file: a JSON header with every image's
/// exact counts, followed by each method's pixel counts in ``ScoreCountRuns``' compact form.
///
/// File layout: the 9 bytes `S2MPART1\n`, the header length as 8 bytes little-endian, the
/// UTF-8 JSON header, then the methods' run bytes back to back (lengths in the header).
public struct EvaluationPartial {
    public struct MethodPart: Codable, Equatable {
        public var name: String
        public var details: String
        public var binarisation: ComponentBinarisation
        public var images: [ImageRecord]
        public var positives: UInt64
        public var negatives: UInt64
        public var runsByteCount: Int
    }

    public struct Header: Codable {
        public var format = "s2m-eval-partial"
        public var version = 1
        public var dataset: DatasetIdentity
        public var settings: EvaluationSettings
        public var shard: ShardSpec?
        public var evaluated: [Int]
        public var cancelled: Bool
        public var methods: [MethodPart]
    }

    public var header: Header
    public var runs: [ScoreCountRuns]

    static let magic = Array("S2MPART1\n".utf8)

    /// The partial of a finished run.
    public init(dataset: Dataset, settings: EvaluationSettings, shard: ShardSpec?, outcome: EvaluationEngine.Outcome) {
        runs = outcome.results.map { $0.pixels.runs() }
        header = Header(dataset: DatasetIdentity(dataset), settings: settings, shard: shard,
                        evaluated: outcome.evaluated, cancelled: outcome.cancelled,
                        methods: zip(outcome.results, runs).map { r, runs in
                            MethodPart(name: r.name, details: r.details, binarisation: r.binarisation, images: r.images,
                                       positives: r.pixels.totalPositives, negatives: r.pixels.totalNegatives,
                                       runsByteCount: 0)
                        })
    }

    /// Writes the file atomically (never over a path in `protecting`).
    public func write(to path: String, protecting inputs: [String] = []) throws {
        var h = header
        let encoded = runs.map { $0.encoded() }
        for i in h.methods.indices { h.methods[i].runsByteCount = encoded[i].count }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(h)
        var data = Data(Self.magic)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for bytes in encoded { data.append(contentsOf: bytes) }
        try AtomicFileWriter.write(data, to: path, protecting: inputs, createDirectories: true)
    }

    /// Reads a file written by ``write(to:protecting:)``.
    public init(reading path: String) throws {
        let data = try InputFile.read(path)
        let bytes = [UInt8](data)
        guard bytes.count >= Self.magic.count + 8, Array(bytes[0..<Self.magic.count]) == Self.magic else {
            throw S2MError(file: path, .corrupt("not an s2m eval partial file (written by s2m eval --shard ... --partial FILE)"))
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[Self.magic.count + i]) << (8 * UInt64(i)) }
        let start = Self.magic.count + 8
        guard length <= UInt64(bytes.count - start) else { throw S2MError(file: path, .truncated("the header ends early")) }
        let headerEnd = start + Int(length)
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[start..<headerEnd]))
        } catch {
            throw S2MError(file: path, .corrupt("unreadable header: \(error)"))
        }
        guard header.format == "s2m-eval-partial" else { throw S2MError(file: path, .corrupt("unknown format \(header.format)")) }
        guard header.version == 1 else { throw S2MError(file: path, .unsupported("partial file version \(header.version)")) }
        var offset = headerEnd
        runs = []
        for m in header.methods {
            guard m.runsByteCount >= 0, offset + m.runsByteCount <= bytes.count else {
                throw S2MError(file: path, .truncated("the pixel counts of \(m.name) end early"))
            }
            let r = try ScoreCountRuns(encoded: Array(bytes[offset..<(offset + m.runsByteCount)]), what: path)
            guard r.totalPositives == m.positives && r.totalNegatives == m.negatives else {
                throw S2MError(file: path, .corrupt("the pixel counts of \(m.name) do not add up"))
            }
            runs.append(r)
            offset += m.runsByteCount
        }
        guard offset == bytes.count else { throw S2MError(file: path, .corrupt("\(bytes.count - offset) bytes after the last method")) }
    }

    /// The merged results of several partial files: per-image records joined in case order and
    /// pixel counts added, which gives exactly the numbers of one run over all their images.
    ///
    /// Throws when the files disagree on dataset, settings or methods, when an image appears
    /// twice, or (unless `allowIncomplete`) when images of the dataset are missing.
    public static func merge(_ parts: [(path: String, partial: EvaluationPartial)], allowIncomplete: Bool = false)
        throws -> (results: [MethodResults], header: Header, missing: [Int])
    {
        guard let first = parts.first else { throw S2MError(file: nil, .invalid("no partial files to merge")) }
        let h0 = first.partial.header
        for (path, p) in parts.dropFirst() {
            let h = p.header
            guard h.dataset == h0.dataset else {
                throw S2MError(file: path, .invalid("another dataset (\(h.dataset.root), \(h.dataset.caseCount) images) than \(first.path) (\(h0.dataset.root), \(h0.dataset.caseCount) images)"))
            }
            guard h.settings == h0.settings else { throw S2MError(file: path, .invalid("other settings than \(first.path)")) }
            guard h.methods.map(\.name) == h0.methods.map(\.name), h.methods.map(\.details) == h0.methods.map(\.details) else {
                throw S2MError(file: path, .invalid("other methods than \(first.path)"))
            }
        }
        var seen: [Int: String] = [:]
        for (path, p) in parts {
            for i in p.header.evaluated {
                if let other = seen[i] {
                    throw S2MError(file: path, .invalid("image #\(i) was also evaluated in \(other): shards overlap"))
                }
                seen[i] = path
            }
        }
        let missing = (0..<h0.dataset.caseCount).filter { seen[$0] == nil }
        if !missing.isEmpty && !allowIncomplete {
            let shards = Set(parts.compactMap { $0.partial.header.shard?.index }).sorted()
            let expected = h0.shard.map { "of \($0.count) shards, have \(shards.map(String.init).joined(separator: ", "))" } ?? ""
            throw S2MError(file: nil, .invalid("\(missing.count) of \(h0.dataset.caseCount) images are in no file \(expected) (image #\(DatasetPaths.list(missing.map(String.init)))); --allow-incomplete merges anyway"))
        }
        var results: [MethodResults] = []
        for (m, part) in h0.methods.enumerated() {
            let pixels = ScoreCountAccumulator()
            for (_, p) in parts { pixels.absorb(p.runs[m]) }
            // Binarisation: the same everywhere, except that shards with a fixed threshold equal
            // to the merged best pixel-F1 threshold reproduce a single run's choice exactly.
            let kinds = parts.map { $0.partial.header.methods[m].binarisation }
            var binarisation = kinds[0]
            if kinds.contains(where: { $0 != binarisation }) {
                throw S2MError(file: nil, .invalid("the files binarise \(part.name) differently for the component metrics: \(Set(kinds.map(\.description)).sorted().joined(separator: "; "))"))
            }
            if case .fixed(let t) = binarisation, PixelMetrics(accumulator: pixels).bestF1Threshold == t {
                binarisation = .bestF1(t)
            }
            let r = MethodResults(name: part.name, details: part.details, binarisation: binarisation, pixels: pixels)
            for (_, p) in parts { try r.add(p.header.methods[m].images) }
            results.append(r)
        }
        var header = h0
        header.shard = nil
        header.evaluated = seen.keys.sorted()
        header.cancelled = parts.contains { $0.partial.header.cancelled }
        return (results, header, missing)
    }
}
