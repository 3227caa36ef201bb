import Foundation

/// What `s2m info` reports about one file: its format, size, element type, and for score maps
/// and arrays value statistics, for labels a histogram. Pure data, `Codable` for `--json`.
public struct FileReport: Codable, Sendable, Equatable {
    /// What the file was read as.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case image, scores, label
        /// An NPY/NPZ array whose shape is not a score map's (e.g. (1, 256, 64, 64)).
        case array
    }

    /// Outcome for this file.
    public enum Status: String, Codable, Sendable {
        case ok
        case failed
        /// Not an image, score or label file (a text file such as `SOURCES.md`); not a failure.
        case skipped
    }

    public var file: String
    public var status: Status
    /// The problem, without the file name (`status == .failed`), or why it was skipped.
    public var error: String?
    public var kind: Kind?
    /// `"PNG"`, `"JPEG"`, `"WebP"`, `"NPY"`, `"NPZ"`.
    public var format: String?
    /// Format details in words: `"gray 8-bit"`, `"4:2:0, 3 components"`, `"<f4, C order, version 1.0"`.
    public var details: String?
    public var width: Int?
    public var height: Int?
    /// Samples per pixel as stored (PNG, JPEG, WebP).
    public var channels: Int?
    /// Bits per sample as stored (PNG 1-16; JPEG and WebP 8).
    public var bitDepth: Int?
    /// NPY element type (`"<f4"`).
    public var dtype: String?
    /// NPY array shape.
    public var shape: [Int]?
    /// The NPZ member reported in detail (`nil` when the archive has several and none was chosen).
    public var npzMember: String?
    /// Every array of an NPZ archive.
    public var npzMembers: [Member]?
    public var values: ValueStatistics?
    public var labels: LabelStatistics?

    public init(file: String, status: Status) {
        self.file = file
        self.status = status
    }

    /// One array of an NPZ archive.
    public struct Member: Codable, Sendable, Equatable {
        public var key: String
        public var dtype: String
        public var shape: [Int]
        public var compressed: Bool
    }
}

/// Statistics of a score map or array. Min, max and mean are over finite values only (`nil`
/// when there are none).
public struct ValueStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var nanCount: Int
    public var positiveInfinityCount: Int
    public var negativeInfinityCount: Int

    public init(_ values: [Float]) {
        count = values.count
        var lo = Float.infinity, hi = -Float.infinity, sum = 0.0, finite = 0
        var nan = 0, posInf = 0, negInf = 0
        for v in values {
            if v.isFinite {
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
                sum += Double(v)
                finite += 1
            } else if v.isNaN {
                nan += 1
            } else if v > 0 {
                posInf += 1
            } else {
                negInf += 1
            }
        }
        min = finite > 0 ? Double(lo) : nil
        max = finite > 0 ? Double(hi) : nil
        mean = finite > 0 ? sum / Double(finite) : nil
        nanCount = nan
        positiveInfinityCount = posInf
        negativeInfinityCount = negInf
    }

    /// NaN plus ±Inf.
    public var nonFiniteCount: Int { nanCount + positiveInfinityCount + negativeInfinityCount }
}

/// Histogram of a label map and its pixel counts under a label encoding.
public struct LabelStatistics: Codable, Sendable, Equatable {
    /// One label value and how many pixels hold it.
    public struct Bin: Codable, Sendable, Equatable {
        public var value: Int
        public var count: Int
    }

    /// Every value present, ascending.
    public var histogram: [Bin]
    /// The encoding used for the counts below (e.g. `"smiyc"`).
    public var encoding: String
    public var oodCount: Int
    public var voidCount: Int
    public var inDistributionCount: Int

    public init(_ labels: LabelMap, encoding: LabelEncoding) {
        var counts = [Int](repeating: 0, count: 65536)
        for v in labels.pixels { counts[Int(v)] += 1 }
        histogram = counts.enumerated().filter { $0.element > 0 }.map { Bin(value: $0.offset, count: $0.element) }
        self.encoding = encoding.description
        let roles = encoding.counts(labels)
        oodCount = roles.ood
        voidCount = roles.void
        inDistributionCount = roles.inDistribution
    }
}

