import ArgumentParser
import Benchmarks
import CKernels
import Distributed
import Foundation
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training- and inference-step throughput at the PyTorch peer's shapes (JSON lines), or a scaling sweep over ranks.",
        discussion: """
            --task ner, emd, relation or coref measures that task's step (the levels below it run as in training) on the peer's \
            model: 32 × 25-token sentences, coref one 300-token document. --task all draws each step's task with the \
            trainer's sampler, weighted as training weighs --config's data (default: configs/demo.json); blend is \
            the same. One JSON line per mode: train (the trainer's update step) and infer (forward and decoding). \
            --epochs N trains --config for N epochs on the job's ranks in a scratch folder and prints one line \
            of where the time went. --sweep, run as a plain process, launches `mpirun -np R` for each R of --ranks, writes one JSON file \
            (--out, default runs/bench-sweep.json) with its HTML page beside it, and projects step time for \
            --model-ranks with a ring-allreduce model.
            """)

    static let tasks = BenchmarkWorkload.singleTasks.map(\.rawValue) + ["all"]

    @Option(help: "The workload: ner, emd, coref, relation (the peer's levels, bottom up) or all (blend: the same as all) (default: ner; all with --sweep).") var task: String?
    @Option(help: "What to measure: train, infer or both (--sweep: train).") var mode = "both"
    @Option(help: "Timed steps (medians are reported).") var steps = 20
    @Option(help: "Untimed warm-up steps.") var warmup = 3
    @Option(help: "Sentences per batch (per rank).") var batch = 32
    @Option(help: "Tokens per sentence.") var length = 25
    @Option(help: "Tokens of CR's document (in sentences of --length).") var docLength = 300
    @Option(help: "Word embedding size.") var wordDim = 300
    @Option(help: "Words in the vocabulary.") var vocabulary = 20_000
    @Option(help: "The config whose tasks --task all draws, weighted by its training data; with --epochs, the run to time.")
    var config = "configs/demo.json"
    @Option(help: "Time N epochs of real training of --config (per task: ms per update, tokens/s, share; validation apart).")
    var epochs: Int?
    @Flag(inversion: .prefixedNo, help: "Reduce gradient buckets while backward runs (default: on; --epochs: the config's training.overlap_reduction).")
    var overlapReduction: Bool?
    @Option(help: "Bucket size of the overlapped reduction, KiB (default: 128; --epochs: the config's training.bucket_kb).")
    var bucketKb: Int?
    @Option(help: "Timed iterations of the isolated allreduce.") var isolatedIterations = 50
    @Option(help: "Append the JSON lines to this file (with --sweep: write the sweep's JSON file here).") var out: String?
    @Option(help: "Write the first JSON line (training's, unless --mode infer) as a file of its own (what --sweep's ranks do).")
    var jsonTo: String?
    @Flag(help: "Measure weak scaling over --ranks by launching mpirun once per world size.") var sweep = false
    @Option(help: "World sizes of the sweep, comma-separated; must include 1.") var ranks = "1,2,4"
    @Option(help: "With --sweep: measure every world size this many times, alternating, and keep each one's median run.")
    var rounds = 1
    @Option(help: "World sizes to project (default with --sweep: 8,16,32,64,128,256,512).") var modelRanks: String?
    @Option(help: "Allreduce latency per ring step, µs (default: fitted to the sweep).") var latencyUs: Double?
    @Option(help: "Allreduce link bandwidth, GB/s (default: fitted to the sweep).") var bandwidthGbps: Double?

    var shapes: Benchmark.Shapes {
        var shapes = Benchmark.Shapes()
        shapes.steps = steps; shapes.warmup = warmup; shapes.batch = batch; shapes.length = length
        shapes.wordDimension = wordDim; shapes.vocabulary = vocabulary; shapes.documentLength = docLength
        return shapes
    }

    /// `schedule` with the reduction settings given on the command line.
    func reduction(_ schedule: TrainingSchedule) -> TrainingSchedule {
        var schedule = schedule
        schedule.overlapReduction = overlapReduction ?? schedule.overlapReduction
        schedule.bucketKiB = bucketKb ?? schedule.bucketKiB
        return schedule
    }

    /// --task with blend read as all, and the default filled in.
    var workloadName: String { task == "blend" ? "all" : task ?? (sweep ? "all" : "ner") }

    var modes: Set<Benchmark.Mode> {
        mode == "both" ? Set(Benchmark.Mode.allCases) : [Benchmark.Mode(rawValue: mode)!]
    }

    func validate() throws {
        guard steps > 0, warmup >= 0, batch > 0, length > 0, docLength > 0, wordDim > 0, vocabulary > 2, isolatedIterations > 0, rounds > 0,
              (1...1_048_576).contains(bucketKb ?? 1) else {
            throw ValidationError("--steps, --batch, --length, --doc-length, --word-dim, --isolated-iterations, --rounds must be positive, --warmup ≥ 0, --vocabulary > 2, --bucket-kb in 1...1048576")
        }
        try rejectEarlierSpelling("--task", task)
        if let task, !(Self.tasks + ["blend"]).contains(task) {
            throw ValidationError("--task: expected \(Self.tasks.joined(separator: ", ")) or blend, got \(task)")
        }
        if !["train", "infer", "both"].contains(mode) { throw ValidationError("--mode: expected train, infer or both, got \(mode)") }
        if sweep, mode != "both" { throw ValidationError("--mode: --sweep measures training steps only") }
        if (latencyUs == nil) != (bandwidthGbps == nil) {
            throw ValidationError("--latency-us and --bandwidth-gbps go together (give both, or neither to fit them to the sweep)")
        }
        if let latencyUs, latencyUs < 0 { throw ValidationError("--latency-us: expected ≥ 0, got \(latencyUs)") }
        if let bandwidthGbps, bandwidthGbps <= 0 { throw ValidationError("--bandwidth-gbps: expected > 0, got \(bandwidthGbps)") }
        if let epochs {
            guard epochs > 0 else { throw ValidationError("--epochs: expected a positive number of epochs, got \(epochs)") }
            guard !sweep, task == nil else { throw ValidationError("--epochs times the config's own run: it takes no --task or --sweep") }
        }
        if !sweep, modelRanks != nil || latencyUs != nil || rounds != 1 {
            throw ValidationError("--model-ranks, --latency-us, --bandwidth-gbps and --rounds need --sweep")
        }
    }

    func run() throws {
        if sweep {
            try runReportingFailures { try runSweep() }
            return
        }
        let communicator = try Communicators.make()
        defer { try? communicator.finalize() }
        try runReportingFailures(communicator) {
            if let epochs {
                try runEpochs(epochs, communicator: communicator)
                return
            }
            let workload: BenchmarkWorkload
            if let single = BenchmarkWorkload.singleTasks.first(where: { $0.rawValue == workloadName }) {
                workload = .single(single, shapes: shapes)
            } else {
                workload = try .all(config: RunConfig.load(path: config), shapes: shapes)
            }
            let measurements = try Benchmark(shapes: shapes, workload: workload, probe: AllreduceProbe(iterations: isolatedIterations),
                                             schedule: reduction(TrainingSchedule()))
                .run(communicator: communicator, modes: modes)
            guard communicator.rank == 0 else { return }
            let lines = try measurements.lines(ranks: communicator.size, shapes: shapes, environment: ProcessInfo.processInfo.environment)
                .map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            for line in lines { print(line) }
            if let out { try BenchmarkOutput.append(lines, to: out) }
            if let jsonTo { try BenchmarkOutput.write(Data(lines[0].utf8), to: jsonTo) }
        }
    }

    func runEpochs(_ epochs: Int, communicator: Communicator) throws {
        var run = try RunConfig.load(path: config)
        run.schedule = reduction(run.schedule)
        let line = try EpochBenchmark(config: run, epochs: epochs)
            .runInScratch(communicator: communicator, environment: ProcessInfo.processInfo.environment)
        guard let line else { return }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self)
        print(text)
        if let out { try BenchmarkOutput.append([text], to: out) }
    }

    func runSweep() throws {
        let environment = ProcessInfo.processInfo.environment
        guard !Communicators.isLaunchedByMPI(environment: environment) else {
            throw ValidationError("--sweep launches mpirun itself: run it as a plain process, not under mpirun")
        }
        let worlds = try Self.list(ranks, option: "--ranks")
        guard worlds.contains(1) else { throw ValidationError("--ranks: must include 1, the speed-up baseline (got \(ranks))") }
        let projected = try Self.list(modelRanks ?? "8,16,32,64,128,256,512", option: "--model-ranks")
        let task = workloadName
        var arguments = ["bench", "--task", task, "--mode", "train", "--steps", "\(steps)", "--warmup", "\(warmup)", "--batch", "\(batch)",
                         "--length", "\(length)", "--doc-length", "\(docLength)", "--word-dim", "\(wordDim)", "--vocabulary", "\(vocabulary)",
                         "--isolated-iterations", "\(isolatedIterations)"]
        if task == "all" { arguments += ["--config", URL(fileURLWithPath: config).standardizedFileURL.path] }
        if let overlapReduction { arguments.append(overlapReduction ? "--overlap-reduction" : "--no-overlap-reduction") }
        if let bucketKb { arguments += ["--bucket-kb", "\(bucketKb)"] }
        let sweep = try SweepRun(task: task, shapes: shapes, worlds: worlds, rounds: rounds, benchArguments: arguments)
        // SIGTERM or Ctrl-C ends the running bench's mpirun and ranks, then this process.
        hk_install_stop_handler()
        let given = latencyUs.flatMap { l in bandwidthGbps.map { RingAllreduceModel(latency: l / 1e6, bandwidth: $0 * 1e9) } }
        let measured = try sweep.measure()
        guard let model = given ?? measured.fittedModel else {
            throw ValidationError("--ranks \(ranks) has no multi-rank point to fit the allreduce model to: add one (e.g. 1,2) or give --latency-us and --bandwidth-gbps")
        }
        let path = out ?? "runs/bench-sweep.json"
        let written = try SweepRun.write(measured, model: model, given: given != nil, modelRanks: projected, output: path)
        print(written.table)
        print("hmtl: wrote \(path) and \(written.page.path)")
    }

    static func list(_ text: String, option: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("\(option): expected positive integers separated by commas, got \(text)")
        }
        return values.map { $0! }
    }
}
