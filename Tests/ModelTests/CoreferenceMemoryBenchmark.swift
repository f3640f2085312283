import Corpus
import Foundation
import Model
import Tensor
import XCTest

/// Peak memory of one training step of the coreference head at the reference dimensions
/// (D_in 1316, D_h 400, span 2136, pair 6428). Run by hand, one size per process, e.g.
/// `HMTL_COREF_BENCH_TOKENS=2000 swift test --filter CoreferenceMemoryBenchmark`; skipped
/// otherwise. Reports, does not assert: the process high-water mark (VmHWM) rises by the
/// step's peak working set over what was resident before it.
final class CoreferenceMemoryBenchmark: XCTestCase {
    private func residentPeakKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testPeakMemoryOfOneDocument() throws {
        guard let tokens = ProcessInfo.processInfo.environment["HMTL_COREF_BENCH_TOKENS"].flatMap(Int.init) else {
            throw XCTSkip("set HMTL_COREF_BENCH_TOKENS to measure the coreference head's peak memory")
        }
        var layout = ParameterLayout()
        let head = CoreferenceHead(name: "coref", inputSize: 1316, encoderSize: 400, settings: .init(), layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 1)
        head.initialize(arena, rng: &rng)
        let lengths = Array(repeating: 25, count: tokens / 25)
        let x = Tensor(shape: [tokens, 1316], data: (0..<(tokens * 1316)).map { _ in rng.uniform(-1, 1) })
        let h = Tensor(shape: [tokens, 400], data: (0..<(tokens * 400)).map { _ in rng.uniform(-1, 1) })
        let cluster: [TokenSpan] = (0..<20).map { TokenSpan(start: 50 * $0, end: 50 * $0 + 1) }
        let document = CoreferenceDocument(sentenceLengths: lengths, clusters: [cluster])
        let before = residentPeakKB()
        let start = Date()
        let result = head.lossAndGradients(x: x, h: h, document: document, arena: arena, training: true, rng: &rng)
        let seconds = Date().timeIntervalSince(start)
        let after = residentPeakKB()
        print(String(format: "coref head: %d tokens, %d kept spans, loss %.1f, VmHWM %d MB before -> %d MB after (+%d MB), %.2f s (debug build)",
                     tokens, result.kept.count, result.loss, before / 1024, after / 1024, (after - before) / 1024, seconds))
    }
}
