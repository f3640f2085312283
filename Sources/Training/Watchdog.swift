import Dispatch
import Foundation

/// Stops this process when training makes no progress for `timeout` seconds — the case MPI
/// cannot see: a rank that is stalled (not dead) leaves every other rank waiting in a
/// collective forever. The trainer beats at every step; the watchdog checks from its own
/// thread and, on expiry, says where this rank was waiting and exits with code 3, which makes
/// mpirun or srun end the whole job. Checkpoints are only ever committed whole, so the last
/// one stays intact.
final class Watchdog: @unchecked Sendable {
    private let timeout: Double
    private let rank: Int
    private let lock = NSLock()
    private var last = DispatchTime.now()
    private var activity = "starting"
    private let timer: DispatchSourceTimer

    init(timeout: Double, rank: Int) {
        self.timeout = timeout
        self.rank = rank
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "hmtl.watchdog"))
        let interval = max(0.05, min(timeout / 4, 5))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Progress: what this rank does next (shown if it never finishes).
    func beat(_ what: @autoclosure () -> String) {
        let text = what()
        lock.lock()
        last = DispatchTime.now()
        activity = text
        lock.unlock()
    }

    private func check() {
        lock.lock()
        let idle = Double(DispatchTime.now().uptimeNanoseconds - last.uptimeNanoseconds) / 1e9
        let what = activity
        lock.unlock()
        guard idle > timeout else { return }
        let message = "hmtl: rank \(rank): no progress for \(Int(idle)) s (limit \(Int(timeout)) s) while \(what); "
            + "another rank is dead or stalled — stopping the job (the last checkpoint is intact; resume with --resume)\n"
        FileHandle.standardError.write(Data(message.utf8))
        _exit(3)
    }
}
