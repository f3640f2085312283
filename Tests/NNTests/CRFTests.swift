import Foundation
import XCTest
import GradientChecking
import NN
import Tensor

final class CRFTests: XCTestCase {
    /// Two types, one of which contains '-', to exercise type parsing.
    static let bilouTags = ["O", "B-PER", "I-PER", "L-PER", "U-PER", "B-GPE-X", "I-GPE-X", "L-GPE-X", "U-GPE-X"]

    // MARK: - Fixtures

    /// A CRF under "tagger" with random (scaled) parameters. `wide` pushes one transition
    /// 60 nats down, beyond `CRF.expSpaceRange`, so the lattice runs in log space.
    private func makeCRF(tags: Int, seed: UInt64, scale: Float = 1, wide: Bool = false) -> (CRF, ParameterArena) {
        var layout = ParameterLayout()
        let crf = CRF(name: "tagger", tagCount: tags, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: seed)
        crf.initialize(arena, rng: &rng)
        for i in 0..<arena.count { arena.values[i] *= scale }
        if wide { arena.value(crf.transitions)[1] = -60 }
        return (crf, arena)
    }

    private func randomEmissions(batch: Int, maxLength: Int, tags: Int, scale: Float = 1, rng: inout RNG) -> Tensor {
        Tensor(shape: [batch, maxLength, tags], data: (0..<(batch * maxLength * tags)).map { _ in scale * rng.normal() })
    }

    /// Parameter values as Double arrays for the brute-force reference.
    private struct Reference {
        let tags: Int
        let transitions: [Double], start: [Double], end: [Double]

        init(_ crf: CRF, _ arena: ParameterArena) {
            tags = crf.tagCount
            transitions = (0..<crf.transitions.count).map { Double(arena.value(crf.transitions)[$0]) }
            start = (0..<tags).map { Double(arena.value(crf.start)[$0]) }
            end = (0..<tags).map { Double(arena.value(crf.end)[$0]) }
        }

        /// s(y) for sentence b of the batch.
        func score(_ y: [Int], emissions: Tensor, sentence b: Int) -> Double {
            let maxLength = emissions.shape[1]
            var s = start[y[0]] + end[y[y.count - 1]]
            for (t, tag) in y.enumerated() { s += Double(emissions.data[(b * maxLength + t) * tags + tag]) }
            for t in 0..<(y.count - 1) { s += transitions[y[t] * tags + y[t + 1]] }
            return s
        }

        /// Every tag path of length n.
        func allPaths(length n: Int) -> [[Int]] {
            (0..<n).reduce([[]]) { paths, _ in paths.flatMap { p in (0..<tags).map { p + [$0] } } }
        }

        /// log Z by the forward algorithm in Double (for sentences too long to enumerate).
        func forwardLogZ(emissions: Tensor, sentence b: Int, length n: Int) -> Double {
            let maxLength = emissions.shape[1]
            func e(_ t: Int, _ k: Int) -> Double { Double(emissions.data[(b * maxLength + t) * tags + k]) }
            func lse(_ v: [Double]) -> Double {
                let top = v.max()!
                return top + log(v.reduce(0) { $0 + exp($1 - top) })
            }
            var alpha = (0..<tags).map { start[$0] + e(0, $0) }
            for t in 1..<n {
                alpha = (0..<tags).map { j in lse((0..<tags).map { alpha[$0] + transitions[$0 * tags + j] }) + e(t, j) }
            }
            return lse((0..<tags).map { alpha[$0] + end[$0] })
        }

        func logZ(emissions: Tensor, sentence b: Int, length n: Int) -> Double {
            let scores = allPaths(length: n).map { score($0, emissions: emissions, sentence: b) }
            let top = scores.max()!
            return top + log(scores.reduce(0) { $0 + exp($1 - top) })
        }
    }

    /// Independent BILOU well-formedness check on tag strings: spans open with B and close with
    /// L of the same type, U and O only outside spans, nothing left open.
    private func isValidBILOU(_ path: [Int], tags: [String]) -> Bool {
        var open: Substring?
        for tag in path.map({ tags[$0] }) {
            let prefix = tag.prefix(1), type = tag.dropFirst(2)
            switch (prefix, open) {
            case ("O", nil), ("U", nil): break
            case ("B", nil): open = type
            case ("I", let current?) where current == type: break
            case ("L", let current?) where current == type: open = nil
            default: return false
            }
        }
        return open == nil
    }

