import Foundation
import Synchronization

/// Runs methods over the images of a dataset and accumulates exact counts for every metric.
///
/// Phase 1 reads each image once and runs every method on it: paper-sweep and pixel counts
/// always, component counts for methods with their own mask (or a fixed binarisation threshold).
/// Phase 2, for the other methods, binarises their maps at the dataset's best pixel-F1
/// threshold, which is only known after phase 1 (as the SMIYC kit does); shards skip it.
///
/// Images are spread over `jobs` worker threads, each with its own accumulators, merged at the
/// end; the counts, and so every number, do not depend on `jobs` or on the order of completion.
public struct EvaluationEngine: Sendable {
    public var dataset: Dataset
    public var methods: [any EvaluationMethod]
    public var settings: EvaluationSettings
    public var readOptions: ReadOptions
    /// Where `--save` writes each method's outputs (`DIR/<method>/<name>.npy`, `_mask.png`, ...).
    public var saveDirectory: String?
    /// Reads a case's prompts file for an image of the given size (the command line sets it to
    /// the s2m prompts JSON reader).
    public var promptsReader: (@Sendable (String, RasterSize) throws -> [Prompt])?

    public init(dataset: Dataset, methods: [any EvaluationMethod], settings: EvaluationSettings,
                readOptions: ReadOptions = ReadOptions(), saveDirectory: String? = nil,
                promptsReader: (@Sendable (String, RasterSize) throws -> [Prompt])? = nil) {
        self.dataset = dataset
        self.methods = methods
        self.settings = settings
        self.readOptions = readOptions
        self.saveDirectory = saveDirectory
        self.promptsReader = promptsReader
    }

    /// Progress of a run, reported after every image.
    public struct Progress: Sendable {
        /// `"evaluating"` (phase 1) or `"components"` (phase 2).
        public var phase: String
        public var done: Int
        public var total: Int
        public var image: String
    }

    /// What a run produced.
    public struct Outcome {
        /// Per method, in `methods` order.
        public var results: [MethodResults]
        /// Case indices evaluated by every method (all of `indices` unless cancelled).
        public var evaluated: [Int]
        /// True when `isCancelled` stopped the run early.
        public var cancelled: Bool
    }

