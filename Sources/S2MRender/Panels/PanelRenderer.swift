import S2MCore

/// A panel drawn into cells, with the placement that maps image pixels to its canvas (the viewer
/// needs it to move a cursor or zoom around a point).
public struct RenderedPanel: Sendable {
    public var grid: CellGrid
    public var placement: Placement
    /// Rows of `grid` that show the image (the colour bar, when drawn, follows them).
    public var imageRows: Int
}

/// Draws one panel of a scene: resamples the layers it needs to screen resolution (area average),
/// composes them, turns the pixels into cells through the colour mode, and writes glyph overlays.
public struct PanelRenderer {
    public var options: RenderOptions
    /// Optional cache of resampled layers (keyed by layer version and placement).
    public var cache: LayerCache?

    public init(options: RenderOptions, cache: LayerCache? = nil) {
        self.options = options
        self.cache = cache
    }

    /// Draws `kind` of `scene` into `columns` x `rows` cells showing `viewport`.
    public func render(_ kind: PanelKind, scene: Scene, columns: Int, rows: Int,
                       viewport: Viewport = .whole) -> RenderedPanel {
        let mode = options.colorMode.mode
        let geometry = options.geometry
        let image = scene.image.value
        let wantsBar = kind == .scores && options.colorBar && scene.scores != nil && rows >= 4
        let imageRows = max(rows - (wantsBar ? 1 : 0), 0)
        let placement = Placement.fit(
            imageWidth: image.width, imageHeight: image.height, canvasWidth: max(columns, 0),
            canvasHeight: imageRows * geometry.pixelsPerRow, pixelAspect: geometry.pixelAspect,
            viewport: viewport, stretch: options.stretch)
        var canvas = PixelCanvas(placement: placement)
        var message: String?
        if placement.drawWidth > 0 && placement.drawHeight > 0 && image.width > 0 && image.height > 0 {
            let layers = Layers(placement: placement, imageWidth: image.width, imageHeight: image.height,
                                cache: cache)
            message = compose(kind, scene: scene, canvas: &canvas, layers: layers, mode: mode)
        }
        var grid = CellEncoder.encode(canvas, mode: mode, geometry: geometry)
        if let message, grid.height > 0 {
            let text = " \(message) "
            let x = max((grid.width - text.count) / 2, 0)
            grid.put(text, x: x, y: grid.height / 2, attributes: .reverse)
        }
        if options.showPrompts && (kind == .s2m || kind == .scores) {
            PromptOverlay.drawGlyphs(&grid, scene: scene, placement: placement, options: options, mode: mode)
        } else if let cursor = scene.cursor {
            var cursorOnly = scene
            cursorOnly.prompts = []
            cursorOnly.selectedPrompt = nil
            cursorOnly.cursor = cursor
            PromptOverlay.drawGlyphs(&grid, scene: cursorOnly, placement: placement, options: options, mode: mode)
        }
        var full = CellGrid(width: max(columns, 0), height: max(rows, 0))
        full.blit(grid, x: 0, y: 0)
        if wantsBar {
            let range = scene.scoreRange
            let bar = ColorBar.render(width: columns, range: range, threshold: scene.threshold,
                                      painter: mode.heatmapPainter(for: options.colormap), mode: mode,
                                      geometry: geometry)
            // Right under the picture (the picture and the bar are centred together).
            let pictureEnd = (placement.drawY + placement.drawHeight + geometry.pixelsPerRow - 1) / geometry.pixelsPerRow
            full.blit(bar, x: 0, y: min(max(pictureEnd, 0), imageRows))
        }
        return RenderedPanel(grid: full, placement: placement, imageRows: imageRows)
    }

