import S2MCore
import S2MRender

extension ViewerModel {
    mutating func handleKey(_ key: ViewerKey) -> [ViewerEffect] {
        switch mode {
        case .help:
            mode = .browse
            return []
        case .confirmQuit:
            switch key {
            case .character("s"):
                return saveSession()
            case .character("q"), .character("y"):
                return forceQuit()
            default:
                mode = .browse
                message = nil
                return []
            }
        case .form(let field):
            return handleFormKey(key, field: field)
        case .tour(let step):
            switch key {
            case .enter, .character(" "):
                return tourStep(step + 1)
            case .backspace:
                return tourStep(max(step - 1, 0))
            case .escape, .character("q"), .character("t"):
                mode = .browse
                panelOverride = nil
                message = "tour closed: press t to start it again, ? for every key"
                return []
            default:
                return handleBrowseKey(key)
            }
        case .browse:
            return handleBrowseKey(key)
        }
    }

    mutating func tourStep(_ step: Int) -> [ViewerEffect] {
        guard step < Tour.steps.count else {
            mode = .browse
            panelOverride = nil
            message = "end of the tour: press ? for every key, t to see it again"
            return []
        }
        mode = .tour(step: step)
        Tour.apply(step: step, to: &self)
        return startCompute()
    }

    mutating func handleBrowseKey(_ key: ViewerKey) -> [ViewerEffect] {
        message = nil
        switch key {
        case .character("q"):
            return quitRequested()
        case .character("?"):
            mode = .help
        case .character("t"):
            return tourStep(0)
        case .character("n"), .pageDown:
            guard !order.isEmpty else { return [] }
            if position + 1 < order.count { return loadItem(at: position + 1) }
            message = "last image"
        case .character("p"), .pageUp:
            guard !order.isEmpty else { return [] }
            if position > 0 { return loadItem(at: position - 1) }
            message = "first image"
        case .tab:
            stepPrompt(by: 1)
        case .backTab:
            stepPrompt(by: -1)
        case .character(" "):
            return togglePrompt()
        case .character("x"), .delete, .backspace:
            return deletePrompt()
        case .left where cursor == nil, .character("["):
            changeThreshold(byFraction: -0.01)
        case .right where cursor == nil, .character("]"):
            changeThreshold(byFraction: 0.01)
        case .shiftLeft where cursor == nil, .character("{"):
            changeThreshold(byFraction: -0.1)
        case .shiftRight where cursor == nil, .character("}"):
            changeThreshold(byFraction: 0.1)
        case .character("T"):
            resetThreshold()
        case .left, .right, .up, .down, .shiftLeft, .shiftRight, .shiftUp, .shiftDown:
            if cursor != nil { moveCursor(key) }
        case .character("c"):
            if cursor == nil { showCursor() } else {
                cursor = nil
                boxCorner = nil
            }
        case .character("a"):
            return addPoint(positive: true, newPrompt: false)
        case .character("r"):
            return addPoint(positive: false, newPrompt: false)
        case .character("i"):
            return addPoint(positive: true, newPrompt: true)
        case .character("b"), .enter:
            return boxKey()
        case .escape:
            if boxCorner != nil {
                boxCorner = nil
                message = "box cancelled"
            } else if let job = runningJob {
                runningJob = nil
                message = "segmentation cancelled"
                return [.cancel(jobID: job)]
            } else if cursor != nil {
                cursor = nil
            }
        case .character("g"):
            if configuration.generators.isEmpty {
                message = "no tunable prompt generator"
            } else {
                mode = .form(field: 0)
            }
        case .character("R"):
            guard currentGenerator != nil, current?.data.scores != nil else {
                message = "no prompt generator"
                return []
            }
            markEdited()
            return startCompute(regenerate: true)
        case .character("m"):
            return switchSegmenter()
        case .character("+"):
            zoom(by: 1.5)
        case .character("-"):
            zoom(by: 1 / 1.5)
        case .character("="):
            viewport = .whole
        case .character("h"):
            pan(dx: -0.25, dy: 0)
        case .character("l"):
            pan(dx: 0.25, dy: 0)
        case .character("k"):
            pan(dx: 0, dy: -0.25)
        case .character("j"):
            pan(dx: 0, dy: 0.25)
        case .character("1"), .character("2"), .character("4"), .character("6"):
            if case .character(let c) = key, let n = Int(String(c)) {
                layout = .panels(n)
                panelOverride = nil
                clampViewport()
            }
        case .character("0"):
            layout = .auto
            panelOverride = nil
            clampViewport()
        case .character("v"):
            panelOverride = nil
            let count = panelKinds.count
            panelSet[count] = (panelSet[count] ?? 0) + 1
            message = "panels: " + panelKinds.map(\.title).joined(separator: ", ")
        case .character("d"):
            diffSource = diffSource == .s2m ? .threshold : .s2m
            message = "diff compares \(diffSource == .s2m ? "S2M" : "the threshold mask") with ground truth"
        case .character("C"):
            let all = Colormap.all
            let i = all.firstIndex(where: { $0.name == colormap.name }) ?? 0
            colormap = all[(i + 1) % all.count]
            message = "colormap \(colormap.name)"
        case .character("o"):
            let all = DatasetOrder.allCases
            let i = all.firstIndex(of: orderKind) ?? 0
            return startRanking(all[(i + 1) % all.count])
        case .character("s"):
            return saveSession()
        case .character("e"):
            return exportMasks()
        default:
            break
        }
        return []
    }

