/// The folder layouts `s2m eval` reads by name. Files are always paired by file name (never by
/// directory order, which differs between machines and silently mismatches images and scores).
public enum DatasetLayout: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// SegmentMeIfYouCan: `images/<id>.jpg|.webp|.png`, `labels_masks/<id>_labels_semantic.png`
    /// (0 in-distribution, 1 anomaly, 255 void).
    case smiyc
    /// Fishyscapes as distributed for PEBAL / RPL / S2M: `original/image_<n>.png`,
    /// `labels/image_<n>.png` (0 / 1 / 255), optional scores `score/<n>.npz`.
    case fishyscapes
    /// The original RoadAnomaly release: `frames/<name>.jpg`,
    /// `frames/<name>.labels/labels_semantic.png` (0 background, 2 anomaly, no void).
    case roadAnomaly = "road-anomaly"
    /// A CSV or JSON list of cases (image, scores, label, prompts), for anything else.
    case manifest

    public var description: String { rawValue }

    /// The label encoding the layout's label files use.
    public var defaultEncoding: LabelEncoding {
        switch self {
        case .smiyc, .manifest: return .smiyc
        case .fishyscapes: return .fishyscapes
        case .roadAnomaly: return .roadAnomaly
        }
    }

    /// Parses `smiyc`, `fishyscapes`, `road-anomaly` (or `roadanomaly`), `manifest`.
    public init(parsing text: String) throws {
        let t = text.lowercased()
        if let layout = DatasetLayout(rawValue: t) { self = layout; return }
        if t == "roadanomaly" || t == "road_anomaly" { self = .roadAnomaly; return }
        throw S2MError(file: nil, .invalid("unknown dataset layout '\(text)' (use smiyc, fishyscapes, road-anomaly or manifest)"))
    }

    /// The layout of a dataset folder, recognised by its sub-folders.
    public static func detect(root: String) throws -> DatasetLayout {
        let has = { (sub: String) in DirectoryListing.isDirectory(DatasetPaths.join(root, sub)) }
        guard DirectoryListing.exists(root) else { throw S2MError(file: root, .missingFile) }
        guard DirectoryListing.isDirectory(root) else {
            throw S2MError(file: root, .invalid("not a folder (give a manifest with --manifest)"))
        }
        if has("images") && has("labels_masks") { return .smiyc }
        if has("original") && has("labels") { return .fishyscapes }
        if has("frames") { return .roadAnomaly }
        throw S2MError(file: root, .invalid("""
            unknown dataset layout: expected images/ + labels_masks/ (SMIYC), original/ + labels/ \
            (Fishyscapes), or frames/ (RoadAnomaly); use --manifest for anything else
            """))
    }
}
