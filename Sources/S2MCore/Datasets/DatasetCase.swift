/// One image of a dataset to evaluate: its name and the files that belong to it. Files are paths
/// as found (absolute, or relative to the working directory); nothing is read yet.
public struct DatasetCase: Sendable, Hashable, Codable {
    /// A name unique within the dataset: the image's file stem (or, for manifests, the path
    /// relative to the manifest when stems repeat).
    public var name: String
    /// The photo.
    public var image: String
    /// The anomaly score map, if any.
    public var scores: String?
    /// The ground-truth label map, if any.
    public var label: String?
    /// A prompts file (the viewer's prompts JSON or detectron2 results), if any.
    public var prompts: String?

    public init(name: String, image: String, scores: String? = nil, label: String? = nil, prompts: String? = nil) {
        self.name = name
        self.image = image
        self.scores = scores
        self.label = label
        self.prompts = prompts
    }
}

/// Path helpers shared by the dataset readers.
public enum DatasetPaths {
    /// `a/b/name.ext` -> `name`.
    static func stem(_ path: String) -> String {
        let file = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    /// The lower-cased extension without the dot (`""` when none).
    static func fileExtension(_ path: String) -> String {
        let file = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return "" }
        return String(file[file.index(after: dot)...]).lowercased()
    }

    /// `base/relative` unless `relative` is absolute.
    static func join(_ base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") || base.isEmpty { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// The folder holding `path` (`""` for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// A list for an error message: the first `limit` names, then "and N more".
    static func list(_ names: [String], limit: Int = 8) -> String {
        let shown = names.prefix(limit).joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }
}

extension DatasetPaths {
    /// The last path component (`a/b/` -> `b`).
    public static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