    /// Evaluates the cases at `indices`. With `completeComponents`, methods without a mask get
    /// their component metrics in phase 2 (off for shards).
    public func run(indices: [Int], jobs: Int = 1, completeComponents: Bool = true,
                    progress: @escaping @Sendable (Progress) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> Outcome {
        let results = methods.map { m in
            MethodResults(name: m.name, details: m.details,
                          binarisation: settings.componentThresholds[m.name].map { .fixed($0) } ?? .pending)
        }
        // Phase 1.
        let phase1 = try parallel(indices: indices, jobs: jobs, phase: "evaluating", progress: progress,
                                  isCancelled: isCancelled) { index, worker in
            let loaded = try load(index, needImage: methods.contains { $0.needsImage },
                                  needScores: methods.contains { $0.needsScores },
                                  wantScores: methods.contains { $0.usesScoresIfPresent })
            for (m, method) in methods.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let out = try method.output(for: loaded.input)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                try check(out, of: method, against: loaded, index: index)
                let paper: PaperImageCounts
                do {
                    paper = try worker.accumulators[m].addImage(scores: out.map, truth: loaded.truth)
                } catch let e as S2MError {
                    throw S2MError(file: "\(method.name) output for \(loaded.input.name)", e.problem)
                }
                var components: ComponentImageCounts? = nil
                if let mask = out.mask ?? settings.componentThresholds[method.name].map({ t in out.map.map { $0 >= t } }) {
                    components = try ComponentImageCounts(prediction: mask, truth: loaded.truth, filter: settings.components)
                    if out.mask != nil { worker.hasMask[m] = true }
                }
                worker.records[m].append(ImageRecord(index: index, name: loaded.input.name, paper: paper,
                                                     components: components, seconds: seconds))
                try save(out, of: method, case: dataset.cases[index])
            }
        }
        for (m, r) in results.enumerated() {
            for w in phase1.workers {
                try r.add(w.records[m])
                r.pixels.absorb(w.accumulators[m])
            }
            if phase1.workers.contains(where: { $0.hasMask[m] }) { r.binarisation = .mask }
            // In a whole run, a given threshold that is the best pixel-F1 one is reported as such
            // (as a merge of shards run with it does), so both routes give identical results.
            if completeComponents, case .fixed(let t) = r.binarisation,
               PixelMetrics(accumulator: r.pixels).bestF1Threshold == t {
                r.binarisation = .bestF1(t)
            }
        }
        var outcome = Outcome(results: results, evaluated: phase1.done.sorted(), cancelled: phase1.cancelled)
        guard completeComponents && !phase1.cancelled else { return outcome }

        // Phase 2: methods without a mask, binarised at the best pixel-F1 threshold.
        var pendingMethods: [(Int, Float)] = []
        for (m, r) in results.enumerated() where r.binarisation == .pending {
            if let t = PixelMetrics(accumulator: r.pixels).bestF1Threshold {
                r.binarisation = .bestF1(t)
                pendingMethods.append((m, t))
            }
        }
        guard !pendingMethods.isEmpty else { return outcome }
        let pending = pendingMethods
        let phase2 = try parallel(indices: outcome.evaluated, jobs: jobs, phase: "components", progress: progress,
                                  isCancelled: isCancelled) { index, worker in
            let chosen = pending.map { methods[$0.0] }
            let loaded = try load(index, needImage: chosen.contains { $0.needsImage },
                                  needScores: chosen.contains { $0.needsScores },
                                  wantScores: chosen.contains { $0.usesScoresIfPresent })
            for (m, t) in pending {
                let out = try methods[m].output(for: loaded.input)
                try check(out, of: methods[m], against: loaded, index: index)
                let counts = try ComponentImageCounts(prediction: out.map.map { $0 >= t }, truth: loaded.truth,
                                                      filter: settings.components)
                worker.components.append((m, index, counts))
            }
        }
        for w in phase2.workers {
            for (m, index, counts) in w.components { results[m].setComponents(counts, index: index) }
        }
        if phase2.cancelled {
            for (m, _) in pendingMethods { results[m].binarisation = .pending }
            outcome.cancelled = true
        }
        return outcome
    }

    // MARK: Loading and checks

    struct LoadedCase {
        var input: MethodInput
        var truth: TruthMap
    }

    func load(_ index: Int, needImage: Bool, needScores: Bool, wantScores: Bool = false) throws -> LoadedCase {
        let c = dataset.cases[index]
        guard let labelFile = c.label else {
            throw S2MError(file: c.image, .invalid("no label for \(c.name)"))
        }
        let labels = try LabelReader.read(labelFile, options: readOptions)
        var sizes = [SizeCheck.Input(role: "label", file: labelFile, size: labels.size)]
        var input = MethodInput(name: c.name, imageFile: c.image)
        if needImage {
            let image = try ImageReader.read(c.image, options: readOptions)
            sizes.append(SizeCheck.Input(role: "image", file: c.image, size: image.size))
            input.image = image
        }
        if needScores || (wantScores && c.scores != nil) {
            guard let scoresFile = c.scores else {
                throw S2MError(file: c.image, .invalid("no score map for \(c.name)"))
            }
            let scores = try ScoreReader.read(scoresFile, options: readOptions)
            sizes.append(SizeCheck.Input(role: "scores", file: scoresFile, size: scores.size))
            input.scores = scores
        }
        try SizeCheck.requireSameSize(sizes)
        if let promptsFile = c.prompts, let promptsReader {
            input.prompts = try promptsReader(promptsFile, labels.size)
        }
        let truth = try settings.encoding.truthMap(labels, file: labelFile, allowOtherValues: settings.allowOtherLabels)
        return LoadedCase(input: input, truth: truth)
    }

