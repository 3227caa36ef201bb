import Foundation
import S2MCore
import S2MRender

extension ViewerModel {
    /// The session as it would be saved now.
    public func sessionFile() -> SessionFile {
        var allEdits = edits
        if let item = currentItem, current != nil, dirty || edits[item.name] != nil {
            allEdits[item.name] = ItemEdits(prompts: prompts, threshold: threshold, selected: selected)
        }
        let items = configuration.items.map { item -> SessionFile.Item in
            let e = allEdits[item.name]
            return SessionFile.Item(name: item.name, image: item.image, scores: item.scores, label: item.label,
                                    prompts: item.prompts, threshold: e?.threshold, editedPrompts: e?.prompts,
                                    selected: e?.selected)
        }
        return SessionFile(
            generator: currentGenerator?.name, generatorValues: generatorValues,
            segmenter: configuration.segmenterNames.indices.contains(segmenterIndex)
                ? configuration.segmenterNames[segmenterIndex] : nil,
            colormap: colormap.name, current: currentItem?.name, items: items)
    }

    /// Every input file (saves never overwrite one).
    var protectedPaths: [String] { configuration.items.flatMap(\.inputPaths) }

    mutating func saveSession() -> [ViewerEffect] {
        do {
            let data = try sessionFile().encoded()
            message = "saving…"
            return [.write(WriteRequest(files: [(configuration.sessionPath, .data(data))],
                                        protectedPaths: protectedPaths))]
        } catch {
            message = "cannot encode the session: \(error)"
            return []
        }
    }

    /// Exports the current image the way `s2m run` writes its outputs, into the export folder:
    /// `<name>_mask.png` (the S2M mask, 0/1), `<name>_confidence.npy` (the painted confidence
    /// map, float32, lower confidence wins where masks overlap, as the paper), `<name>_prompts.json`
    /// (the enabled prompts, an s2m prompts file `s2m run --prompts` reads), `<name>_threshold.png`
    /// and one `<name>_prompt<k>.png` per enabled prompt.
    mutating func exportMasks() -> [ViewerEffect] {
        guard let item = currentItem, let current else { return [] }
        var files = [(path: String, payload: WriteRequest.Payload)]()
        let dir = configuration.exportDirectory
        func path(_ suffix: String) -> String { (dir as NSString).appendingPathComponent("\(item.name)_\(suffix)") }
        let enabled = prompts.filter(\.isEnabled)
        if let s2mMask { files.append((path("mask.png"), .mask(s2mMask))) }
        let painted = enabled.compactMap { entry in mask(of: entry).map { ($0.mask, entry.prompt.confidence) } }
        if painted.count == enabled.count {
            let confidence = paintConfidenceMap(painted, size: current.data.image.size, policy: .paper)
            if let data = try? NPYWriter.encode(NDArray(confidence)) { files.append((path("confidence.npy"), .data(data))) }
        }
        let promptsFile = PromptsFile(image: item.image, size: current.data.image.size, prompts: enabled.map(\.prompt))
        if let data = try? promptsFile.encoded() { files.append((path("prompts.json"), .data(data))) }
        if let thresholdMask { files.append((path("threshold.png"), .mask(thresholdMask))) }
        for (i, entry) in prompts.enumerated() where entry.isEnabled {
            if let m = mask(of: entry)?.mask { files.append((path("prompt\(i + 1).png"), .mask(m))) }
        }
        guard s2mMask != nil else {
            message = "nothing to export yet"
            return []
        }
        message = "exporting…"
        return [.write(WriteRequest(files: files, protectedPaths: protectedPaths))]
    }

    /// Restores a saved session's settings and edits (items are matched by name).
    mutating func apply(_ session: SessionFile) {
        if let name = session.generator, let i = configuration.generators.firstIndex(where: { $0.name == name }) {
            generatorIndex = i
            generatorValues = configuration.generators[i].defaultValues
        }
        for (key, value) in session.generatorValues where generatorValues[key] != nil {
            if let p = currentGenerator?.parameters.first(where: { $0.key == key }) {
                generatorValues[key] = p.clamp(value)
            }
        }
        if let name = session.segmenter, let i = configuration.segmenterNames.firstIndex(of: name) {
            segmenterIndex = i
        }
        if let name = session.colormap, let map = Colormap.named(name) { colormap = map }
        for item in session.items {
            if item.editedPrompts != nil || item.threshold != nil {
                edits[item.name] = ItemEdits(prompts: item.editedPrompts, threshold: item.threshold,
                                             selected: item.selected)
            }
        }
        if let name = session.current, let index = configuration.items.firstIndex(where: { $0.name == name }),
           let p = order.firstIndex(of: index) {
            position = p
        }
    }
}
