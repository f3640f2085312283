import Checkpoint
import Foundation
import ProcessTesting
import TestSupport
import XCTest

/// The cluster launchers in `cluster/` and the world-size assertion they rely on. The Slurm
/// script cannot run here, so its decisions are checked through its dry-run mode; the hostfile
/// launcher runs for real on localhost, and two "hosts" in their own network namespaces train
/// over MPI's TCP transport.
final class ClusterLauncherTests: XCTestCase {
    static var slurmScript: String { CommandRunner.repositoryRoot.appendingPathComponent("cluster/slurm.sbatch").path }
    static var hostfileScript: String { CommandRunner.repositoryRoot.appendingPathComponent("cluster/mpirun-hostfile.sh").path }
    static var demoConfig: String { CommandRunner.repositoryRoot.appendingPathComponent("configs/demo.json").path }

    /// configs/demo.json (all four tasks) made small enough for seconds per step in a debug build.
    static let smallDemo = ["ner", "emd", "relation", "coref"].flatMap { ["--set", "tasks.\($0).data.documents=40"] }
        + ["--set", "tasks.coref.encoder.hidden=32", "--set", "training.validate_every=1000000"]

    private func assertSucceeded(_ o: CommandRunner.Output, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(o.timedOut, "timed out", file: file, line: line)
        XCTAssertEqual(o.status, 0, "exit \(o.status)\nstdout:\n\(o.stdout)\nstderr:\n\(o.stderr)", file: file, line: line)
    }