    func check(_ out: MethodOutput, of method: any EvaluationMethod, against loaded: LoadedCase, index: Int) throws {
        let name = dataset.cases[index].name
        guard out.map.size == loaded.truth.size else {
            throw S2MError(file: "\(method.name) output for \(name)", .sizeMismatch("map is \(out.map.size), label is \(loaded.truth.size)"))
        }
        if let mask = out.mask, mask.size != loaded.truth.size {
            throw S2MError(file: "\(method.name) output for \(name)", .sizeMismatch("mask is \(mask.size), label is \(loaded.truth.size)"))
        }
    }

    /// A file name for a case name (manifest names may hold `/`).
    static func fileName(_ name: String) -> String { name.replacingOccurrences(of: "/", with: "__") }

    func save(_ out: MethodOutput, of method: any EvaluationMethod, case c: DatasetCase) throws {
        guard let saveDirectory else { return }
        let folder = DatasetPaths.join(saveDirectory, Self.fileName(method.name))
        let base = DatasetPaths.join(folder, Self.fileName(c.name))
        let inputs = [c.image, c.scores, c.label, c.prompts].compactMap { $0 }
        if !DirectoryListing.isDirectory(folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw S2MError(file: folder, .writeFailed("cannot create the folder: \(error.localizedDescription)"))
            }
        }
        try NPYWriter.write(out.map, to: base + "_map.npy", protecting: inputs)
        if let mask = out.mask { try RasterWriter.writeMask(mask, to: base + "_mask.png", protecting: inputs) }
        for (suffix, data) in out.attachments.sorted(by: { $0.key < $1.key }) {
            try AtomicFileWriter.write(data, to: base + suffix, protecting: inputs)
        }
    }

    // MARK: Workers

    /// One worker's state: its own accumulators and records (touched by that worker only).
    final class Worker: @unchecked Sendable {
        var accumulators: [ScoreCountAccumulator]
        var records: [[ImageRecord]]
        var hasMask: [Bool]
        var components: [(Int, Int, ComponentImageCounts)] = []
        var done: [Int] = []
        init(methods: Int) {
            accumulators = (0..<methods).map { _ in ScoreCountAccumulator() }
            records = Array(repeating: [], count: methods)
            hasMask = Array(repeating: false, count: methods)
        }
    }

    struct ParallelOutcome {
        var workers: [Worker]
        var done: [Int]
        var cancelled: Bool
    }

    /// Calls `body` for every index on `jobs` threads; stops at the first error (rethrown) or
    /// when `isCancelled` turns true (between images: an image in progress is finished).
    func parallel(indices: [Int], jobs: Int, phase: String, progress: @escaping @Sendable (Progress) -> Void,
                  isCancelled: @escaping @Sendable () -> Bool,
                  body: @escaping @Sendable (Int, Worker) throws -> Void) throws -> ParallelOutcome {
        let workerCount = max(1, min(jobs, indices.count))
        let workers = (0..<workerCount).map { _ in Worker(methods: methods.count) }
        let state = Mutex((next: 0, done: 0, failure: S2MError?.none, cancelled: false))
        let total = indices.count
        let names = indices.map { dataset.cases[$0].name }
        let run: @Sendable (Int) -> Void = { w in
            let worker = workers[w]
            while true {
                let position: Int? = state.withLock { s in
                    if s.failure != nil || s.cancelled { return nil }
                    if isCancelled() { s.cancelled = true; return nil }
                    guard s.next < total else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let position else { return }
                do {
                    try body(indices[position], worker)
                    worker.done.append(indices[position])
                    let done = state.withLock { s in s.done += 1; return s.done }
                    progress(Progress(phase: phase, done: done, total: total, image: names[position]))
                } catch {
                    let failure = (error as? S2MError) ?? S2MError(file: dataset.cases[indices[position]].image,
                                                                   .invalid("\(error)"))
                    state.withLock { s in if s.failure == nil { s.failure = failure } }
                    return
                }
            }
        }
        if workerCount == 1 {
            run(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workerCount, execute: run)
        }
        let final = state.withLock { $0 }
        if let failure = final.failure { throw failure }
        return ParallelOutcome(workers: workers, done: workers.flatMap(\.done), cancelled: final.cancelled)
    }
}
