/// A dataset to evaluate: its cases, paired by file name, and the label encoding of its labels.
public struct Dataset: Sendable {
    /// How the cases were found.
    public var layout: DatasetLayout
    /// The dataset folder or manifest file.
    public var root: String
    /// The cases, in a stable order (sorted by name for folder layouts, file order for manifests).
    public var cases: [DatasetCase]
    /// Where the score maps came from, for reports (a folder, or `nil` when there are none).
    public var scoresSource: String?

    public init(layout: DatasetLayout, root: String, cases: [DatasetCase], scoresSource: String? = nil) {
        self.layout = layout
        self.root = root
        self.cases = cases
        self.scoresSource = scoresSource
    }

    /// Image file extensions the layouts accept.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp"]
    /// Score file extensions.
    static let scoreExtensions: Set<String> = ["npy", "npz", "png"]

    /// Opens a dataset folder. `layout` is detected when `nil`. Score maps come from `scores`
    /// (a folder keyed by image stem) when given, else from the layout's own score folder
    /// (`score/` or `scores/` inside the dataset) when it has one.
    ///
    /// Throws when a label or score file has no image, an image has no label, or two files claim
    /// the same image, listing the files concerned.
    public static func open(root: String, layout requested: DatasetLayout? = nil, scores: String? = nil,
                            allowUnpaired: Bool = false) throws -> Dataset {
        let layout = try requested ?? DatasetLayout.detect(root: root)
        var cases: [DatasetCase]
        switch layout {
        case .smiyc: cases = try smiyc(root)
        case .fishyscapes: cases = try fishyscapes(root)
        case .roadAnomaly: cases = try roadAnomaly(root)
        case .manifest: return try manifest(root, scores: scores, allowUnpaired: allowUnpaired)
        }
        guard !cases.isEmpty else { throw S2MError(file: root, .invalid("the dataset holds no images")) }
        var source: String? = nil
        let scoreFolder = scores ?? ["score", "scores"].map { DatasetPaths.join(root, $0) }.first(where: DirectoryListing.isDirectory)
        if let scoreFolder {
            cases = try ScoreFolder.attach(scoreFolder, to: cases, layout: layout, allowUnpaired: allowUnpaired)
            source = scoreFolder
        }
        return Dataset(layout: layout, root: root, cases: cases, scoresSource: source)
    }

    /// Reads a CSV or JSON manifest (see ``ManifestReader``); `scores` fills in missing score
    /// maps from a folder keyed by image stem.
    public static func manifest(_ path: String, scores: String? = nil, allowUnpaired: Bool = false) throws -> Dataset {
        var cases = try ManifestReader.read(path)
        if let scores {
            cases = try ScoreFolder.attach(scores, to: cases, layout: .manifest, allowUnpaired: allowUnpaired)
        }
        let source = scores ?? (cases.contains { $0.scores != nil } ? path : nil)
        return Dataset(layout: .manifest, root: path, cases: cases, scoresSource: source)
    }

    /// Throws, listing them, when some cases have no label file.
    public func requireLabels() throws {
        let missing = cases.filter { $0.label == nil }.map(\.name)
        guard missing.isEmpty else {
            throw S2MError(file: root, .invalid("\(missing.count) image\(missing.count == 1 ? " has" : "s have") no label: \(DatasetPaths.list(missing))"))
        }
    }

    /// Throws, listing them, when some cases have no score map.
    public func requireScores() throws {
        let missing = cases.filter { $0.scores == nil }.map(\.name)
        guard missing.isEmpty else {
            let hint = scoresSource == nil ? " (give a score folder with --scores DIR)" : " in \(scoresSource!)"
            throw S2MError(file: root, .invalid("\(missing.count) image\(missing.count == 1 ? " has" : "s have") no score map\(hint): \(DatasetPaths.list(missing))"))
        }
    }

    // MARK: Layouts

