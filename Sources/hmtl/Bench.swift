import ArgumentParser
import Foundation
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and inference throughput at the PyTorch peer's yardstick shapes.")

    @Option(help: "Timed steps (the median is reported).") var steps = 20
    @Option(help: "Untimed warm-up steps.") var warmup = 3
    @Option(help: "Sentences per batch.") var batch = 32
    @Option(help: "Tokens per sentence.") var length = 25
    @Option(help: "Word embedding size.") var wordDim = 300
    @Option(help: "Append the JSON lines to this file too.") var out: String?

    func run() throws {
        try runReportingFailures {
            var shapes = Benchmark.Shapes()
            shapes.steps = steps; shapes.warmup = warmup; shapes.batch = batch; shapes.length = length; shapes.wordDimension = wordDim
            let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"
            var lines: [String] = []
            for r in Benchmark(shapes: shapes).run() {
                print(String(format: "%@ %@ | %8.2f ms/step | %9.0f tokens/s | OPENBLAS_NUM_THREADS=%@",
                             r.task, r.mode, r.medianMilliseconds, r.tokensPerSecond, threads))
                let object: [String: Any] = ["tool": "hmtl", "task": r.task, "mode": r.mode, "threads": threads,
                                             "ms_per_step": r.medianMilliseconds, "tokens_per_s": r.tokensPerSecond,
                                             "batch": batch, "seq_len": length, "word_dim": wordDim]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
            if let out {
                let url = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: out), !FileManager.default.createFile(atPath: out, contents: nil) {
                    throw ValidationError("--out: cannot create \(out)")
                }
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.seekToEnd()
                handle.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
        }
    }
}
