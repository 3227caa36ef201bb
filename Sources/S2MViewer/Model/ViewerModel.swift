import Foundation
import S2MCore
import S2MRender

/// A point in image coordinates (continuous pixels, x right, y down).
public struct ImagePoint: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// What has the keyboard besides the main view.
public enum ViewerMode: Hashable, Sendable {
    case browse
    case help
    /// The generator parameter form; `field` is the selected row.
    case form(field: Int)
    /// Quitting with unsaved edits: asks first.
    case confirmQuit
    /// The guided tour, at `step`.
    case tour(step: Int)
}

/// The smallest rectangle holding a mask's pixels (half-open; empty for an empty mask).
struct MaskBounds: Hashable, Sendable {
    var x0: Int, y0: Int, x1: Int, y1: Int
    var isEmpty: Bool { x1 <= x0 || y1 <= y0 }

    init(_ mask: Mask) {
        var x0 = mask.width, y0 = mask.height, x1 = 0, y1 = 0
        mask.pixels.withUnsafeBufferPointer { p in
            for y in 0..<mask.height {
                let row = y * mask.width
                var first = -1, last = -1
                for x in 0..<mask.width where p[row + x] {
                    if first < 0 { first = x }
                    last = x
                }
                if first >= 0 {
                    x0 = min(x0, first)
                    x1 = max(x1, last + 1)
                    y0 = min(y0, y)
                    y1 = y + 1
                }
            }
        }
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
}

/// The image on screen and what is derived from it.
public struct CurrentCase: Sendable {
    public var itemIndex: Int
    /// Unique per load: sessions and masks are cached under it.
    public var key: String
    public var data: LoadedCase
    public var scoreRange: ClosedRange<Float>
}

/// Edits of one item, kept while moving through a dataset and saved with the session.
public struct ItemEdits: Hashable, Sendable, Codable {
    /// The edited prompt list; nil when only the threshold changed.
    public var prompts: [PromptEntry]?
    public var threshold: Float?
    public var selected: Int?
}

/// All of the viewer's state, driven by events; no terminal, no threads. The runner executes
/// the effects it returns and feeds the answers back as events.
public struct ViewerModel: Sendable {
    public let configuration: ViewerConfiguration

    // Dataset navigation.
    public internal(set) var order: [Int]
    public internal(set) var orderKind: DatasetOrder
    public internal(set) var position: Int = 0
    public internal(set) var rankedMetrics: [Int: CaseMetrics] = [:]

    // The current image.
    public internal(set) var current: CurrentCase?
    public internal(set) var loading: Int?
    public internal(set) var loadError: String?
    public internal(set) var prompts: [PromptEntry] = []
    public internal(set) var selected: Int?
    /// Masks by segmenter index, then prompt geometry.
    public internal(set) var masks: [Int: [PromptGeometry: Segmentation]] = [:]
    /// The rows and columns each mask's pixels lie in (half-open), so unions touch only those.
    var maskBounds: [Int: [PromptGeometry: MaskBounds]] = [:]
    public internal(set) var threshold: Float = 0
    /// The generator in use (index into the configuration's list) and its parameter values.
    public internal(set) var generatorIndex = 0
    public internal(set) var generatorValues: [String: Double]
    /// Values of the other generators, kept while switching between them.
    var otherGeneratorValues: [Int: [String: Double]] = [:]
    public internal(set) var segmenterIndex: Int = 0
    public internal(set) var edits: [String: ItemEdits] = [:]

    // Derived rasters and metrics.
    public internal(set) var thresholdMask: Mask?
    public internal(set) var s2mMask: Mask?
    public internal(set) var metrics: CaseMetrics?
    /// Versions of the scene's rasters (renderers cache resampled layers by version).
    public internal(set) var versions = SceneVersions()

    // View.
    public internal(set) var layout: LayoutChoice = .auto
    public internal(set) var panelSet: [Int: Int] = [:]
    /// Panels chosen by the tour (cleared by any layout key).
    public internal(set) var panelOverride: [PanelKind]?
    public internal(set) var viewport = Viewport.whole
    public internal(set) var cursor: ImagePoint?
    public internal(set) var boxCorner: ImagePoint?
    public internal(set) var colormap: Colormap
    public internal(set) var diffSource: DiffSource = .s2m
    public internal(set) var mode: ViewerMode = .browse
    public internal(set) var screenColumns = 80
    public internal(set) var screenRows = 24

