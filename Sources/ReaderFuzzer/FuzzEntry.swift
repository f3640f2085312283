import Foundation

#if FUZZING
/// libFuzzer's per-input callback. Built only by `make fuzz` (`-sanitize=fuzzer -DFUZZING`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ReaderHarness.run(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's driver (its `main` without the `main`): SwiftPM links an executable's entry
/// point as `main` itself, so libFuzzer's own `main` is never used.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
enum Fuzz {
    static func main() throws {
        if try Seeds.writeIfAsked(CommandLine.arguments) { return }
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
/// Without the fuzzer: replays saved inputs (`ReaderFuzzer crash-… seed…`), so a crash file
/// from `make fuzz` can be rerun under a debugger in an ordinary build. The ordinary build also
/// checks that the harness compiles, so `swift build` keeps it from rotting.
@main
enum Replay {
    static func main() throws {
        if try Seeds.writeIfAsked(CommandLine.arguments) { return }
        for path in CommandLine.arguments.dropFirst() {
            ReaderHarness.run(try Data(contentsOf: URL(fileURLWithPath: path)))
            print("\(path): no crash")
        }
    }
}
#endif