    // MARK: - Prompts

    mutating func stepPrompt(by delta: Int) {
        guard !prompts.isEmpty else {
            message = "no prompts"
            return
        }
        if let s = selected {
            selected = ((s + delta) % prompts.count + prompts.count) % prompts.count
        } else {
            selected = delta > 0 ? 0 : prompts.count - 1
        }
    }

    mutating func togglePrompt() -> [ViewerEffect] {
        guard let s = selected, prompts.indices.contains(s) else {
            message = "no prompt selected"
            return []
        }
        prompts[s].isEnabled.toggle()
        markEdited()
        updateS2MMask()
        return []
    }

    mutating func deletePrompt() -> [ViewerEffect] {
        guard let s = selected, prompts.indices.contains(s) else {
            message = "no prompt selected"
            return []
        }
        prompts.remove(at: s)
        selected = prompts.isEmpty ? nil : min(s, prompts.count - 1)
        markEdited()
        updateS2MMask()
        message = "prompt \(s + 1) deleted"
        return []
    }

    /// Where the cursor appears: the selected prompt's centre, else the middle of the view.
    mutating func showCursor() {
        guard let image = current?.data.image else { return }
        if let s = selected, prompts.indices.contains(s) {
            let p = prompts[s].prompt
            if let box = p.box {
                cursor = ImagePoint(x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2)
            } else if let first = p.points.first {
                cursor = ImagePoint(x: first.x, y: first.y)
            }
        }
        if cursor == nil {
            let placement = referencePlacement
            cursor = ImagePoint(x: placement.map { $0.source.x + $0.source.width / 2 } ?? Double(image.width) / 2,
                                y: placement.map { $0.source.y + $0.source.height / 2 } ?? Double(image.height) / 2)
        }
        message = "cursor: arrows move it (Shift: faster); a/r add a +/- point, i a new point prompt, b a box"
    }

    mutating func moveCursor(_ key: ViewerKey) {
        guard var c = cursor, let image = current?.data.image else { return }
        let placement = referencePlacement
        let step = placement.map { 1 / $0.scaleX } ?? 1
        let big = 8 * step
        switch key {
        case .left: c.x -= step
        case .right: c.x += step
        case .up: c.y -= step
        case .down: c.y += step
        case .shiftLeft: c.x -= big
        case .shiftRight: c.x += big
        case .shiftUp: c.y -= big
        case .shiftDown: c.y += big
        default: break
        }
        // Snap away float drift so that n steps of 1/n pixel land exactly on a pixel boundary.
        c.x = min(max((c.x * 1e6).rounded() / 1e6, 0), Double(image.width) - 0.001)
        c.y = min(max((c.y * 1e6).rounded() / 1e6, 0), Double(image.height) - 0.001)
        cursor = c
        // Keep the cursor in view when zoomed.
        if let p = placement, viewport.zoom > 1 {
            let s = p.source
            if c.x < s.x || c.x >= s.x + s.width || c.y < s.y || c.y >= s.y + s.height {
                viewport.centerX = c.x / Double(image.width)
                viewport.centerY = c.y / Double(image.height)
                clampViewport()
            }
        }
    }

    mutating func addPoint(positive: Bool, newPrompt: Bool) -> [ViewerEffect] {
        guard current != nil else { return [] }
        guard let c = cursor else {
            showCursor()
            message = "cursor shown: move it with the arrows, then press the key again"
            return []
        }
        let point = PromptPoint(x: c.x, y: c.y, isPositive: positive)
        if !newPrompt, let s = selected, prompts.indices.contains(s) {
            prompts[s].prompt.points.append(point)
            prompts[s].prompt.source = "user"
            prompts[s].origin = .user
            message = "\(positive ? "positive" : "negative") point added to prompt \(s + 1)"
        } else {
            guard positive else {
                message = "a new prompt needs a positive point (a or i); r adds a negative point to the selected prompt"
                return []
            }
            prompts.append(PromptEntry(prompt: Prompt(points: [point], confidence: 1, source: "user"), origin: .user))
            selected = prompts.count - 1
            message = "new point prompt \(prompts.count)"
        }
        markEdited()
        updateS2MMask()
        return startCompute()
    }