    // Work in progress.
    public internal(set) var runningJob: Int?
    public internal(set) var jobTotal = 0
    public internal(set) var jobDone = 0
    public internal(set) var runningRank: Int?
    public internal(set) var rankProgress: (done: Int, total: Int)?
    public internal(set) var dirty = false
    public internal(set) var message: String?
    public internal(set) var hasQuit = false
    /// Generation parameters of the prompts on screen differ from the generator values: set
    /// while a regeneration is pending or running.
    private var nextID = 1
    private var pendingRegeneration = false

    public struct SceneVersions: Hashable, Sendable {
        public var image = 0, threshold = 0, s2m = 0, truth = 0
    }

    public init(configuration: ViewerConfiguration) {
        self.configuration = configuration
        self.order = Array(configuration.items.indices)
        self.orderKind = .file
        self.colormap = configuration.colormap
        self.generatorValues = configuration.generators.first?.defaultValues ?? [:]
        if let session = configuration.session { apply(session) }
    }

    // MARK: - Starting

    /// The effects that open the first image (call once, before any event).
    public mutating func start(columns: Int, rows: Int) -> [ViewerEffect] {
        screenColumns = columns
        screenRows = rows
        var effects = [ViewerEffect]()
        if configuration.order != .file && configuration.items.count > 1 {
            effects += startRanking(configuration.order)
        }
        guard !order.isEmpty else {
            message = "no images"
            return effects
        }
        if configuration.startTour { mode = .tour(step: 0) }
        if let name = configuration.startItem, configuration.session?.current == nil,
           let index = configuration.items.firstIndex(where: { $0.name == name }), let p = order.firstIndex(of: index) {
            position = p
        }
        return effects + loadItem(at: position)
    }

    // MARK: - Events

    public mutating func handle(_ event: ViewerEvent) -> [ViewerEffect] {
        switch event {
        case .key(let key):
            return handleKey(key)
        case .resize(let columns, let rows):
            screenColumns = columns
            screenRows = rows
            clampViewport()
            return []
        case .loaded(let requestID, let result):
            return handleLoaded(requestID: requestID, result)
        case .job(let update):
            return handleJob(update)
        case .rank(let update):
            return handleRank(update)
        case .written(let result):
            switch result {
            case .success(let paths):
                message = paths.count == 1 ? "saved \(paths[0])" : "wrote \(paths.count) files to \(configuration.exportDirectory)"
                if paths.contains(configuration.sessionPath) { dirty = false }
                if case .confirmQuit = mode, !dirty {
                    hasQuit = true
                    return [.quit]
                }
            case .failure(let failure):
                message = failure.message
                if case .confirmQuit = mode { mode = .browse }
            }
            return []
        }
    }

    // MARK: - Loading

    var currentItem: DatasetItem? {
        guard order.indices.contains(position) else { return nil }
        return configuration.items[order[position]]
    }

    mutating func loadItem(at newPosition: Int) -> [ViewerEffect] {
        var effects = [ViewerEffect]()
        storeEdits()
        if let job = runningJob {
            effects.append(.cancel(jobID: job))
            runningJob = nil
        }
        position = newPosition
        let id = takeID()
        loading = id
        loadError = nil
        return effects + [.load(requestID: id, item: configuration.items[order[newPosition]])]
    }

    mutating func handleLoaded(requestID: Int, _ result: Result<LoadedCase, ViewerFailure>) -> [ViewerEffect] {
        guard requestID == loading else { return [] }
        loading = nil
        let itemIndex = order[position]
        let item = configuration.items[itemIndex]
        switch result {
        case .failure(let failure):
            current = nil
            loadError = failure.message
            message = failure.message
            prompts = []
            selected = nil
            return []
        case .success(let data):
            let scoreRange = data.scores.map(Scene.defaultScoreRange) ?? (0...1)
            current = CurrentCase(itemIndex: itemIndex, key: "\(item.name)#\(requestID)", data: data,
                                  scoreRange: scoreRange)
            masks = [:]
            maskBounds = [:]
            versions.image += 1
            versions.truth += 1
            viewport = .whole
            cursor = nil
            boxCorner = nil
            var regenerate = false
            threshold = edits[item.name]?.threshold ?? data.scores.map(configuration.defaultThreshold) ?? 0
            if let saved = edits[item.name]?.prompts {
                prompts = saved
                selected = edits[item.name]?.selected
            } else {
                if let imported = data.prompts {
                    prompts = imported.map { PromptEntry(prompt: $0, origin: .imported) }
                } else {
                    prompts = []
                    regenerate = data.scores != nil && currentGenerator != nil
                }
                selected = prompts.isEmpty ? nil : 0
            }
            if let s = selected, !prompts.indices.contains(s) { selected = prompts.isEmpty ? nil : 0 }
            updateThresholdMask()
            updateS2MMask()
            var effects = [ViewerEffect]()
            if case .tour(let step) = mode { Tour.apply(step: step, to: &self) }
            effects += startCompute(regenerate: regenerate)
            return effects
        }
    }

