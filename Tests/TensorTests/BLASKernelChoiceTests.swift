import Tensor
import XCTest

final class BLASKernelChoiceTests: XCTestCase {
    func testAGenericKernelIsReplacedByWhatTheCPUSupports() {
        XCTAssertEqual(BLASKernelChoice.replacement(for: "Prescott", avx512: true, avx2: true, intel: true), "SkylakeX")
        XCTAssertEqual(BLASKernelChoice.replacement(for: "Prescott", avx512: true, avx2: true, intel: false), "Haswell")
        XCTAssertEqual(BLASKernelChoice.replacement(for: "Nehalem", avx512: false, avx2: true, intel: true), "Haswell")
        XCTAssertNil(BLASKernelChoice.replacement(for: "Prescott", avx512: false, avx2: false, intel: true), "nothing better to run")
    }

    func testOpenBLASsOwnVectorKernelIsKept() {
        for kernel in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"] {
            XCTAssertNil(BLASKernelChoice.replacement(for: kernel, avx512: true, avx2: true, intel: true), kernel)
        }
    }
}
