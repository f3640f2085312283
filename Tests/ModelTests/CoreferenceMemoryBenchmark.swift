import Corpus
import Foundation
import Model
import Tensor
import XCTest

/// Peak memory of one training step of the coreference head at the reference dimensions
/// (D_in 1316, D_h 400, span 2136, pair 6428). A manual benchmark, skipped in a normal run:
/// run it by hand, one size per process, e.g.
/// `HMTL_COREF_BENCH_TOKENS=2000 swift test --filter CoreferenceMemoryBenchmark`. It prints the
/// process high-water mark (VmHWM) before and after the step and asserts the design's claim:
/// the pair scorer works in chunks of spans, so the step's peak stays below what the k × K
/// pair embeddings alone would take if they were ever materialised.
final class CoreferenceMemoryBenchmark: XCTestCase {
    static let variable = "HMTL_COREF_BENCH_TOKENS"

    /// VmHWM of this process in kB; fails (rather than reading 0) when /proc does not say.
    private func residentPeakKB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }, "/proc/self/status has no VmHWM line")
        return try XCTUnwrap(line.split(separator: " ").dropFirst().first.flatMap { Int($0) }, "unreadable VmHWM line: \(line)")
    }

    func testPeakMemoryOfOneDocument() throws {
        guard let setting = ProcessInfo.processInfo.environment[Self.variable] else {
            throw XCTSkip("manual benchmark: set \(Self.variable)=N (e.g. 1000, a multiple of 25) to measure one coref step on an N-token document")
        }
        let tokens = try XCTUnwrap(Int(setting).flatMap { $0 >= 50 ? $0 : nil },
                                   "\(Self.variable)=\(setting): expected a token count of at least 50")
        var layout = ParameterLayout()
        let head = CoreferenceHead(name: "coref", inputSize: 1316, encoderSize: 400, settings: .init(), layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 1)
        head.initialize(arena, rng: &rng)
        let lengths = Array(repeating: 25, count: tokens / 25)
        let used = lengths.reduce(0, +)
        let x = Tensor(shape: [used, 1316], data: (0..<(used * 1316)).map { _ in rng.uniform(-1, 1) })
        let h = Tensor(shape: [used, 400], data: (0..<(used * 400)).map { _ in rng.uniform(-1, 1) })
        let cluster: [TokenSpan] = stride(from: 0, to: used - 1, by: 50).prefix(20).map { TokenSpan(start: $0, end: $0 + 1) }
        let document = CoreferenceDocument(sentenceLengths: lengths, clusters: [cluster])
        let before = try residentPeakKB()
        let start = Date()
        let result = head.lossAndGradients(x: x, h: h, document: document, arena: arena, training: true, rng: &rng)
        let seconds = Date().timeIntervalSince(start)
        let after = try residentPeakKB()
        print(String(format: "coref head: %d tokens, %d kept spans, loss %.1f, VmHWM %d MB before -> %d MB after (+%d MB), %.2f s (debug build)",
                     used, result.kept.count, result.loss, before / 1024, after / 1024, (after - before) / 1024, seconds))

        // The step ran: spans were kept and scored, and the loss is a number.
        XCTAssertGreaterThan(result.kept.count, 1)
        XCTAssertTrue(result.loss.isFinite && result.loss > 0, "loss \(result.loss)")
        let k = result.kept.count, antecedents = min(head.settings.maxAntecedents, k - 1)
        let pairBytes = k * antecedents * head.antecedentScorer.first.inputSize * MemoryLayout<Float>.size
        XCTAssertLessThan((after - before) * 1024, pairBytes,
                          "the step's peak grew by as much as the \(k) × \(antecedents) pair embeddings would take: are they materialised?")
    }
}
