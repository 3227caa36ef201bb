/// Exact pixel counts per distinct score value over many images.
///
/// Every pixel is reduced to its ``ScoreKey`` (one key per distinct float value) and counted in
/// one of two ways, chosen per image from a sample of its scores:
/// - *counters*, for score maps with few distinct values (S2M confidence maps, 8-bit PNG
///   scores): a key splits into a bucket (its high 20 bits) and a slot (its low 12 bits); a bucket
///   in use has 4,096 one-byte counters, one per distinct float value, whose carries go to
///   `UInt32` "high" counters allocated on the first carry. Counting a pixel is a table look-up
///   and an increment, all in cache because few values occur.
/// - *key lists*, for continuous scores where nearly every pixel has its own value: dense
///   counters would cost one cache miss per pixel, so the keys are appended to a list (4 bytes
///   per pixel, written sequentially) and radix-sorted once when the counts are read.
/// Nothing is binned or rounded: reading the accumulator gives the exact count of every distinct
/// score, as a sort of all pixels would (sklearn; the SMIYC kit without its bins).
///
/// Memory: counters take 4 KiB per bucket in use (+16 KiB once a count passes 255), at most
/// ``counterBudgetBytes``; keys beyond that budget go to the lists. Lists hold at most
/// ``listLimit`` keys (512 MiB); later continuous images use counters instead (slower, but their
/// memory no longer grows with the number of images).
///
/// Counts never overflow: a slot holds up to 2^40 - 1; before the pixels counted since the last
/// *flush* could exceed that, everything is moved into sorted 64-bit ``ScoreCountRuns``.
///
/// A reference type that owns raw memory: use one accumulator from one thread at a time
/// (parallel workers each fill their own and ``absorb(_:)`` them at the end).
public final class ScoreCountAccumulator {
    static let slotBits = 12
    static let slotCount = 1 << slotBits
    static let slotMask: UInt32 = (1 << 12) - 1
    static let bucketCount = 1 << (32 - slotBits)
    static let bucketBytes = slotCount

    /// Per class (0 = negative, 1 = positive): `bucketCount` pointers to the low bytes of each
    /// bucket's counters, `nil` if unused.
    let tables: [UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>]
    /// Per class: the high parts (carries of 256) of each bucket's counters, `nil` until needed.
    let highTables: [UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>]
    /// Per class: buckets with counters, in allocation order.
    private var allocated: [[Int]] = [[], []]
    /// Per class: listed keys (sorted ascending only while ``listsSorted``).
    var lists: [[UInt32]] = [[], []] { didSet { listsSorted = false } }
    /// True when ``lists`` are sorted.
    private var listsSorted = true
    /// Scratch space for one image's keys of each class (kept between images: no page faults).
    private var scratch: [UnsafeMutablePointer<UInt32>] = []
    private var scratchCapacity = 0

    /// Two scratch buffers of at least `n` keys each.
    func scratchBuffers(_ n: Int) -> (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>) {
        if scratchCapacity < n {
            for b in scratch { b.deallocate() }
            scratchCapacity = max(n, 1)
            scratch = (0..<2).map { _ in UnsafeMutablePointer<UInt32>.allocate(capacity: scratchCapacity) }
        }
        return (scratch[0], scratch[1])
    }
    /// Bytes of counters allocated.
    private var counterBytes = 0
    /// The most bytes the counters may take (256 MiB; lowered by tests).
    public var counterBudgetBytes = 256 << 20
    /// The most keys the lists may hold (128 Mi keys; lowered by tests).
    public var listLimit = 128 << 20
    /// Counts moved out of the counters and lists by ``flush()``.
    private(set) var flushed = ScoreCountRuns()
    /// Pixels counted since the last flush; bounds every counter.
    private var sinceFlush: UInt64 = 0
    /// The most pixels counted between flushes (2^40 - 1; lowered by tests).
    var flushLimit: UInt64 = 1 << 40 - 1

    /// All positive pixels counted so far.
    public private(set) var totalPositives: UInt64 = 0
    /// All negative pixels counted so far.
    public private(set) var totalNegatives: UInt64 = 0