    // MARK: - Derived state

    mutating func updateThresholdMask() {
        if let scores = current?.data.scores {
            let t = threshold
            thresholdMask = scores.map { $0 > t }
        } else {
            thresholdMask = nil
        }
        versions.threshold += 1
        updateMetrics()
    }

    /// The mask of `entry` under the current segmenter, if computed.
    public func mask(of entry: PromptEntry) -> Segmentation? {
        masks[segmenterIndex]?[entry.geometry]
    }

    mutating func updateS2MMask() {
        guard let current else {
            s2mMask = nil
            return
        }
        let image = current.data.image
        var union = [Bool](repeating: false, count: image.count)
        let w = image.width
        for entry in prompts where entry.isEnabled {
            guard let m = mask(of: entry)?.mask, m.count == union.count else { continue }
            let b = maskBounds[segmenterIndex]?[entry.geometry] ?? MaskBounds(m)
            guard !b.isEmpty else { continue }
            m.pixels.withUnsafeBufferPointer { src in
                union.withUnsafeMutableBufferPointer { dst in
                    for y in b.y0..<b.y1 {
                        let row = y * w
                        for i in (row + b.x0)..<(row + b.x1) where src[i] { dst[i] = true }
                    }
                }
            }
        }
        s2mMask = Mask(width: image.width, height: image.height, pixels: union)
        // The version names the content (which masks are in the union), so turning a prompt off
        // and on again finds the resampled layers of before in the renderer's cache.
        var hasher = Hasher()
        hasher.combine(current.key)
        hasher.combine(segmenterIndex)
        for entry in prompts where entry.isEnabled && mask(of: entry) != nil { hasher.combine(entry.geometry) }
        versions.s2m = hasher.finalize()
        updateMetrics()
    }

    mutating func updateMetrics() {
        guard let truth = current?.data.groundTruth, let thresholdMask, let s2mMask else {
            metrics = nil
            return
        }
        metrics = CaseMetrics(threshold: MaskScore(predicted: thresholdMask, truth: truth),
                              s2m: MaskScore(predicted: s2mMask, truth: truth))
    }

    // MARK: - Jobs

    mutating func takeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    /// Starts (or restarts) the background job: regenerates prompts when asked, and segments every
    /// prompt whose mask under the current segmenter is missing.
    mutating func startCompute(regenerate: Bool = false) -> [ViewerEffect] {
        guard let current else { return [] }
        var effects = [ViewerEffect]()
        if regenerate { pendingRegeneration = true }
        let generate = pendingRegeneration && currentGenerator != nil && current.data.scores != nil
        let missing = prompts.filter { mask(of: $0) == nil }.map(\.prompt)
        guard generate || !missing.isEmpty, !configuration.segmenterNames.isEmpty || generate else {
            if let job = runningJob {
                effects.append(.cancel(jobID: job))
                runningJob = nil
            }
            return effects
        }
        if let job = runningJob { effects.append(.cancel(jobID: job)) }
        let id = takeID()
        runningJob = id
        jobDone = 0
        jobTotal = generate ? 0 : Set(missing.map(PromptGeometry.init)).count
        effects.append(.compute(ComputeJob(
            id: id, caseKey: current.key, image: current.data.image, scores: current.data.scores,
            segmenterIndex: segmenterIndex, generator: generate ? (generatorIndex, generatorValues) : nil,
            prompts: generate ? userPrompts().map(\.prompt).filter { p in missing.contains(p) } : missing)))
        return effects
    }

    /// Distinct geometries of prompts without a mask under the current segmenter.
    func missingGeometries() -> Set<PromptGeometry> {
        Set(prompts.filter { mask(of: $0) == nil }.map(\.geometry))
    }

    /// Prompts kept when the generator runs again: the user's own and imported ones.
    func userPrompts() -> [PromptEntry] { prompts.filter { $0.origin != .generated } }

