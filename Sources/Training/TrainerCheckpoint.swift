import Checkpoint
import Corpus
import Foundation
import Model
import Tensor

/// Mapping between the trainer's state and the checkpoint schema. A checkpoint holds
/// everything that decides the rest of the run — parameters, every task's Adam state, the
/// sampler's generator, each task's position in its global order and its early-stopping
/// record — so a resumed run continues bit for bit. (Dropout needs no state: its masks are
/// derived from (seed, step, example).)
extension Trainer {
    func checkpointContents() -> CheckpointContents {
        let parameters = model.layout.parameters.map { p in
            NamedArray(name: p.name, shape: p.shape, values: Array(arena.values[p.range]))
        }
        let optimizers = model.tasks.map { task -> OptimizerState in
            let adam = self.optimizers[task]!
            let (m, v) = model.layout.slices(of: adam)
            return OptimizerState(task: task.rawValue, step: adam.step, learningRate: adam.learningRate, m: m, v: v)
        }
        let s = sampler.rng.state
        return CheckpointContents(
            step: step, worldSize: communicator.size, seed: config.seed, config: config.canonicalJSON,
            createdBy: "hmtl \(hmtlVersion)",
            parameters: parameters, optimizers: optimizers,
            samplerState: [s.0, s.1, s.2, s.3], samplerDraws: sampler.draws, rngStates: [:],
            data: model.tasks.map { task in
                let s = streams[task]!
                return DataPosition(task: task.rawValue, epoch: s.epoch, position: s.position, globalBatch: s.globalBatch)
            },
            vocabularies: data.vocabularies.namespaces,
            progress: model.tasks.map { task in
                let e = stopping[task]!, p = plateaus[task]!
                return TaskProgress(task: task.rawValue, bestScore: e.best, bestStep: e.bestStep,
                                    badEpochs: e.badValidations, outOfPatience: e.isExhausted, history: e.history,
                                    plateauBest: p.best, plateauBadEpochs: p.badValidations)
            },
            configFile: config.origin.file, vectorsFile: data.vectorsFile, origin: origin)
    }

    /// Rank 0 writes the checkpoint atomically; the others wait so nobody runs ahead of a
    /// checkpoint that might still fail.
    @discardableResult
    func saveCheckpoint() throws -> URL? {
        watchdog.beat("checkpointing step \(step)")
        return try onRankZero("the checkpoint of step \(step)") {
            let url = try CheckpointStore.write(checkpointContents(), to: output, keep: config.schedule.keepCheckpoints)
            log.say("checkpoint step \(step) → \(url.lastPathComponent)")
            log.record(["kind": "checkpoint", "step": step, "file": url.lastPathComponent])
            return url
        }
    }

    /// The best-so-far model of `task` (by dev score), for the final test and `hmtl evaluate`.
    func saveBest(_ task: Task) throws {
        try onRankZero("best-\(task.rawValue).h5") {
            let url = try CheckpointStore.write(checkpointContents(), named: Trainer.bestFileName(task), in: output)
            log.record(["kind": "best", "step": step, "task": task.rawValue, "file": url.lastPathComponent])
            return url
        }
    }

    static func bestFileName(_ task: Task) -> String { "best-\(task.rawValue).h5" }

    /// "8" when the global batch splits evenly over the ranks, else "7–8".
    static func shareDescription(_ globalBatch: Int, _ ranks: Int) -> String {
        let low = globalBatch / ranks, high = (globalBatch + ranks - 1) / ranks
        return low == high ? "\(low)" : "\(low)–\(high)"
    }

    /// Runs a write on rank 0 and makes its failure every rank's failure (no rank runs ahead).
    @discardableResult
    private func onRankZero(_ what: String, _ write: () throws -> URL) throws -> URL? {
        var url: URL?
        var failed = [0.0]
        if communicator.rank != 0 { watchdog.beat("\(Heartbeats.waiting) for rank 0 to write \(what)") }
        if communicator.rank == 0 {
            do { url = try write() } catch {
                log.say("hmtl: error: writing \(what) failed: \(error)")
                failed[0] = 1
            }
        }
        try communicator.allreduceSum(&failed)
        if failed[0] > 0 { throw TrainingError("\(what) could not be written (see rank 0's log)") }
        return url
    }