    public init() {
        tables = (0..<2).map { _ in
            let t = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: ScoreCountAccumulator.bucketCount)
            t.initialize(repeating: nil, count: ScoreCountAccumulator.bucketCount)
            return t
        }
        highTables = (0..<2).map { _ in
            let t = UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>.allocate(capacity: ScoreCountAccumulator.bucketCount)
            t.initialize(repeating: nil, count: ScoreCountAccumulator.bucketCount)
            return t
        }
    }

    deinit {
        for b in scratch { b.deallocate() }
        releaseCounters()
        for t in tables { t.deallocate() }
        for t in highTables { t.deallocate() }
    }

    /// Number of buckets with counters (both classes).
    var counterBucketCount: Int { allocated[0].count + allocated[1].count }

    // MARK: Adding

    /// Makes room for `pixels` more pixels, flushing when the counters could overflow.
    func prepareForPixels(_ pixels: Int) {
        if sinceFlush + UInt64(pixels) > flushLimit { flush() }
        sinceFlush += UInt64(pixels)
    }

    /// Records totals of pixels counted by ``addImage(scores:truth:)``.
    func addTotals(positives: Int, negatives: Int) {
        totalPositives += UInt64(positives)
        totalNegatives += UInt64(negatives)
    }

    /// True when `keys` more keys still fit the lists.
    func listsHaveRoom(for keys: Int) -> Bool { lists[0].count + lists[1].count + keys <= listLimit }

    /// Counts a key whose bucket may have no counters yet (`c`: 0 negative, 1 positive): gives
    /// the bucket counters if the budget allows, else lists the key.
    @inline(never)
    func addSlow(_ key: UInt32, class c: Int) {
        let b = Int(key >> UInt32(Self.slotBits))
        if let counters = tables[c][b] {
            let s = Int(key & Self.slotMask)
            counters[s] &+= 1
            if counters[s] == 0 { carry(key, class: c) }
        } else if counterBytes + Self.bucketBytes <= counterBudgetBytes {
            let counters = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.slotCount)
            counters.initialize(repeating: 0, count: Self.slotCount)
            tables[c][b] = counters
            allocated[c].append(b)
            counterBytes += Self.bucketBytes
            counters[Int(key & Self.slotMask)] = 1
        } else {
            lists[c].append(key)
        }
    }

    /// Counts `count` pixels of one key at once (runs of equal scores).
    @inline(never)
    func add(key: UInt32, class c: Int, count: Int) {
        let b = Int(key >> UInt32(Self.slotBits)), s = Int(key & Self.slotMask)
        guard let low = tables[c][b] else {
            addSlow(key, class: c)
            if tables[c][b] == nil {                           // over budget: listed
                lists[c].append(contentsOf: repeatElement(key, count: count - 1))
            } else if count > 1 {
                add(key: key, class: c, count: count - 1)
            }
            return
        }
        let total = Int(low[s]) + count
        low[s] = UInt8(truncatingIfNeeded: total)
        if total >> 8 > 0 { highCounters(class: c, bucket: b)[s] += UInt32(total >> 8) }
    }

    /// Records that the low byte of `key`'s counter wrapped around (256 more pixels).
    @inline(never)
    func carry(_ key: UInt32, class c: Int) {
        highCounters(class: c, bucket: Int(key >> UInt32(Self.slotBits)))[Int(key & Self.slotMask)] += 1
    }

    /// The high counters of a bucket, allocated on first use.
    private func highCounters(class c: Int, bucket b: Int) -> UnsafeMutablePointer<UInt32> {
        if let h = highTables[c][b] { return h }
        let high = UnsafeMutablePointer<UInt32>.allocate(capacity: Self.slotCount)
        high.initialize(repeating: 0, count: Self.slotCount)
        highTables[c][b] = high
        counterBytes += Self.slotCount * 4
        return high
    }

    /// Adds scores of one class directly (small inputs and tests; images go through
    /// ``addImage(scores:truth:)``). Scores must not be NaN.
    public func add(scores: [Float], positive: Bool) {
        prepareForPixels(scores.count)
        let c = positive ? 1 : 0
        for s in scores { addSlow(ScoreKey.key(s), class: c) }
        addTotals(positives: positive ? scores.count : 0, negatives: positive ? 0 : scores.count)
    }

    /// Adds exact runs (from a shard file or another accumulator).
    public func absorb(_ runs: ScoreCountRuns) {
        flush()
        flushed = ScoreCountRuns.merged(flushed, runs)
        totalPositives += runs.totalPositives
        totalNegatives += runs.totalNegatives
    }

    /// Adds everything another accumulator counted (its lists are appended, its counters added
    /// bucket by bucket, its flushed runs merged).
    public func absorb(_ other: ScoreCountAccumulator) {
        if sinceFlush + other.sinceFlush > flushLimit { flush() }
        for c in 0..<2 where !other.lists[c].isEmpty { lists[c].append(contentsOf: other.lists[c]) }
        for c in 0..<2 {
            for b in other.allocated[c] {
                guard let otherLow = other.tables[c][b] else { continue }
                let otherHigh = other.highTables[c][b]
                let low: UnsafeMutablePointer<UInt8>
                if let existing = tables[c][b] {
                    low = existing
                } else {
                    low = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.slotCount)
                    low.initialize(repeating: 0, count: Self.slotCount)
                    tables[c][b] = low
                    allocated[c].append(b)
                    counterBytes += Self.bucketBytes
                }
                for s in 0..<Self.slotCount {
                    let total = UInt64(low[s]) + UInt64(otherLow[s]) + (otherHigh.map { UInt64($0[s]) << 8 } ?? 0)
                    low[s] = UInt8(truncatingIfNeeded: total)
                    if total >> 8 > 0 { highCounters(class: c, bucket: b)[s] += UInt32(total >> 8) }
                }
            }
        }
        if other.flushed.count > 0 { flushed = ScoreCountRuns.merged(flushed, other.flushed) }
        sinceFlush += other.sinceFlush
        totalPositives += other.totalPositives
        totalNegatives += other.totalNegatives
    }

    // MARK: Reading

    /// Moves the counts into ``flushed`` and frees the counters and lists.
    func flush() {
        guard sinceFlush > 0 else { return }
        flushed = runs()
        releaseCounters()
        lists = [[], []]
        sinceFlush = 0
    }

    private func releaseCounters() {
        for c in 0..<2 {
            for b in allocated[c] {
                tables[c][b]?.deallocate()
                tables[c][b] = nil
                highTables[c][b]?.deallocate()
                highTables[c][b] = nil
            }
            allocated[c] = []
        }
        counterBytes = 0
    }

    /// All counts as ascending runs.
    public func runs() -> ScoreCountRuns {
        var keys: [UInt32] = [], pos: [UInt64] = [], neg: [UInt64] = []
        forEachDescending { k, p, n in keys.append(k); pos.append(p); neg.append(n) }
        var out = ScoreCountRuns()
        out.reserveCapacity(keys.count)
        for i in stride(from: keys.count - 1, through: 0, by: -1) {
            out.append(key: keys[i], positives: pos[i], negatives: neg[i])
        }
        return out
    }

    /// Visits every distinct score from the highest to the lowest with its positive and negative
    /// counts: a merge of the counters (bucket by bucket), the sorted lists and the flushed runs.
    public func forEachDescending(_ body: (UInt32, UInt64, UInt64) -> Void) {
        sortLists()
        let f = flushed
        var fi = f.count - 1
        let negList = lists[0], posList = lists[1]
        var ni = negList.count - 1, pi = posList.count - 1
        let order = Set(allocated[0]).union(allocated[1]).sorted(by: >)
        var bucketIndex = 0
        // Runs of the current counter bucket, descending.
        var dKeys: [UInt32] = [], dPos: [UInt64] = [], dNeg: [UInt64] = []
        var di = 0
        dKeys.reserveCapacity(Self.slotCount); dPos.reserveCapacity(Self.slotCount); dNeg.reserveCapacity(Self.slotCount)
        while true {
            if di == dKeys.count && bucketIndex < order.count {
                counterRuns(bucket: order[bucketIndex], keys: &dKeys, positives: &dPos, negatives: &dNeg)
                bucketIndex += 1
                di = 0
                continue
            }
            // The highest key among the four sources (-1: source exhausted).
            let kd: Int64 = di < dKeys.count ? Int64(dKeys[di]) : -1
            let kn: Int64 = ni >= 0 ? Int64(negList[ni]) : -1
            let kp: Int64 = pi >= 0 ? Int64(posList[pi]) : -1
            let kf: Int64 = fi >= 0 ? Int64(f.keys[fi]) : -1
            let top = max(max(kd, kn), max(kp, kf))
            if top < 0 { break }
            var p: UInt64 = 0, n: UInt64 = 0
            if kd == top { p += dPos[di]; n += dNeg[di]; di += 1 }
            if kf == top { p += f.positives[fi]; n += f.negatives[fi]; fi -= 1 }
            let key = UInt32(top)
            while ni >= 0 && negList[ni] == key { n += 1; ni -= 1 }
            while pi >= 0 && posList[pi] == key { p += 1; pi -= 1 }
            body(key, p, n)
        }
    }

    /// Sorts the key lists in place (once after a change).
    private func sortLists() {
        guard !listsSorted else { return }
        for c in 0..<2 { radixSort(&lists[c]) }
        listsSorted = true
    }

    /// Visits the steps of the precision/recall and ROC curves from the highest score to the
    /// lowest, like ``forEachDescending(_:)`` except that consecutive scores holding only
    /// negatives may be reported as one step (at the lowest of them), which is all the curves
    /// need (see ``PixelMetrics``). Returns the number of distinct scores.
    @discardableResult
    public func forEachCurveStep<V: DescendingRunVisitor>(_ visitor: inout V) -> Int {
        sortLists()
        guard allocated[0].isEmpty && allocated[1].isEmpty && flushed.count == 0 else {
            var distinct = 0
            forEachDescending { k, p, n in distinct += 1; visitor.visit(k, p, n) }
            return distinct
        }
        var v = visitor
        defer { visitor = v }
        // Only key lists: walk both from the top; negatives above the next positive key are
        // counted in one tight loop.
        return lists[0].withUnsafeBufferPointer { neg in
            lists[1].withUnsafeBufferPointer { pos in
                var ni = neg.count - 1, pi = pos.count - 1
                var distinct = 0
                while pi >= 0 {
                    let kp = pos[pi]
                    // Negatives strictly above kp.
                    if ni >= 0 && neg[ni] > kp {
                        var count: UInt64 = 0, last = neg[ni], values = 1
                        while ni >= 0 && neg[ni] > kp {
                            let k = neg[ni]
                            values &+= k != last ? 1 : 0
                            last = k
                            count &+= 1
                            ni &-= 1
                        }
                        distinct += values
                        v.visit(last, 0, count)
                    }
                    var p: UInt64 = 0, n: UInt64 = 0
                    while pi >= 0 && pos[pi] == kp { p += 1; pi -= 1 }
                    while ni >= 0 && neg[ni] == kp { n += 1; ni -= 1 }
                    distinct += 1
                    v.visit(kp, p, n)
                }
                if ni >= 0 {
                    var values = 1, last = neg[ni]
                    let count = UInt64(ni + 1)
                    while ni >= 0 {
                        values &+= neg[ni] != last ? 1 : 0
                        last = neg[ni]
                        ni -= 1
                    }
                    distinct += values
                    v.visit(last, 0, count)
                }
                return distinct
            }
        }
    }

    /// The non-zero counters of one bucket (both classes) as runs in descending key order.
    private func counterRuns(bucket b: Int, keys: inout [UInt32], positives: inout [UInt64], negatives: inout [UInt64]) {
        keys.removeAll(keepingCapacity: true)
        positives.removeAll(keepingCapacity: true)
        negatives.removeAll(keepingCapacity: true)
        let base = UInt32(b) << UInt32(Self.slotBits)
        let ln = tables[0][b], lp = tables[1][b], hn = highTables[0][b], hp = highTables[1][b]
        var group = Self.slotCount / 8 - 1
        while group >= 0 {
            let first = group * 8
            var any: UInt64 = 0
            if let ln { any |= UnsafeRawPointer(ln + first).loadUnaligned(as: UInt64.self) }
            if let lp { any |= UnsafeRawPointer(lp + first).loadUnaligned(as: UInt64.self) }
            // A count of exactly 256 has a zero low byte: look at the high parts too.
            if let hn { for s in first..<(first + 8) { any |= UInt64(hn[s]) } }
            if let hp { for s in first..<(first + 8) { any |= UInt64(hp[s]) } }
            if any != 0 {
                for s in stride(from: first + 7, through: first, by: -1) {
                    var n = UInt64(ln?[s] ?? 0), p = UInt64(lp?[s] ?? 0)
                    if let hn { n |= UInt64(hn[s]) << 8 }
                    if let hp { p |= UInt64(hp[s]) << 8 }
                    if n | p != 0 {
                        keys.append(base | UInt32(s))
                        positives.append(p)
                        negatives.append(n)
                    }
                }
            }
            group -= 1
        }
    }
}

