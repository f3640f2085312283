import ArgumentParser
import Distributed
import Foundation
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training- and inference-step throughput at the PyTorch peer's yardstick shapes; one JSON line.")

    @Option(help: "The task to measure (ner).") var task = "ner"
    @Option(help: "Timed steps (medians are reported).") var steps = 20
    @Option(help: "Untimed warm-up steps.") var warmup = 3
    @Option(help: "Sentences per batch.") var batch = 32
    @Option(help: "Tokens per sentence.") var length = 25
    @Option(help: "Word embedding size.") var wordDim = 300
    @Option(help: "Append the JSON line to this file too.") var out: String?

    func run() throws {
        let communicator = try Communicators.make()
        defer { try? communicator.finalize() }
        try runReportingFailures(communicator) {
            guard task == "ner" else { throw ValidationError("--task: only ner can be measured so far, got \(task)") }
            var shapes = Benchmark.Shapes()
            shapes.steps = steps; shapes.warmup = warmup; shapes.batch = batch; shapes.length = length; shapes.wordDimension = wordDim
            let r = try Benchmark(shapes: shapes).run(communicator: communicator)
            guard communicator.rank == 0 else { return }
            let environment = ProcessInfo.processInfo.environment
            let object: [String: Any] = [
                "tool": "hmtl", "task": r.task.rawValue, "mode": "train",
                "threads": environment["OPENBLAS_NUM_THREADS"] ?? "default",
                "openblas_coretype": environment["OPENBLAS_CORETYPE"] ?? "auto",
                // Tokens of the whole job: every rank runs its own batch of the yardstick shape.
                "ranks": communicator.size, "tokens_per_step": r.tokensPerStep * communicator.size,
                "tokens_per_s": (r.tokensPerSecond * Double(communicator.size) * 10).rounded() / 10, "ms_per_step": r.step, "ms_min": r.fastestStep,
                "forward_ms": r.forward, "backward_ms": r.backward, "allreduce_ms": r.allreduce, "optimizer_ms": r.optimizer,
                "infer_tokens_per_s": (r.inferenceTokensPerSecond * 10).rounded() / 10, "infer_ms_per_step": r.inference,
                "batch": batch, "seq_len": length, "word_dim": wordDim,
            ]
            let line = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            print(line)
            if let out {
                let url = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: out), !FileManager.default.createFile(atPath: out, contents: nil) {
                    throw ValidationError("--out: cannot create \(out)")
                }
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.seekToEnd()
                handle.write(Data((line + "\n").utf8))
            }
        }
    }
}