    /// Restores the full training state; the checkpoint must come from the same config
    /// (schedule-only keys excepted) and the same vocabularies. On another world size the run
    /// keeps its global batches — the same batches in the same order, and the same task
    /// draws — and only the shards are cut anew: W′ ranks take G/W′ examples each.
    public func restore(from url: URL) throws {
        let c = try CheckpointStore.read(url)
        let name = url.lastPathComponent
        let differences: [String]
        do {
            differences = try ConfigDifference.keys(between: c.config, and: config.canonicalJSON)
                .filter { !RunConfig.scheduleOnlyKeys.contains($0) }
        } catch {
            throw TrainingError("\(name): \(error)")
        }
        guard differences.isEmpty else {
            throw TrainingError("\(name) was written with a different config than \(config.origin.name); differing keys: \(differences.joined(separator: ", "))")
        }
        guard c.vocabularies == data.vocabularies.namespaces else {
            throw TrainingError("\(name): its vocabularies differ from the ones built from the corpus (did the data change?)")
        }
        // The frozen vectors are read from the file, not the checkpoint: another file would
        // validate differently. (Files before format_version 5 recorded none to compare.)
        if let saved = c.vectorsFile, let current = data.vectorsFile, saved != current {
            throw TrainingError("\(name) was trained with the vectors file \(saved.file) (\(saved.identity)); \(current.file) is now \(current.identity)")
        }
        try arena.load(c.parameters, file: name)
        origin = c.origin
        for task in model.tasks {
            guard let o = c.optimizers.first(where: { $0.task == task.rawValue }),
                  let d = c.data.first(where: { $0.task == task.rawValue }),
                  let g = c.progress.first(where: { $0.task == task.rawValue }) else {
                throw TrainingError("\(name): no optimizer, data position or progress record for task \(task.rawValue)")
            }
            var adam = optimizers[task]!
            try model.layout.restore(&adam, m: o.m, v: o.v, file: name)
            adam.step = o.step
            adam.learningRate = o.learningRate
            optimizers[task] = adam
            let saved = streams[task]!
            // Files before format_version 3 ran with the config's batch × their world size.
            let globalBatch = d.globalBatch ?? config.tasks[task]!.batchSize * c.worldSize
            guard globalBatch > 0 else { throw TrainingError("\(name): task \(task.rawValue) has global batch \(globalBatch)") }
            var stream = TaskStream(task: task, lengths: saved.lengths, globalBatch: globalBatch, seed: saved.seed)
            do {
                try stream.seek(epoch: d.epoch, position: d.position)
            } catch {
                throw TrainingError("\(name): \(error)")
            }
            streams[task] = stream
            stopping[task] = EarlyStopping(patience: config.schedule.patience, best: g.bestScore, bestStep: g.bestStep,
                                           badValidations: g.badEpochs, exhausted: g.outOfPatience, history: g.history)
            let s = config.schedule
            plateaus[task] = PlateauSchedule(factor: s.learningRateFactor, patience: s.learningRatePatience, threshold: s.learningRateThreshold,
                                             best: g.plateauBest, badValidations: g.plateauBadEpochs)
        }
        guard c.samplerState.count == 4 else { throw TrainingError("\(name): sampler state has \(c.samplerState.count) words, expected 4") }
        let s = c.samplerState
        let weights = Trainer.samplingWeights(sampler.tasks, streams, config.schedule.sampling)
        sampler = TaskSampler(tasks: sampler.tasks, weights: weights, state: (s[0], s[1], s[2], s[3]), draws: c.samplerDraws)
        step = c.step
        log.say("hmtl: resumed from \(name) at step \(step)")
        if c.worldSize != communicator.size {
            let batches = model.tasks.map { task -> String in
                let g = streams[task]!.globalBatch
                return "\(task.rawValue) \(g) (\(Self.shareDescription(g, communicator.size)) per rank)"
            }
            log.say("hmtl: \(name) was written by \(c.worldSize) rank(s), this job has \(communicator.size): the global batches "
                + "stay as saved — \(batches.joined(separator: ", ")) — so the run walks the same batches and task draws; only the shards are recomputed")
        }
        log.record(["kind": "resume", "step": step, "file": name, "saved_world_size": c.worldSize, "world_size": communicator.size])
    }
}

