import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Rank 0's console lines, written so that training never waits for them. Under mpirun a
/// rank's stdout is a pipe or pty that mpirun stops draining once it has been told to stop, for
/// as long as it gives the ranks to checkpoint (docs/checkpoints.md, Preemption and stopping a run); a rank
/// blocked in write(2) there could not act on the SIGTERM that follows and would be killed
/// before its checkpoint. A line that finds stdout full waits, in order, for the next line or
/// for `drain(within:)`; past `limit` bytes the oldest waiting lines are dropped, whole (the
/// rest of a line stdout has begun is kept, so no line is cut).
public final class ConsoleOutput: @unchecked Sendable {
    public static let standard = ConsoleOutput(fileDescriptor: STDOUT_FILENO)

    private let fileDescriptor: Int32
    private let limit: Int
    private let lock = NSLock()
    private var pending: [UInt8] = []
    /// stdout has taken part of `pending`'s first line, not its end.
    private var inLine = false

    init(fileDescriptor: Int32, limit: Int = 1 << 20) {
        self.fileDescriptor = fileDescriptor
        self.limit = limit
    }

    /// Bytes written but not yet taken by stdout.
    var waiting: Int { lock.withLock { pending.count } }

    public func line(_ text: String) {
        fflush(nil)  // what `print` buffered goes first (a no-op when nothing is buffered)
        lock.withLock {
            pending += Array((text + "\n").utf8)
            if pending.count > limit { dropOldestLines() }
            flush(waitingUpTo: 0)
        }
    }

    /// Drops whole lines, oldest first, until `limit` bytes wait or only the newest line is left;
    /// the rest of a line stdout has begun stays first.
    private func dropOldestLines() {
        var keep = 0
        if inLine, let end = pending.firstIndex(of: newline) { keep = end + 1 }
        var cut = keep
        while pending.count - (cut - keep) > limit, let end = pending[cut...].firstIndex(of: newline), end + 1 < pending.count {
            cut = end + 1
        }
        pending.removeSubrange(keep..<cut)
    }

    /// Gives stdout up to `seconds` to take what waits (at the end of a command).
    public func drain(within seconds: Double) { lock.withLock { flush(waitingUpTo: seconds) } }

    /// Chunks of at most 256 bytes, each after poll(2) reports room: a pipe then has at least
    /// PIPE_BUF (4,096) bytes free and a terminal at least its wake-up threshold (256), so no
    /// write blocks. A closed or failed stdout drops what waits.
    private func flush(waitingUpTo seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        var written = 0
        defer {
            if written > 0 { inLine = pending[written - 1] != newline }
            pending.removeFirst(written)
        }
        while written < pending.count {
            var request = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            let ready = poll(&request, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready == 1 else { return }
            guard request.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else { written = pending.count; return }
            let count = min(256, pending.count - written)
            let n = pending.withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress! + written, count) }
            if n > 0 {
                written += n
            } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
                continue
            } else {
                written = pending.count
                return
            }
        }
    }
}

private let newline = UInt8(ascii: "\n")
