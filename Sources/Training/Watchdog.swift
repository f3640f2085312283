import Dispatch
import Foundation

/// Stops this process when training makes no progress for `timeout` seconds — the case MPI
/// cannot see: a rank that is stalled (not dead) leaves every other rank waiting in a
/// collective forever. The trainer beats at every step; the watchdog checks from its own
/// thread and, on expiry, says where this rank was waiting and — from the ranks' `Heartbeats`
/// — which peer stopped first, then exits with code 3, which makes mpirun or srun end the
/// whole job. Checkpoints are only ever committed whole, so the last one stays intact.
final class Watchdog: @unchecked Sendable {
    private let timeout: Double
    private let interval: Double
    private let rank: Int
    private let lock = NSLock()
    private var last = DispatchTime.now()
    private var progress = Date().timeIntervalSince1970
    private var activity = "starting"
    private var heartbeats: Heartbeats?
    private let timer: DispatchSourceTimer

    init(timeout: Double, rank: Int) {
        self.timeout = timeout
        self.rank = rank
        interval = max(0.05, min(timeout / 4, 5))
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "hmtl.watchdog"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Progress: what this rank does next (shown if it never finishes).
    func beat(_ what: @autoclosure () -> String) {
        let text = what()
        let now = Date().timeIntervalSince1970
        lock.lock()
        last = DispatchTime.now()
        progress = now
        activity = text
        lock.unlock()
    }

    /// From now on this rank's progress is stamped where its peers can read it — the first
    /// stamp at once, so a rank stopped before its watchdog's next tick is still seen.
    func publish(to heartbeats: Heartbeats) {
        lock.lock()
        self.heartbeats = heartbeats
        let first = Heartbeats.Stamp(alive: Date().timeIntervalSince1970, progress: progress, activity: activity)
        lock.unlock()
        heartbeats.write(first)
    }

    private func check() {
        lock.lock()
        let idle = Double(DispatchTime.now().uptimeNanoseconds - last.uptimeNanoseconds) / 1e9
        let what = activity, since = progress, beats = heartbeats
        lock.unlock()
        let now = Date().timeIntervalSince1970
        beats?.write(Heartbeats.Stamp(alive: now, progress: since, activity: what))
        guard idle > timeout else { return }
        // Two missed ticks and some scheduling slack: a live peer rewrites its stamp every tick.
        let peers = beats?.peersReport(now: now, idle: idle, silence: 2 * interval + 0.5) ?? "another rank is dead or stalled"
        let message = "hmtl: rank \(rank): no progress for \(Int(idle)) s (limit \(Int(timeout)) s) while \(what); "
            + "\(peers) — stopping the job (the last checkpoint is intact; resume with --resume)\n"
        FileHandle.standardError.write(Data(message.utf8))
        _exit(3)
    }
}