/// Reads files the way `s2m info` does: detects the format, guesses what the file is (or takes
/// the caller's word for it), and gathers a ``FileReport``. Never throws: failures are reports.
///
/// Guessing: JPEG, WebP, colour and gray+alpha PNG are images; palette PNG is a label; a
/// grayscale PNG or an integer/bool array with at most ``labelValueLimit`` distinct values is a
/// label, otherwise scores; float arrays of a score-map shape are scores; other shapes are arrays.
public struct FileInspector: Sendable {
    /// Distinct values up to which a grayscale PNG or integer array is taken for a label map.
    public static let labelValueLimit = 64

    public var options: ReadOptions
    public var encoding: LabelEncoding
    /// Read every file as this kind instead of guessing.
    public var forcedKind: FileReport.Kind?

    public init(options: ReadOptions = ReadOptions(), encoding: LabelEncoding = .default, forcedKind: FileReport.Kind? = nil) {
        self.options = options
        self.encoding = encoding
        self.forcedKind = forcedKind
    }

    /// File name extensions of the formats s2m reads.
    public static let rasterExtensions: Set<String> = Set(FileFormat.allCases.flatMap(\.extensions))

    /// Expands directories into the files below them (recursively, sorted by path; hidden
    /// entries skipped); other paths are kept as given, in order.
    public static func expand(_ paths: [String]) -> [String] {
        var out: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                out.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path)
            var found: [String] = []
            if let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isDirectoryKey],
                                                           options: [.skipsHiddenFiles]) {
                for case let url as URL in walker {
                    let isDir = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
                    if !isDir {
                        let relative = url.path.hasPrefix(base.path + "/") ? String(url.path.dropFirst(base.path.count + 1)) : url.lastPathComponent
                        found.append((path.hasSuffix("/") ? path : path + "/") + relative)
                    }
                }
            }
            out += found.sorted()
        }
        return out
    }

    /// The report for one file.
    public func inspect(_ path: String) -> FileReport {
        var report = FileReport(file: path, status: .ok)
        do {
            let data = try InputFile.read(path)
            guard let format = FileFormat.detect(data) else {
                let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
                if FileFormat.isText(data) && !Self.rasterExtensions.contains(ext) {
                    report.status = .skipped
                    report.error = "not an image, score or label file (text)"
                    return report
                }
                throw InputFile.unknownFormatError(data, file: path)
            }
            report.format = format.displayName
            try fill(&report, data: data, format: format, file: path)
        } catch let error as S2MError {
            report.status = .failed
            report.error = error.reason
        } catch {
            report.status = .failed
            report.error = "\(error)"
        }
        return report
    }

    private func fill(_ report: inout FileReport, data: Data, format: FileFormat, file: String) throws {
        switch format {
        case .png:
            let png = try PNGCodec.decode(data, file: file, options: options)
            report.width = png.width
            report.height = png.height
            report.channels = png.colorType.channels
            report.bitDepth = png.bitDepth
            report.details = "\(png.colorType.rawValue) \(png.bitDepth)-bit\(png.interlaced ? ", interlaced" : "")"
            let kind = forcedKind ?? guessKind(png)
            switch kind {
            case .image, .array:
                report.kind = .image
                _ = ImageReader.rgb(from: png)
            case .scores:
                report.kind = .scores
                report.values = ValueStatistics(try ScoreReader.scores(from: png, file: file).pixels)
            case .label:
                report.kind = .label
                report.labels = LabelStatistics(try LabelReader.labels(from: png, file: file), encoding: encoding)
            }
        case .jpeg, .webp:
            let image: RGBImage
            if format == .jpeg {
                let header = try JPEGDecoder.readHeader(data, file: file)
                report.channels = header.components
                report.details = "\(header.subsampling), \(header.components) component\(header.components == 1 ? "" : "s")"
                image = try JPEGDecoder.decode(data, file: file, options: options)
            } else {
                let header = try WebPDecoder.readHeader(data, file: file)
                report.channels = header.hasAlpha ? 4 : 3
                report.details = "\(header.compression)\(header.hasAlpha ? ", alpha (ignored)" : "")"
                image = try WebPDecoder.decode(data, file: file, options: options)
            }
            report.bitDepth = 8
            report.width = image.width
            report.height = image.height
            if let forced = forcedKind, forced != .image {
                // Reuse the readers' refusal so the message is the same as elsewhere.
                if forced == .label {
                    _ = try LabelReader.decode(data, format: format, file: file, options: options)
                } else {
                    _ = try ScoreReader.decode(data, format: format, file: file, options: options)
                }
            }
            report.kind = .image
        case .npy:
            let header = try NPYHeader.parse(data, file: file)
            report.details = "\(header.dtype), \(header.fortranOrder ? "Fortran" : "C") order, version \(header.majorVersion).\(header.minorVersion)"
            if NDArray.sizeOfScoreShape(header.shape) != nil {
                try ScoreReader.checkShape(header.shape, file: file, options: options)
            }
            try describe(try NPYReader.decode(data, header: header, file: file), into: &report, file: file)
        case .npz:
            let members = try NPZReader.members(data, file: file)
            var arrays: [String: NDArray] = [:]
            var listed: [FileReport.Member] = []
            for member in members {
                let array = try NPZReader.decode(data, file: file, key: member.key, maxBytes: ScoreReader.maxArrayBytes(options))
                arrays[member.key] = array
                listed.append(FileReport.Member(key: member.key, dtype: array.sourceType?.description ?? "?",
                                                shape: array.shape, compressed: member.isCompressed))
            }
            report.npzMembers = listed
            if options.npzMember == nil && members.count > 1 && !members.contains(where: { $0.key == "arr_0" }) {
                // Several arrays and no default: list them, detail none (not a failure for info).
                report.kind = .array
                report.details = "\(members.count) arrays; pick one with --npz-key"
                return
            }
            let chosen = try NPZReader.choose(options.npzMember, from: members, file: file)
            report.npzMember = chosen.key
            let array = arrays[chosen.key]!
            if let type = array.sourceType {
                report.details = "member \(chosen.key): \(type), \(chosen.isCompressed ? "deflated" : "stored")"
            }
            if NDArray.sizeOfScoreShape(array.shape) != nil {
                try ScoreReader.checkShape(array.shape, file: file, options: options)
            }
            try describe(array, into: &report, file: file)
        }
    }

    private func describe(_ array: NDArray, into report: inout FileReport, file: String) throws {
        report.dtype = array.sourceType?.description
        report.shape = array.shape
        guard let size = array.scoreMapSize else {
            if let forced = forcedKind, forced != .array { _ = try array.scoreMap(file: file) }
            report.kind = .array
            report.values = ValueStatistics(array.values)
            return
        }
        report.width = size.width
        report.height = size.height
        let kind = forcedKind ?? guessKind(array)
        switch kind {
        case .label:
            report.kind = .label
            report.labels = LabelStatistics(try LabelReader.labels(from: array, file: file), encoding: encoding)
        case .image:
            throw S2MError(file: file, .unsupported("NPY holds arrays, not a photo; an image must be PNG, JPEG or WebP"))
        case .scores, .array:
            report.kind = .scores
            report.values = ValueStatistics(array.values)
        }
    }

    private func guessKind(_ png: PNGImage) -> FileReport.Kind {
        switch png.colorType {
        case .palette: return .label
        case .rgb, .rgba, .grayAlpha: return .image
        case .gray:
            var seen = Set<Int>()
            for i in 0..<(png.width * png.height) {
                seen.insert(png.sample(i))
                if seen.count > Self.labelValueLimit { return .scores }
            }
            return .label
        }
    }

    private func guessKind(_ array: NDArray) -> FileReport.Kind {
        guard let type = array.sourceType, type.kind != .float else { return .scores }
        var seen = Set<Float>()
        for v in array.values {
            seen.insert(v)
            if seen.count > Self.labelValueLimit { return .scores }
        }
        return seen.allSatisfy({ $0 >= 0 && $0 <= 65535 }) ? .label : .scores
    }
}
