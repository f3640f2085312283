import Foundation

/// Per-rank liveness and progress stamps in the run folder, so that a rank whose watchdog
/// fires can name the peer at fault: MPI does not tell a rank waiting in a collective which
/// peer it waits for, and a stalled or killed rank cannot say so itself.
///
/// Each rank's watchdog thread rewrites `<output>/.heartbeat/rank-<r>` at every tick (one line:
/// `<job> <alive> <progress> <activity>`, times in Unix seconds). A rank whose stamp stopped
/// being rewritten is stopped or dead; one that is alive, not waiting in a collective and makes
/// no progress is stuck in its own work. On a shared file system every rank sees every stamp;
/// otherwise only its node's, and the message says which ranks it could not see. `job` is
/// agreed by the ranks at start-up, so stamps left by an earlier job in the folder are ignored.
struct Heartbeats: Sendable {
    let directory: URL
    let job: Int64
    let rank: Int
    let worldSize: Int

    struct Stamp: Equatable {
        /// When the rank's watchdog last ran.
        var alive: Double
        /// When the rank last made progress, and what it has been doing since.
        var progress: Double
        var activity: String
    }

    /// Activities that wait for the other ranks start with this word.
    static let waiting = "waiting"

    init(output: URL, job: Int64, rank: Int, worldSize: Int) {
        directory = output.appendingPathComponent(".heartbeat")
        self.job = job
        self.rank = rank
        self.worldSize = worldSize
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func file(_ r: Int) -> URL { directory.appendingPathComponent("rank-\(r)") }

    /// Best effort: a full disk must not stop training, it only makes the message vaguer.
    /// Written beside the stamp and renamed over it, so a reader sees the old stamp or the new
    /// one, never none — also when this rank is stopped mid-write.
    func write(_ stamp: Stamp) {
        let line = "\(job) \(stamp.alive) \(stamp.progress) \(stamp.activity)\n"
        let target = file(rank), partial = target.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: partial.path, contents: Data(line.utf8)) else { return }
        rename(partial.path, target.path)
    }

    /// This job's stamp of rank `r`, if it wrote one.
    func read(_ r: Int) -> Stamp? {
        guard let data = try? Data(contentsOf: file(r)), data.count < 4096 else { return nil }
        let parts = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            .split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, Int64(parts[0]) == job, let alive = Double(parts[1]), let progress = Double(parts[2]) else { return nil }
        return Stamp(alive: alive, progress: progress, activity: String(parts[3]))
    }

    /// The peers at fault, for a rank that has waited `idle` seconds at wall time `now`: first
    /// those whose stamps went quiet more than `silence` seconds ago (stopped or dead), else
    /// those alive but stuck outside a collective, else the ranks it could not see.
    func peersReport(now: Double, idle: Double, silence: Double) -> String {
        let peers = (0..<worldSize).filter { $0 != rank }.map { ($0, read($0)) }
        let seen = peers.compactMap { r, s in s.map { (rank: r, stamp: $0) } }
        let quiet = seen.filter { now - $0.stamp.alive > silence }
        if !quiet.isEmpty {
            return quiet.map { "rank \($0.rank) went silent \(Int(now - $0.stamp.alive)) s ago, while \($0.stamp.activity)" }
                .joined(separator: "; ") + " — it is stalled or dead"
        }
        let stuck = seen.filter { !$0.stamp.activity.hasPrefix(Self.waiting) && now - $0.stamp.progress >= idle - silence }
        if !stuck.isEmpty {
            return stuck.map { "rank \($0.rank) is alive but has made no progress for \(Int(now - $0.stamp.progress)) s, while \($0.stamp.activity)" }
                .joined(separator: "; ")
        }
        let unseen = peers.filter { $0.1 == nil }.map(\.0)
        if !unseen.isEmpty {
            return "no stamp of rank(s) \(unseen.map(String.init).joined(separator: ", ")) in \(directory.path) "
                + "(dead before its first step, or on a node that does not share this folder)"
        }
        return "every other rank is waiting too"
    }
}