/// The keys sorted ascending (see ``radixSort(_:)``).
func radixSorted(_ keys: [UInt32]) -> [UInt32] {
    var a = keys
    radixSort(&a)
    return a
}

/// Sorts keys ascending in place. A radix sort on the keys' offsets from their minimum: one
/// most-significant pass splits them into up to 1,024 ranges (few enough write streams to stay
/// in cache), then each range, now small, is sorted by least-significant 8-bit digits in cache.
/// Scores cluster in a few binades, so working on the spanned range (not on all 32 bits) keeps
/// the first split even.
func radixSort(_ keys: inout [UInt32]) {
    let n = keys.count
    guard n > 256 else { keys.sort(); return }
    keys.withUnsafeMutableBufferPointer { buffer in
        let a = buffer.baseAddress!
        var lo = UInt32.max, hi = UInt32.min
        for i in 0..<n { lo = min(lo, a[i]); hi = max(hi, a[i]) }
        let span = hi &- lo
        guard span > 0 else { return }
        let bits = 32 - span.leadingZeroBitCount                // offsets fit in `bits` bits
        let temp = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        defer { temp.deallocate() }
        let msdBits = min(10, bits)
        let shift = UInt32(bits - msdBits)
        let parts = 1 << msdBits
        var starts = [Int](repeating: 0, count: parts + 1)
        starts.withUnsafeMutableBufferPointer { st in
            for i in 0..<n { st[Int((a[i] &- lo) >> shift) + 1] &+= 1 }
            for p in 0..<parts { st[p + 1] &+= st[p] }
            var cursor = Array(st[0..<parts])
            cursor.withUnsafeMutableBufferPointer { cur in
                for i in 0..<n {
                    let k = a[i]
                    let p = Int((k &- lo) >> shift)
                    temp[cur[p]] = k
                    cur[p] &+= 1
                }
            }
            // Each range: LSD passes over the low `shift` bits, temp <-> a, ending in a.
            var counts = [Int](repeating: 0, count: 256)
            counts.withUnsafeMutableBufferPointer { c in
                for p in 0..<parts {
                    let start = st[p], m = st[p + 1] - start
                    if m == 0 { continue }
                    var src = temp + start, dst = a + start
                    if m < 48 || shift == 0 {
                        // Small: insertion sort straight into place.
                        for i in 0..<m {
                            let k = src[i]
                            var j = i
                            while j > 0 && dst[j - 1] > k { dst[j] = dst[j - 1]; j -= 1 }
                            dst[j] = k
                        }
                        continue
                    }
                    var digitShift: UInt32 = 0
                    while digitShift < shift {
                        for d in 0..<256 { c[d] = 0 }
                        for i in 0..<m { c[Int(((src[i] &- lo) >> digitShift) & 0xff)] &+= 1 }
                        var sum = 0
                        for d in 0..<256 { let x = c[d]; c[d] = sum; sum &+= x }
                        for i in 0..<m {
                            let k = src[i]
                            let d = Int(((k &- lo) >> digitShift) & 0xff)
                            dst[c[d]] = k
                            c[d] &+= 1
                        }
                        swap(&src, &dst)
                        digitShift += 8
                    }
                    if src != a + start { (a + start).update(from: src, count: m) }
                }
            }
        }
    }
}