    mutating func boxKey() -> [ViewerEffect] {
        guard current != nil else { return [] }
        guard let c = cursor else {
            showCursor()
            message = "cursor shown: move it to a corner and press b, then to the other corner and press b"
            return []
        }
        guard let corner = boxCorner else {
            boxCorner = c
            message = "box: move to the opposite corner and press b (Esc cancels)"
            return []
        }
        boxCorner = nil
        let box = Box(x0: min(corner.x, c.x).rounded(.down), y0: min(corner.y, c.y).rounded(.down),
                      x1: max(corner.x, c.x).rounded(.down) + 1, y1: max(corner.y, c.y).rounded(.down) + 1)
        prompts.append(PromptEntry(prompt: Prompt(box: box, confidence: 1, source: "user"), origin: .user))
        selected = prompts.count - 1
        message = "new box prompt \(prompts.count)"
        markEdited()
        updateS2MMask()
        return startCompute()
    }

    // MARK: - Threshold

    /// The step of the threshold keys: a fraction of the score range.
    mutating func changeThreshold(byFraction fraction: Float) {
        guard let current, current.data.scores != nil else {
            message = "no scores"
            return
        }
        let range = current.scoreRange
        let span = range.upperBound - range.lowerBound
        let steps = ((threshold - range.lowerBound) / (span * 0.01)).rounded()
        let newValue = range.lowerBound + (steps + fraction * 100) * span * 0.01
        threshold = min(max(newValue, range.lowerBound), range.upperBound)
        markEdited()
        updateThresholdMask()
    }

    mutating func resetThreshold() {
        guard let scores = current?.data.scores else { return }
        threshold = configuration.defaultThreshold(scores)
        markEdited()
        updateThresholdMask()
        message = "threshold reset"
    }

    // MARK: - Segmenters and the generator

    mutating func switchSegmenter() -> [ViewerEffect] {
        guard configuration.segmenterNames.count > 1 else {
            message = configuration.segmenterNames.isEmpty ? "no segmenter" : "only one segmenter (\(configuration.segmenterNames[0]))"
            return []
        }
        segmenterIndex = (segmenterIndex + 1) % configuration.segmenterNames.count
        message = "segmenter \(configuration.segmenterNames[segmenterIndex])"
        updateS2MMask()
        return startCompute()
    }

    /// The generator form: row 0 chooses the generator, the other rows are its parameters.
    mutating func handleFormKey(_ key: ViewerKey, field: Int) -> [ViewerEffect] {
        guard let generator = currentGenerator else {
            mode = .browse
            return []
        }
        let parameters = generator.parameters
        let rows = parameters.count + 1
        switch key {
        case .up:
            mode = .form(field: (field + rows - 1) % rows)
        case .down, .tab:
            mode = .form(field: (field + 1) % rows)
        case .left, .right, .character("-"), .character("+"), .shiftLeft, .shiftRight:
            let down = key == .left || key == .character("-") || key == .shiftLeft
            if field == 0 {
                guard configuration.generators.count > 1 else {
                    message = "only one prompt generator (\(generator.name))"
                    return []
                }
                otherGeneratorValues[generatorIndex] = generatorValues
                let n = configuration.generators.count
                generatorIndex = (generatorIndex + (down ? n - 1 : 1)) % n
                generatorValues = otherGeneratorValues[generatorIndex] ?? configuration.generators[generatorIndex].defaultValues
                markEdited()
                return startCompute(regenerate: true)
            }
            let p = parameters[field - 1]
            var delta = down ? -p.step : p.step
            if key == .shiftLeft || key == .shiftRight { delta *= 10 }
            let old = generatorValues[p.key] ?? p.defaultValue
            let new = p.clamp(old + delta)
            guard new != old else { return [] }
            generatorValues[p.key] = new
            markEdited()
            return startCompute(regenerate: true)
        case .character("r"):
            generatorValues = generator.defaultValues
            markEdited()
            return startCompute(regenerate: true)
        case .enter, .escape, .character("g"), .character("q"):
            mode = .browse
        default:
            break
        }
        return []
    }

    // MARK: - Zoom and pan

    mutating func zoom(by factor: Double) {
        guard let image = current?.data.image else { return }
        let newZoom = min(max(viewport.zoom * factor, 1), 64)
        if let c = cursor, factor > 1 {
            viewport.centerX = c.x / Double(image.width)
            viewport.centerY = c.y / Double(image.height)
        }
        viewport.zoom = newZoom
        clampViewport()
    }

    mutating func pan(dx: Double, dy: Double) {
        guard let image = current?.data.image, let placement = referencePlacement else { return }
        let s = placement.source
        viewport.centerX = (s.x + s.width / 2 + dx * s.width) / Double(image.width)
        viewport.centerY = (s.y + s.height / 2 + dy * s.height) / Double(image.height)
        clampViewport()
    }
}
