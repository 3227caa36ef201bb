extension ScoreCountAccumulator {
    /// The one pass over an image that feeds every threshold-based metric: it bins each pixel
    /// for the paper's 101-threshold sweep (returned) and counts its exact score for the
    /// pixel-level curves (added to this accumulator; void pixels are left out, as SMIYC does).
    ///
    /// Consecutive pixels with the same score and class (large flat areas: S2M confidence maps,
    /// 8-bit scores) are counted as one run, so they cost one comparison each.
    ///
    /// Throws ``S2MError`` `.sizeMismatch` when scores and truth differ in size and `.nonFinite`
    /// for NaN or infinite scores (nothing is added then).
    public func addImage(scores: ScoreMap, truth: TruthMap) throws -> PaperImageCounts {
        try checkSameSize(scores, truth)
        let n = scores.count
        // Reject non-finite scores before touching any counter.
        var nonFinite = 0
        scores.pixels.withUnsafeBufferPointer { sp in
            for s in sp { nonFinite &+= s.isFinite ? 0 : 1 }
        }
        if nonFinite > 0 { throw S2MError(file: nil, .nonFinite(count: nonFinite)) }
        precondition(TruthClass.storedAsRawValue, "TruthClass layout changed")
        guard n > 0 else { return PaperImageCounts(histogram: [Int](repeating: 0, count: 3 * PaperProtocol.binCount)) }

        prepareForPixels(n)
        let binCount = PaperProtocol.binCount
        var hist = [Int](repeating: 0, count: 3 * binCount)
        var classCounts = [0, 0, 0]
        scores.pixels.withUnsafeBufferPointer { sp in
            truth.pixels.withUnsafeBytes { tb in
                PaperProtocol.paddedFloatThresholds.withUnsafeBufferPointer { th in
                    hist.withUnsafeMutableBufferPointer { h in
                        classCounts.withUnsafeMutableBufferPointer { cc in
                            let t = th.baseAddress!
                            let tp = tb.bindMemory(to: UInt8.self)     // TruthClass is stored as its raw value
                            if Self.isMostlyFlat(sp) {
                                // The current run of equal (score bits, class).
                                var runBits = sp[0].bitPattern, runClass = tp[0], runLength = 0
                                for i in 0..<n {
                                    let bits = sp[i].bitPattern, c = tp[i]
                                    if bits == runBits && c == runClass {
                                        runLength &+= 1
                                        continue
                                    }
                                    countRun(Float(bitPattern: runBits), Int(runClass), runLength, h.baseAddress!, cc.baseAddress!, t)
                                    runBits = bits; runClass = c; runLength = 1
                                }
                                countRun(Float(bitPattern: runBits), Int(runClass), runLength, h.baseAddress!, cc.baseAddress!, t)
                            } else if Self.hasFewDistinctScores(sp) || !listsHaveRoom(for: n) {
                                countPixels(sp, tp, h.baseAddress!, cc.baseAddress!, t)
                            } else {
                                listPixels(sp, tp, h.baseAddress!, cc.baseAddress!, t)
                            }
                        }
                    }
                }
            }
        }
        addTotals(positives: classCounts[1], negatives: classCounts[0])
        return PaperImageCounts(histogram: hist)
    }

    /// True when at least half of a sample of consecutive pixel pairs have equal scores, i.e.
    /// when counting runs pays off (S2M confidence maps: yes; noisy scores: no).
    static func isMostlyFlat(_ scores: UnsafeBufferPointer<Float>) -> Bool {
        let n = scores.count
        guard n > 1 else { return true }
        let samples = min(4096, n - 1), step = max(1, (n - 1) / samples)
        var equal = 0, seen = 0, i = 0
        while i < n - 1 && seen < samples {
            if scores[i].bitPattern == scores[i + 1].bitPattern { equal += 1 }
            seen += 1
            i += step
        }
        return equal * 2 >= seen
    }

    /// True when a sample of 1,024 scores holds at most 512 distinct values: the counters of such
    /// a map stay in cache (8-bit scores); continuous scores go to the key lists instead.
    static func hasFewDistinctScores(_ scores: UnsafeBufferPointer<Float>) -> Bool {
        let n = scores.count
        let samples = min(1024, n), step = max(1, n / max(samples, 1))
        var seen = Set<UInt32>()
        var i = 0
        while i < n && seen.count <= samples / 2 {
            seen.insert(ScoreKey.key(scores[i]))
            i += step
        }
        return seen.count <= samples / 2
    }

    /// Bins every pixel for the paper sweep and appends its key to the lists (continuous scores:
    /// sequential writes instead of a counter cache miss per pixel).
    @inline(__always)
    private func listPixels(_ sp: UnsafeBufferPointer<Float>, _ tp: UnsafeBufferPointer<UInt8>,
                            _ h: UnsafeMutablePointer<Int>, _ classCounts: UnsafeMutablePointer<Int>,
                            _ t: UnsafePointer<Float>) {
        let n = sp.count
        let stride = 3 * PaperProtocol.binCount
        let copies = UnsafeMutablePointer<Int>.allocate(capacity: 4 * stride)
        copies.initialize(repeating: 0, count: 4 * stride)
        let keys = scratchBuffers(n)
        defer { copies.deallocate() }
        var nNeg = 0, nPos = 0, void = 0
        for i in 0..<n {
            let s = sp[i]
            let c = Int(tp[i])
            copies[(i & 3) &* stride &+ c &* PaperProtocol.binCount &+ PaperProtocol.bin(s, thresholds: t)] &+= 1
            let key = ScoreKey.key(s)
            // Write both slots, advance the one of the pixel's class (no unpredictable branch).
            keys.0[nNeg] = key
            keys.1[nPos] = key
            nNeg &+= c == 0 ? 1 : 0
            nPos &+= c == 1 ? 1 : 0
            void &+= c == 2 ? 1 : 0
        }
        for j in 0..<stride { h[j] &+= copies[j] &+ copies[stride &+ j] &+ copies[2 &* stride &+ j] &+ copies[3 &* stride &+ j] }
        lists[0].append(contentsOf: UnsafeBufferPointer(start: keys.0, count: nNeg))
        lists[1].append(contentsOf: UnsafeBufferPointer(start: keys.1, count: nPos))
        classCounts[0] &+= nNeg
        classCounts[1] &+= nPos
        classCounts[2] &+= void
    }

    /// Counts every pixel on its own (no run detection, few unpredictable branches).
    @inline(__always)
    private func countPixels(_ sp: UnsafeBufferPointer<Float>, _ tp: UnsafeBufferPointer<UInt8>,
                             _ h: UnsafeMutablePointer<Int>, _ classCounts: UnsafeMutablePointer<Int>,
                             _ t: UnsafePointer<Float>) {
        let negTable = tables[0], posTable = tables[1]
        let shift = UInt32(Self.slotBits), mask = Self.slotMask
        var pos = 0, void = 0
        // Four interleaved copies of the histogram: neighbouring pixels mostly share a bin, and
        // increments of one counter in a row would wait on each other.
        let stride = 3 * PaperProtocol.binCount
        let copies = UnsafeMutablePointer<Int>.allocate(capacity: 4 * stride)
        copies.initialize(repeating: 0, count: 4 * stride)
        defer { copies.deallocate() }
        for i in 0..<sp.count {
            let s = sp[i]
            let c = Int(tp[i])
            copies[(i & 3) &* stride &+ c &* PaperProtocol.binCount &+ PaperProtocol.bin(s, thresholds: t)] &+= 1
            if c == 2 { void &+= 1; continue }
            pos &+= c
            let key = ScoreKey.key(s)
            let table = c == 1 ? posTable : negTable
            if let counters = table[Int(key >> shift)] {
                let slot = Int(key & mask)
                counters[slot] &+= 1
                if counters[slot] == 0 { carry(key, class: c) }
            } else {
                addSlow(key, class: c)
            }
        }
        for j in 0..<stride { h[j] &+= copies[j] &+ copies[stride &+ j] &+ copies[2 &* stride &+ j] &+ copies[3 &* stride &+ j] }
        classCounts[1] &+= pos
        classCounts[2] &+= void
        classCounts[0] &+= sp.count - pos - void
    }

    /// Counts `length` pixels of score `s` and class `c` (raw value) in the paper histogram `h`
    /// and, unless void, in the exact counters.
    @inline(__always)
    private func countRun(_ s: Float, _ c: Int, _ length: Int, _ h: UnsafeMutablePointer<Int>,
                          _ classCounts: UnsafeMutablePointer<Int>, _ t: UnsafePointer<Float>) {
        h[c &* PaperProtocol.binCount &+ PaperProtocol.bin(s, thresholds: t)] &+= length
        classCounts[c] &+= length
        guard c != 2 else { return }
        let key = ScoreKey.key(s)
        if length == 1, let counters = tables[c][Int(key >> UInt32(Self.slotBits))] {
            let slot = Int(key & Self.slotMask)
            counters[slot] &+= 1
            if counters[slot] == 0 { carry(key, class: c) }
        } else {
            add(key: key, class: c, count: length)
        }
    }
}
