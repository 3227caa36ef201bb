/// Score maps kept in a folder of their own, keyed by image stem: for image `<stem>.jpg` the
/// folder holds `<stem>.npy`, `<stem>.npz` or `<stem>.png` (also accepted: `<stem>_scores.*`,
/// and for Fishyscapes S2M's `<n>.npz` for `image_<n>.png`).
enum ScoreFolder {
    /// The cases with their score maps filled in from `folder`.
    ///
    /// Throws when a score file matches no image (unless `allowUnpaired`) or two files match the
    /// same image, listing them. Images without a score file keep `scores == nil` (commands that
    /// need scores call ``Dataset/requireScores()``).
    static func attach(_ folder: String, to cases: [DatasetCase], layout: DatasetLayout,
                       allowUnpaired: Bool) throws -> [DatasetCase] {
        var byKey: [String: [String]] = [:]
        for name in try DirectoryListing.names(in: folder) where Dataset.scoreExtensions.contains(DatasetPaths.fileExtension(name)) {
            byKey[DatasetPaths.stem(name), default: []].append(DatasetPaths.join(folder, name))
        }
        var used = Set<String>()
        var ambiguous: [String] = []
        var out = cases
        for i in out.indices {
            let stem = DatasetPaths.stem(out[i].image)
            var keys = [stem, stem + "_scores", stem + "_score"]
            if layout == .fishyscapes, stem.hasPrefix("image_") { keys.append(String(stem.dropFirst("image_".count))) }
            let matches = keys.flatMap { byKey[$0] ?? [] }
            if matches.count > 1 {
                ambiguous.append("\(out[i].name) (\(matches.map { DatasetPaths.stem($0) + "." + DatasetPaths.fileExtension($0) }.joined(separator: ", ")))")
                continue
            }
            if let file = matches.first {
                out[i].scores = file
                used.insert(file)
            }
        }
        if !ambiguous.isEmpty {
            throw S2MError(file: folder, .invalid("several score files for one image: \(DatasetPaths.list(ambiguous))"))
        }
        let orphans = byKey.values.flatMap { $0 }.filter { !used.contains($0) }.map { DatasetPaths.stem($0) + "." + DatasetPaths.fileExtension($0) }.sorted()
        if !orphans.isEmpty && !allowUnpaired {
            throw S2MError(file: folder, .invalid("\(orphans.count) score file\(orphans.count == 1 ? "" : "s") match no image: \(DatasetPaths.list(orphans)) (--allow-unpaired to ignore them)"))
        }
        return out
    }
}