    /// Paints the panel's pixels; returns a message to show when the panel lacks its data.
    private func compose(_ kind: PanelKind, scene: Scene, canvas: inout PixelCanvas, layers: Layers,
                         mode: any ColorMode) -> String? {
        let style = options.style
        canvas.place(layers.photo(scene.image))
        if kind != .image && kind != .scores {
            MaskOverlay.mute(&canvas, desaturation: style.photoDesaturation, dimming: style.photoDimming)
        }
        var message: String?
        switch kind {
        case .image:
            break
        case .scores:
            if let scores = scene.scores {
                paintHeatmap(&canvas, values: layers.values("scores", scores), range: scene.scoreRange,
                             painter: mode.heatmapPainter(for: options.colormap))
            } else {
                message = "no scores"
            }
        case .threshold:
            if let mask = scene.thresholdMask {
                let coverage = layers.values("threshold", mask)
                MaskOverlay.tint(&canvas, coverage: coverage, color: style.thresholdTint, alpha: style.tintAlpha)
                MaskOverlay.outline(&canvas, coverage: coverage, color: style.thresholdTint)
            } else {
                message = "no scores"
            }
        case .s2m:
            if let mask = scene.s2mMask {
                let coverage = layers.values("s2m", mask)
                MaskOverlay.tint(&canvas, coverage: coverage, color: style.s2mTint, alpha: style.tintAlpha)
                MaskOverlay.outline(&canvas, coverage: coverage, color: style.s2mTint)
            }
            if scene.prompts.isEmpty { message = "no prompts" }
            if let selected = scene.selectedMask {
                let coverage = layers.values("selected", selected)
                MaskOverlay.tint(&canvas, coverage: coverage, color: style.selectedTint, alpha: style.tintAlpha)
                MaskOverlay.outline(&canvas, coverage: coverage, color: style.selectedTint)
            }
        case .label:
            if let void = scene.void {
                MaskOverlay.tint(&canvas, coverage: layers.values("void", void), color: style.voidTint,
                                 alpha: style.tintAlpha)
            }
            if let truth = scene.groundTruth {
                let coverage = layers.values("truth", truth)
                MaskOverlay.tint(&canvas, coverage: coverage, color: style.groundTruthTint, alpha: style.tintAlpha)
                MaskOverlay.outline(&canvas, coverage: coverage, color: style.groundTruthTint)
            } else {
                message = "no label"
            }
        case .diff:
            let predicted = scene.diffSource == .s2m ? scene.s2mMask : scene.thresholdMask
            if let truth = scene.groundTruth, let predicted {
                let key = "\(scene.diffSource.rawValue):\(predicted.version):\(truth.version):\(scene.void?.version ?? -1)"
                let coverages = layers.diff(key: key) {
                    DiffOverlay.categories(predicted: predicted.value, truth: truth.value, void: scene.void?.value)
                }
                MaskOverlay.tint(&canvas, coverage: coverages.tp, color: style.truePositive, alpha: style.diffAlpha)
                MaskOverlay.tint(&canvas, coverage: coverages.fp, color: style.falsePositive, alpha: style.diffAlpha)
                MaskOverlay.tint(&canvas, coverage: coverages.fn, color: style.falseNegative, alpha: style.diffAlpha)
            } else {
                message = scene.groundTruth == nil ? "no label" : "no \(scene.diffSource == .s2m ? "S2M mask" : "scores")"
            }
        }
        if options.showPrompts && (kind == .s2m || kind == .scores) {
            PromptOverlay.drawBoxes(&canvas, scene: scene, placement: layers.placement, style: style)
        }
        return message
    }

    private func paintHeatmap(_ canvas: inout PixelCanvas, values: [Float], range: ClosedRange<Float>,
                              painter: HeatmapPainter) {
        let lo = range.lowerBound
        let span = range.upperBound - range.lowerBound
        let inverse: Float = span > 0 ? 1 / span : 0
        let w = canvas.drawWidth
        for y in 0..<canvas.drawHeight {
            for x in 0..<w {
                let cx = canvas.drawX + x, cy = canvas.drawY + y
                canvas[cx, cy] = painter.color((values[y * w + x] - lo) * inverse, x: cx, y: cy)
            }
        }
    }
}

/// The resampled layers of one placement, through the cache when there is one.
struct Layers {
    let placement: Placement
    let resampler: AreaResampler
    let cache: LayerCache?

    init(placement: Placement, imageWidth: Int, imageHeight: Int, cache: LayerCache?) {
        self.placement = placement
        self.resampler = AreaResampler(placement: placement, imageWidth: imageWidth, imageHeight: imageHeight)
        self.cache = cache
    }

    private func key(_ layer: String, _ version: Int) -> LayerCache.Key {
        LayerCache.Key(layer: layer, version: version, source: placement.source,
                       width: placement.drawWidth, height: placement.drawHeight)
    }

    private func cached(_ layer: String, _ version: Int, _ compute: () -> [Float]) -> [Float] {
        guard let cache else { return compute() }
        return cache.value(key(layer, version), compute: compute)
    }

    func photo(_ image: Versioned<RGBImage>) -> RGBImage {
        let averages = cached("photo", image.version) { resampler.averages(image.value) }
        var pixels = [RGB]()
        pixels.reserveCapacity(resampler.width * resampler.height)
        for i in 0..<(resampler.width * resampler.height) {
            pixels.append(RGB(AreaResampler.byte(averages[3 * i]), AreaResampler.byte(averages[3 * i + 1]),
                              AreaResampler.byte(averages[3 * i + 2])))
        }
        return RGBImage(width: resampler.width, height: resampler.height, pixels: pixels)
    }

    func values<E: AreaSample>(_ layer: String, _ raster: Versioned<Raster<E>>) -> [Float] {
        cached(layer, raster.version) { resampler.averages(raster.value) }
    }

    func diff(key: String, _ categories: () -> (tp: Mask, fp: Mask, fn: Mask)) -> (tp: [Float], fp: [Float], fn: [Float]) {
        if let cache {
            let k = self.key("diff-tp:" + key, 0)
            let kfp = self.key("diff-fp:" + key, 0), kfn = self.key("diff-fn:" + key, 0)
            var computed: (tp: Mask, fp: Mask, fn: Mask)?
            func masks() -> (tp: Mask, fp: Mask, fn: Mask) {
                if let computed { return computed }
                let c = categories()
                computed = c
                return c
            }
            let tp = cache.value(k) { resampler.averages(masks().tp) }
            let fp = cache.value(kfp) { resampler.averages(masks().fp) }
            let fn = cache.value(kfn) { resampler.averages(masks().fn) }
            return (tp, fp, fn)
        }
        let c = categories()
        return (resampler.averages(c.tp), resampler.averages(c.fp), resampler.averages(c.fn))
    }
}