    mutating func handleJob(_ update: JobUpdate) -> [ViewerEffect] {
        switch update {
        case .generated(let jobID, let caseKey, let generated):
            guard jobID == runningJob, caseKey == current?.key else { return [] }
            pendingRegeneration = false
            // Prompts the generator makes again keep their on/off state and the selection.
            let kept = userPrompts()
            let disabled = Set(prompts.filter { !$0.isEnabled && $0.origin == .generated }.map(\.geometry))
            let selectedGeometry = selected.flatMap { prompts.indices.contains($0) ? prompts[$0].geometry : nil }
            prompts = generated.map {
                PromptEntry(prompt: $0, isEnabled: !disabled.contains(PromptGeometry($0)), origin: .generated)
            } + kept
            selected = prompts.firstIndex { $0.geometry == selectedGeometry } ?? (prompts.isEmpty ? nil : 0)
            jobDone = 0
            jobTotal = missingGeometries().count
            updateS2MMask()
            if case .tour(let step) = mode { Tour.apply(step: step, to: &self) }
            return []
        case .mask(let jobID, let caseKey, let segmenter, let geometry, let segmentation):
            guard caseKey == current?.key else { return [] }
            masks[segmenter, default: [:]][geometry] = segmentation
            maskBounds[segmenter, default: [:]][geometry] = MaskBounds(segmentation.mask)
            if jobID == runningJob { jobDone += 1 }
            if segmenter == segmenterIndex && prompts.contains(where: { $0.geometry == geometry }) {
                updateS2MMask()
            }
            return []
        case .finished(let jobID, let error, _):
            guard jobID == runningJob else { return [] }
            runningJob = nil
            if let error, error != "cancelled" { message = error }
            if error == "cancelled" { message = "cancelled" }
            return []
        }
    }

    // MARK: - Ranking

    mutating func startRanking(_ kind: DatasetOrder) -> [ViewerEffect] {
        orderKind = kind
        guard kind != .file else {
            reorder(Array(configuration.items.indices))
            return []
        }
        if !rankedMetrics.isEmpty || configuration.items.count <= 1 {
            reorder(kind.order(count: configuration.items.count, metrics: rankedMetrics))
            return []
        }
        storeEdits()
        var effects = [ViewerEffect]()
        if let old = runningRank { effects.append(.cancel(jobID: old)) }
        let id = takeID()
        runningRank = id
        rankProgress = (0, configuration.items.count)
        effects.append(.rank(RankJob(
            id: id, items: configuration.items,
            generator: currentGenerator == nil ? nil : (generatorIndex, generatorValues),
            segmenterIndex: segmenterIndex,
            promptOverrides: edits.compactMapValues { $0.prompts?.filter(\.isEnabled).map(\.prompt) },
            thresholdOverrides: edits.compactMapValues(\.threshold))))
        message = "ranking images by \(kind.title)…"
        return effects
    }

    mutating func handleRank(_ update: RankUpdate) -> [ViewerEffect] {
        switch update {
        case .progress(let jobID, let done, let total):
            guard jobID == runningRank else { return [] }
            rankProgress = (done, total)
        case .finished(let jobID, let metrics, let error):
            guard jobID == runningRank else { return [] }
            runningRank = nil
            rankProgress = nil
            if let error {
                message = error == "cancelled" ? "ranking cancelled" : error
                return []
            }
            rankedMetrics = metrics
            reorder(orderKind.order(count: configuration.items.count, metrics: metrics))
            message = "ordered by \(orderKind.title)"
        }
        return []
    }

    /// Applies a new display order, keeping the current image on screen.
    mutating func reorder(_ newOrder: [Int]) {
        let currentIndex = order.indices.contains(position) ? order[position] : nil
        order = newOrder
        if let currentIndex, let p = newOrder.firstIndex(of: currentIndex) { position = p }
    }

    // MARK: - Edits kept per item

    mutating func storeEdits() {
        guard let item = currentItem, current != nil, dirty || edits[item.name] != nil else { return }
        edits[item.name] = ItemEdits(prompts: prompts, threshold: threshold, selected: selected)
    }

    mutating func markEdited() {
        dirty = true
        if let item = currentItem, current != nil {
            edits[item.name] = ItemEdits(prompts: prompts, threshold: threshold, selected: selected)
        }
    }

    /// The generator in use, if any.
    public var currentGenerator: GeneratorDescription? {
        configuration.generators.indices.contains(generatorIndex) ? configuration.generators[generatorIndex] : nil
    }

