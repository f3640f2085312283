import Foundation

/// The processes of this machine as Linux's `/proc` shows them: enough to find every process of
/// a session or process group (an mpirun's ranks run in process groups of their own but stay
/// in its session) and to tell a process from a later one that got the same pid.
public enum ProcessTable {
    public struct Entry: Sendable, Equatable {
        public var pid: pid_t
        public var parent: pid_t
        public var group: pid_t
        public var session: pid_t
        /// `R`, `S`, `D`, `T`, `Z`, …; a zombie (`Z`) has exited and only waits to be reaped.
        public var state: Character
        /// Clock ticks after boot at which it started: with the pid, an identity no later
        /// process can share.
        public var startTime: UInt64
        /// The executable's name, at most 15 characters (`comm`).
        public var command: String

        public var isAlive: Bool { state != "Z" && state != "X" }
    }

    /// Every process now; ones that exit while being read are left out.
    public static func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { pid_t($0) }.compactMap(entry)
    }

    /// One process, nil when there is none with that pid.
    public static func entry(_ pid: pid_t) -> Entry? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parse(stat: text)
    }

    /// A `/proc/<pid>/stat` line: `pid (comm) state ppid pgrp session … starttime …`. The
    /// command may itself hold spaces and parentheses, so the fields after it are counted from
    /// the last `)`.
    static func parse(stat text: String) -> Entry? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
              let pid = pid_t(text[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 of stat(5): state; ppid, pgrp and session follow; starttime is field 22.
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2]),
              let session = pid_t(fields[3]), let start = UInt64(fields[19]) else { return nil }
        return Entry(pid: pid, parent: parent, group: group, session: session, state: state, startTime: start,
                     command: String(text[text.index(after: open)..<close]))
    }

    /// The environment a process started with (`/proc/<pid>/environ`), nil when it cannot be read.
    public static func environment(of pid: pid_t) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        var environment: [String: String] = [:]
        for item in data.split(separator: 0) {
            let text = String(decoding: item, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return environment
    }

    /// `pid`'s live descendants in `entries`: children, their children, and so on.
    public static func descendants(of pid: pid_t, in entries: [Entry]) -> [Entry] {
        let children = Dictionary(grouping: entries.filter(\.isAlive), by: \.parent)
        var found: [Entry] = [], frontier = [pid]
        while let next = frontier.popLast() {
            for child in children[next] ?? [] where child.pid != pid {
                found.append(child)
                frontier.append(child.pid)
            }
        }
        return found
    }

    /// Ends the live processes `targets` lists (asked again after each signal, so that ones
    /// started meanwhile are included): SIGTERM — and SIGCONT, so that a stopped process gets
    /// it — then up to `grace` seconds for all of them to exit, then SIGKILL for the rest.
    /// Returns those that needed SIGKILL. Pids are signalled within milliseconds of a fresh
    /// listing, never from one kept for long, so a recycled pid is not at risk.
    @discardableResult
    public static func terminate(grace: TimeInterval, targets: () -> [Entry]) -> [Entry] {
        func alive() -> [Entry] { targets().filter(\.isAlive) }
        var left = alive()
        guard !left.isEmpty else { return [] }
        for entry in left {
            kill(entry.pid, SIGTERM)
            kill(entry.pid, SIGCONT)
        }
        let deadline = Date().addingTimeInterval(grace)
        while !left.isEmpty, Date() < deadline {
            usleep(50_000)
            left = alive()
        }
        for entry in left { kill(entry.pid, SIGKILL) }
        // SIGKILL cannot be caught; only a process stuck in the kernel outlives this.
        let killDeadline = Date().addingTimeInterval(10)
        while !alive().isEmpty, Date() < killDeadline { usleep(20_000) }
        return left
    }
}