    // MARK: - Parameters

    func testParameterLayoutAndInitialisation() {
        let (crf, arena) = makeCRF(tags: 40, seed: 1)
        XCTAssertEqual(arena.layout.parameters.map(\.name), ["tagger/transitions", "tagger/start", "tagger/end"])
        XCTAssertEqual(crf.transitions.shape, [40, 40])
        XCTAssertEqual(crf.start.shape, [40])
        XCTAssertEqual(crf.end.shape, [40])
        func std(_ p: Parameter) -> Double {
            let v = (0..<p.count).map { Double(arena.value(p)[$0]) }
            let mean = v.reduce(0, +) / Double(v.count)
            return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
        }
        XCTAssertEqual(std(crf.transitions), (2.0 / 80).squareRoot(), accuracy: 0.02)  // 1600 samples
        XCTAssertEqual(std(crf.start), 1, accuracy: 0.35)  // 40 samples
        XCTAssertEqual(std(crf.end), 1, accuracy: 0.35)
    }

    // MARK: - Likelihood

    /// Both lattice regimes: exp space (the usual transition spread) and log space (wide).
    func testLossMatchesBruteForceEnumeration() {
        for wide in [false, true] { checkLossAgainstBruteForce(wide: wide) }
    }

    private func checkLossAgainstBruteForce(wide: Bool) {
        let tags = 4, lengths = [3, 1, 5, 2]
        let (crf, arena) = makeCRF(tags: tags, seed: 2, wide: wide)
        var rng = RNG(seed: 3)
        let emissions = randomEmissions(batch: lengths.count, maxLength: 5, tags: tags, rng: &rng)
        let gold = lengths.map { n in (0..<n).map { _ in rng.int(below: tags) } }
        let reference = Reference(crf, arena)

        var expected = 0.0
        for (b, n) in lengths.enumerated() {
            let logZ = reference.logZ(emissions: emissions, sentence: b, length: n)
            let nll = logZ - reference.score(gold[b], emissions: emissions, sentence: b)
            expected += nll
            // Per sentence: a batch of one isolates log Z.
            let single = Tensor(shape: [1, 5, tags], data: Array(emissions.data[(b * 5 * tags)..<((b + 1) * 5 * tags)]))
            let loss = crf.loss(emissions: single, lengths: [n], gold: [gold[b]], arena: arena)
            XCTAssertEqual(loss, nll, accuracy: 1e-4 * max(1, abs(nll)), "sentence \(b)")
            XCTAssertGreaterThan(loss, 0)
        }
        let loss = crf.loss(emissions: emissions, lengths: lengths, gold: gold, arena: arena)
        XCTAssertEqual(loss, expected, accuracy: 1e-4 * abs(expected))
        let (nll, _) = crf.negativeLogLikelihood(emissions: emissions, lengths: lengths, gold: gold, arena: arena)
        XCTAssertEqual(nll, loss, accuracy: 1e-9, "loss and negativeLogLikelihood must agree")
    }