    private func bash(_ script: String, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CommandRunner.Output {
        try CommandRunner.execute("/bin/bash", [script] + arguments, timeout: timeout, environment: environment)
    }

    // MARK: - World size

    func testWorldSizeOptionStopsAPlainProcess() throws {
        let dir = try makeTemporaryDirectory()
        let run = dir.appendingPathComponent("run")
        let o = try CommandRunner.run(["train", "--config", Self.demoConfig, "--output", run.path, "--world-size", "2"], timeout: 120)
        XCTAssertEqual(o.status, 2, o.stdout + o.stderr)
        XCTAssertTrue(o.stderr.contains("expected a world of 2 ranks but this one has 1"), o.stderr)
        XCTAssertTrue(o.stderr.contains("mpirun -np 2 or srun --mpi=pmix"), o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "the run folder was touched before the check")

        let zero = try CommandRunner.run(["train", "--config", Self.demoConfig, "--output", run.path, "--world-size", "0"], timeout: 120)
        XCTAssertEqual(zero.status, 2, zero.stderr)
        XCTAssertTrue(zero.stderr.contains("--world-size: expected a positive number of ranks, got 0"), zero.stderr)
    }

    /// What srun without PMI (or an mpirun of another MPI) does: N processes that each see a
    /// world of 1. Each must stop before touching the run folder, naming the fix.
    func testSeparateSingleRankProcessesStopBeforeTouchingTheRun() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let run = dir.appendingPathComponent("run")
        // env -i drops mpirun's variables: the ranks start as plain processes, as under srun --mpi=none.
        let script = "exec env -i PATH=\"$PATH\" SLURM_JOB_ID=42 \"$0\" train --config \"$1\" --output \"$2\" --world-size 2"
        let o = try CommandRunner.mpirun(ranks: 2, ["-c", script, CommandRunner.hmtl, Self.demoConfig, run.path], program: "/bin/sh", timeout: 120)
        XCTAssertNotEqual(o.status, 0, o.stdout + o.stderr)
        let lines = o.stderr.components(separatedBy: "\n").filter { $0.contains("expected a world of 2 ranks but this one has 1") }
        XCTAssertEqual(lines.count, 2, o.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.contains("srun --mpi=pmix") }, o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "a single-rank process touched the run folder")
    }

    // MARK: - Slurm script (dry run)

    /// A stand-in `srun` that answers `--mpi=list` with the given plugins.
    private func fakeSrun(offering plugins: [String], in dir: URL) throws -> String {
        let bin = dir.appendingPathComponent("bin-\(plugins.joined(separator: "-"))")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let listing = (["MPI plugin types are..."] + plugins.map { "\t\($0)" }).joined(separator: "\\n")
        let srun = bin.appendingPathComponent("srun")
        try "#!/bin/sh\n[ \"$1\" = --mpi=list ] || exit 1\nprintf '\(listing)\\n'\n".write(to: srun, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: srun.path)
        return bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }

    private func slurmDryRun(_ environment: [String: String], extra: [String] = []) throws -> CommandRunner.Output {
        let slurm = ["SLURM_NTASKS": "4", "SLURM_CPUS_PER_TASK": "2", "SLURM_JOB_ID": "77", "HMTL_DRY_RUN": "1", "HMTL": "/opt/hmtl"]
        return try bash(Self.slurmScript, ["configs/demo.json", "runs/x y"] + extra, environment: slurm.merging(environment) { $1 })
    }

    func testSlurmScriptChoosesPMIxThenPMI2AndBindsCores() throws {
        let dir = try makeTemporaryDirectory()
        let pmix = try slurmDryRun(["PATH": try fakeSrun(offering: ["none", "pmi2", "pmix", "pmix_v4"], in: dir)],
                                   extra: ["--set", "training.max_steps=5"])
        assertSucceeded(pmix)
        XCTAssertTrue(pmix.stdout.contains("OPENBLAS_NUM_THREADS=2 HDF5_USE_FILE_LOCKING=FALSE"), pmix.stdout)
        XCTAssertTrue(pmix.stdout.contains(
            "srun --mpi=pmix --cpus-per-task=2 --cpu-bind=cores --kill-on-bad-exit=1 /opt/hmtl train --config configs/demo.json "
                + "--output runs/x\\ y --resume --world-size 4 --set training.max_steps=5"), pmix.stdout)

        let pmi2 = try slurmDryRun(["PATH": try fakeSrun(offering: ["none", "pmi2"], in: dir)])
        assertSucceeded(pmi2)
        XCTAssertTrue(pmi2.stdout.contains("srun --mpi=pmi2 "), pmi2.stdout)

        let chosen = try slurmDryRun(["PATH": try fakeSrun(offering: ["none", "pmix"], in: dir), "HMTL_SRUN_MPI": "pmi2"])
        XCTAssertTrue(chosen.stdout.contains("srun --mpi=pmi2 "), chosen.stdout)

        let neither = try slurmDryRun(["PATH": try fakeSrun(offering: ["none"], in: dir)])
        XCTAssertEqual(neither.status, 2, neither.stdout)
        XCTAssertTrue(neither.stderr.contains("neither pmix nor pmi2"), neither.stderr)
    }

    func testSlurmScriptMpirunFallbackAndItsErrors() throws {
        let mpirun = try slurmDryRun(["HMTL_LAUNCHER": "mpirun"])
        assertSucceeded(mpirun)
        XCTAssertTrue(mpirun.stdout.contains(
            "mpirun -np 4 --map-by slot:PE=2 --bind-to core -x OPENBLAS_NUM_THREADS -x HDF5_USE_FILE_LOCKING "
                + "--mca odls_base_sigkill_timeout 10 /opt/hmtl train --config configs/demo.json --output runs/x\\ y --resume --world-size 4"),
                      mpirun.stdout)
        let graced = try slurmDryRun(["HMTL_LAUNCHER": "mpirun", "SIGKILL_GRACE": "45"])
        XCTAssertTrue(graced.stdout.contains("--mca odls_base_sigkill_timeout 45 /opt/hmtl"), graced.stdout)
        let graceless = try slurmDryRun(["HMTL_LAUNCHER": "mpirun", "SIGKILL_GRACE": "0"])
        XCTAssertEqual(graceless.status, 2)
        XCTAssertTrue(graceless.stderr.contains("SIGKILL_GRACE must be a positive integer, got '0'"), graceless.stderr)

        let locking = try slurmDryRun(["HMTL_LAUNCHER": "mpirun", "HDF5_USE_FILE_LOCKING": "TRUE"])
        XCTAssertTrue(locking.stdout.contains("HDF5_USE_FILE_LOCKING=TRUE"), locking.stdout)

        let unknown = try slurmDryRun(["HMTL_LAUNCHER": "ssh"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("HMTL_LAUNCHER must be srun or mpirun"), unknown.stderr)

        let outside = try bash(Self.slurmScript, ["configs/demo.json", "runs/x"], environment: ["HMTL_DRY_RUN": "1"])
        XCTAssertEqual(outside.status, 2)
        XCTAssertTrue(outside.stderr.contains("SLURM_NTASKS is not set"), outside.stderr)

        let usage = try bash(Self.slurmScript, ["configs/demo.json"], environment: ["SLURM_NTASKS": "2"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("usage:"), usage.stderr)
    }

    // MARK: - Hostfile launcher

    func testHostfileLauncherCountsSlots() throws {
        let dir = try makeTemporaryDirectory()
        let hosts = dir.appendingPathComponent("hosts")
        try "# two nodes\nnode1 slots=2\nnode2 slots=3 max_slots=4  # comment\n\nnode3\n".write(to: hosts, atomically: true, encoding: .utf8)
        let o = try bash(Self.hostfileScript, [hosts.path, Self.demoConfig, dir.appendingPathComponent("run").path],
                         environment: ["HMTL_DRY_RUN": "1", "HMTL": "/opt/hmtl", "THREADS_PER_RANK": "3", "MPIRUN_ARGS": "--mca pml ob1"])
        assertSucceeded(o)
        let root = getuid() == 0 ? "--allow-run-as-root " : ""
        XCTAssertTrue(o.stdout.contains("OPENBLAS_NUM_THREADS=3 "), o.stdout)
        XCTAssertTrue(o.stdout.contains(
            "mpirun \(root)--hostfile \(hosts.path) -np 6 --map-by slot:PE=3 --bind-to core -x OPENBLAS_NUM_THREADS "
                + "-x HDF5_USE_FILE_LOCKING --mca odls_base_sigkill_timeout 10 --mca pml ob1 /opt/hmtl train"), o.stdout)
        XCTAssertTrue(o.stdout.contains("--resume --world-size 6"), o.stdout)

        let bad = try bash(Self.hostfileScript, [hosts.path, Self.demoConfig, "run"], environment: ["THREADS_PER_RANK": "0"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("THREADS_PER_RANK must be a positive integer"), bad.stderr)
        let graceless = try bash(Self.hostfileScript, [hosts.path, Self.demoConfig, "run"], environment: ["SIGKILL_GRACE": "soon"])
        XCTAssertEqual(graceless.status, 2)
        XCTAssertTrue(graceless.stderr.contains("SIGKILL_GRACE must be a positive integer, got 'soon'"), graceless.stderr)
    }

    /// For real on `localhost slots=2`: train the demo, stop it with SIGTERM to the launcher
    /// (relayed to the ranks, so it checkpoints and exits 0), then the same command resumes.
    /// The launcher moves mpirun into a session of its own; the job still ends it (and its
    /// ranks) on every path, by the job variable they inherit.
    func testHostfileLauncherTrainsStopsOnSigtermAndResumes() throws {
        let dir = try makeTemporaryDirectory()
        let (status, output, run) = try stopHostfileRun(in: dir, hmtl: CommandRunner.hmtl)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("stop signal received"), "mpirun relays the ranks' output when they are signalled:\n\(output)")
        let checkpoint = try XCTUnwrap(try CheckpointStore.latest(in: run), "no checkpoint after SIGTERM\n\(output)")
        let step = try CheckpointStore.read(checkpoint).step

        let resumed = try bash(Self.hostfileScript, [Self.localHosts(in: dir).path, Self.demoConfig, run.path,
                                                     "--set", "training.max_steps=\(step + 2)"] + Self.smallDemo,
                               environment: ["HMTL": CommandRunner.hmtl], timeout: 300)
        assertSucceeded(resumed)
        XCTAssertTrue(resumed.stdout.contains("holds checkpoint \(checkpoint.lastPathComponent); continuing it"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("resumed from \(checkpoint.lastPathComponent) at step \(step)"), resumed.stdout)
        XCTAssertEqual(try CheckpointStore.read(try XCTUnwrap(try CheckpointStore.latest(in: run))).step, step + 2)
    }

    /// With no rank on the launching host (here: the ranks are not named as the launcher
    /// expects, so it finds none), the launcher signals mpirun instead, whose grace still lets
    /// the ranks checkpoint; mpirun then reports the job as ended by it (non-zero).
    func testHostfileLauncherWithoutALocalRankSignalsMpirun() throws {
        let dir = try makeTemporaryDirectory()
        let wrapper = dir.appendingPathComponent("hmtl-wrapper")
        try "#!/bin/sh\nexec \"\(CommandRunner.hmtl)\" \"$@\"\n".write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let (status, output, _) = try stopHostfileRun(in: dir, hmtl: wrapper.path)
        XCTAssertNotEqual(status, 0, output)
    }

    /// `localhost slots=2`, written into `dir`.
    private static func localHosts(in dir: URL) throws -> URL {
        let hosts = dir.appendingPathComponent("hosts")
        try "localhost slots=2\n".write(to: hosts, atomically: true, encoding: .utf8)
        return hosts
    }

    /// Starts the hostfile launcher on the small demo with `hmtl` as its `HMTL`, sends it SIGTERM
    /// once both ranks train, and returns its exit status and output, and the run folder, after
    /// checking that the ranks recorded a stop on the signal and that its checkpoint is the
    /// latest. (Signalled itself, mpirun relays no output until it ends and may drop what the
    /// ranks wrote meanwhile, so the run's metrics.jsonl is the evidence, not the console.)
    private func stopHostfileRun(in dir: URL, hmtl: String) throws -> (Int32, String, URL) {
        try BackgroundJob.skipUnlessAvailable()
        let run = dir.appendingPathComponent("run")
        let launcher = try BackgroundProcess("/bin/bash", [Self.hostfileScript, try Self.localHosts(in: dir).path, Self.demoConfig, run.path,
                                                           "--set", "training.max_steps=1000000", "--set", "training.log_every=2"] + Self.smallDemo,
                                             environment: ["HMTL": hmtl], log: dir.appendingPathComponent("log.txt"))
        defer { launcher.end() }
        // Premise: both ranks are training when the signal comes.
        XCTAssertTrue(launcher.wait(upTo: 300) { $0.contains("\nstep") }, "no step logged:\n\(launcher.output)")
        XCTAssertTrue(launcher.isRunning, "training ended before the signal:\n\(launcher.output)")
        XCTAssertTrue(launcher.output.contains("on 2 rank(s)"), launcher.output)
        launcher.job.process.signal(SIGTERM)
        let bound = TimeInterval(2 * MPILaunch.sigkillGrace + 100)
        XCTAssertTrue(launcher.waitForExit(upTo: bound), "still running \(Int(bound)) s after SIGTERM:\n\(launcher.output)")
        let output = launcher.output
        let records = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let stop = try XCTUnwrap(records.last { $0["kind"] as? String == "stop" }, "no stop recorded after SIGTERM:\n\(output)")
        XCTAssertEqual(stop["reason"] as? String, "signal")
        let latest = try XCTUnwrap(try CheckpointStore.latest(in: run), "no checkpoint after SIGTERM\n\(output)")
        XCTAssertEqual(stop["file"] as? String, latest.lastPathComponent, "the stop's checkpoint is the latest")
        XCTAssertEqual(try CheckpointStore.read(latest).step, stop["step"] as? Int)
        return (try XCTUnwrap(launcher.status, "no exit status: still running"), output, run)
    }

    func testLaunchersAreValidShell() throws {
        for script in [Self.slurmScript, Self.hostfileScript] {
            let syntax = try CommandRunner.execute("/bin/bash", ["-n", script], timeout: 30, environment: [:])
            XCTAssertEqual(syntax.status, 0, "\(script): \(syntax.stderr)")
        }
        guard let shellcheck = CommandRunner.which("shellcheck") else { throw XCTSkip("shellcheck not installed (apt-get install shellcheck)") }
        let lint = try CommandRunner.execute(shellcheck, [Self.slurmScript, Self.hostfileScript], timeout: 60, environment: [:])
        XCTAssertEqual(lint.status, 0, lint.stdout + lint.stderr)
    }

    // MARK: - Two hosts over TCP

    /// The multi-host path on one machine: rank 0 and rank 1 in two network namespaces joined by
    /// a veth pair, so every byte between them crosses MPI's TCP transport (no shared memory),
    /// with the second "host" started through mpirun's remote launch agent as ssh would. The
    /// result must be bit-identical to the default shared-memory run: same world size, same
    /// reduction order. Without the rights for namespaces it falls back to TCP over loopback.
    func testTwoRanksOverTCPMatchSharedMemoryBitForBit() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let train = ["train", "--config", Self.demoConfig, "--world-size", "2", "--set", "training.max_steps=20"] + Self.smallDemo

        let shared = dir.appendingPathComponent("shared-memory")
        assertSucceeded(try CommandRunner.mpirun(ranks: 2, train + ["--output", shared.path]))

        let tcp = dir.appendingPathComponent("tcp")
        let network = try NamespacePair.create(in: dir)
        defer { network?.remove() }
        let transport: CommandRunner.Output
        if let network {
            transport = try network.mpirun(train + ["--output", tcp.path])
        } else {
            let loopback = ["--mca", "pml", "ob1", "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "lo"]
            transport = try CommandRunner.execute(try CommandRunner.mpirunPath(),
                                                  CommandRunner.mpirunArguments(ranks: 2, loopback + [CommandRunner.hmtl] + train + ["--output", tcp.path]),
                                                  timeout: 300, environment: [:])
        }
        assertSucceeded(transport)

        let a = try CheckpointStore.read(try XCTUnwrap(try CheckpointStore.latest(in: shared)))
        let b = try CheckpointStore.read(try XCTUnwrap(try CheckpointStore.latest(in: tcp)))
        XCTAssertEqual(a.step, 20)
        XCTAssertEqual(b.step, 20)
        ParameterComparison.assertBitIdentical(a.parameters, b.parameters, "between TCP and shared memory")
        if let network {
            // Rank 0's initial parameters alone (4 bytes each) went from one namespace to the other.
            let count = a.parameters.reduce(0) { $0 + $1.values.count }
            XCTAssertGreaterThan(try network.bytesSentByFirstHost(), 4 * count, "the ranks did not talk over the veth pair")
        }
    }
}

/// Two network namespaces joined by a veth pair, each a "host" with an address that exists only
/// inside them (192.0.2.0/24, TEST-NET-1: documentation addresses, routed nowhere), and a launch
/// agent that starts mpirun's daemon for a host inside its namespace. Needs root (CAP_NET_ADMIN)
/// and iproute2.
private struct NamespacePair {
    static let addresses = ["192.0.2.1", "192.0.2.2"]
    let names: [String]
    let interfaces: [String]
    let directory: URL

    /// nil when namespaces cannot be made here (not root, no `ip`, or no rights).
    static func create(in directory: URL) throws -> NamespacePair? {
        guard getuid() == 0, let ip = CommandRunner.which("ip") else { return nil }
        let id = getpid()
        let pair = NamespacePair(names: ["hmtl\(id)a", "hmtl\(id)b"], interfaces: ["hm\(id)a", "hm\(id)b"], directory: directory)
        guard try run(ip, ["netns", "add", pair.names[0]]).status == 0 else { return nil }
        var commands = [["netns", "add", pair.names[1]],
                        ["link", "add", pair.interfaces[0], "type", "veth", "peer", "name", pair.interfaces[1]]]
        for i in 0..<2 {
            commands += [["link", "set", pair.interfaces[i], "netns", pair.names[i]],
                         ["-n", pair.names[i], "addr", "add", "\(addresses[i])/24", "dev", pair.interfaces[i]],
                         ["-n", pair.names[i], "link", "set", pair.interfaces[i], "up"],
                         ["-n", pair.names[i], "link", "set", "lo", "up"]]
        }
        for command in commands {
            let o = try run(ip, command)
            guard o.status == 0 else {
                pair.remove()
                XCTFail("ip \(command.joined(separator: " ")): \(o.stderr)")
                return nil
            }
        }
        try pair.writeAgent(ip: ip)
        return pair
    }

    private static func run(_ ip: String, _ arguments: [String]) throws -> CommandRunner.Output {
        try CommandRunner.execute(ip, arguments, timeout: 30, environment: [:])
    }

    var agent: URL { directory.appendingPathComponent("netns-agent.sh") }
    var hostfile: URL { directory.appendingPathComponent("netns-hosts") }

    /// mpirun calls its rsh agent as `agent HOST COMMAND…`, COMMAND a line for a remote shell.
    private func writeAgent(ip: String) throws {
        let cases = zip(Self.addresses, names).map { "    \($0)) ns=\($1) ;;" }.joined(separator: "\n")
        let script = """
        #!/bin/sh
        host=$1
        shift
        case $host in
        \(cases)
            *) echo "netns agent: unknown host $host" >&2; exit 1 ;;
        esac
        exec \(ip) netns exec "$ns" /bin/sh -c "$*"

        """
        try script.write(to: agent, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: agent.path)
        try Self.addresses.map { "\($0) slots=1\n" }.joined().write(to: hostfile, atomically: true, encoding: .utf8)
    }

    /// mpirun in the first namespace: rank 0 there, rank 1 on the second host through the agent.
    func mpirun(_ arguments: [String]) throws -> CommandRunner.Output {
        let ip = try XCTUnwrap(CommandRunner.which("ip"))
        let mpirun = try XCTUnwrap(CommandRunner.which("mpirun"))
        let subnet = "192.0.2.0/24"
        let launcher = [mpirun, "--allow-run-as-root", "--hostfile", hostfile.path, "-np", "2", "-x", "OPENBLAS_NUM_THREADS=1",
                        "--mca", "plm_rsh_agent", agent.path, "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
                        "--mca", "btl_tcp_if_include", subnet, "--mca", "oob_tcp_if_include", subnet]
        return try CommandRunner.execute(ip, ["netns", "exec", names[0]] + launcher + [CommandRunner.hmtl] + arguments,
                                         timeout: 300, environment: [:])
    }

    func bytesSentByFirstHost() throws -> Int {
        let ip = try XCTUnwrap(CommandRunner.which("ip"))
        let o = try CommandRunner.execute(ip, ["netns", "exec", names[0], "cat", "/sys/class/net/\(interfaces[0])/statistics/tx_bytes"],
                                          timeout: 30, environment: [:])
        return Int(o.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Deleting a namespace deletes the veth end inside it, and with it the pair.
    func remove() {
        guard let ip = CommandRunner.which("ip") else { return }
        for name in names { _ = try? Self.run(ip, ["netns", "del", name]) }
    }
}