public let hmtlVersion = "0.1.0"

extension Vocabularies {
    /// Vocabulary entries by checkpoint namespace ("words", "characters", "<task>_tags").
    public var namespaces: [String: [String]] {
        var n = ["words": words.entries, "characters": characters.entries]
        for (task, v) in tags { n["\(task.rawValue)_tags"] = v.entries }
        if let relations { n["relation_types"] = relations.entries }
        return n
    }

    public init(namespaces n: [String: [String]], file: String) throws {
        guard let w = n["words"], let c = n["characters"] else {
            throw TrainingError("\(file): the checkpoint has no word or character vocabulary")
        }
        func vocabulary(_ kind: Vocabulary.Kind, _ entries: [String], _ namespace: String) throws -> Vocabulary {
            guard let v = Vocabulary(kind: kind, entries: entries) else {
                throw TrainingError("\(file): vocabulary \(namespace) is malformed (reserved entries or duplicates)")
            }
            return v
        }
        var tags: [Task: Vocabulary] = [:]
        for (namespace, entries) in n where namespace.hasSuffix("_tags") {
            tags[Task(rawValue: String(namespace.dropLast("_tags".count)))] = try vocabulary(.labels, entries, namespace)
        }
        self.init(words: try vocabulary(.words, w, "words"), characters: try vocabulary(.characters, c, "characters"), tags: tags,
                  relations: try n["relation_types"].map { try vocabulary(.labels, $0, "relation_types") })
    }
}

extension ParameterArena {
    /// Copies saved parameters in by name; every parameter of the layout must be there with its shape.
    func load(_ saved: [NamedArray], file: String) throws {
        let byName = Dictionary(saved.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in layout.parameters {
            guard let s = byName[p.name], s.shape == p.shape, s.values.count == p.count else {
                throw TrainingError("\(file): parameter \(p.name) \(p.shape) is missing or has another shape")
            }
            s.values.withUnsafeBufferPointer { value(p).update(from: $0.baseAddress!, count: p.count) }
        }
    }
}

extension ParameterLayout {
    /// Adam's moments cut back into per-parameter arrays (the parameters inside its ranges).
    func slices(of adam: Adam) -> (m: [NamedArray], v: [NamedArray]) {
        var m: [NamedArray] = [], v: [NamedArray] = []
        var offset = 0
        for range in adam.ranges {
            for p in parameters where range.contains(p.offset) {
                let local = offset + p.offset - range.lowerBound
                m.append(NamedArray(name: p.name, shape: p.shape, values: Array(adam.m[local..<(local + p.count)])))
                v.append(NamedArray(name: p.name, shape: p.shape, values: Array(adam.v[local..<(local + p.count)])))
            }
            offset += range.count
        }
        return (m, v)
    }

    func restore(_ adam: inout Adam, m: [NamedArray], v: [NamedArray], file: String) throws {
        let ms = Dictionary(m.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        let vs = Dictionary(v.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        var offset = 0
        for range in adam.ranges {
            for p in parameters where range.contains(p.offset) {
                guard let pm = ms[p.name], let pv = vs[p.name], pm.count == p.count, pv.count == p.count else {
                    throw TrainingError("\(file): optimizer moments for \(p.name) are missing or have the wrong size")
                }
                let local = offset + p.offset - range.lowerBound
                adam.m.replaceSubrange(local..<(local + p.count), with: pm)
                adam.v.replaceSubrange(local..<(local + p.count), with: pv)
            }
            offset += range.count
        }
    }
}

/// Which keys (dotted paths) differ between two JSON config texts.
enum ConfigDifference {
    static func keys(between a: String, and b: String) throws -> [String] {
        func parse(_ text: String) throws -> [String: Any] {
            guard let d = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw TrainingError("checkpoint config is not a JSON object")
            }
            return d
        }
        var out: [String] = []
        func walk(_ x: [String: Any], _ y: [String: Any], _ prefix: String) {
            for key in Set(x.keys).union(y.keys).sorted() {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                switch (x[key], y[key]) {
                case let (u as [String: Any], w as [String: Any]): walk(u, w, path)
                case let (u?, w?) where (u as? NSObject) == (w as? NSObject): continue
                default: out.append(path)
                }
            }
        }
        walk(try parse(a), try parse(b), "")
        return out
    }
}