    /// Padded positions must not influence anything: garbage there changes neither loss nor gradients.
    func testPaddingIsIgnored() {
        let tags = 5, lengths = [4, 1, 3]
        let (crf, arena) = makeCRF(tags: tags, seed: 4)
        var rng = RNG(seed: 5)
        let emissions = randomEmissions(batch: 3, maxLength: 4, tags: tags, rng: &rng)
        let gold = [[0, 1, 2, 3, 4], [4], [2, 2, 1]]  // sentence 0's fifth tag lies beyond its length
        var garbage = emissions
        for (b, n) in lengths.enumerated() {
            for t in n..<4 { for k in 0..<tags { garbage.data[(b * 4 + t) * tags + k] = 1000 } }
        }
        let (lossA, dA) = crf.negativeLogLikelihood(emissions: emissions, lengths: lengths, gold: gold, arena: arena)
        let gradsA = Array(arena.grads)
        arena.zeroGrads()
        let (lossB, dB) = crf.negativeLogLikelihood(emissions: garbage, lengths: lengths, gold: gold, arena: arena)
        XCTAssertEqual(lossA, lossB)
        XCTAssertEqual(dA, dB)
        XCTAssertEqual(gradsA, Array(arena.grads))
        for (b, n) in lengths.enumerated() {
            for t in n..<4 { for k in 0..<tags { XCTAssertEqual(dA.data[(b * 4 + t) * tags + k], 0) } }
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for wide in [false, true] { checkGradients(wide: wide) }
    }

    private func checkGradients(wide: Bool) {
        let tags = 5, lengths = [4, 1, 3], maxLength = 4
        let (crf, arena) = makeCRF(tags: tags, seed: 6, wide: wide)
        var rng = RNG(seed: 7)
        let gold = lengths.map { n in (0..<n).map { _ in rng.int(below: tags) } }
        let initial = randomEmissions(batch: 3, maxLength: maxLength, tags: tags, rng: &rng)
        let emissions = UnsafeMutableBufferPointer<Float>.allocate(capacity: initial.count)
        defer { emissions.deallocate() }
        _ = emissions.initialize(from: initial.data)
        func loss() -> Double {
            crf.loss(emissions: Tensor(shape: initial.shape, data: Array(emissions)), lengths: lengths, gold: gold, arena: arena)
        }

        arena.zeroGrads()
        let (_, dEmissions) = crf.negativeLogLikelihood(emissions: initial, lengths: lengths, gold: gold, arena: arena)
        GradientCheck.check("emissions", at: emissions.baseAddress!, count: initial.count, analytic: dEmissions.data, rng: &rng, loss: loss)
        for p in [crf.transitions, crf.start, crf.end] {
            let analytic = Array(arena.grads[p.range])
            GradientCheck.check(p.name, at: arena.value(p), count: p.count, analytic: analytic, rng: &rng, loss: loss)
        }

        // Parameter gradients accumulate across calls.
        let once = Array(arena.grads)
        _ = crf.negativeLogLikelihood(emissions: initial, lengths: lengths, gold: gold, arena: arena)
        for (a, b) in zip(once, arena.grads) { XCTAssertEqual(b, 2 * a, accuracy: 1e-5) }
    }

    /// Long sentences with large scores: log Z ≈ 2·10⁴, where one Float ulp is 2·10⁻³. The
    /// rescaled forward pass (shifts summed in Double) still matches a Double forward pass within
    /// a quarter of that, each position's marginals sum to one (emission gradient rows sum to
    /// zero), and expected transition counts sum to n − 1.
    func testLongSentenceStability() {
        let tags = 9, n = 300
        let (crf, arena) = makeCRF(tags: tags, seed: 8, scale: 5)
        var rng = RNG(seed: 9)
        let emissions = randomEmissions(batch: 1, maxLength: n, tags: tags, scale: 40, rng: &rng)
        let gold = [(0..<n).map { _ in rng.int(below: tags) }]
        let reference = Reference(crf, arena)
        let logZ = reference.forwardLogZ(emissions: emissions, sentence: 0, length: n)
        let expected = logZ - reference.score(gold[0], emissions: emissions, sentence: 0)
        arena.zeroGrads()
        let (loss, d) = crf.negativeLogLikelihood(emissions: emissions, lengths: [n], gold: gold, arena: arena)
        XCTAssertGreaterThan(logZ, 1e4)
        XCTAssertEqual(loss, expected, accuracy: 5e-4)
        for t in 0..<n {
            let row = d.data[(t * tags)..<((t + 1) * tags)]
            XCTAssert(row.allSatisfy(\.isFinite))
            XCTAssertEqual(row.reduce(0, +), 0, accuracy: 1e-5)
        }
        XCTAssert(arena.grads.allSatisfy(\.isFinite))
        // Σ(expected counts − gold counts) = (n−1) − (n−1).
        XCTAssertEqual(arena.grads[crf.transitions.range].reduce(0, +), 0, accuracy: 1e-3)
    }

    // MARK: - Decoding

    func testUnconstrainedViterbiIsBruteForceArgmax() {
        let tags = 5
        let (crf, arena) = makeCRF(tags: tags, seed: 10)
        let reference = Reference(crf, arena)
        let constraints = TransitionConstraints.unconstrained(tags: (0..<tags).map { "T\($0)" })
        var rng = RNG(seed: 11)
        for _ in 0..<12 {
            let lengths = (0..<3).map { _ in 1 + rng.int(below: 5) }
            let emissions = randomEmissions(batch: 3, maxLength: 5, tags: tags, scale: 2, rng: &rng)
            let decoded = crf.viterbi(emissions: emissions, lengths: lengths, constraints: constraints, arena: arena)
            for (b, n) in lengths.enumerated() {
                assertIsArgmax(decoded[b], among: reference.allPaths(length: n), reference: reference, emissions: emissions, sentence: b)
            }
        }
    }

    func testConstrainedViterbiIsBruteForceArgmaxOverAllowedPaths() {
        let tags = Self.bilouTags
        // Scaled-up transitions and start/end make unconstrained optima frequently invalid.
        let (crf, arena) = makeCRF(tags: tags.count, seed: 12, scale: 3)
        let reference = Reference(crf, arena)
        let constraints = TransitionConstraints.bilou(tags: tags)
        var rng = RNG(seed: 13)
        var differsFromUnconstrained = 0
        for _ in 0..<10 {
            let lengths = (0..<2).map { _ in 1 + rng.int(below: 4) }
            let emissions = randomEmissions(batch: 2, maxLength: 4, tags: tags.count, scale: 2, rng: &rng)
            let decoded = crf.viterbi(emissions: emissions, lengths: lengths, constraints: constraints, arena: arena)
            let free = crf.viterbi(emissions: emissions, lengths: lengths, constraints: .unconstrained(tags: tags), arena: arena)
            for (b, n) in lengths.enumerated() {
                let allowed = reference.allPaths(length: n).filter { isValidBILOU($0, tags: tags) }
                assertIsArgmax(decoded[b], among: allowed, reference: reference, emissions: emissions, sentence: b)
                if decoded[b] != free[b] { differsFromUnconstrained += 1 }
            }
        }
        XCTAssertGreaterThan(differsFromUnconstrained, 0, "constraints never mattered; the test proves nothing")
    }

    func testConstrainedViterbiAlwaysYieldsValidBILOU() {
        let tags = Self.bilouTags
        let (crf, arena) = makeCRF(tags: tags.count, seed: 14, scale: 4)
        let constraints = TransitionConstraints.bilou(tags: tags)
        var rng = RNG(seed: 15)
        for _ in 0..<50 {
            let lengths = (0..<8).map { _ in 1 + rng.int(below: 15) }
            let emissions = randomEmissions(batch: 8, maxLength: 15, tags: tags.count, scale: 5, rng: &rng)
            let decoded = crf.viterbi(emissions: emissions, lengths: lengths, constraints: constraints, arena: arena)
            for (path, n) in zip(decoded, lengths) {
                XCTAssertEqual(path.count, n)
                XCTAssert(isValidBILOU(path, tags: tags), "invalid BILOU sequence \(path.map { tags[$0] })")
            }
        }
    }

    func testViterbiIsDeterministicOnTies() {
        let (crf, arena) = makeCRF(tags: 3, seed: 16)
        for i in 0..<arena.count { arena.values[i] = 0 }
        let emissions = Tensor(zeros: [1, 4, 3])
        let decoded = crf.viterbi(emissions: emissions, lengths: [4], constraints: .unconstrained(tags: ["a", "b", "c"]), arena: arena)
        XCTAssertEqual(decoded, [[0, 0, 0, 0]], "ties go to the lowest tag index")
    }

    /// A tag set with no allowed single-tag sentence falls back to the unconstrained argmax.
    func testViterbiFallsBackWhenNoAllowedPathExists() {
        let tags = ["B-X", "L-X"]
        let (crf, arena) = makeCRF(tags: 2, seed: 17)
        for i in 0..<arena.count { arena.values[i] = 0 }
        let emissions = Tensor(shape: [2, 2, 2], data: [0, 1, 0, 0, /* second: */ 0, 5, 5, 0])
        let decoded = crf.viterbi(emissions: emissions, lengths: [1, 2], constraints: .bilou(tags: tags), arena: arena)
        XCTAssertEqual(decoded[0], [1])
        XCTAssertEqual(decoded[1], [0, 1], "an allowed path exists for n = 2 and must win over the better invalid one")
    }

    private func assertIsArgmax(
        _ path: [Int], among candidates: [[Int]], reference: Reference, emissions: Tensor, sentence b: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssert(candidates.contains(path), "decoded path \(path) is not among the candidates", file: file, line: line)
        let scored = candidates.map { ($0, reference.score($0, emissions: emissions, sentence: b)) }
        let best = scored.max { $0.1 < $1.1 }!
        let decodedScore = reference.score(path, emissions: emissions, sentence: b)
        XCTAssertEqual(decodedScore, best.1, accuracy: 1e-4, "Viterbi \(path) vs brute force \(best.0)", file: file, line: line)
        // Paths must agree exactly unless the optimum is a Float-level near-tie.
        let runnerUp = scored.filter { $0.0 != best.0 }.map(\.1).max() ?? -.infinity
        if best.1 - runnerUp > 1e-3 { XCTAssertEqual(path, best.0, file: file, line: line) }
    }

    // MARK: - Constraint table

    func testBILOUConstraintSpotChecks() {
        let tags = ["O", "B-PER", "I-PER", "L-PER", "U-PER", "B-ORG", "I-ORG", "L-ORG", "U-ORG", "B-LOC", "U-LOC", "B-X-Y", "L-X-Y"]
        let c = TransitionConstraints.bilou(tags: tags)
        func i(_ tag: String) -> Int { tags.firstIndex(of: tag)! }
        XCTAssertFalse(c.allows(from: i("B-PER"), to: i("L-ORG")))
        XCTAssertTrue(c.allows(from: i("B-PER"), to: i("L-PER")))
        XCTAssertTrue(c.allows(from: i("B-PER"), to: i("I-PER")))
        XCTAssertTrue(c.allows(from: i("I-PER"), to: i("I-PER")))
        XCTAssertFalse(c.allows(from: i("I-PER"), to: i("O")))
        XCTAssertFalse(c.allows(from: i("B-PER"), to: i("B-PER")))
        XCTAssertTrue(c.allows(from: i("U-PER"), to: i("B-LOC")))
        XCTAssertTrue(c.allows(from: i("L-PER"), to: i("U-ORG")))
        XCTAssertTrue(c.allows(from: i("O"), to: i("O")))
        XCTAssertFalse(c.allows(from: i("O"), to: i("I-PER")))
        XCTAssertFalse(c.allows(from: i("U-PER"), to: i("L-PER")))
        XCTAssertTrue(c.allows(from: i("B-X-Y"), to: i("L-X-Y")), "types may contain '-'")
        XCTAssertFalse(c.allows(from: i("B-X-Y"), to: i("L-PER")))
        XCTAssertTrue(c.allowsStart(i("O")))
        XCTAssertTrue(c.allowsStart(i("B-ORG")))
        XCTAssertTrue(c.allowsStart(i("U-LOC")))
        XCTAssertFalse(c.allowsStart(i("I-PER")))
        XCTAssertFalse(c.allowsStart(i("L-PER")))
        XCTAssertTrue(c.allowsEnd(i("O")))
        XCTAssertTrue(c.allowsEnd(i("L-ORG")))
        XCTAssertTrue(c.allowsEnd(i("U-PER")))
        XCTAssertFalse(c.allowsEnd(i("B-PER")))
        XCTAssertFalse(c.allowsEnd(i("I-ORG")))

        // The table agrees with the independent sequence checker on every bigram.
        for a in tags.indices {
            XCTAssertEqual(c.allowsStart(a) && c.allowsEnd(a), isValidBILOU([a], tags: tags), tags[a])
            for b in tags.indices where c.allowsStart(a) && c.allowsEnd(b) {
                XCTAssertEqual(c.allows(from: a, to: b), isValidBILOU([a, b], tags: tags), "\(tags[a]) → \(tags[b])")
            }
        }

        let free = TransitionConstraints.unconstrained(tags: tags)
        XCTAssertTrue(free.allows(from: i("B-PER"), to: i("L-ORG")))
        XCTAssertTrue(free.allowsStart(i("I-PER")))
        XCTAssertTrue(free.allowsEnd(i("B-PER")))
    }
}