    /// Images of `folder` keyed by stem; two images with one stem are an error.
    static func images(in folder: String) throws -> [(stem: String, path: String)] {
        var seen: [String: String] = [:]
        var out: [(String, String)] = []
        for name in try DirectoryListing.names(in: folder) where imageExtensions.contains(DatasetPaths.fileExtension(name)) {
            let stem = DatasetPaths.stem(name), path = DatasetPaths.join(folder, name)
            if let other = seen[stem] {
                throw S2MError(file: folder, .invalid("two images named \(stem): \(DatasetPaths.stem(other)).\(DatasetPaths.fileExtension(other)) and \(name)"))
            }
            seen[stem] = path
            out.append((stem, path))
        }
        return out
    }

    /// Pairs images and labels by key, throwing with the unpaired files listed.
    static func pair(images: [(key: String, path: String)], labels: [String: String], root: String,
                     labelFolder: String) throws -> [DatasetCase] {
        let imageKeys = Set(images.map(\.key))
        let orphanLabels = labels.keys.filter { !imageKeys.contains($0) }.sorted().map { labels[$0]! }
        let unlabelled = images.filter { labels[$0.key] == nil }.map(\.path)
        var problems: [String] = []
        if !orphanLabels.isEmpty {
            problems.append("\(orphanLabels.count) label file\(orphanLabels.count == 1 ? "" : "s") without an image: \(DatasetPaths.list(orphanLabels.map { ($0 as String).replacingOccurrences(of: root + "/", with: "") }))")
        }
        if !unlabelled.isEmpty {
            problems.append("\(unlabelled.count) image\(unlabelled.count == 1 ? "" : "s") without a label in \(labelFolder): \(DatasetPaths.list(unlabelled.map { $0.replacingOccurrences(of: root + "/", with: "") }))")
        }
        guard problems.isEmpty else { throw S2MError(file: root, .invalid(problems.joined(separator: "; "))) }
        return images.map { DatasetCase(name: $0.key, image: $0.path, label: labels[$0.key]) }
            .sorted { $0.name < $1.name }
    }

    static func smiyc(_ root: String) throws -> [DatasetCase] {
        let imageFolder = DatasetPaths.join(root, "images"), labelFolder = DatasetPaths.join(root, "labels_masks")
        let images = try Self.images(in: imageFolder).map { (key: $0.stem, path: $0.path) }
        var labels: [String: String] = [:]
        let suffix = "_labels_semantic.png"
        for name in try DirectoryListing.names(in: labelFolder) where name.hasSuffix(suffix) {
            labels[String(name.dropLast(suffix.count))] = DatasetPaths.join(labelFolder, name)
        }
        return try pair(images: images, labels: labels, root: root, labelFolder: "labels_masks/ (<id>\(suffix))")
    }

    static func fishyscapes(_ root: String) throws -> [DatasetCase] {
        let imageFolder = DatasetPaths.join(root, "original"), labelFolder = DatasetPaths.join(root, "labels")
        let images = try Self.images(in: imageFolder).map { (key: $0.stem, path: $0.path) }
        var labels: [String: String] = [:]
        for (stem, path) in try Self.images(in: labelFolder) where DatasetPaths.fileExtension(path) == "png" {
            labels[stem] = path
        }
        return try pair(images: images, labels: labels, root: root, labelFolder: "labels/")
    }

    static func roadAnomaly(_ root: String) throws -> [DatasetCase] {
        let frames = DatasetPaths.join(root, "frames")
        let names = try DirectoryListing.names(in: frames)
        let images = try Self.images(in: frames).map { (key: $0.stem, path: $0.path) }
        var labels: [String: String] = [:]
        var emptyLabelFolders: [String] = []
        for name in names where name.hasSuffix(".labels") && DirectoryListing.isDirectory(DatasetPaths.join(frames, name)) {
            let file = DatasetPaths.join(DatasetPaths.join(frames, name), "labels_semantic.png")
            if DirectoryListing.exists(file) {
                labels[String(name.dropLast(".labels".count))] = file
            } else {
                emptyLabelFolders.append(name)
            }
        }
        if !emptyLabelFolders.isEmpty {
            throw S2MError(file: frames, .invalid("label folder\(emptyLabelFolders.count == 1 ? "" : "s") without labels_semantic.png: \(DatasetPaths.list(emptyLabelFolders))"))
        }
        return try pair(images: images, labels: labels, root: root, labelFolder: "frames/<name>.labels/labels_semantic.png")
    }
}