    // MARK: - Geometry helpers

    /// The panels on screen now.
    public var panelKinds: [PanelKind] {
        if let panelOverride {
            let fits = ScreenLayout.panelCount(.auto, columns: screenColumns, rows: screenRows, imageAspect: imageAspect,
                                               reservedRows: reservedRows)
            if panelOverride.count <= max(fits, 2) { return panelOverride }
        }
        let hasLabel = current?.data.groundTruth != nil
        var count = ScreenLayout.panelCount(layout, columns: screenColumns, rows: screenRows, imageAspect: imageAspect,
                                            reservedRows: reservedRows)
        // Without a label, the label and diff panels would only say so: automatic layouts stop at 4.
        if layout == .auto && !hasLabel { count = min(count, 4) }
        let sets = PanelSets.sets(count: count, hasLabel: hasLabel)
        return sets[(panelSet[count] ?? 0) % sets.count]
    }

    public var imageAspect: Double {
        guard let image = current?.data.image, image.height > 0 else { return 16.0 / 9.0 }
        return Double(image.width) / Double(image.height)
    }

    public var screenLayout: ScreenLayout {
        ScreenLayout(columns: screenColumns, rows: screenRows, kinds: panelKinds, imageAspect: imageAspect,
                     reservedRows: reservedRows)
    }

    /// Rows the tour's text box takes above the status line (the panels keep clear of it).
    public var reservedRows: Int {
        guard case .tour = mode else { return 0 }
        return Tour.lineCount + 2
    }

    /// The placement of the first panel's picture (all panels share the viewport).
    public var referencePlacement: Placement? {
        guard let image = current?.data.image, let frame = screenLayout.frames.first else { return nil }
        let geometry = configuration.geometry
        return Placement.fit(imageWidth: image.width, imageHeight: image.height, canvasWidth: frame.bodyColumns,
                             canvasHeight: frame.bodyRows * geometry.pixelsPerRow,
                             pixelAspect: geometry.pixelAspect, viewport: viewport)
    }

    mutating func clampViewport() {
        guard let image = current?.data.image, let placement = referencePlacement else { return }
        viewport = placement.viewport(imageWidth: image.width, imageHeight: image.height, zoom: viewport.zoom)
    }

    // MARK: - Scene

    /// Everything the renderer needs to draw the panels.
    public var scene: Scene? {
        guard let current else { return nil }
        let data = current.data
        var scene = Scene(image: Versioned(data.image, version: versions.image))
        if let scores = data.scores {
            scene.scores = Versioned(scores, version: versions.image)
            scene.scoreRange = current.scoreRange
            scene.threshold = threshold
        }
        if let thresholdMask { scene.thresholdMask = Versioned(thresholdMask, version: versions.threshold) }
        if let s2mMask { scene.s2mMask = Versioned(s2mMask, version: versions.s2m) }
        if let s = selected, prompts.indices.contains(s), let m = mask(of: prompts[s])?.mask {
            var hasher = Hasher()
            hasher.combine(current.key)
            hasher.combine(segmenterIndex)
            hasher.combine(prompts[s].geometry)
            scene.selectedMask = Versioned(m, version: hasher.finalize())
        }
        if let truth = data.groundTruth { scene.groundTruth = Versioned(truth, version: versions.truth) }
        if let void = data.void { scene.void = Versioned(void, version: versions.truth) }
        scene.prompts = prompts.map { PromptMarker(prompt: $0.prompt, isEnabled: $0.isEnabled) }
        scene.selectedPrompt = selected
        scene.cursor = cursor.map { (x: $0.x, y: $0.y) }
        scene.pendingBoxCorner = boxCorner.map { (x: $0.x, y: $0.y) }
        scene.diffSource = diffSource
        return scene
    }

    // MARK: - Status

    /// True while segmentation or ranking runs in the background.
    public var isBusy: Bool { runningJob != nil || runningRank != nil || loading != nil }

    mutating func quitRequested() -> [ViewerEffect] {
        if dirty {
            mode = .confirmQuit
            return []
        }
        hasQuit = true
        var effects = [ViewerEffect]()
        if let job = runningJob { effects.append(.cancel(jobID: job)) }
        if let rank = runningRank { effects.append(.cancel(jobID: rank)) }
        return effects + [.quit]
    }

    mutating func forceQuit() -> [ViewerEffect] {
        hasQuit = true
        return [.quit]
    }
}
